"""The prompt for an LLM-written reply draft: the reply checklist of DOMAIN.md, the review (contacts and
the author's name removed first) and what the classifier read in it. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_reviews.domain.classification import Classification
from clinic_reviews.domain.privacy import redact_contacts
from clinic_reviews.domain.replies.drafts import ReplyContext, reply_case

MAX_REVIEW_CHARS = 2000

_CHECKLIST = {
    "ru": (
        "Ты пишешь публичный ответ клиники на отзыв пациента. Правила:\n"
        "1. Поблагодари за отзыв.\n"
        "2. Если отзыв негативный, искренне извинись и пообещай разобраться.\n"
        "3. Никогда не подтверждай, что автор был пациентом: пиши «если вы были у нас».\n"
        "4. Не упоминай диагнозы, болезни, лекарства, процедуры, визиты, даты, время, имена и любые "
        "личные данные. Не обращайся к автору по имени.\n"
        "5. Дай контакт руководителя клиники для личного разговора: {contact}.\n"
        "6. Пиши по-человечески, тепло и коротко (до 90 слов), без шаблонных фраз.\n"
        "7. На угрозы суда или жалобы в органы не отвечай по существу: только благодарность и контакт.\n"
        "Ответь только текстом ответа, по-русски."
    ),
    "en": (
        "You write a clinic's public reply to a patient review. Rules:\n"
        "1. Thank the author for the review.\n"
        "2. If the review is negative, apologise sincerely and promise to look into it.\n"
        "3. Never confirm the author was a patient: write 'if you visited us'.\n"
        "4. Never mention diagnoses, conditions, medicines, procedures, visits, dates, times, names or any "
        "personal data. Do not address the author by name.\n"
        "5. Give the clinic manager's contact for a private conversation: {contact}.\n"
        "6. Sound like a person: warm and short (at most 90 words), no stock phrases.\n"
        "7. Do not argue threats of court or complaints to authorities: thanks and the contact only.\n"
        "Answer with the reply text only, in English."
    ),
}
_NO_CONTACT = {"ru": "предложи написать в личные сообщения", "en": "suggest sending a private message"}
_CASE_HINTS = {
    "negative_1": ("простая жалоба: извиниться, обещать исправить, предложить небольшой бонус",
                   "simple grievance: apologise, promise to fix it, offer a small goodwill gesture"),
    "negative_2": ("понятное возражение: объяснить и предложить решение (например, скидку)",
                   "clear objection: explain and offer a targeted remedy (e.g. a discount)"),
    "negative_3": ("неясная жалоба: предложить разобраться лично, поговорить с врачом",
                   "unclear complaint: offer to talk personally and review it with the doctor"),
    "legal": ("угроза суда или жалобы: только благодарность и контакт",
              "legal threat: thanks and the contact only"),
    "positive": ("благодарность", "thank-you"),
    "neutral": ("смешанный отзыв: поблагодарить и пообещать учесть замечания",
                "mixed review: thank and promise to act on the remarks"),
    "question": ("вопрос: пригласить связаться для ответа", "question: invite them to get in touch"),
    "suggestion": ("предложение: поблагодарить и обещать рассмотреть",
                   "suggestion: thank and promise to consider it"),
    "greeting": ("поздравление: поблагодарить и поздравить в ответ", "greeting: thank and return it"),
}


@dataclass(frozen=True)
class Prompt:
    system: str
    user: str
    lang: str


def build_prompt(
    text: str, classification: Classification, context: ReplyContext, author: str | None = None
) -> Prompt:
    """The system rules and the user message for one review."""
    lang = classification.lang if classification.lang in ("ru", "en") else context.default_lang
    lang = lang if lang in ("ru", "en") else "ru"
    contact = context.contact or _NO_CONTACT[lang]
    system = _CHECKLIST[lang].format(contact=contact)
    if context.signature:
        system += ("\nПодпись: " if lang == "ru" else "\nSignature: ") + context.signature
    hint = _CASE_HINTS[reply_case(classification)][0 if lang == "ru" else 1]
    review = redact_contacts(text, author)[:MAX_REVIEW_CHARS]
    label = ("Тип ответа: {hint}\nОтзыв:\n{review}" if lang == "ru" else "Reply type: {hint}\nReview:\n{review}")
    return Prompt(system, label.format(hint=hint, review=review), lang)
