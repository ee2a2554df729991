"""The privacy check every public reply passes before it is posted: drafts and manager-edited texts alike.

`check_reply(text, author=..., review=..., allowed=...) -> Verdict`. It fails closed: anything that
looks like personal data is a problem, and a reply with any problem is not ok. Problem kinds:

- `name`: the author's name (any case form), a personal name (Russian: a capitalised word pymorphy3
  tags Name/Surn/Patr; mid-sentence any such reading counts, sentence-first only the likelier one;
  English: a word after a salutation or title, "Dear Anna", "Dr. Smith"), or a capitalised name the
  review itself mentions;
- `phone`, `email`: contact details other than the clinic's own (`allowed`);
- `medical`: a condition, medicine or procedure ("гастрит", "ОРВИ", "МРТ", "antibiotics");
- `date`: a calendar date, weekday, time of day or "вчера"/"yesterday";
- `visit`: words confirming the author was a patient ("вы были у нас на приёме", "your appointment on");
  the same words after "если"/"if" are the checklist's own phrasing and pass;
- `empty`: nothing to post.

`allowed` holds texts the reply may contain as they are: the clinic's contact line and signature, and
staff the review praised by name (matched in any case form). Pure code: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from clinic_reviews.domain import reply_terms as terms
from clinic_reviews.domain.classification.morphology import analyzer, ru_lemmas

KINDS = ("name", "phone", "email", "medical", "date", "visit", "empty")


@dataclass(frozen=True)
class Problem:
    """One reason a reply may not be posted: its kind, where it is (`span`, offsets) and what it says."""

    kind: str
    span: tuple[int, int]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "span": list(self.span), "text": self.text}


@dataclass(frozen=True)
class Verdict:
    """`ok` is True only when there is no problem."""

    ok: bool
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [p.to_json() for p in self.problems]}

    def reasons(self) -> list[str]:
        """One line per problem: `kind: text`."""
        return [f"{p.kind}: {p.text}" for p in self.problems]


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+(])(?:\+?\d|\(\d)(?:[\s\-()]*\d){6,14}(?!\w)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_RU_CAP = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
_EN_CAP = re.compile(r"[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?")
_RU_MONTH = rf"(?:{'|'.join(terms.RU_MONTHS.split())})"
_EN_MONTH = rf"(?:{'|'.join(terms.EN_MONTHS.split())})\.?"
_DATES = [
    re.compile(rf"(?i)\b\d{{1,2}}(?:-?(?:го|е|ое))?\s+{_RU_MONTH}\b(?:\s+\d{{4}})?"),
    re.compile(rf"(?i)\b(?:в|во|с|до|на|от)\s+{_RU_MONTH}\b"),
    re.compile(rf"(?i)\b{_EN_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"),
    re.compile(rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_MONTH}\b(?:\s+\d{{4}})?"),
    re.compile(r"\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"(?i)\b\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?(?!\d)"),
    re.compile(r"(?i)\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)"),
    re.compile(rf"(?i)\b(?:в|во|on|last)\s+(?:{'|'.join(terms.RU_WEEKDAYS.split() + terms.EN_WEEKDAYS.split())})\b"),
    re.compile(rf"(?i)\b(?:{terms.RU_RELATIVE_DAYS.replace(' ', '|')}|{terms.EN_RELATIVE_DAYS})\b"),
    re.compile(r"(?i)\b(?:last|this past)\s+(?:week|month|visit)\b|на\s+прошлой\s+неделе|в\s+прошлом\s+месяце"),
]
_VISITS = [re.compile(rf"(?i)\b{pattern}") for pattern in (*terms.RU_VISIT, *terms.EN_VISIT)]
_SALUTATION = re.compile(
    r"(?:\b(?i:dear|hi|hello|thanks|thank\s+you|уважаем(?:ая|ый|ые)|дорог(?:ая|ой|ие)|здравствуйте),?\s+|"
    r"\b(?i:dr|mr|mrs|ms|miss|"
    r"nurse|доктор|врач|администратор)\.?\s+)([A-ZА-ЯЁ][a-zа-яё]+(?:-[A-ZА-ЯЁ][a-zа-яё]+)?)"
)
_NAME_TAGS = ("Name", "Surn", "Patr")
_SENTENCE_START = re.compile(r"(?:^|[.!?…\n]\s*|[«\"(]\s*)$")
_EN_COMMON_CAPS = terms.EN_COMMON_CAPS


def check_reply(
    text: str,
    *,
    author: str | None = None,
    review: str | None = None,
    allowed: Iterable[str] = (),
) -> Verdict:
    """Every problem in `text` that is not inside an `allowed` text (module docstring)."""
    if not isinstance(text, str) or not text.strip():
        return Verdict(False, [Problem("empty", (0, 0), "the reply is empty")])
    allowed = [a for a in allowed if a and a.strip()]
    free = _allowed_mask(text, allowed)
    allowed_lemmas = _name_lemmas(" ".join(allowed))
    found: list[Problem] = []
    found += _contacts(text)
    found += _dates(text)
    found += _visits(text)
    found += _medical(text)
    found += _names(text, author, review, allowed_lemmas)
    problems = _distinct(p for p in found if not _covered(p.span, free))
    return Verdict(not problems, problems)


# --- detectors ----------------------------------------------------------------------------------


def _contacts(text: str) -> list[Problem]:
    found = [Problem("email", m.span(), m.group()) for m in _EMAIL.finditer(text)]
    emails = [p.span for p in found]
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) >= 7 and not any(s <= match.start() < e for s, e in emails):
            found.append(Problem("phone", match.span(), match.group().strip()))
    return found


def _dates(text: str) -> list[Problem]:
    return [Problem("date", m.span(), m.group()) for pattern in _DATES for m in pattern.finditer(text)]


def _visits(text: str) -> list[Problem]:
    found = []
    plain = text.replace("ё", "е").replace("Ё", "Е")  # same length: spans stay valid
    for pattern in _VISITS:
        for match in pattern.finditer(plain):
            before = text[max(0, match.start() - 40) : match.start()].lower()
            clause = re.split(r"[.!?;]", before)[-1]
            if any(word in clause for word in terms.CONDITIONALS):
                continue
            found.append(Problem("visit", match.span(), text[match.start() : match.end()]))
    return found


def _medical(text: str) -> list[Problem]:
    found = []
    lower = text.lower()
    for phrase in terms.EN_PHRASES:
        for match in re.finditer(rf"\b{re.escape(phrase)}s?\b", lower):
            found.append(Problem("medical", match.span(), text[match.start() : match.end()]))
    for match in _WORD.finditer(text):
        word = match.group()
        low = word.lower().replace("ё", "е")
        if word in terms.ABBREVIATIONS or (word.isupper() and word.upper() in terms.ABBREVIATIONS):
            hit = True
        elif re.search(r"[а-яё]", low):
            hit = any(lemma in terms.RU_TERMS for lemma in ru_lemmas(low))
        else:
            hit = low in terms.EN_TERMS or (low.endswith("s") and low[:-1] in terms.EN_TERMS)
        if hit:
            found.append(Problem("medical", match.span(), word))
    return found


def _names(text: str, author: str | None, review: str | None, allowed: set[str]) -> list[Problem]:
    found = _author(text, author)
    for match in _SALUTATION.finditer(text):
        word = match.group(1)
        if not (_lemmas(word) & allowed) and word not in _EN_COMMON_CAPS:
            found.append(Problem("name", match.span(1), word))
    for match in _RU_CAP.finditer(text):
        word = match.group()
        if _lemmas(word) & allowed:
            continue
        if _russian_name(word, _starts_sentence(text, match.start())):
            found.append(Problem("name", match.span(), word))
    for name in _review_names(review or ""):
        if _lemmas(name) & allowed:
            continue
        for match in re.finditer(rf"\b{re.escape(name)}\w*", text):
            found.append(Problem("name", match.span(), match.group()))
    return found


def _author(text: str, author: str | None) -> list[Problem]:
    found = []
    for part in _WORD.findall(author or ""):
        if len(part) < 2 or part.lower() in ("анонимно", "аноним", "anonymous", "user", "пользователь"):
            continue
        lemmas = _lemmas(part)
        stem = part[: max(3, len(part) - 2)] if len(part) > 3 else part
        for match in _WORD.finditer(text):
            word = match.group()
            same = word.lower() == part.lower()
            declined = word[:1].isupper() and word.lower().startswith(stem.lower()) and len(word) <= len(part) + 3
            if same or declined or (word[:1].isupper() and _lemmas(word) & lemmas):
                found.append(Problem("name", match.span(), word))
    for token in re.findall(r"\S*[\d_]\S*", author or ""):  # a nickname such as kotik_88
        for match in re.finditer(re.escape(token), text, flags=re.IGNORECASE):
            found.append(Problem("name", match.span(), match.group()))
    return found


def _review_names(review: str) -> set[str]:
    """Capitalised words in the middle of the review's sentences that are no common word: names."""
    names = set()
    for match in _EN_CAP.finditer(review):
        word = match.group()
        if word in _EN_COMMON_CAPS or _starts_sentence(review, match.start()):
            continue
        names.add(word)
    for match in _RU_CAP.finditer(review):
        if _russian_name(match.group(), _starts_sentence(review, match.start())):
            names.add(match.group())
    return names


