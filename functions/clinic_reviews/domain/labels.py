"""Human names for sources, sentiments, topics and statuses, in Russian and English."""

from __future__ import annotations

SOURCE_NAMES = {
    "google": ("Google Карты", "Google Maps"),
    "yandex": ("Яндекс Карты", "Yandex Maps"),
    "2gis": ("2ГИС", "2GIS"),
    "prodoctorov": ("ПроДокторов", "ProDoctorov"),
    "napopravka": ("НаПоправку", "NaPopravka"),
    "vk": ("ВКонтакте", "VK"),
    "telegram": ("Telegram", "Telegram"),
    "site": ("сайт", "website"),
    "email": ("e-mail", "e-mail"),
    "call_center": ("колл-центр", "call centre"),
    "front_desk": ("ресепшн", "front desk"),
    "youscan": ("YouScan", "YouScan"),
    "usedesk": ("Usedesk", "Usedesk"),
    "visit_feedback": ("опрос после визита", "post-visit survey"),
    "other": ("другое", "other"),
}
SENTIMENT_NAMES = {
    "negative": ("негативный", "negative"),
    "neutral": ("нейтральный", "neutral"),
    "positive": ("позитивный", "positive"),
}
TOPIC_NAMES = {
    "front_desk": ("ресепшн и телефон", "front desk and phone"),
    "waiting": ("ожидание", "waiting"),
    "billing": ("цены и оплата", "prices and billing"),
    "doctor": ("врач", "doctor"),
    "scheduling": ("запись и отмены", "scheduling"),
    "cleanliness": ("чистота и комфорт", "cleanliness and comfort"),
    "diagnostics": ("анализы и диагностика", "tests and diagnostics"),
    "other": ("другое", "other"),
}
TRIAGE_NAMES = {
    1: ("простая жалоба: извиниться", "simple grievance: apologise"),
    2: ("понятное возражение: объяснить и предложить", "clear objection: explain and offer a remedy"),
    3: ("неясно: позвонить пациенту", "unclear: call the patient"),
}


def label(table: dict, key, lang: str | None) -> str:
    """The name of `key` in `lang` (ru or en); the key itself when unknown."""
    names = table.get(key)
    if names is None:
        return str(key)
    return names[1] if lang == "en" else names[0]
