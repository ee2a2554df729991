"""SMS length: segments in GSM-7 or UCS-2, and fitting an alert into a segment budget."""

from __future__ import annotations

from collections.abc import Callable

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€")


def segments(text: str) -> int:
    """How many SMS segments `text` takes (GSM-7 when every character fits, else UCS-2)."""
    if all(ch in _GSM7 or ch in _GSM7_EXT for ch in text):
        units = sum(2 if ch in _GSM7_EXT else 1 for ch in text)
        single, multi = 160, 153
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi = 70, 67
    return 1 if units <= single else -(-units // multi)


def fit(render: Callable[[str], str], body: str, max_segments: int = 2, names: str | None = None) -> str:
    """The longest rendering `render(excerpt_of_body)` that fits `max_segments` (binary search)."""
    from clinic_reviews.domain.privacy import excerpt

    def cut(limit: int) -> str:
        return excerpt(body, limit, names)

    full = render(cut(len(body) + 1))
    if segments(full) <= max_segments:
        return full
    low, high, best = 0, len(body), render("")
    while low <= high:
        mid = (low + high) // 2
        candidate = render(cut(mid)) if mid else render("")
        if segments(candidate) <= max_segments:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    if segments(best) > max_segments:
        raise ValueError("the alert does not fit the SMS budget even without an excerpt")
    return best
