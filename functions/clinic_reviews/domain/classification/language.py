"""Cheap language detection: the script decides, a few letters and stop words refine it.

"ru" and "en" are the supported languages; other codes are best-effort hints ("uk", "kk", "de", ...)
that make the classifier fall back to emoji, exclamation marks and a small multilingual cue list.
"""

from __future__ import annotations

import re

SUPPORTED = ("ru", "en")

_CYRILLIC = re.compile(r"[а-яёА-ЯЁіїєґўәғқңөұүһІЇЄҐЎӘҒҚҢӨҰҮҺ]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_BELARUSIAN = re.compile(r"[ўЎ]")
_KAZAKH = re.compile(r"[әғқңөұүһӘҒҚҢӨҰҮҺ]")
_OTHER_SCRIPTS = (
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("ka", re.compile(r"[\u10a0-\u10ff]")),
    ("hy", re.compile(r"[\u0530-\u058f]")),
)
# Latin-script languages told apart from English by their own letters or very common words.
_LATIN_HINTS = (
    (
        "de",
        re.compile(r"[äöüßÄÖÜ]"),
        re.compile(r"\b(?:und|nicht|sehr|ich|der|die|das|ist)\b", re.IGNORECASE),
    ),
    ("tr", re.compile(r"[şğıŞĞİ]"), re.compile(r"\b(?:çok|ve|bir|değil)\b", re.IGNORECASE)),
    ("pl", re.compile(r"[łąęśżźńŁŚŻ]"), re.compile(r"\b(?:nie|jest|bardzo)\b", re.IGNORECASE)),
    ("es", re.compile(r"[ñ¿¡Ñ]"), re.compile(r"\b(?:muy|pero|el|los|las|que|gracias)\b", re.IGNORECASE)),
    ("fr", re.compile(r"[çœÇ]"), re.compile(r"\b(?:très|est|les|une|merci|mais|pas)\b", re.IGNORECASE)),
    ("it", re.compile(r"(?!)"), re.compile(r"\b(?:molto|grazie|il|della|sono|non)\b", re.IGNORECASE)),
)
_ENGLISH = re.compile(r"\b(?:the|and|was|not|very|is|to|a|of|for|with|my|i)\b", re.IGNORECASE)


def detect_language(text: str) -> str | None:
    """The most likely language code of `text`, or None when it has no letters."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == 0 and latin == 0:
        for code, pattern in _OTHER_SCRIPTS:
            if pattern.search(text):
                return code
        return None
    if cyrillic >= latin:
        if _KAZAKH.search(text):
            return "kk"
        if _UKRAINIAN.search(text):
            return "uk"
        if _BELARUSIAN.search(text):
            return "be"
        return "ru"
    english = len(_ENGLISH.findall(text))
    for code, letters, words in _LATIN_HINTS:
        if 2 * len(letters.findall(text)) + len(words.findall(text)) > english:
            return code
    return "en"


def normalize_lang(lang: str | None) -> str | None:
    """A caller's language tag reduced to its two-letter primary code ("ru-RU" -> "ru")."""
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) in (2, 3) and code.isalpha() else None
