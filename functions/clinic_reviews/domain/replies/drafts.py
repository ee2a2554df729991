"""Choosing, rendering and checking a reply draft (see the package docstring).

Templates are jinja2 text in a sandboxed environment (a chain edits them, so they get no access to
Python objects beyond the context): `templates/<lang>/<case>.txt.j2`. The context holds `about` (what
the review is about, as a phrase), `staff` (staff the review praised by name), `contact` (the
chain's line for a private talk, or None), `signature`, `clinic`, `topics`, `triage`, `legal`, `kind`,
`complaint` (a review that is not negative holds a complaint part) with `complaint_about` (its topics as a
phrase, may be empty), and `pick(slot, option, ...)`, which chooses one option by a hash of the review's key and the slot: the
same review always gets the same words, two reviews seldom do.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from clinic_reviews.domain.classification import Classification
from clinic_reviews.domain.reply_check import Verdict, check_reply

LANGS = ("ru", "en")
CASES = (
    "negative_1",
    "negative_2",
    "negative_3",
    "legal",
    "positive",
    "neutral",
    "question",
    "suggestion",
    "greeting",
)
_ABOUT = {
    "ru": {
        "waiting": "о долгом ожидании",
        "front_desk": "о работе администраторов",
        "billing": "о ценах и оплате",
        "doctor": "о работе наших врачей",
        "scheduling": "о записи и переносах",
        "cleanliness": "о чистоте и комфорте",
        "diagnostics": "о сроках и качестве исследований",
    },
    "en": {
        "waiting": "about waiting times",
        "front_desk": "about our front desk",
        "billing": "about prices and billing",
        "doctor": "about our doctors",
        "scheduling": "about booking and rescheduling",
        "cleanliness": "about cleanliness and comfort",
        "diagnostics": "about how long tests and results take",
    },
}
_EN_ROLE = re.compile(
    r"(?i)\b(dr|doctor|nurse|dentist|receptionist|therapist|hygienist|midwife|prof|professor)\.?\s+$"
)


@dataclass(frozen=True)
class ReplyContext:
    """What a reply needs from the chain: the public line for a private talk, a signature, the clinic."""

    contact: str | None = None
    signature: str | None = None
    clinic: str | None = None
    default_lang: str = "ru"

    def allowed(self) -> list[str]:
        return [x for x in (self.contact, self.signature, self.clinic) if x]


@dataclass(frozen=True)
class Draft:
    """A rendered reply and its privacy verdict. `needs_legal`: the legal department answers it."""

    key: str
    case: str
    lang: str
    text: str
    check: Verdict
    staff: tuple[str, ...] = ()
    needs_legal: bool = False
    source: str = "template"
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "lang": self.lang,
            "draft": self.text,
            "check": self.check.to_json(),
            "needs_legal": self.needs_legal,
            "source": self.source,
            **({"notes": list(self.notes)} if self.notes else {}),
        }


def reply_case(classification: Classification) -> str:
    """The template a review needs: by triage for negatives (legal first), else by kind and sentiment. A
    bare suggestion (kind.py: no evaluation outside the wish) gets the suggestion's reply even when the
    text model reads it as negative (it is still escalated as one)."""
    if classification.kind == "suggestion" and not classification.legal:
        return "suggestion"
    if classification.sentiment == "negative":
        if classification.legal:
            return "legal"
        return f"negative_{classification.triage or 3}"
    if classification.kind in ("question", "suggestion", "greeting"):
        return classification.kind
    return "positive" if classification.sentiment == "positive" else "neutral"


def staff_mentions(review: str, staff: tuple[str, ...]) -> list[str]:
    """Staff as a reply may name them: English names keep the title the review gave ("Dr. Smith")."""
    mentions = []
    for name in staff:
        at = review.find(name)
        role = _EN_ROLE.search(review[max(0, at - 20) : at]) if at > 0 and name.isascii() else None
        if role:
            title = role.group(1)
            title = "Dr." if title.lower() == "dr" else title.lower() if title.lower() != "prof" else "Prof."
            mentions.append(f"{title} {name}")
        else:
            mentions.append(name)
    return mentions


def pick_for(key: str):
    """The template function `pick(slot, *options)` for one review."""

    def pick(slot: str, *options: str) -> str:
        if not options:
            return ""
        digest = hashlib.sha256(f"{key}\x00{slot}".encode()).digest()
        return options[int.from_bytes(digest[:4], "big") % len(options)]

    return pick


class ReplyDrafter:
    """Renders drafts from the bundled templates, or from `overrides` (`"ru/negative_1.txt.j2"` -> source)
    where the chain has its own."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        loaders = [PackageLoader("clinic_reviews.domain.replies", "templates")]
        if overrides:
            loaders.insert(0, DictLoader(dict(overrides)))
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            autoescape=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def draft(
        self,
        key: str,
        text: str,
        classification: Classification,
        context: ReplyContext = ReplyContext(),
        author: str | None = None,
    ) -> Draft:
        lang = classification.lang if classification.lang in LANGS else context.default_lang
        lang = lang if lang in LANGS else "ru"
        case = reply_case(classification)
        staff = staff_mentions(text, classification.staff) if case == "positive" else []
        about = [_ABOUT[lang][t] for t in classification.topics if t in _ABOUT[lang]]
        complained = classification.complaint.topics if classification.complaint is not None else ()
        complaint_about = [_ABOUT[lang][t] for t in complained if t in _ABOUT[lang]]
        rendered = self.env.get_template(f"{lang}/{case}.txt.j2").render(
            pick=pick_for(key),
            about=_join(about[:2], lang),
            staff=staff,
            contact=context.contact,
            signature=context.signature,
            clinic=context.clinic,
            topics=list(classification.topics),
            triage=classification.triage,
            legal=classification.legal,
            kind=classification.kind,
            complaint=classification.complaint is not None,
            complaint_about=_join(complaint_about[:2], lang),
        )
        reply = tidy(rendered)
        allowed = [*context.allowed(), *staff, *classification.staff]
        verdict = check_reply(reply, author=author, review=text, allowed=allowed)
        return Draft(key, case, lang, reply, verdict, tuple(staff), needs_legal=case == "legal")


def tidy(text: str) -> str:
    """Spaces collapsed, no space before punctuation, at most one blank line between paragraphs."""
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    lines = [re.sub(r" ([,.!?:;])", r"\1", line) for line in lines]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _join(parts: list[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    glue = " и " if lang == "ru" else " and "
    if lang == "ru":  # "о ценах и оплате и о записи" reads badly: drop the second "о"
        return parts[0] + ", а также " + parts[1]
    return parts[0] + glue + parts[1].removeprefix("about ")


_DEFAULT = ReplyDrafter()


def draft_reply(
    key: str,
    text: str,
    classification: Classification,
    context: ReplyContext = ReplyContext(),
    author: str | None = None,
) -> Draft:
    """A draft from the bundled templates (see `ReplyDrafter.draft`)."""
    return _DEFAULT.draft(key, text, classification, context, author)
