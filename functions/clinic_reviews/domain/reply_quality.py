"""Reply quality against the chain's checklist (DOMAIN.md), and near-duplicate replies across the chain.

`score_reply(reply, review) -> ReplyScore`: each checklist item passes (True), fails (False) or does not
apply (None); the score is the share of applicable items passed, 0-100. Items:

- `thanks`: thanks the author;
- `apology`: apologises (negatives only);
- `no_patient_confirmation`: nothing confirms the author was a patient (reply_check's `visit`);
- `no_personal_data`: no diagnosis, procedure, date or time of a visit, no other person's name, and no
  contact copied from the review (reply_check's `medical`, `date`, `name`, `phone`, `email`). Calling the
  author by the name they signed with is not a disclosure; a phone or e-mail the review does not
  contain is the clinic's own (the private contact below);
- `private_contact`: gives a way to talk privately (a phone, an e-mail, "позвоните/напишите нам",
  "contact us"; negatives only);
- `length`: long enough to be an answer and short enough to be read (negatives 150-1500 characters,
  the rest 30-1000);
- `tone`: no shouting (a word of four or more capitals, "!!" or more) and no blaming the author;
- `on_time`: posted within the reply deadline (None when the caller has no deadline);
- `personal`: not a near-duplicate of a reply to another review (`near_duplicates`).

Near-duplicates: character 5-gram shingles of the normalised text (lower case, ё as е, letters only),
a 64-value MinHash signature, LSH with 16 bands of 4 (pairs sharing a band are candidates), then the
signatures' agreement (an estimate of the Jaccard similarity) at least `DUPLICATE_SIMILARITY`. Pure.
"""

from __future__ import annotations

import functools
import hashlib
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from clinic_reviews.domain.reply_check import check_reply

ITEMS = (
    "thanks", "apology", "no_patient_confirmation", "no_personal_data", "private_contact", "length", "tone",
    "on_time", "personal",
)
NAMES = {
    "thanks": ("благодарность", "thanks"),
    "apology": ("извинение", "an apology"),
    "no_patient_confirmation": ("не подтверждать, что автор — пациент", "no confirmation that the author is a patient"),
    "no_personal_data": ("без личных и медицинских данных", "no personal or medical data"),
    "private_contact": ("контакт для личного разговора", "a private contact"),
    "length": ("объём ответа", "length"),
    "tone": ("спокойный тон", "calm tone"),
    "on_time": ("в срок", "within the deadline"),
    "personal": ("личный, не шаблонный", "personal, not a template"),
}


def item_name(item: str, lang: str) -> str:
    names = NAMES.get(item)
    return item if names is None else names[1 if lang == "en" else 0]


PERMUTATIONS = 64
BANDS = 16
SHINGLE = 5
DUPLICATE_SIMILARITY = 0.7
_PRIME = (1 << 61) - 1
_THANKS = re.compile(r"(?i)спасиб|благодар|thank")
_APOLOGY = re.compile(r"(?i)извин|прост(и|ите)\b|сожале|жаль|стыдно|sorry|apologi|regret")
_PRIVATE = re.compile(
    r"(?i)свяж(ит|ем)есь|позвон|напиш(ите|ете)|перезвон|в личн|личн(ые|ых) сообщ|"
    r"contact us|call us|email us|e-mail us|write to us|reach (us|out)|get in touch|direct message"
)
_SHOUT = re.compile(r"\b[A-ZА-ЯЁ]{4,}\b|!{2,}")
_BLAME = re.compile(
    r"(?i)вы сами|сами виноват|ваша вина|по вашей вине|вам следовало|надо было (читать|слушать)|"
    r"you should have|your own fault|your fault"
)
_LETTERS = re.compile(r"[^a-zа-я]+")
_COEFFICIENTS = [
    (int.from_bytes(hashlib.blake2b(f"a{i}".encode(), digest_size=8).digest(), "big") % _PRIME | 1,
     int.from_bytes(hashlib.blake2b(f"b{i}".encode(), digest_size=8).digest(), "big") % _PRIME)
    for i in range(PERMUTATIONS)
]


@dataclass(frozen=True)
class ReplyInput:
    """One public reply and what it answers. `ref` identifies it (e.g. `<clinic>|<source>|<id>`)."""

    ref: str
    text: str
    review_text: str
    negative: bool
    author: str | None = None
    who: str = "platform"  # who posted it: a person's name from the console, or `platform` (seen there)
    clinic_id: str = ""
    on_time: bool | None = None
    minutes: int | None = None  # business minutes from the review to the reply
    allowed: tuple[str, ...] = ()  # texts the reply may contain: the clinic's contact line, staff praised by name


@dataclass(frozen=True)
class ReplyScore:
    ref: str
    who: str
    clinic_id: str
    checklist: dict[str, bool | None]
    score: int
    minutes: int | None = None
    duplicate_of: tuple[str, ...] = ()

    @property
    def templated(self) -> bool:
        return self.checklist.get("personal") is False

    def missing(self) -> list[str]:
        return [item for item in ITEMS if self.checklist.get(item) is False]


def normalise(text: str) -> str:
    return _LETTERS.sub(" ", text.lower().replace("ё", "е")).strip()


@functools.lru_cache(maxsize=4096)
def signature(text: str) -> tuple[int, ...]:
    """The MinHash signature of the text's character shingles (empty text: all maxima). A pure function of the
    text, kept for the 4,096 latest texts: the month's report and the insights score the same replies."""
    flat = normalise(text)
    shingles = {flat[i : i + SHINGLE] for i in range(max(1, len(flat) - SHINGLE + 1))} if flat else set()
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles]
    if not hashes:
        return tuple([_PRIME] * PERMUTATIONS)
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _COEFFICIENTS)


