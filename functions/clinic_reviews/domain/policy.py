"""A chain's policy: its clinics, people, escalation ladder and limits, as a review manager writes it in YAML.

`load_policy` reads YAML, JSON or a dict and raises `PolicyError` listing every problem with its path
(`clinics[1].timezone: unknown time zone 'Europe/Moskow'`): pydantic checks it, imported only there. The deployed
stack stores `Policy.to_json()` (only what was written); the functions read it back with `Policy.from_json`, which
rebuilds the records without pydantic or YAML (domain/spec.py) and does the cross-checks and calendars again.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import field
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from clinic_reviews.domain.business_time import (
    DAY_NAMES,
    BusinessCalendar,
    Span,
    check_country,
    format_span,
    parse_clock,
    parse_days,
    parse_open,
    parse_within,
    zone,
)
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.retention import Retention
from clinic_reviews.domain.review import SOURCES
from clinic_reviews.domain.spec import Rule, Spec, check

CHANNELS = ("sms", "email", "chat")
Channel = Literal["sms", "email", "chat"]
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_PUNCTUATION = re.compile(r"[\s()\-.]")
_SPAN = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
#: Set while a stored policy is rebuilt: its countries were checked against `holidays` when it was written.
_STORED: ContextVar[bool] = ContextVar("stored_policy", default=False)
#: In a strict chain a tier due at `eod` is due after this much business time instead.
STRICT_EOD = "1h"


class PolicyError(ValueError):
    """An invalid policy (or an unknown clinic or contact); `problems` holds one `path: reason` per problem."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))

    def __str__(self) -> str:
        return "; ".join(self.problems)


class UnknownClinic(PolicyError, KeyError):
    """`Policy.clinic` was asked for a clinic the policy does not list."""


def _email(value: str, what: str = "e-mail") -> str:
    value = value.strip()
    if not EMAIL.match(value):
        raise ValueError(f"not a valid {what} address: {value!r}")
    return value


def _slug(value: str, punctuation: str) -> str:
    if not re.fullmatch(rf"[a-z0-9][a-z0-9{re.escape(punctuation)}]{{0,63}}", value):
        allowed = ", ".join(repr(c) for c in punctuation)
        raise ValueError(f"use up to 64 lowercase latin letters, digits and {allowed}; got {value!r}")
    return value


def _zone_name(value: str) -> str:
    zone(value)
    return value.strip()


def _within(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"write deadlines with a unit, e.g. {value}m, 1h, 2bd, eod or now")  # noqa: TRY004
    return parse_within(value).text


def _country(value: Any) -> str | None:
    if value is False:
        raise ValueError("YAML read this code as false: put country codes in quotes, e.g. 'NO'")
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    if not isinstance(value, str):
        raise ValueError(f"country must be a two-letter code such as RU, or none, got {value!r}")  # noqa: TRY004
    code = value.strip().upper()
    check_country(code)
    return code


def parse_span(text: str) -> timedelta:
    """A calendar (not business) time span such as `72h`, `3d`, `1d12h` or `90m`."""
    cleaned = text.strip().lower().replace(" ", "") if isinstance(text, str) else ""
    match = _SPAN.match(cleaned)
    if not cleaned or not match:
        raise ValueError(f"time span must look like 72h, 3d or 90m, got {text!r}")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """Quiet hours `22:00-08:00` as (start, end) local times; the range may wrap past midnight."""
    parts = re.split(r"[-–—]", text) if isinstance(text, str) else []
    if len(parts) != 2:
        raise ValueError(f"quiet hours must look like 22:00-08:00, got {text!r}")
    start, end = parse_clock(parts[0]), parse_clock(parts[1], allow_24=True)
    if start == end:
        raise ValueError(
            f"quiet hours start and end at the same time: {text!r} (write none for no quiet hours)"
        )
    return start, end


