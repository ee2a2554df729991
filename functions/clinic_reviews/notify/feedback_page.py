"""The post-visit landing page: texts in Russian and English, the one inline script and its CSP hash.

The page works without JavaScript (plain forms, POST then redirect). The script only reports that the
page was shown in a real browser and which public link was clicked (sendBeacon, same origin): link
previews of messengers run no script, so they are not counted as opens.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from markupsafe import Markup

from clinic_reviews.notify.rendering import render

SCRIPT = (
    "(function(){var b=document.body.getAttribute('data-base');if(!b)return;"
    "function post(u,d){try{if(navigator.sendBeacon){navigator.sendBeacon(u,d||'');}"
    "else{fetch(u,{method:'POST',body:d||'',keepalive:true,credentials:'same-origin'});}}catch(e){}}"
    "post(b+'/seen');"
    "var links=document.querySelectorAll('a[data-source]');"
    "for(var i=0;i<links.length;i++){links[i].addEventListener('click',function(e){"
    "post(b+'/click',new URLSearchParams({source:e.currentTarget.getAttribute('data-source')}));});}"
    "})();"
)
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{SCRIPT_HASH}'; connect-src 'self'; img-src 'none'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
}

TEXTS: dict[str, dict[str, Any]] = {
    "ru": {
        "other_lang": ("en", "English"),
        "title": "Как прошёл ваш визит?",
        "legend": "Оцените визит от 1 до 5 звёзд",
        "scale": {1: "очень плохо", 2: "плохо", 3: "так себе", 4: "хорошо", 5: "отлично"},
        "of_five": "из 5",
        "comment_label": "Комментарий (необязательно)",
        "comment_hint": "Его прочитают в клинике. Он нигде не публикуется.",
        "submit": "Отправить оценку",
        "error_rating": "Выберите оценку от 1 до 5 звёзд.",
        "public_h": "Открытый отзыв",
        "public_p": "Если хотите, расскажите о визите и другим пациентам: оставьте отзыв на одной из площадок.",
        "new_window": "откроется в новом окне",
        "thanks_h": "Спасибо за оценку!",
        "your_rating": "Ваша оценка: {n} из 5.",
        "comment_sent": "Ваш комментарий передан руководству клиники.",
        "director_h": "Написать директору напрямую",
        "director_p": "Директор клиники получит ваше сообщение сегодня же. Это не публичный отзыв: его прочитают только в клинике.",
        "message_label": "Сообщение директору",
        "message_hint": "Можно не писать, если просто просите перезвонить.",
        "callback_label": "Прошу директора перезвонить мне",
        "callback_hint": "Позвонят на номер, который вы оставили в клинике.",
        "director_submit": "Отправить директору",
        "error_director_empty": "Напишите сообщение или отметьте «Прошу директора перезвонить мне».",
        "director_sent": "Ваше сообщение передано директору клиники.",
        "callback_sent": "Вам перезвонят на номер, который вы оставили в клинике.",
        "privacy": "Ваши ответы видит только клиника.",
        "optout_button": "Больше не присылать мне такие SMS",
        "optout_done": "Готово: просьбы оценить визит вам больше не придут.",
        "optout_h": "Отказаться от таких SMS?",
        "optout_p": "Клиника больше не будет присылать вам просьбы оценить визит. Другие сообщения клиники это не затрагивает.",
        "back": "Вернуться к оценке",
        "expired_h": "Срок действия ссылки истёк",
        "expired_p": "Спасибо, что зашли! Оценить визит по этой ссылке уже нельзя. Если хотите что-то сообщить, позвоните или напишите в клинику.",
        "invalid_title": "Ссылка не действует",
        "invalid_h": "Ссылка не действует",
        "invalid_p": "Проверьте, что ссылка открыта полностью, как в SMS. Если хотите что-то сообщить, позвоните или напишите в клинику.",
    },
    "en": {
        "other_lang": ("ru", "Русский"),
        "title": "How was your visit?",
        "legend": "Rate your visit from 1 to 5 stars",
        "scale": {1: "very bad", 2: "bad", 3: "so-so", 4: "good", 5: "excellent"},
        "of_five": "of 5",
        "comment_label": "Comment (optional)",
        "comment_hint": "The clinic reads it. It is never published.",
        "submit": "Send my rating",
        "error_rating": "Choose a rating from 1 to 5 stars.",
        "public_h": "A public review",
        "public_p": "If you like, tell other patients about your visit too: leave a review on one of these sites.",
        "new_window": "opens in a new window",
        "thanks_h": "Thank you for your rating!",
        "your_rating": "Your rating: {n} of 5.",
        "comment_sent": "Your comment has been passed to the clinic's management.",
        "director_h": "Tell the director directly",
        "director_p": "The clinic's director gets your message today. It is not a public review: only the clinic reads it.",
        "message_label": "Message to the director",
        "message_hint": "You may leave it empty if you only ask for a call back.",
        "callback_label": "Please ask the director to call me back",
        "callback_hint": "They will call the number you gave the clinic.",
        "director_submit": "Send to the director",
        "error_director_empty": "Write a message or tick “Please ask the director to call me back”.",
        "director_sent": "Your message has been passed to the clinic's director.",
        "callback_sent": "They will call you back at the number you gave the clinic.",
        "privacy": "Only the clinic sees your answers.",
        "optout_button": "Do not send me such messages again",
        "optout_done": "Done: you will get no more requests to rate a visit.",
        "optout_h": "Stop these messages?",
        "optout_p": "The clinic will send you no more requests to rate a visit. Other messages from the clinic are not affected.",
        "back": "Back to the rating",
        "expired_h": "This link has expired",
        "expired_p": "Thank you for coming by! This link can no longer be used to rate the visit. If you want to tell the clinic something, please call or write to it.",
        "invalid_title": "Link not valid",
        "invalid_h": "This link does not work",
        "invalid_p": "Check that the link is opened in full, as in the SMS. If you want to tell the clinic something, please call or write to it.",
    },
}


def texts(lang: str) -> dict[str, Any]:
    return TEXTS.get(lang, TEXTS["ru"])


def render_page(
    page: str, lang: str, base: str = "", view: Any = None, error: str | None = None, chosen: bool = False
) -> str:
    """The page (`page`: main | optout | expired | invalid) in `lang`; `base` is the link's path `/f/<token>`.

    `chosen`: the patient switched the language (`?lang=`), so the forms carry it on.
    """
    return render(
        "feedback.html.j2",
        page=page,
        chosen=chosen,
        lang=lang if lang in TEXTS else "ru",
        t=texts(lang),
        base=base,
        view=view,
        error=error,
        script=Markup(SCRIPT),
    )
