"""Cases: every escalated negative review (or private complaint) is a case someone owns until it is closed.

Pure rules, no I/O and no clock: every operation is given the actor and the moment and returns a
`Change` (the case after it, the event to announce, the action recorded, whether the review now counts
as answered). Invalid transitions raise `CaseConflict` (the case is not in a state that allows it);
bad input raises `CaseInvalid`; an actor without the right raises `NotAllowed`. docs/cases.md.

    new ──take──▶ taken ──public reply──▶ replied_publicly ─┐
                    │ └──patient called──▶ contacted_privately ┤──resolve──▶ resolved ──close──▶ closed
                    └────────────────────close (outcome + root cause)──────────────────────────▲

A public reply posted or the patient contacted privately answers the review (the escalation's next
tier step then ends the workflow); so does closing the case.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, field, replace
from datetime import datetime
from typing import Any

from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.review import ReviewKey, from_iso, iso_z

NEW, TAKEN, REPLIED_PUBLICLY, CONTACTED_PRIVATELY, RESOLVED, CLOSED = (
    "new", "taken", "replied_publicly", "contacted_privately", "resolved", "closed",
)
STATUSES = (NEW, TAKEN, REPLIED_PUBLICLY, CONTACTED_PRIVATELY, RESOLVED, CLOSED)
IN_HAND = (TAKEN, REPLIED_PUBLICLY, CONTACTED_PRIVATELY)

PUBLIC_REPLY, PATIENT_CALLED, SORRY_BONUS, LEGAL = (
    "public_reply_posted", "patient_called", "sorry_bonus", "escalated_to_legal",
)
ACTION_KINDS = (PUBLIC_REPLY, PATIENT_CALLED, SORRY_BONUS, LEGAL)
#: Actions that count as answering the patient: the escalation stops.
ANSWERING = {PUBLIC_REPLY: REPLIED_PUBLICLY, PATIENT_CALLED: CONTACTED_PRIVATELY}

OUTCOMES = ("patient_satisfied", "rating_raised", "no_response")
TURNED = ("patient_satisfied", "rating_raised")
BONUS_KINDS = ("discount", "free_visit", "taxi", "gift", "refund", "other")
ROOT_TOPICS = (
    "front_desk", "waiting", "billing", "doctor", "scheduling", "cleanliness", "diagnostics", "other",
)
REPLY_PLATFORM, REPLY_BY_HAND = "platform", "by_hand"

REVIEW_MANAGER, HEAD, DIRECTOR, LEGAL_ROLE = "review_manager", "head_of_client_service", "director", "legal"
ROLES = (REVIEW_MANAGER, HEAD, DIRECTOR, LEGAL_ROLE)
ALL_CLINICS = "*"

CASE_OPENED, CASE_TAKEN, CASE_ACTION, CASE_RESOLVED, CASE_CLOSED = (
    "case.opened", "case.taken", "case.action_recorded", "case.resolved", "case.closed",
)
EVENTS = (CASE_OPENED, CASE_TAKEN, CASE_ACTION, CASE_RESOLVED, CASE_CLOSED)

MAX_ACTIONS = 50
MAX_NOTE = 500
MAX_BONUS_VALUE = 1_000_000
TARGET_TURNED = (0.6, 0.7)


class CaseError(ValueError):
    """A case operation was refused; the message says why in one sentence, without personal data."""


class CaseInvalid(CaseError):
    """The request itself is wrong (unknown outcome, missing bonus value, ...): HTTP 400."""


class CaseConflict(CaseError):
    """The case is not in a state that allows the operation (closed, not taken yet): HTTP 409."""


class NotAllowed(CaseError):
    """The actor's role or clinics do not allow the operation: HTTP 403."""


@record
class Actor:
    """Who acts: a console user (`id` from the token), a Telegram user (`tg:<id>`) or the system."""

    id: str
    name: str
    role: str
    clinics: tuple[str, ...] = (ALL_CLINICS,)
    via: str = "console"

    def sees(self, clinic_id: str) -> bool:
        return ALL_CLINICS in self.clinics or clinic_id in self.clinics


