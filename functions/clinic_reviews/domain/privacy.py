"""Keeping personal data out of alerts and excerpts: phone numbers, e-mail addresses, long digit runs."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\s\-()]*){7,15}(?!\w)")
_SPACES = re.compile(r"\s+")
_SELF_INTRO = re.compile(
    r"(?i)(меня зовут|моё имя|мое имя|my name is|с уважением,?|regards,?)(\s+[A-ZА-ЯЁ][\w-]*\.?){1,3}"
)
_WORD = re.compile(r"[\w-]+")
PLACEHOLDER = "[…]"


def redact_contacts(text: str, names: str | None = None) -> str:
    """Replace e-mail addresses, phone-like digit runs, self-introductions and the author's names."""
    cleaned = _PHONE.sub(PLACEHOLDER, _EMAIL.sub(PLACEHOLDER, text))
    cleaned = _SELF_INTRO.sub(lambda m: f"{m.group(1)} {PLACEHOLDER}", cleaned)
    for part in _WORD.findall(names or ""):
        if len(part) >= 3:
            stem = re.escape(part[: max(3, len(part) - 2)])
            cleaned = re.sub(rf"(?i)(?<!\w){stem}\w*", PLACEHOLDER, cleaned)
    return cleaned


def excerpt(text: str, limit: int, names: str | None = None) -> str:
    """A one-line excerpt of at most `limit` characters without contacts or the author's names."""
    flat = _SPACES.sub(" ", redact_contacts(text, names)).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: max(limit - 1, 0)].rstrip()
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut + "…"
