"""Staff named in a review: a role word followed by a name ("доктору Соколовой", "администратор
Марина", "Dr. Smith", "nurse Anna"), a first name with patronymic ("Анне Петровне"), or a surname with
initials ("Иванову И.И."). Russian names are put in the nominative with pymorphy3, choosing the parse
whose case agrees with the role word ("доктору Соколовой" -> "Соколова")."""

from __future__ import annotations

import re
from functools import lru_cache

from clinic_reviews.domain.classification.morphology import analyzer
from clinic_reviews.domain.classification.tokens import WORD, Token


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_RU_ROLES = _words(
    "врач доктор терапевт педиатр стоматолог хирург гинеколог уролог кардиолог невролог окулист офтальмолог "
    "лор отоларинголог дерматолог эндокринолог гастроэнтеролог ортопед травматолог маммолог онколог "
    "аллерголог психотерапевт психолог ревматолог косметолог физиотерапевт массажист ортодонт гигиенист "
    "медсестра медбрат медсестричка администратор регистратор оператор менеджер узист рентгенолог лаборант "
    "главврач заведовать ассистент акушер специалист фельдшер девушка"
)
_RU_NAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_RU_INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
_RU_AFTER_ROLE = re.compile(rf"\s+((?:{_RU_NAME}|{_RU_INITIALS})(?:\s+(?:{_RU_NAME}|{_RU_INITIALS})){{0,2}})")
_RU_PATRONYMIC = re.compile(
    rf"(?:({_RU_NAME})\s+)?({_RU_NAME})\s+([А-ЯЁ][а-яё]+(?:овн|евн|ичн|ович|евич|ьич|инич)[а-яё]*)"
)
_RU_SURNAME_INITIALS = re.compile(
    rf"({_RU_NAME})\s+([А-ЯЁ]\.\s?[А-ЯЁ]\.)|([А-ЯЁ]\.\s?[А-ЯЁ]\.)\s?({_RU_NAME})"
)
_EN_ROLES = (
    r"dr|doctor|nurse|receptionist|dentist|surgeon|physician|therapist|hygienist|assistant|technician|"
    r"midwife|physio|physiotherapist|manager|administrator|pa|np|prof|professor"
)
_EN_NAME = r"[A-Z](?:'[A-Z])?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
_EN_STAFF = re.compile(rf"\b(?i:{_EN_ROLES})\b\.?\s+({_EN_NAME}(?:\s+{_EN_NAME})?)")
_EN_NOT_NAMES = _words(  # capitalized words that follow a role but are no name
    "I The And She He They We It This That Thank Thanks Very Was Were Is Are Has Had Did Great Good Best "
    "Excellent Amazing Today Yesterday Monday Tuesday Wednesday Thursday Friday Saturday Sunday Highly "
    "Really So But Who At In On For With To From Office Clinic Team Staff"
)
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")


def find_staff(text: str, tokens: list[Token]) -> tuple[str, ...]:
    """Distinct staff names in order of appearance."""
    found: list[tuple[int, str]] = []
    for tok in tokens:
        if tok.kind == WORD and tok.script == "c" and _RU_ROLES.intersection(tok.keys):
            match = _RU_AFTER_ROLE.match(text, tok.pos + len(tok.orig))
            if match:
                name = _russian_name(match.group(1).split(), _cases(tok.text, name_only=False))
                if name:
                    found.append((match.start(1), name))
    if any(t.script == "c" for t in tokens):
        for match in _RU_PATRONYMIC.finditer(text):
            parts = [p for p in match.groups() if p]
            if match.group(1) and not _is_name(match.group(1)):
                parts = parts[1:]
            name = _russian_name(parts, None)
            if name and len(name.split()) >= 2:
                found.append((match.start(), name))
        for match in _RU_SURNAME_INITIALS.finditer(text):
            surname, initials = (
                (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            )
            if _is_name(surname):
                found.append((match.start(), f"{_nominative(surname, None)} {initials.replace(' ', '')}"))
    for match in _EN_STAFF.finditer(text):
        words = [w for w in match.group(1).split()]
        while words and words[-1] in _EN_NOT_NAMES:
            words.pop()
        if words and words[0] not in _EN_NOT_NAMES:
            found.append((match.start(1), " ".join(words)))
    return _distinct(found)


def _distinct(found: list[tuple[int, str]]) -> tuple[str, ...]:
    names: list[str] = []
    for _, name in sorted(found):
        if not any(name == n or name in n.split() or n in name.split() for n in names):
            names.append(name)
    return tuple(names)


def _russian_name(words: list[str], role_cases: frozenset[str] | None) -> str | None:
    parts: list[str] = []
    for word in words:
        if "." in word:
            parts.append(word)
            continue
        if not _is_name(word):
            break
        parts.append(word)
    if not parts:
        return None
    hint = role_cases
    for word in parts:
        if "." not in word:
            cases = _cases(word, name_only=True)
            joint = cases & hint if hint else cases
            hint = joint or hint
    return " ".join(p if "." in p else _nominative(p, hint) for p in parts)


@lru_cache(maxsize=4096)
def _is_name(word: str) -> bool:
    morph = analyzer()
    parses = morph.parse(word)
    if any(_NAME_TAGS & p.tag.grammemes for p in parses):
        return True
    return not morph.word_is_known(word.lower())


@lru_cache(maxsize=4096)
def _cases(word: str, name_only: bool) -> frozenset[str]:
    """Cases the word can be in: as a name (`name_only`), or as a role word in the singular."""
    parses = analyzer().parse(word)
    if name_only:
        parses = [p for p in parses if _NAME_TAGS & p.tag.grammemes]
    else:
        parses = [p for p in parses if "sing" in p.tag.grammemes] or parses
    return frozenset(c for p in parses for c in _CASES if c in p.tag.grammemes)


@lru_cache(maxsize=4096)
def _nominative(word: str, hint: frozenset[str] | None) -> str:
    parses = [p for p in analyzer().parse(word) if _NAME_TAGS & p.tag.grammemes]
    if not parses:
        return word
    parses.sort(
        key=lambda p: (
            bool(hint) and not any(c in p.tag.grammemes for c in hint),
            "nomn"
            not in p.tag.grammemes,  # without context, a name that can be nominative is taken as written
            "Fixd" in p.tag.grammemes,
        )
    )
    inflected = parses[0].inflect({"nomn", "sing"})
    if inflected is None:
        return word
    return "-".join(part[:1].upper() + part[1:] for part in inflected.word.split("-"))