SYSTEM = Actor("system", "system", DIRECTOR, via="system")


@record
class Action:
    kind: str
    at: datetime
    by: str
    by_name: str
    note: str | None = None
    bonus_kind: str | None = None
    bonus_value: int | None = None  # in the chain's currency, whole units
    reply_mode: str | None = None  # platform | by_hand, for a public reply

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = iso_z(self.at)
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Action:
        return cls(**{**data, "at": from_iso(data["at"])})


@record
class RootCause:
    topic: str
    systemic: bool
    fix_note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "systemic": self.systemic, "fix_note": self.fix_note}


@record
class Case:
    id: str
    chain_id: str
    clinic_id: str
    source: str
    external_id: str
    opened_at: datetime
    due_at: datetime | None
    status: str = NEW
    legal: bool = False
    private: bool = False
    owner: str | None = None
    owner_name: str | None = None
    taken_at: datetime | None = None
    first_reply_at: datetime | None = None
    first_contact_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    root_cause: RootCause | None = None
    actions: tuple[Action, ...] = ()
    version: int = 0

    @property
    def key(self) -> ReviewKey:
        return ReviewKey(self.clinic_id, self.source, self.external_id)

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED

    def overdue(self, now: datetime) -> bool:
        """Still waiting for an answer to the patient after its deadline."""
        answered = self.first_reply_at is not None or self.first_contact_at is not None
        return self.is_open and not answered and self.due_at is not None and self.due_at < now

    def minutes_left(self, now: datetime) -> int | None:
        return None if self.due_at is None else int((self.due_at - now).total_seconds() // 60)

    @property
    def bonus_total(self) -> int:
        return sum(a.bonus_value or 0 for a in self.actions if a.kind == SORRY_BONUS)

    def to_json(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "chain_id": self.chain_id,
            "clinic_id": self.clinic_id,
            "source": self.source,
            "external_id": self.external_id,
            "status": self.status,
            "legal": self.legal,
            "private": self.private,
            "owner": self.owner,
            "owner_name": self.owner_name,
            "outcome": self.outcome,
            "root_cause": None if self.root_cause is None else self.root_cause.to_json(),
            "actions": [a.to_json() for a in self.actions],
            "version": self.version,
        }
        for name in ("opened_at", "due_at", "taken_at", "first_reply_at", "first_contact_at", "resolved_at", "closed_at"):
            value = getattr(self, name)
            data[name] = None if value is None else iso_z(value)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Case:
        values = dict(data)
        for name in ("opened_at", "due_at", "taken_at", "first_reply_at", "first_contact_at", "resolved_at", "closed_at"):
            values[name] = from_iso(values.get(name))
        values["actions"] = tuple(Action.from_json(a) for a in values.get("actions") or ())
        cause = values.get("root_cause")
        values["root_cause"] = None if cause is None else RootCause(**cause)
        return cls(**values)


@record
class Change:
    """What one operation did: the case after it and what to record and announce."""

    case: Case
    event: str
    actor: Actor
    at: datetime
    action: Action | None = None
    answers_review: bool = False
    changed: bool = True  # False: a repeat of what was already done (idempotent no-op)

    def detail(self) -> dict[str, Any]:
        """What the audit entry and the bus event say about the change (no patient data)."""
        data: dict[str, Any] = {"status": self.case.status}
        if self.action is not None:
            data["action"] = self.action.to_json()
        if self.event == CASE_TAKEN:
            data["owner"] = self.case.owner
        if self.event == CASE_CLOSED:
            data["outcome"] = self.case.outcome
            data["root_cause"] = None if self.case.root_cause is None else self.case.root_cause.to_json()
        return data


def case_id(key: ReviewKey) -> str:
    """A case per review: the review key's token (24 hex characters)."""
    return key.token()


# ------------------------------------------------------------------------------------------ operations
#: Sources whose author wrote to the clinic, not in public: their cases have no public reply (call or write back).
PRIVATE_SOURCES = frozenset({"visit_feedback", "email"})


def open_case(
    key: ReviewKey, chain_id: str, at: datetime, due_at: datetime | None, *, legal: bool = False
) -> Change:
    case = Case(
        id=case_id(key),
        chain_id=chain_id,
        clinic_id=key.clinic_id,
        source=key.source,
        external_id=key.external_id,
        opened_at=at,
        due_at=due_at,
        legal=legal,
        private=key.source in PRIVATE_SOURCES,
    )
    return Change(case, CASE_OPENED, SYSTEM, at)


def take(case: Case, actor: Actor, at: datetime) -> Change:
    _may(actor, case, "take")
    if case.status == NEW:
        taken = replace(case, status=TAKEN, owner=actor.id, owner_name=actor.name, taken_at=at, version=case.version + 1)
        return Change(taken, CASE_TAKEN, actor, at)
    if case.status == CLOSED:
        raise CaseConflict("the case is closed")
    if case.owner == actor.id:
        return Change(case, CASE_TAKEN, actor, at, changed=False)
    raise CaseConflict(f"the case is already taken by {case.owner_name or case.owner}")


def record_action(
    case: Case,
    actor: Actor,
    at: datetime,
    kind: str,
    *,
    note: str | None = None,
    bonus_kind: str | None = None,
    bonus_value: int | None = None,
    reply_mode: str | None = None,
) -> Change:
    if kind not in ACTION_KINDS:
        raise CaseInvalid(f"unknown action {kind!r}; expected one of {', '.join(ACTION_KINDS)}")
    _may(actor, case, kind)
    _require_in_hand(case, allow_resolved=True)
    if len(case.actions) >= MAX_ACTIONS:
        raise CaseConflict(f"a case holds at most {MAX_ACTIONS} actions")
    note = _note(note)
    if kind == SORRY_BONUS:
        if bonus_kind not in BONUS_KINDS:
            raise CaseInvalid(f"a sorry bonus needs its kind, one of {', '.join(BONUS_KINDS)}")
        if bonus_value is None or not 0 <= bonus_value <= MAX_BONUS_VALUE:
            raise CaseInvalid(f"a sorry bonus needs its value, a whole number from 0 to {MAX_BONUS_VALUE}")
    elif bonus_kind is not None or bonus_value is not None:
        raise CaseInvalid("bonus kind and value belong to a sorry bonus only")
    if kind == PUBLIC_REPLY:
        if case.private:
            raise CaseConflict("a private complaint has no public place to reply: call the patient instead")
        if reply_mode not in (REPLY_PLATFORM, REPLY_BY_HAND):
            raise CaseInvalid("a public reply is posted on the platform or by hand")
    elif reply_mode is not None:
        raise CaseInvalid("reply mode belongs to a public reply only")
    action = Action(kind, at, actor.id, actor.name, note, bonus_kind, bonus_value, reply_mode)
    changes: dict[str, Any] = {"actions": (*case.actions, action), "version": case.version + 1}
    answers = kind in ANSWERING
    if answers and case.status != RESOLVED:
        changes["status"] = ANSWERING[kind]
    if kind == PUBLIC_REPLY and case.first_reply_at is None:
        changes["first_reply_at"] = at
    if kind == PATIENT_CALLED and case.first_contact_at is None:
        changes["first_contact_at"] = at
    return Change(replace(case, **changes), CASE_ACTION, actor, at, action, answers_review=answers)


def resolve(case: Case, actor: Actor, at: datetime) -> Change:
    _may(actor, case, "resolve")
    if case.status == RESOLVED:
        return Change(case, CASE_RESOLVED, actor, at, changed=False)
    _require_in_hand(case)
    return Change(replace(case, status=RESOLVED, resolved_at=at, version=case.version + 1), CASE_RESOLVED, actor, at)


def close(case: Case, actor: Actor, at: datetime, outcome: str, root_cause: RootCause) -> Change:
    _may(actor, case, "close")
    if outcome not in OUTCOMES:
        raise CaseInvalid(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    if root_cause.topic not in ROOT_TOPICS:
        raise CaseInvalid(f"unknown root cause topic {root_cause.topic!r}; expected one of {', '.join(ROOT_TOPICS)}")
    if root_cause.systemic and not (root_cause.fix_note or "").strip():
        raise CaseInvalid("a systemic root cause needs a note on the fix")
    _require_in_hand(case, allow_resolved=True)
    cause = RootCause(root_cause.topic, root_cause.systemic, _note(root_cause.fix_note))
    closed = replace(
        case, status=CLOSED, closed_at=at, outcome=outcome, root_cause=cause, version=case.version + 1,
        resolved_at=case.resolved_at or at,
    )
    return Change(closed, CASE_CLOSED, actor, at, answers_review=True)


def _require_in_hand(case: Case, allow_resolved: bool = False) -> None:
    if case.status == NEW:
        raise CaseConflict("take the case first")
    if case.status == CLOSED:
        raise CaseConflict("the case is closed")
    if case.status == RESOLVED and not allow_resolved:
        raise CaseConflict("the case is already resolved")


def _note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise CaseInvalid(f"a note is at most {MAX_NOTE} characters")
    return note


# ------------------------------------------------------------------------------------------ permissions
#: What each role may do. `approve_legal_reply`: a reply to a review flagged legal goes through legal.
PERMISSIONS: dict[str, frozenset[str]] = {
    REVIEW_MANAGER: frozenset({"read", "take", "resolve", "close", "reply", *ACTION_KINDS}),
    HEAD: frozenset({"read", "take", "resolve", "close", "reply", "approve_legal_reply", *ACTION_KINDS}),
    DIRECTOR: frozenset({"read", "take", "resolve", "close", "reply", "approve_legal_reply", *ACTION_KINDS}),
    LEGAL_ROLE: frozenset({"read", "reply", "approve_legal_reply", LEGAL, PUBLIC_REPLY}),
}


def allowed(actor: Actor, operation: str) -> bool:
    return operation in PERMISSIONS.get(actor.role, frozenset())


def _may(actor: Actor, case: Case, operation: str) -> None:
    if not actor.sees(case.clinic_id):
        raise NotAllowed(f"you have no access to clinic {case.clinic_id}")
    if not allowed(actor, operation):
        raise NotAllowed(f"the role {actor.role} may not {operation.replace('_', ' ')}")


def may_reply(actor: Actor, case: Case) -> None:
    """Approving a public reply: a legal-flagged review needs legal, the head of client service or the director."""
    _may(actor, case, "reply")
    if case.legal and not allowed(actor, "approve_legal_reply"):
        raise NotAllowed("this review is flagged legal: its reply is approved by the legal department")


# ------------------------------------------------------------------------------------------ analytics
@record
class LogEntry:
    """One recorded change of a case (the audit trail): the event, when, by whom, and the case after it."""

    event: str
    at: datetime
    actor: str
    actor_name: str
    role: str
    via: str
    case: Case
    action: Action | None = None


@record
class ClinicCauses:
    clinic_id: str
    systemic: tuple[tuple[str, int], ...]  # (topic, cases) most frequent first
    notes: tuple[str, ...] = ()


@record
class CaseAnalytics:
    """How negatives were handled as cases over a period (one day for the digest, a month for the report)."""

    opened: int = 0
    closed: int = 0
    turned: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    median_take_minutes: int | None = None
    median_reply_minutes: int | None = None
    bonuses: int = 0
    bonus_cost: int = 0
    bonus_kinds: dict[str, int] = field(default_factory=dict)
    systemic_by_clinic: tuple[ClinicCauses, ...] = ()
    target: tuple[float, float] = TARGET_TURNED

    @property
    def turned_share(self) -> float | None:
        return None if not self.closed else self.turned / self.closed

    @property
    def target_met(self) -> bool | None:
        share = self.turned_share
        return None if share is None else share >= self.target[0]

    @property
    def empty(self) -> bool:
        return not (self.opened or self.closed or self.bonuses or self.median_take_minutes is not None)

    def to_json(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "closed": self.closed,
            "turned": self.turned,
            "turned_share": self.turned_share,
            "target": list(self.target),
            "target_met": self.target_met,
            "outcomes": dict(self.outcomes),
            "median_take_minutes": self.median_take_minutes,
            "median_reply_minutes": self.median_reply_minutes,
            "bonuses": self.bonuses,
            "bonus_cost": self.bonus_cost,
            "bonus_kinds": dict(self.bonus_kinds),
            "systemic_by_clinic": [
                {"clinic_id": c.clinic_id, "topics": [{"topic": t, "cases": n} for t, n in c.systemic], "notes": list(c.notes)}
                for c in self.systemic_by_clinic
            ],
        }


def case_analytics(
    entries: Iterable[LogEntry], *, clinic_id: str | None = None, target: tuple[float, float] = TARGET_TURNED
) -> CaseAnalytics:
    """The chain's case figures from the changes recorded in a period (each counted when it happened).

    Turned: closed with the patient satisfied or the rating raised, as a share of the cases closed.
    Time to take and to the first public reply: calendar minutes from the case's opening (medians).
    """
    opened = closed = turned = 0
    outcomes: Counter[str] = Counter()
    take_minutes: list[int] = []
    reply_minutes: list[int] = []
    bonus_kinds: Counter[str] = Counter()
    bonus_cost = 0
    systemic: dict[str, Counter[str]] = defaultdict(Counter)
    notes: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        case = entry.case
        if clinic_id is not None and case.clinic_id != clinic_id:
            continue
        if entry.event == CASE_OPENED:
            opened += 1
        elif entry.event == CASE_TAKEN and case.taken_at is not None:
            take_minutes.append(_minutes(case.opened_at, case.taken_at))
        elif entry.event == CASE_ACTION and entry.action is not None:
            action = entry.action
            if action.kind == PUBLIC_REPLY and case.first_reply_at == action.at:
                reply_minutes.append(_minutes(case.opened_at, action.at))
            elif action.kind == SORRY_BONUS:
                bonus_kinds[action.bonus_kind or "other"] += 1
                bonus_cost += action.bonus_value or 0
        elif entry.event == CASE_CLOSED:
            closed += 1
            outcomes[case.outcome or "unknown"] += 1
            turned += case.outcome in TURNED
            cause = case.root_cause
            if cause is not None and cause.systemic:
                systemic[case.clinic_id][cause.topic] += 1
                if cause.fix_note:
                    notes[case.clinic_id].append(cause.fix_note)
    by_clinic = tuple(
        ClinicCauses(clinic, tuple(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))), tuple(notes[clinic]))
        for clinic, topics in sorted(systemic.items())
    )
    return CaseAnalytics(
        opened=opened,
        closed=closed,
        turned=turned,
        outcomes=dict(outcomes),
        median_take_minutes=_median(take_minutes),
        median_reply_minutes=_median(reply_minutes),
        bonuses=sum(bonus_kinds.values()),
        bonus_cost=bonus_cost,
        bonus_kinds=dict(bonus_kinds),
        systemic_by_clinic=by_clinic,
        target=target,
    )


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def _median(values: list[int]) -> int | None:
    from statistics import median  # with fractions: only the analytics need it, not the console's start

    return None if not values else int(median(values))


# ------------------------------------------------------------------------------------------ chat
_BONUS_WORDS = (
    ("taxi", ("такси", "taxi", "cab")),
    ("free_visit", ("бесплатн", "приём", "прием", "визит", "консультац", "free", "visit")),
    ("discount", ("скидк", "discount", "%")),
    ("refund", ("возврат", "вернуть", "вернули", "refund")),
    ("gift", ("подар", "сертификат", "gift", "voucher")),
)
_NUMBER = re.compile(r"\d[\d\s]{0,9}")


def parse_bonus(text: str) -> tuple[str, int]:
    """A sorry bonus as the team writes it in the chat: "такси 700", "скидка 1 500 ₽", "free visit 0".

    The kind is the first known word (else `other`); the value the first whole number (else 0).
    """
    lowered = (text or "").lower()
    kind = next((k for k, words in _BONUS_WORDS if any(w in lowered for w in words)), "other")
    match = _NUMBER.search(lowered)
    value = int(re.sub(r"\s", "", match.group())) if match else 0
    if value > MAX_BONUS_VALUE:
        raise CaseInvalid(f"a sorry bonus is at most {MAX_BONUS_VALUE}")
    return kind, value