def normalize_hours(value: Any) -> dict[str, str]:
    """Weekly hours from `{mon: "08:00-21:00", ..., sun: closed}` or compact `{"mon-fri": ..., "sat": ...}`.

    Days left out are closed. Returns all seven days, `mon` to `sun`, each `HH:MM-HH:MM` or `closed`.
    """
    if not isinstance(value, Mapping):  # pydantic reports ValueError, not TypeError
        raise ValueError('hours must map days to hours, e.g. {"mon-fri": "08:00-21:00", "sun": "closed"}')  # noqa: TRY004
    week: dict[str, str] = {}
    for key, hours in value.items():
        days = parse_days(str(key))
        closed = (
            hours is None or hours is False or (isinstance(hours, str) and hours.strip().lower() == "closed")
        )
        try:
            text = "closed" if closed else format_span(parse_open(hours))
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
        for day in sorted(days):
            if DAY_NAMES[day] in week:
                raise ValueError(f"{DAY_NAMES[day]} is given twice")
            week[DAY_NAMES[day]] = text
    result = {name: week.get(name, "closed") for name in DAY_NAMES}
    if all(text == "closed" for text in result.values()):
        raise ValueError("no open day")
    return result


def hours_by_weekday(hours: Mapping[str, str]) -> dict[int, Span | None]:
    """Normalized weekly hours as the weekday-indexed map `BusinessCalendar` takes."""
    return {
        i: (None if hours[name] == "closed" else parse_open(hours[name])) for i, name in enumerate(DAY_NAMES)
    }


def _phone(value: Any) -> Any:
    if value is None:
        return None
    phone = _PHONE_PUNCTUATION.sub("", str(value))
    if not E164.match(phone):
        raise ValueError(f"phone must be in international format like +79000000001, got {value!r}")
    return phone


def _optional_email(value: str | None) -> str | None:
    return None if value is None else _email(value)