def similarity(one: Sequence[int], other: Sequence[int]) -> float:
    """The share of equal MinHash values: an estimate of the shingle sets' Jaccard similarity."""
    return sum(x == y for x, y in zip(one, other, strict=True)) / len(one)


def near_duplicates(signatures: dict[str, tuple[int, ...]], threshold: float = DUPLICATE_SIMILARITY) -> dict[str, set[str]]:
    """For each reply, the other replies it nearly copies (LSH candidates, then the signature check)."""
    rows = PERMUTATIONS // BANDS
    buckets: dict[tuple, list[str]] = defaultdict(list)
    for ref, sig in signatures.items():
        for band in range(BANDS):
            buckets[(band, sig[band * rows : (band + 1) * rows])].append(ref)
    found: dict[str, set[str]] = defaultdict(set)
    for refs in buckets.values():
        for i, one in enumerate(refs):
            for other in refs[i + 1 :]:
                if other not in found[one] and similarity(signatures[one], signatures[other]) >= threshold:
                    found[one].add(other)
                    found[other].add(one)
    return found


def checklist(reply: ReplyInput) -> dict[str, bool | None]:
    """Every item but `personal` (which needs the other replies)."""
    text = reply.text or ""
    verdict = check_reply(text, review=reply.review_text or None, allowed=reply.allowed)
    author_words = {w[:4].lower() for w in re.findall(r"\w{3,}", reply.author or "")}
    review = (reply.review_text or "").lower()
    review_digits = re.sub(r"\D", "", review)
    personal = []
    contact = False
    for problem in verdict.problems:
        if problem.kind == "name" and problem.text[:4].lower() in author_words:
            continue  # the name the author signed with
        if problem.kind in ("phone", "email") and not _in_review(problem, review, review_digits):
            contact = True  # the clinic's own line
            continue
        if problem.kind in ("name", "medical", "date", "phone", "email"):
            personal.append(problem)
    low, high = (150, 1500) if reply.negative else (30, 1000)
    return {
        "thanks": bool(_THANKS.search(text)),
        "apology": bool(_APOLOGY.search(text)) if reply.negative else None,
        "no_patient_confirmation": not any(p.kind == "visit" for p in verdict.problems),
        "no_personal_data": not personal,
        "private_contact": (contact or bool(_PRIVATE.search(text))) if reply.negative else None,
        "length": low <= len(text.strip()) <= high,
        "tone": not _SHOUT.search(text) and not _BLAME.search(text),
        "on_time": reply.on_time,
        "personal": None,
    }


def _in_review(problem, review: str, review_digits: str) -> bool:
    """A phone or e-mail the review itself contains (the patient's, copied into the reply)."""
    if problem.kind == "phone":
        digits = re.sub(r"\D", "", problem.text)[-10:]
        return bool(digits) and digits in review_digits
    return problem.text.lower() in review


def score_of(items: dict[str, bool | None]) -> int:
    applicable = [v for v in items.values() if v is not None]
    return round(100 * sum(applicable) / len(applicable)) if applicable else 0


def score_replies(replies: Iterable[ReplyInput], corpus: dict[str, tuple[int, ...]] | None = None) -> list[ReplyScore]:
    """Score every reply; `personal` fails for one that nearly copies another reply (of these, or of the
    `corpus`: signatures of other replies of the chain, keyed by ref)."""
    replies = list(replies)
    signatures = {**(corpus or {}), **{r.ref: signature(r.text) for r in replies}}
    duplicates = near_duplicates(signatures)
    scored = []
    for reply in replies:
        items = checklist(reply)
        copies = tuple(sorted(d for d in duplicates.get(reply.ref, ()) if d != reply.ref))
        items["personal"] = not copies
        scored.append(ReplyScore(reply.ref, reply.who, reply.clinic_id, items, score_of(items), reply.minutes, copies))
    return scored


@dataclass(frozen=True)
class QualityRow:
    """Replies of one person (or `platform`) at one clinic, or a clinic's replies (who `*`)."""

    who: str
    clinic_id: str
    replies: int
    score: float
    templated_share: float
    checklist: dict[str, float | None] = field(default_factory=dict)
    median_minutes: int | None = None

    def to_json(self) -> dict:
        return {
            "who": self.who, "clinic_id": self.clinic_id, "replies": self.replies, "score": self.score,
            "templated_share": self.templated_share, "checklist": self.checklist, "median_minutes": self.median_minutes,
        }


def quality_rows(scores: Iterable[ReplyScore], by: str = "who") -> list[QualityRow]:
    """Rows by (who, clinic) or, with `by="clinic"`, by clinic alone; best score first, then fastest."""
    groups: dict[tuple[str, str], list[ReplyScore]] = defaultdict(list)
    for s in scores:
        groups[("*" if by == "clinic" else s.who, s.clinic_id)].append(s)
    rows = []
    for (who, clinic), items in groups.items():
        shares: dict[str, float | None] = {}
        for item in ITEMS:
            values = [s.checklist.get(item) for s in items if s.checklist.get(item) is not None]
            shares[item] = round(sum(values) / len(values), 3) if values else None
        minutes = [s.minutes for s in items if s.minutes is not None]
        rows.append(QualityRow(
            who, clinic, len(items), round(statistics.fmean(s.score for s in items), 1),
            round(sum(s.templated for s in items) / len(items), 3), shares,
            int(statistics.median(minutes)) if minutes else None,
        ))
    rows.sort(key=lambda r: (-r.score, r.median_minutes if r.median_minutes is not None else 1 << 30, r.who, r.clinic_id))
    return rows
