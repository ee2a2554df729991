"""Business time: deadlines counted inside a clinic's opening hours, in its own zone, minus public holidays.

Pure: every moment is passed in (timezone-aware); nothing reads the clock. Arithmetic walks the clinic's
local calendar days through `zoneinfo`, so DST days last 23 or 25 hours as they really do, and elapsed
time is always measured in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinic_reviews.domain.frozen_records import record

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A closing time of 00:00 (written `24:00`) means the clinic is open until midnight.
MIDNIGHT = time(0)
MAX_BUSINESS_DAYS = 366
MAX_DURATION = timedelta(days=366)
_MAX_CLOSED_RUN = 400  # consecutive closed days before a calendar is declared never open

Span = tuple[time, time]
WeekHours = Mapping[int, Span | None]

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})\s*$")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")
_BUSINESS_DAYS = re.compile(r"^(\d+)bd$")


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or ValueError naming it."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("time zone is empty")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def parse_clock(text: str, *, allow_24: bool = False) -> time:
    """`HH:MM` as a time; `24:00` (when allowed) becomes 00:00, meaning midnight at the end of the day."""
    match = _CLOCK.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"time must look like 09:00, got {text!r}")
    hour, minute = int(match[1]), int(match[2])
    if allow_24 and (hour, minute) == (24, 0):
        return MIDNIGHT
    if hour > 23 or minute > 59:
        raise ValueError(f"no such time of day: {text!r}")
    return time(hour, minute)


def parse_open(text: str) -> Span:
    """Opening hours `09:00-21:00` as (open, close); `-24:00` closes at midnight. Overnight hours are refused."""
    match = _RANGE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"opening hours must look like 09:00-21:00, got {text!r}")
    span = (parse_clock(match[1]), parse_clock(match[2], allow_24=True))
    check_span(span)
    return span


def check_span(span: Span) -> None:
    """ValueError unless `span` is (open, close) naive times with open < close (close 00:00 = midnight)."""
    if not (isinstance(span, tuple) and len(span) == 2 and all(isinstance(t, time) for t in span)):
        raise ValueError(f"opening hours must be a pair of times, got {span!r}")
    opens, closes = span
    if opens.tzinfo is not None or closes.tzinfo is not None:
        raise ValueError("opening hours are local wall-clock times and must not carry a zone")
    if closes != MIDNIGHT and closes <= opens:
        raise ValueError(
            f"closing {closes:%H:%M} is not after opening {opens:%H:%M} (overnight hours are not supported)"
        )


def format_span(span: Span | None) -> str:
    """(open, close) back to `09:00-21:00`; None is `closed`."""
    if span is None:
        return "closed"
    closes = "24:00" if span[1] == MIDNIGHT else f"{span[1]:%H:%M}"
    return f"{span[0]:%H:%M}-{closes}"


def parse_days(text: str) -> frozenset[int]:
    """Weekdays (0 = Monday) from `mon-fri`, `mon-sat`, `mon-sun`, `sat`, `mon,wed,fri`, `fri-mon` or `daily`."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("days are empty")
    cleaned = text.strip().lower()
    if cleaned == "daily":
        return frozenset(range(7))
    days: set[int] = set()
    for part in cleaned.split(","):
        ends = [p.strip() for p in part.split("-")]
        if len(ends) > 2 or any(e not in DAY_NAMES for e in ends):
            raise ValueError(f"days must look like mon-fri, mon-sat or mon-sun, got {text!r}")
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    return frozenset(days)


def week_hours(
    open_: str | Span = "09:00-21:00", days: str | frozenset[int] = "mon-sun"
) -> dict[int, Span | None]:
    """The same opening hours on each of `days`, closed on the others (the CLI's `--open` and `--days`)."""
    span = parse_open(open_) if isinstance(open_, str) else open_
    check_span(span)
    open_days = parse_days(days) if isinstance(days, str) else days
    return {day: (span if day in open_days else None) for day in range(7)}


@record
class Within:
    """A parsed deadline: `now`, a business-time `duration` (seconds), `bd` (business days) or `eod`."""

    kind: Literal["now", "duration", "bd", "eod"]
    amount: int = 0
    text: str = ""


