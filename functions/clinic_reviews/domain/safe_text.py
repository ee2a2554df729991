"""Text that is safe to store and to show: no lone surrogates, no control characters.

Whatever arrives (a platform, an import file, a webhook, a form) may carry bytes that are not text:
lone UTF-16 surrogates (valid in JSON, not encodable as UTF-8), NUL and other C0/C1 control
characters. Identifiers carrying them are refused; free text has its control characters removed
(tab and newline are kept, CR LF becomes LF). Nothing in here raises on any `str`.
"""

from __future__ import annotations

import re

#: C0 controls except tab and newline, DEL, and the C1 block.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Any control character at all (identifiers carry no tab or newline either).
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: str) -> bool:
    """True when `value` holds a UTF-16 surrogate code point (it cannot be written as UTF-8)."""
    return _SURROGATE.search(value) is not None


def has_control(value: str) -> bool:
    """True when `value` holds any control character (tab and newline included)."""
    return _ANY_CONTROL.search(value) is not None


def strip_controls(value: str) -> str:
    """Free text without control characters other than tab and newline (CR LF and lone CR become LF)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def printable(value: str) -> str:
    """Last-line guard for output (HTML, e-mail, SMS, JSONL): surrogates become U+FFFD, controls go."""
    return strip_controls(_SURROGATE.sub("\ufffd", value))


def text_problem(value: str) -> str | None:
    """Why free text cannot be stored, or None."""
    return "not valid Unicode (lone surrogate)" if has_lone_surrogate(value) else None


def identifier_problem(value: str) -> str | None:
    """Why an identifier (id, source, URL, language) cannot be stored, or None."""
    if has_lone_surrogate(value):
        return "not valid Unicode (lone surrogate)"
    if has_control(value):
        return "control characters are not allowed"
    return None