def _number_as_text(value: Any) -> Any:
    """Ids and chat ids may be written as YAML numbers; they are kept as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _unique(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise ValueError("a channel is listed twice")
    return value


def _deadline(value: Any) -> Any:
    return None if value is None else _within(value)


def _emails(value: list[str]) -> list[str]:
    return [_email(x) for x in value]


#: The records below are frozen dataclasses, checked by pydantic only where a policy is loaded (`load_policy`)
#: and rebuilt without it where a function reads the stored one (`Policy.from_json`): see domain/spec.py.
_record = record(kw_only=True)


@_record
class Contact(Spec):
    """A person alerts go to. Phones are E.164 (spaces, dashes and brackets are dropped)."""

    name: Annotated[str, Rule(min_length=1)]
    phone: Annotated[str | None, Rule(before=_phone)] = None
    email: Annotated[str | None, Rule(after=_optional_email)] = None
    telegram_chat_id: Annotated[str | None, Rule(before=_number_as_text)] = None

    def address(self, channel: str) -> str | None:
        """Where `channel` reaches this person: phone (sms), e-mail (email), chat id (chat)."""
        return {"sms": self.phone, "email": self.email, "chat": self.telegram_chat_id}.get(channel)


@_record
class Notify(Spec):
    """Whom a tier alerts and through which channels, in order of preference."""

    contact: Annotated[str, Rule(min_length=1)]
    channels: Annotated[list[Channel], Rule(min_length=1, after=_unique)]


@_record
class TierSpec(Spec):
    """One step of the escalation ladder: whom to alert when a negative review is still unanswered at `within`.

    `within` counts from the receipt of the review (see `BusinessCalendar.due`). `when: legal` tiers apply
    only to reviews flagged legal. `urgent` tiers ignore quiet hours. In a strict chain (`chain.strict`)
    the tier uses `strict_within` instead; a tier due at `eod` defaults to `1h` there, so the head of
    client service is alerted after one business hour instead of at the end of the day.
    """

    id: Annotated[str, Rule(after=lambda v: _slug(v, "_-"))]
    within: Annotated[str, Rule(before=_deadline)]
    strict_within: Annotated[str | None, Rule(before=_deadline)] = None
    when: Literal["always", "legal"] = "always"
    urgent: bool = False
    notify: Annotated[list[Notify], Rule(min_length=1)]

    def effective_within(self, strict: bool) -> str:
        """The deadline in force: `within`, or in a strict chain `strict_within` (`1h` for an `eod` tier)."""
        if strict and self.strict_within is not None:
            return self.strict_within
        if strict and self.within == "eod":
            return STRICT_EOD
        return self.within


@_record
class PositiveSpec(Spec):
    """The reminder to thank the author of a positive review (for the share `chain.positive_reply_share`)."""

    within: Annotated[str, Rule(before=_within)] = "1bd"
    notify: Annotated[list[Notify], Rule(min_length=1)]


@_record
class RepliesSpec(Spec):
    """What reply drafts say on the chain's behalf (domain/replies).

    `contact`: the public line for a private talk with the clinic manager ("+7 800 000-00-00,
    care@clinic.ru"); written out, never taken from `contacts` (those are staff's own phones).
    `signature`: the closing line. `templates`: a folder of the chain's own templates
    (`ru/negative_1.txt.j2`, ...), relative to the policy file; the bundled ones fill the gaps.
    """

    contact: str | None = None
    signature: str | None = None
    templates: str | None = None


def parse_window(text: str) -> tuple[time, time]:
    """A daily send window `10:00-20:00` as (start, end) local times; it may not wrap past midnight."""
    parts = re.split(r"[-–—]", text) if isinstance(text, str) else []
    if len(parts) != 2:
        raise ValueError(f"send window must look like 10:00-20:00, got {text!r}")
    start, end = parse_clock(parts[0]), parse_clock(parts[1], allow_24=True)
    if end != time(0) and end <= start:
        raise ValueError(f"send window must end after it starts on the same day, got {text!r}")
    return start, end


def _checked(parse: Any) -> Any:
    """An after-check that only parses: the text stays as written."""

    def check(value: str) -> str:
        parse(value)
        return value

    return check


@_record
class FeedbackSpec(Spec):
    """Asking patients after the visit (docs/feedback.md). Every number here is the chain's to change.

    `review_gating` shows the clinic's public review links only to patients who rated 4-5. It breaks
    Google's rules (Google Business Profile forbids discouraging negative reviews and selectively
    soliciting positive ones, "review gating") and Yandex's (Yandex Maps rules forbid reviews asked for
    selectively or with a reward): a platform can remove the clinic's reviews or its listing. Leave it
    off; it exists only as an explicit, documented choice of the chain.
    """

    enabled: bool = True
    #: Patient-local hours an SMS may go out in (the patient's zone, else the clinic's).
    send_window: Annotated[str, Rule(after=_checked(parse_window))] = "10:00-20:00"
    #: How long after the end of the visit the SMS goes (then the next moment inside the window).
    delay: Annotated[str, Rule(after=_checked(parse_span))] = "1h"
    #: An SMS that could not go out within this time after the end of the visit is not sent at all.
    max_age: Annotated[str, Rule(after=_checked(parse_span))] = "24h"
    #: A patient asked (or skipped as asked) within this time is not asked again.
    ask_again_after: Annotated[str, Rule(after=_checked(parse_span))] = "30d"
    #: How long the link in the SMS works.
    link_lifetime: Annotated[str, Rule(after=_checked(parse_span))] = "7d"
    #: See the class documentation: off unless the chain accepts breaking the platforms' rules.
    review_gating: bool = False
    #: The ladder a private complaint from the page follows; the director first. None: `ladder`.
    private_ladder: Annotated[list[TierSpec] | None, Rule(min_length=1)] = None

    @property
    def window(self) -> tuple[time, time]:
        return parse_window(self.send_window)

    def span(self, name: str) -> timedelta:
        """One of the span settings (`delay`, `max_age`, `ask_again_after`, `link_lifetime`) as a timedelta."""
        return parse_span(getattr(self, name))


def _mailboxes(value: dict[str, str]) -> dict[str, str]:
    return {_email(address, "mailbox").lower(): clinic for address, clinic in value.items()}


@_record
class InboundEmailSpec(Spec):
    """Mail to the client-service mailbox (SES receipt rule -> S3 -> intake; docs/sources.md, e-mail).

    A mail goes to the clinic whose `mailboxes` address received it (per-clinic mailboxes), else to
    `default_clinic` (the chain's one mailbox); a mail for neither is refused. `unverified`: what to do with
    a mail whose sender SES could not vouch for (DMARC not passed): `mark` stores the review and marks the
    sender's address unverified in the contact data (staff confirm who wrote before answering privately);
    `reject` stores nothing. Spam and viruses (SES's scans) are never stored. The sender is kept for the
    policy's `retention.senders` days, the letter itself for `retention.complaints`.
    """

    mailboxes: Annotated[dict[str, str], Rule(after=_mailboxes)] = field(default_factory=dict)
    default_clinic: str | None = None
    unverified: Literal["mark", "reject"] = "mark"

    def clinic_for(self, recipients: tuple[str, ...] | list[str]) -> str | None:
        """The clinic of the first recipient that is one of its mailboxes, else the default clinic."""
        for address in recipients:
            if address.lower() in self.mailboxes:
                return self.mailboxes[address.lower()]
        return self.default_clinic


def _quiet(value: Any) -> Any:
    if value is None or value is False or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    parse_quiet_hours(value)
    return value.strip()


@_record
class Chain(Spec):
    """Chain-wide settings. `strict` tightens `eod` tiers to one business hour (see `TierSpec`)."""

    id: Annotated[str, Rule(after=lambda v: _slug(v, "-"))]
    name: Annotated[str, Rule(min_length=1)]
    timezone: Annotated[str, Rule(after=_zone_name)]
    language: Literal["ru", "en"] = "ru"
    sender_email: Annotated[str, Rule(after=_email)]
    digest_recipients: Annotated[list[str], Rule(after=_emails)] = field(default_factory=list)
    sms_daily_cap: Annotated[int, Rule(ge=0)] = 40
    quiet_hours: Annotated[str | None, Rule(before=_quiet)] = "22:00-08:00"
    backfill_window: Annotated[str, Rule(after=_checked(parse_span))] = "72h"
    positive_reply_share: Annotated[float, Rule(ge=0, le=1)] = 0.2
    strict: bool = False

    @property
    def quiet_span(self) -> tuple[time, time] | None:
        """Quiet hours as (start, end) local times, or None."""
        return None if self.quiet_hours is None else parse_quiet_hours(self.quiet_hours)

    @property
    def backfill(self) -> timedelta:
        """`backfill_window` as a calendar time span."""
        return parse_span(self.backfill_window)


@_record
class Defaults(Spec):
    """What a clinic that says nothing else inherits."""

    country: Annotated[str | None, Rule(before=_country)] = "RU"
    hours: Annotated[dict[str, str], Rule(before=normalize_hours)] = field(
        default_factory=lambda: normalize_hours({"mon-sun": "09:00-21:00"})
    )


_PLATFORM_ID = Rule(before=_number_as_text, min_length=1, pattern=r"^[0-9A-Za-z_-]+$")


@_record
class GoogleSource(Spec):
    """A Google Business Profile location: `accounts/{account_id}/locations/{location_id}`."""

    platform: Literal["google"]
    account_id: Annotated[str, _PLATFORM_ID]
    location_id: Annotated[str, _PLATFORM_ID]

    @property
    def feeds(self) -> list[str]:
        """Locators of what is polled (one cursor each)."""
        return [f"{self.account_id}/{self.location_id}"]


@_record
class TwoGisSource(Spec):
    """A 2GIS branch (its firm id, the number in the branch's 2gis.ru link)."""

    platform: Literal["2gis"]
    branch_id: Annotated[str, Rule(before=_number_as_text, min_length=1, pattern=r"^[0-9]+$")]

    @property
    def feeds(self) -> list[str]:
        return [self.branch_id]


@_record
class VkSource(Spec):
    """Comments under a VK community's wall posts or in its board topics (one of the two, see docs/sources.md)."""

    platform: Literal["vk"]
    group_id: Annotated[int, Rule(gt=0)]
    wall_posts: list[int] = field(default_factory=list)
    board_topics: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if bool(self.wall_posts) == bool(self.board_topics):
            raise ValueError(
                "give either wall_posts or board_topics (wall and board comment ids can collide)"
            )
        if len(set(self.wall_posts)) != len(self.wall_posts) or len(set(self.board_topics)) != len(
            self.board_topics
        ):
            raise ValueError("a post or topic is listed twice")

    @property
    def feeds(self) -> list[str]:
        if self.wall_posts:
            return [f"wall-{self.group_id}_{post}" for post in self.wall_posts]
        return [f"board-{self.group_id}_{topic}" for topic in self.board_topics]


#: Where the scheduled fetcher reads a clinic's reviews. Credentials never live here: they are in the
#: chain's sources parameter (docs/sources.md).
SourceConfig = Annotated[GoogleSource | TwoGisSource | VkSource, Rule(discriminator="platform")]


def _links(value: dict[str, str]) -> dict[str, str]:
    for source, url in value.items():
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"{source}: link must start with https://, got {url!r}")
    return value


def _distinct_sources(value: list[Any]) -> list[Any]:
    feeds = [f"{s.platform}#{feed}" for s in value for feed in s.feeds]
    if len(set(feeds)) != len(feeds):
        raise ValueError("a source is listed twice")
    if sum(1 for s in value if s.platform == "vk") > 1:
        raise ValueError("one vk entry per clinic (comment ids of different walls and boards can collide)")
    return value


@_record
class Clinic(Spec):
    """One clinic. `country` and `hours` default to the policy's `defaults`; `contacts` override the chain's."""

    id: Annotated[str, Rule(after=lambda v: _slug(v, "_.-"))]
    name: Annotated[str, Rule(min_length=1)]
    city: str | None = None
    timezone: Annotated[str, Rule(after=_zone_name)]
    country: Annotated[str | None, Rule(before=_country)] = None
    subdiv: str | None = None
    hours: Annotated[dict[str, str] | None, Rule(before=lambda v: None if v is None else normalize_hours(v))] = None
    contacts: dict[str, Contact] = field(default_factory=dict)
    public_links: Annotated[dict[str, str], Rule(after=_links)] = field(default_factory=dict)
    sources: Annotated[list[SourceConfig], Rule(after=_distinct_sources)] = field(default_factory=list)
    #: Optional: who gets a morning digest of this clinic alone, besides the chain's digest.
    digest_recipients: Annotated[list[str], Rule(after=_emails)] = field(default_factory=list)

    @property
    def calendar(self) -> BusinessCalendar:
        """The clinic's business calendar (its zone, hours and holidays, defaults applied), bound by its policy."""
        calendar = self.__dict__.get("_calendar")
        if calendar is None:
            raise PolicyError(f"clinic {self.id!r} is not part of a loaded policy")
        return calendar


@_record
class Policy(Spec):
    """A chain's whole policy. Load it with `load_policy`; look clinics up with `clinic`."""

    chain: Chain
    contacts: dict[str, Contact] = field(default_factory=dict)
    defaults: Defaults = field(default_factory=Defaults)
    ladder: Annotated[list[TierSpec], Rule(min_length=1)]
    positive: PositiveSpec | None = None
    #: Post-visit feedback requests; None: the chain sends none.
    feedback: FeedbackSpec | None = None
    #: Reply drafts: the public contact line, signature and the chain's own templates; None: defaults.
    replies: RepliesSpec | None = None
    #: Days each kind of personal data is kept (docs/retention.md); left out: the documented defaults.
    retention: Retention = field(default_factory=Retention)
    #: Inbound e-mail to the client-service mailbox; None: mail is not read.
    email: InboundEmailSpec | None = None
    clinics: Annotated[list[Clinic], Rule(min_length=1)]

    def __post_init__(self) -> None:
        """Checks across sections, and each clinic's calendar bound (its hours and country, defaults applied)."""
        problems: list[str] = []
        problems += _duplicates("clinics", [c.id for c in self.clinics], "clinic id")
        ladders = [("ladder", self.ladder)]
        if self.feedback is not None and self.feedback.private_ladder is not None:
            ladders.append(("feedback.private_ladder", self.feedback.private_ladder))
        notifies = []
        for path, ladder in ladders:
            problems += _duplicates(path, [t.id for t in ladder], "tier id")
            if not any(t.when == "always" for t in ladder):
                problems.append(f"{path}: needs at least one tier that applies to every review (when: always)")
            notifies += [(f"{path}[{i}]", t.notify) for i, t in enumerate(ladder)]
        if self.positive is not None:
            notifies.append(("positive", self.positive.notify))
        # each policy binds its own copies: a clinic shared with another policy (`evolve`) keeps its calendar
        object.__setattr__(self, "clinics", [copy.copy(clinic) for clinic in self.clinics])
        for i, clinic in enumerate(self.clinics):
            problems += self._bind(i, clinic)
        for path, notify in notifies:
            problems += self._check_notify(path, notify)
        if self.email is not None:
            known = {c.id for c in self.clinics}
            targets = [("email.default_clinic", self.email.default_clinic)]
            targets += [(f"email.mailboxes[{a!r}]", c) for a, c in self.email.mailboxes.items()]
            problems += [f"{path}: unknown clinic {c!r}" for path, c in targets if c is not None and c not in known]
        if problems:
            raise ValueError("\n".join(problems))

    def _bind(self, index: int, clinic: Clinic) -> list[str]:
        country = clinic.country if "country" in clinic.fields_set else self.defaults.country
        hours = clinic.hours if clinic.hours is not None else self.defaults.hours
        try:
            calendar = BusinessCalendar(clinic.timezone, hours_by_weekday(hours), country, clinic.subdiv,
                                        check_holidays=not _STORED.get())
        except ValueError as exc:
            return [f"clinics[{index}].{'subdiv' if clinic.subdiv else 'country'}: {exc}"]
        object.__setattr__(clinic, "_calendar", calendar)
        return []

    def _check_notify(self, path: str, notify: list[Notify]) -> list[str]:
        problems = []
        for j, item in enumerate(notify):
            missing = [
                c.id
                for c in self.clinics
                if item.contact not in self.contacts and item.contact not in c.contacts
            ]
            if missing:
                where = "" if len(missing) == len(self.clinics) else f" for clinic {', '.join(missing)}"
                problems.append(f"{path}.notify[{j}].contact: unknown contact {item.contact!r}{where}")
        if problems:
            return problems
        for clinic in self.clinics:
            if not any(self._contact_at(clinic, n.contact).address(ch) for n in notify for ch in n.channels):
                problems.append(
                    f"{path}.notify: nobody can be reached at clinic {clinic.id!r} (no address for the channels)"
                )
        return problems

    def ladder_for(self, source: str | None = None) -> list[TierSpec]:
        """The escalation ladder of a review from `source`: a private complaint from the post-visit page
        (`visit_feedback`) follows `feedback.private_ladder` when the policy has one, everything else `ladder`."""
        if source == "visit_feedback" and self.feedback is not None and self.feedback.private_ladder:
            return self.feedback.private_ladder
        return self.ladder

    def clinic(self, clinic_id: str) -> Clinic:
        """The clinic `clinic_id`, or `UnknownClinic` (a PolicyError and a KeyError)."""
        for clinic in self.clinics:
            if clinic.id == clinic_id:
                return clinic
        known = ", ".join(c.id for c in self.clinics)
        raise UnknownClinic(f"unknown clinic {clinic_id!r}; the policy lists {known}")

    def contact(self, contact_id: str, clinic_id: str | None = None) -> Contact:
        """The person `contact_id`: the clinic's own override when it has one, else the chain's."""
        return self._contact_at(None if clinic_id is None else self.clinic(clinic_id), contact_id)

    def _contact_at(self, clinic: Clinic | None, contact_id: str) -> Contact:
        found = (clinic.contacts.get(contact_id) if clinic is not None else None) or self.contacts.get(
            contact_id
        )
        if found is None:
            raise PolicyError(f"unknown contact {contact_id!r}")
        return found

    def to_json(self) -> str:
        """The policy as JSON (only what was written, so clinics keep inheriting defaults)."""
        return json.dumps(self.to_data(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Policy:
        """The inverse of `to_json`, for a policy checked when it was stored (`PolicyRepository.put` takes only a
        loaded one): rebuilt without checking each field again (no pydantic), its cross-checks and calendars
        done again. Raises PolicyError."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise PolicyError(f"policy JSON: {exc}") from None
        stored = _STORED.set(True)
        try:
            return cls.build(data)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # not what to_json wrote
            raise PolicyError(str(exc).splitlines() or f"policy JSON: {type(exc).__name__}") from None
        finally:
            _STORED.reset(stored)


def _duplicates(path: str, ids: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for i, item in enumerate(ids):
        if item in seen:
            problems.append(f"{path}[{i}].id: duplicate {what} {item!r}")
        seen.add(item)
    return problems


def load_policy(source: str | Path | Mapping[str, Any]) -> Policy:
    """A validated Policy from a YAML/JSON file path, YAML/JSON text or a dict; PolicyError otherwise."""
    if isinstance(source, Mapping):
        data: Any = source
    else:
        data = _read(source)
    if not isinstance(data, Mapping):
        raise PolicyError(
            f"policy must be a mapping with chain, contacts, ladder and clinics, got {type(data).__name__}"
        )
    from pydantic import ValidationError  # only where a policy is written: readers rebuild it (from_json)

    try:
        return check(Policy, data)
    except ValidationError as exc:
        raise PolicyError(describe(exc)) from None


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except OSError:  # e.g. a long one-line JSON policy is no file name
        return False


def _read(source: str | Path) -> Any:
    is_path = isinstance(source, Path) or (
        "\n" not in source and (source.endswith((".yaml", ".yml", ".json")) or _is_file(source))
    )
    name = str(source) if is_path else "policy"
    try:
        text = Path(source).read_text(encoding="utf-8") if is_path else source
    except OSError as exc:
        raise PolicyError(f"cannot read policy {name}: {exc.strerror or exc}") from None
    import yaml

    try:
        return yaml.load(text, Loader=_strict_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(f"{name}{where}: {reason}".replace("\n", " ")) from None


def describe(exc: Any) -> list[str]:
    """One `path: reason` per problem, e.g. `clinics[1].timezone: unknown time zone 'Europe/Moskow'`."""
    problems = []
    for err in exc.errors(include_url=False):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        kind = err["type"]
        if kind == "missing":
            message = "required"
        elif kind in ("extra_forbidden", "unexpected_keyword_argument"):
            message = "unknown field"
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
        else:
            message = err["msg"]
            value = err.get("input")
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                message += f", got {value!r}"
        if not path:
            problems.extend(message.splitlines())
        else:
            problems.append(f"{path}: {message}")
    return problems


@functools.cache
def _strict_loader() -> type:
    """SafeLoader that refuses a key given twice in one mapping (YAML would silently keep the last)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"{key!r} is given twice", key_node.start_mark
                    )
                seen.add(key)
            return super().construct_mapping(node, deep)

    return StrictLoader