# --- helpers ------------------------------------------------------------------------------------


def _russian_name(word: str, sentence_first: bool) -> bool:
    """True when pymorphy3 reads the capitalised Russian `word` as a first name, surname or patronymic."""
    named = _name_share(word.lower())
    if sentence_first:
        return named >= 0.5
    return named > 0


@lru_cache(maxsize=65536)
def _name_share(low: str) -> float:
    """How much of pymorphy3's reading of the lowercase word is a name (a pure function of the word: the same
    greetings and names recur in every reply)."""
    return sum(p.score for p in analyzer().parse(low) if any(tag in p.tag for tag in _NAME_TAGS))


def _lemmas(word_or_text: str) -> set[str]:
    return _name_lemmas(word_or_text)


def _name_lemmas(text: str) -> set[str]:
    lemmas: set[str] = set()
    for word in _WORD.findall(text):
        low = word.lower().replace("ё", "е")
        lemmas.add(low)
        if re.search(r"[а-яё]", low):
            lemmas.update(ru_lemmas(low))
    return lemmas


def _starts_sentence(text: str, at: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, at - 4) : at])) or at == 0


def _allowed_mask(text: str, allowed: list[str]) -> list[tuple[int, int]]:
    spans = []
    for item in allowed:
        for match in re.finditer(re.escape(item.strip()), text, flags=re.IGNORECASE):
            spans.append(match.span())
    return spans


def _covered(span: tuple[int, int], free: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in free)


def _distinct(problems: Iterable[Problem]) -> list[Problem]:
    """One problem per span (the first kind found), in text order; overlapping dates count once."""
    kept: list[Problem] = []
    for problem in sorted(problems, key=lambda p: (p.span[0], -p.span[1])):
        if any(k.span[0] <= problem.span[0] and problem.span[1] <= k.span[1] for k in kept):
            continue
        kept.append(problem)
    return kept