def parse_within(text: str) -> Within:
    """Parse `0m`, `90m`, `1h`, `1h30m`, `24h`, `2bd`, `eod` or `now`; ValueError for anything else."""
    cleaned = str(text).strip().lower().replace(" ", "")
    if cleaned in ("now", "eod"):
        return Within(cleaned, 0, cleaned)  # type: ignore[arg-type]
    if match := _BUSINESS_DAYS.match(cleaned):
        days = int(match[1])
        if not 1 <= days <= MAX_BUSINESS_DAYS:
            raise ValueError(f"business days must be from 1bd to {MAX_BUSINESS_DAYS}bd, got {text!r}")
        return Within("bd", days, cleaned)
    match = _DURATION.match(cleaned)
    if match and cleaned:
        seconds = int(match[1] or 0) * 3600 + int(match[2] or 0) * 60
        if seconds > MAX_DURATION.total_seconds():
            raise ValueError(f"deadline {text!r} is longer than a year")
        return Within("duration", seconds, cleaned)
    hint = " (use Nbd for business days)" if cleaned.endswith("d") else ""
    raise ValueError(f"unknown deadline {text!r}: expected e.g. 90m, 1h, 1h30m, 2bd, eod or now{hint}")


@lru_cache(maxsize=64)
def check_country(country: str, subdiv: str | None = None) -> None:
    """ValueError unless the `holidays` package has a calendar for `country` (and `subdiv`)."""
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdiv)
    except NotImplementedError:
        where = f"{country!r}" if subdiv is None else f"{country!r} with subdivision {subdiv!r}"
        raise ValueError(
            f"no public holiday calendar for {where} (use a two-letter country code such as RU, or none)"
        ) from None


@lru_cache(maxsize=512)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.astimezone(UTC)


