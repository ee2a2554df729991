"""The console's pages: jinja2 templates (autoescaped) in Russian and English, no external assets, no script.

Every page works with the keyboard alone and on a phone (one column under 640 px); forms post to the
console's own routes, which call the same service as the JSON API and redirect back (post/redirect/get).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic_reviews.domain import cases as rules
from clinic_reviews.domain.privacy import excerpt, redact_contacts

LANGS = ("ru", "en")
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Случаи", "queue": "Очередь случаев", "login": "Вход", "logout": "Выйти",
        "account": "Учётная запись", "mfa_title": "Вход с кодом из приложения (TOTP)",
        "mfa_hint": "Добавьте в приложение-аутентификатор (Google Authenticator, Яндекс Ключ, 1Password …) этот ключ "
                    "и введите код, который оно покажет. После этого при каждом входе понадобится код.",
        "mfa_secret": "Ключ", "mfa_uri": "Ссылка для приложения", "mfa_enable": "Включить",
        "done_mfa": "Вход с кодом включён: при следующем входе приложение даст код.",
        "sign_out_everywhere": "Выйти на всех устройствах",
        "sign_out_everywhere_hint": "Другие устройства больше не получат новый вход; уже открытые сессии закончатся "
                                    "не позже чем через час.",
        "dev_banner": "Только для локального запуска: вход без пароля для демо-пользователей. На AWS выключен.",
        "username": "Имя пользователя", "password": "Пароль", "sign_in": "Войти", "forgot": "Забыли пароль?",
        "new_password": "Новый пароль", "continue": "Продолжить", "totp_code": "Код из приложения-аутентификатора",
        "new_password_hint": "Это первый вход: придумайте свой пароль (не короче 12 символов, строчные и прописные буквы, цифра).",
        "reset_hint": "Мы пришлём код на почту вашей учётной записи.", "reset_code": "Код из письма",
        "reset_sent": "Если такая учётная запись есть, код отправлен на её почту.",
        "reset_done": "Пароль изменён: войдите с новым паролем.",
        "choose_user": "Войти как", "all_clinics": "все клиники", "clinic": "Клиника", "deadline": "Срок",
        "left": "осталось {d}", "overdue": "просрочено на {d}", "no_deadline": "без срока", "status": "Статус",
        "owner": "Ответственный", "nobody": "никто", "empty": "Открытых случаев нет.", "open_case": "Открыть",
        "back": "← К очереди", "review": "Отзыв", "classification": "Разбор", "sentiment": "Тональность",
        "topics": "Темы", "triage": "Тип", "legal": "Юридический риск: ответ согласует юротдел",
        "complaint": "Жалоба внутри похвалы", "complaint_hint": "Отзыв не негативный, но в нём есть жалоба: ответьте на неё",
        "private": "Личная жалоба после визита: публичного ответа нет, позвоните пациенту",
        "private_email": "Письмо в клиентскую службу: публичного ответа нет, ответьте пациенту лично",
        "sender": "Отправитель",
        "unverified": "адрес не подтверждён (SES): уточните, кто писал, прежде чем обсуждать личное",
        "draft": "Ответ (черновик, можно править)", "reply": "Публичный ответ", "check_ok": "Проверка приватности пройдена",
        "check_failed": "Проверка приватности не пройдена", "take": "Взять случай",
        "approve": "Утвердить и опубликовать ответ", "approve_by_hand": "Утвердить: опубликую вручную",
        "by_hand_hint": "Площадка не даёт публиковать через API: скопируйте текст на площадку, затем утвердите.",
        "platform_hint": "Ответ уйдёт на площадку через её API.",
        "actions": "Действия", "record": "Записать действие", "kind": "Что сделано", "note": "Заметка",
        "bonus_kind": "Вид бонуса", "bonus_value": "Сумма, ₽", "save": "Записать",
        "resolve": "Решено", "close": "Закрыть случай", "outcome": "Итог", "root_cause": "Причина",
        "systemic": "Системная причина", "fix_note": "Что меняем, чтобы не повторилось",
        "history": "Журнал", "opened": "Открыт", "lang_switch": "English", "role": "Роль",
        "filter": "Показать", "done_taken": "Случай взят.", "done_action": "Действие записано.",
        "done_reply": "Ответ утверждён и записан.", "done_resolved": "Случай решён.", "done_closed": "Случай закрыт.",
        "error": "Не получилось", "rating": "Оценка", "no_text": "(только оценка)", "on_platform": "Открыть на площадке",
        "closed": "Случай закрыт", "skip": "К содержимому", "answered": "пациенту ответили",
        "quality": "Качество ответа", "quality_missing": "не хватает", "check_quality": "Проверить ответ",
    },
    "en": {
        "title": "Cases", "queue": "Case queue", "login": "Sign in", "logout": "Sign out",
        "account": "Account", "mfa_title": "Sign-in with an app code (TOTP)",
        "mfa_hint": "Add this key to an authenticator app (Google Authenticator, 1Password, …) and enter the code it "
                    "shows. From then on every sign-in asks for a code.",
        "mfa_secret": "Key", "mfa_uri": "Link for the app", "mfa_enable": "Turn on",
        "done_mfa": "App codes are on: your next sign-in asks for one.",
        "sign_out_everywhere": "Sign out everywhere",
        "sign_out_everywhere_hint": "No other device gets a new sign-in; sessions already open end within the hour.",
        "dev_banner": "Local use only: password-less sign-in for demo users. Disabled on AWS.",
        "username": "User name", "password": "Password", "sign_in": "Sign in", "forgot": "Forgot your password?",
        "new_password": "New password", "continue": "Continue", "totp_code": "Code from your authenticator app",
        "new_password_hint": "First sign-in: choose your own password (12 characters or more, lower and upper case, a digit).",
        "reset_hint": "We e-mail a code to your account's address.", "reset_code": "Code from the e-mail",
        "reset_sent": "If the account exists, a code was sent to its e-mail address.",
        "reset_done": "Password changed: sign in with the new one.",
        "choose_user": "Sign in as", "all_clinics": "all clinics", "clinic": "Clinic", "deadline": "Deadline",
        "left": "{d} left", "overdue": "overdue by {d}", "no_deadline": "no deadline", "status": "Status",
        "owner": "Owner", "nobody": "nobody", "empty": "No open cases.", "open_case": "Open",
        "back": "← Back to the queue", "review": "Review", "classification": "Reading", "sentiment": "Sentiment",
        "topics": "Topics", "triage": "Type", "legal": "Legal risk: the legal department approves the reply",
        "complaint": "Complaint inside praise", "complaint_hint": "The review is not negative but holds a complaint: answer it",
        "private": "Private complaint after a visit: no public reply, call the patient",
        "private_email": "A letter to client service: no public reply, answer the patient privately",
        "sender": "Sender",
        "unverified": "address not verified (SES): confirm who wrote before discussing anything private",
        "draft": "Reply (draft, edit as needed)", "reply": "Public reply", "check_ok": "Privacy check passed",
        "check_failed": "Privacy check failed", "take": "Take the case",
        "approve": "Approve and post the reply", "approve_by_hand": "Approve: I post it by hand",
        "by_hand_hint": "This platform has no reply API: paste the text on the platform, then approve.",
        "platform_hint": "The reply goes to the platform through its API.",
        "actions": "Actions", "record": "Record an action", "kind": "What was done", "note": "Note",
        "bonus_kind": "Bonus kind", "bonus_value": "Value", "save": "Record",
        "resolve": "Resolved", "close": "Close the case", "outcome": "Outcome", "root_cause": "Root cause",
        "systemic": "Systemic cause", "fix_note": "What changes so it does not happen again",
        "history": "Log", "opened": "Opened", "lang_switch": "Русский", "role": "Role",
        "filter": "Show", "done_taken": "Case taken.", "done_action": "Action recorded.",
        "done_reply": "Reply approved and recorded.", "done_resolved": "Case resolved.", "done_closed": "Case closed.",
        "error": "Not done", "rating": "Rating", "no_text": "(rating only)", "on_platform": "Open on the platform",
        "closed": "Case closed", "skip": "Skip to content", "answered": "the patient was answered",
        "quality": "Reply quality", "quality_missing": "missing", "check_quality": "Check the reply",
    },
}

NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        rules.NEW: ("новый", "new"), rules.TAKEN: ("взят", "taken"),
        rules.REPLIED_PUBLICLY: ("ответили публично", "replied publicly"),
        rules.CONTACTED_PRIVATELY: ("связались лично", "contacted privately"),
        rules.RESOLVED: ("решён", "resolved"), rules.CLOSED: ("закрыт", "closed"),
    },
    "action": {
        rules.PUBLIC_REPLY: ("опубликован ответ", "public reply posted"),
        rules.PATIENT_CALLED: ("позвонили пациенту", "patient called"),
        rules.SORRY_BONUS: ("бонус за неудобство", "sorry bonus granted"),
        rules.LEGAL: ("передали юристам", "escalated to legal"),
    },
    "bonus": {
        "discount": ("скидка", "discount"), "free_visit": ("бесплатный приём", "free visit"),
        "taxi": ("такси", "taxi"), "gift": ("подарок", "gift"), "refund": ("возврат", "refund"),
        "other": ("другое", "other"),
    },
    "outcome": {
        "patient_satisfied": ("пациент доволен", "patient satisfied"),
        "rating_raised": ("оценку повысили", "rating raised"),
        "no_response": ("пациент не ответил", "no response"),
    },
    "role": {
        rules.REVIEW_MANAGER: ("менеджер по отзывам", "review manager"),
        rules.HEAD: ("руководитель клиентского сервиса", "head of client service"),
        rules.DIRECTOR: ("директор", "director"), rules.LEGAL_ROLE: ("юротдел", "legal"),
    },
    "reply_mode": {rules.REPLY_PLATFORM: ("через площадку", "through the platform"), rules.REPLY_BY_HAND: ("вручную", "by hand")},
    "event": {
        rules.CASE_OPENED: ("открыт", "opened"), rules.CASE_TAKEN: ("взят", "taken"),
        rules.CASE_ACTION: ("действие", "action"), rules.CASE_RESOLVED: ("решён", "resolved"),
        rules.CASE_CLOSED: ("закрыт", "closed"),
    },
}


def name(table: str, key: str | None, lang: str) -> str:
    names = NAMES[table].get(key or "")
    return str(key) if names is None else names[1 if lang == "en" else 0]


def _quality_name(item: str, lang: str) -> str:
    from clinic_reviews.domain.reply_quality import item_name  # pymorphy3 behind it: only when a reply is scored

    return item_name(item, lang)


def time_left(minutes: int | None, lang: str) -> str:
    from clinic_reviews.notify.digest_render import duration  # with the templates: only pages need them

    texts = TEXTS[lang]
    if minutes is None:
        return texts["no_deadline"]
    if minutes < 0:
        return texts["overdue"].format(d=duration(-minutes, lang))
    return texts["left"].format(d=duration(minutes, lang))


def local(moment: datetime | None, tz: str) -> str:
    return "" if moment is None else moment.astimezone(ZoneInfo(tz)).strftime("%d.%m %H:%M")


def page(template: str, lang: str, **context: Any) -> str:
    """A console page. jinja2 and the templates are imported by the first page, not at the function's start: the
    JSON API's requests never render (issue 18e)."""
    from clinic_reviews.notify.rendering import render

    lang = lang if lang in LANGS else "ru"
    return render(
        template,
        lang=lang,
        t=TEXTS[lang],
        n=lambda table, key: name(table, key, lang),
        time_left=lambda minutes: time_left(minutes, lang),
        quality_name=lambda item: _quality_name(item, lang),
        when=local,
        redact=redact_contacts,
        rules=rules,
        **context,
    )


def review_text(record, full_text: str) -> str:
    """The review as the console shows it: contacts and the author's names removed."""
    if record is None:
        return ""
    return redact_contacts(full_text, record.review.author)


def queue_excerpt(record) -> str:
    return "" if record is None else excerpt(record.review.text, 160, record.review.author)