class BusinessCalendar:
    """A clinic's opening hours in its zone, closed on the country's public holidays.

    `hours` maps weekday (0 = Monday) to (open, close) local times or None (closed); missing days are
    closed. Opening hours are [open, close). `country=None` means no public holidays. `check_holidays=False`
    trusts that `holidays` has the country (a stored policy, checked when written): the library is then imported
    only when a deadline needs the holidays, not for a page that shows a clinic's name.
    """

    def __init__(
        self,
        tz: str,
        hours: WeekHours,
        country: str | None = "RU",
        subdiv: str | None = None,
        *,
        check_holidays: bool = True,
    ) -> None:
        self.tz = tz.strip() if isinstance(tz, str) else tz
        self.zone = zone(tz)
        self.hours = self._checked_hours(hours)
        if all(span is None for span in self.hours.values()):
            raise ValueError("opening hours have no open day")
        if country is not None and (not isinstance(country, str) or not country.strip()):
            raise ValueError(f"country must be a code such as RU or none, got {country!r}")
        self.country = country.strip().upper() if country else None
        self.subdiv = subdiv
        if self.country is not None and check_holidays:
            check_country(self.country, subdiv)

    @staticmethod
    def _checked_hours(hours: WeekHours) -> dict[int, Span | None]:
        try:
            hours = dict(hours)
        except (TypeError, ValueError):
            raise ValueError("opening hours must map weekday 0-6 to (open, close) or None") from None
        unknown = [day for day in hours if day not in range(7)]
        if unknown:
            raise ValueError(f"opening hours: weekdays are 0 (Monday) to 6 (Sunday), got {unknown!r}")
        result: dict[int, Span | None] = {}
        for day in range(7):
            span = hours.get(day)
            if isinstance(span, str):
                span = None if span.strip().lower() == "closed" else parse_open(span)
            if span is not None:
                span = tuple(span)  # type: ignore[assignment]
                try:
                    check_span(span)  # type: ignore[arg-type]
                except ValueError as exc:
                    raise ValueError(f"opening hours on {DAY_NAMES[day]}: {exc}") from None
            result[day] = span  # type: ignore[assignment]
        return result

    @classmethod
    def from_cli(
        cls, tz: str, open_: str = "09:00-21:00", days: str = "mon-sun", country: str | None = "RU"
    ) -> BusinessCalendar:
        """A calendar from the CLI's `--tz`, `--open`, `--days` and `--country` (`none` = no holidays)."""
        if isinstance(country, str) and country.strip().lower() == "none":
            country = None
        return cls(tz, week_hours(open_, days), country)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return (self.tz, tuple(self.hours.items()), self.country, self.subdiv)

    def __repr__(self) -> str:
        week = ", ".join(f"{DAY_NAMES[d]} {format_span(s)}" for d, s in self.hours.items())
        return f"BusinessCalendar({self.tz!r}, {{{week}}}, country={self.country!r})"

    # --- days -------------------------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        """True when `day` is a public holiday (or a substituted day off) of the calendar's country."""
        return self.country is not None and day in _holiday_dates(self.country, self.subdiv, day.year)

    def is_business_day(self, day: date) -> bool:
        """True when the clinic opens on `day` (an open weekday that is not a public holiday)."""
        return self.hours[day.weekday()] is not None and not self.is_holiday(day)

    def opening_hours(self, day: date) -> tuple[datetime, datetime] | None:
        """(opening, closing) of `day` as local aware datetimes, or None when closed."""
        span = self._span_utc(day)
        return None if span is None else (span[0].astimezone(self.zone), span[1].astimezone(self.zone))

    def closing(self, day: date) -> datetime:
        """The local closing moment of business day `day`."""
        span = self.opening_hours(day)
        if span is None:
            raise ValueError(f"{day.isoformat()} is not a business day")
        return span[1]

    def business_day_after(self, day: date, n: int = 1) -> date:
        """The `n`th business day strictly after `day`."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = closed_run = 0
        while True:
            day += timedelta(days=1)
            if self.is_business_day(day):
                found, closed_run = found + 1, 0
                if found == n:
                    return day
            else:
                closed_run = self._closed(closed_run)

    # --- moments ----------------------------------------------------------------------------------

    def is_business_time(self, moment: datetime) -> bool:
        """True when `moment` lies inside opening hours [open, close) of a business day."""
        at = _aware(moment, "moment")
        opens, _ = next(self._spans_from(at))
        return opens <= at

    def next_opening(self, moment: datetime) -> datetime:
        """The first business moment at or after `moment`: itself inside business time, else the next opening."""
        at = _aware(moment, "moment")
        opens, _ = next(self._spans_from(at))
        return max(opens, at).astimezone(self.zone)

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """`amount` of business time after `start` (or after the next opening); may land exactly on a closing."""
        at = _aware(start, "start")
        if amount < timedelta(0):
            raise ValueError("business time to add must not be negative")
        left = amount
        for opens, closes in self._spans_from(at):
            begin = max(opens, at)
            if left <= closes - begin:
                return (begin + left).astimezone(self.zone)
            left -= closes - begin
        raise AssertionError("unreachable: spans never end")  # pragma: no cover

    def business_seconds_between(self, start: datetime, end: datetime) -> int:
        """Whole seconds of business time elapsed from `start` to `end` (0 when end <= start)."""
        begin, finish = _aware(start, "start"), _aware(end, "end")
        total = timedelta(0)
        if finish <= begin:
            return 0
        for opens, closes in self._spans_from(begin):
            if opens >= finish:
                break
            total += min(closes, finish) - max(opens, begin)
        return int(total.total_seconds())

    def due(self, received: datetime, within: str | Within) -> datetime:
        """The deadline for a review received at `received`, in the clinic's zone (see CONTRACTS.md `sla due`).

        Durations (`90m`, `1h`, `24h`, `0m`) count business time from the receipt or, outside business
        time, from the next opening; a deadline landing exactly on closing stays there (`0m` outside
        hours is the next opening). `Nbd` is the closing of the Nth business day strictly after the local
        date of receipt. `eod` is the closing of the day of receipt when that is a business day and the
        review came strictly before closing, else the closing of the next business day. `now` is the
        receipt itself.
        """
        rule = parse_within(within) if isinstance(within, str) else within
        at = _aware(received, "received")
        if rule.kind == "now":
            return at.astimezone(self.zone)
        if rule.kind == "duration":
            return self.add_business_time(at, timedelta(seconds=rule.amount))
        local_day = at.astimezone(self.zone).date()
        if rule.kind == "bd":
            return self.closing(self.business_day_after(local_day, rule.amount))
        today = self._span_utc(local_day)
        if today is not None and at < today[1]:
            return today[1].astimezone(self.zone)
        return self.closing(self.business_day_after(local_day))

    # --- internals --------------------------------------------------------------------------------

    def _span_utc(self, day: date) -> tuple[datetime, datetime] | None:
        span = self.hours[day.weekday()]
        if span is None or self.is_holiday(day):
            return None
        opens, closes = span
        close_day = day + timedelta(days=1) if closes == MIDNIGHT else day
        start = datetime.combine(day, opens, tzinfo=self.zone).astimezone(UTC)
        end = datetime.combine(close_day, closes, tzinfo=self.zone).astimezone(UTC)
        return (start, end) if end > start else None  # a DST gap can swallow a tiny span

    def _spans_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """UTC (open, close) spans, in order, that end after `at`."""
        day = at.astimezone(self.zone).date() - timedelta(days=1)
        closed_run = 0
        while True:
            span = self._span_utc(day)
            day += timedelta(days=1)
            if span is None:
                closed_run = self._closed(closed_run)
                continue
            closed_run = 0
            if span[1] > at:
                yield span

    def _closed(self, run: int) -> int:
        if run + 1 > _MAX_CLOSED_RUN:
            raise ValueError(f"the clinic is closed for more than {_MAX_CLOSED_RUN} days in a row")
        return run + 1
