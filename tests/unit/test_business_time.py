"""Business-time arithmetic: the contract examples, DST, holidays, edge cases and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from clinic_reviews.domain.business_time import (
    BusinessCalendar,
    parse_days,
    parse_open,
    parse_within,
    week_hours,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

CONTRACT = [
    ("2026-12-08T10:00:00+03:00", "1h", "Europe/Moscow", "mon-sun", "2026-12-08T11:00:00+03:00"),
    ("2026-12-11T20:30:00+05:00", "1h", "Asia/Yekaterinburg", "mon-fri", "2026-12-14T09:30:00+05:00"),
    ("2026-12-09T21:30:00+03:00", "eod", "Europe/Moscow", "mon-sun", "2026-12-10T21:00:00+03:00"),
    ("2026-12-11T15:00:00+03:00", "2bd", "Europe/Moscow", "mon-fri", "2026-12-15T21:00:00+03:00"),
    ("2027-03-07T20:30:00+03:00", "1h", "Europe/Moscow", "mon-sun", "2027-03-09T09:30:00+03:00"),
    ("2026-12-08T23:30:00Z", "1h", "Asia/Vladivostok", "mon-sun", "2026-12-09T10:30:00+10:00"),
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def moscow(days: str = "mon-sun", open_: str = "09:00-21:00", country: str | None = "RU") -> BusinessCalendar:
    return BusinessCalendar.from_cli("Europe/Moscow", open_, days, country)


@pytest.mark.parametrize(("received", "within", "tz", "days", "due"), CONTRACT)
def test_contract_examples(received: str, within: str, tz: str, days: str, due: str) -> None:
    assert iso(BusinessCalendar.from_cli(tz, days=days).due(at(received), within)) == due


# --- parsing ---------------------------------------------------------------------------------------


def test_parse_within_forms() -> None:
    assert parse_within("90m").amount == 90 * 60
    assert parse_within("1h30m").amount == 90 * 60
    assert parse_within("24h").amount == 24 * 3600
    assert parse_within("0m").amount == 0
    assert (parse_within("3bd").kind, parse_within("3bd").amount) == ("bd", 3)
    assert parse_within(" EOD ").kind == "eod"
    assert parse_within("now").kind == "now"


@pytest.mark.parametrize("bad", ["", "1", "2d", "1x", "h", "0bd", "-1h", "1.5h", "tomorrow", "9999999h"])
def test_parse_within_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="deadline|business days"):
        parse_within(bad)


def test_parse_days_and_open() -> None:
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("mon-sat") == frozenset(range(6))
    assert parse_days("mon-sun") == frozenset(range(7))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("mon,wed") == frozenset({0, 2})
    assert parse_open("09:00-21:00") == (time(9), time(21))
    assert parse_open("08:30–24:00") == (time(8, 30), time(0))
    for bad in ("21:00-09:00", "09:00", "9-21", "09:00-25:00", "10:00-10:00"):
        with pytest.raises(ValueError):
            parse_open(bad)
    with pytest.raises(ValueError, match="mon-fri"):
        parse_days("weekdays")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tz": "Europe/Moskow"}, "unknown time zone 'Europe/Moskow'"),
        ({"tz": ""}, "time zone"),
        ({"country": "XX"}, "no public holiday calendar for 'XX'"),
        ({"hours": {0: (time(21), time(9))}}, "not after opening"),
        ({"hours": {7: (time(9), time(21))}}, "weekdays are 0"),
        ({"hours": {d: None for d in range(7)}}, "no open day"),
        ({"hours": {}}, "no open day"),
    ],
)
def test_invalid_calendar(kwargs: dict, message: str) -> None:
    args = {"tz": "Europe/Moscow", "hours": week_hours(), "country": "RU"} | kwargs
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**args)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        moscow().due(datetime(2026, 12, 8, 10), "1h")


# --- durations -----------------------------------------------------------------------------------


def test_deadline_landing_on_closing_stays_there() -> None:
    calendar = moscow()
    assert iso(calendar.due(at("2026-12-08T20:00:00+03:00"), "1h")) == "2026-12-08T21:00:00+03:00"
    assert iso(calendar.due(at("2026-12-08T20:00:00+03:00"), "61m")) == "2026-12-09T09:01:00+03:00"


def test_zero_minutes() -> None:
    calendar = moscow()
    assert iso(calendar.due(at("2026-12-08T10:15:00+03:00"), "0m")) == "2026-12-08T10:15:00+03:00"
    # outside business time: the next opening; at closing sharp the clinic is already closed
    assert iso(calendar.due(at("2026-12-08T21:00:00+03:00"), "0m")) == "2026-12-09T09:00:00+03:00"
    assert iso(calendar.due(at("2026-12-08T06:00:00+03:00"), "0m")) == "2026-12-08T09:00:00+03:00"


def test_now_is_the_receipt_in_the_clinic_zone() -> None:
    due = moscow().due(at("2026-12-08T23:30:00Z"), "now")
    assert iso(due) == "2026-12-09T02:30:00+03:00"


def test_long_duration_spans_days() -> None:
    # 24h of business time at 12 h a day: two full days
    due = moscow().due(at("2026-12-08T09:00:00+03:00"), "24h")
    assert iso(due) == "2026-12-09T21:00:00+03:00"


def test_minutes_and_hours_combined() -> None:
    assert iso(moscow().due(at("2026-12-08T20:00:00+03:00"), "1h30m")) == "2026-12-09T09:30:00+03:00"


# --- days: Nbd and eod ---------------------------------------------------------------------------


def test_nbd_across_a_weekend_for_a_weekday_clinic() -> None:
    calendar = BusinessCalendar.from_cli("Asia/Yekaterinburg", "08:00-20:00", "mon-fri")
    friday, saturday = at("2026-12-11T09:00:00+05:00"), at("2026-12-12T12:00:00+05:00")
    assert iso(calendar.due(friday, "1bd")) == "2026-12-14T20:00:00+05:00"
    assert iso(calendar.due(friday, "3bd")) == "2026-12-16T20:00:00+05:00"
    assert iso(calendar.due(saturday, "1bd")) == "2026-12-14T20:00:00+05:00"
    # the hour of receipt does not matter, only its local date
    assert calendar.due(at("2026-12-11T23:59:00+05:00"), "1bd") == calendar.due(friday, "1bd")


def test_eod() -> None:
    calendar = moscow("mon-fri")
    assert iso(calendar.due(at("2026-12-08T07:00:00+03:00"), "eod")) == "2026-12-08T21:00:00+03:00"
    assert iso(calendar.due(at("2026-12-08T20:59:59+03:00"), "eod")) == "2026-12-08T21:00:00+03:00"
    # at or after closing: the next business day's closing
    assert iso(calendar.due(at("2026-12-08T21:00:00+03:00"), "eod")) == "2026-12-09T21:00:00+03:00"
    assert iso(calendar.due(at("2026-12-11T22:00:00+03:00"), "eod")) == "2026-12-14T21:00:00+03:00"
    # on a closed day (Sunday) and on a public holiday (2027-03-08, a Monday)
    assert iso(calendar.due(at("2026-12-13T12:00:00+03:00"), "eod")) == "2026-12-14T21:00:00+03:00"
    assert iso(calendar.due(at("2027-03-08T12:00:00+03:00"), "eod")) == "2027-03-09T21:00:00+03:00"


def test_review_at_2330z_belongs_to_the_next_local_day_in_vladivostok() -> None:
    calendar = BusinessCalendar.from_cli("Asia/Vladivostok")
    received = at("2026-12-08T23:30:00Z")
    assert received.astimezone(calendar.zone).date() == date(2026, 12, 9)
    assert iso(calendar.due(received, "eod")) == "2026-12-09T21:00:00+10:00"
    assert iso(calendar.due(received, "1bd")) == "2026-12-10T21:00:00+10:00"
    assert calendar.is_business_time(received)


# --- holidays ------------------------------------------------------------------------------------


def test_russian_january_holidays_follow_the_package() -> None:
    official = holidays.country_holidays("RU", years=[2026, 2027])
    calendar = moscow()
    for offset in range(-2, 12):
        day = date(2027, 1, 1) + timedelta(days=offset)
        assert calendar.is_business_day(day) == (day not in official), day
    assert all(date(2027, 1, d) in official for d in range(1, 9))
    # the first business day after the New Year break, per the package
    expected = date(2026, 12, 30) + timedelta(days=1)
    while expected in official:
        expected += timedelta(days=1)
    assert expected == date(2027, 1, 9)
    due = calendar.due(at("2026-12-30T20:30:00+03:00"), "1h")
    assert iso(due) == f"{expected.isoformat()}T09:30:00+03:00"


def test_no_country_means_no_holidays() -> None:
    calendar = moscow(country="none")
    assert calendar.country is None
    assert iso(calendar.due(at("2027-03-07T20:30:00+03:00"), "1h")) == "2027-03-08T09:30:00+03:00"


# --- DST -----------------------------------------------------------------------------------------


def test_dst_spring_forward_day_is_23_hours() -> None:
    calendar = BusinessCalendar.from_cli("Europe/Berlin", "00:00-24:00", "mon-sun", "none")
    start, end = at("2027-03-28T00:00:00+01:00"), at("2027-03-29T00:00:00+02:00")
    assert calendar.business_seconds_between(start, end) == 23 * 3600
    # 24 h of business time is 24 real hours, not the same wall-clock time a day later
    due = calendar.due(at("2027-03-27T23:00:00+01:00"), "24h")
    assert iso(due) == "2027-03-29T00:00:00+02:00"


def test_dst_fall_back_day_is_25_hours() -> None:
    calendar = BusinessCalendar.from_cli("Europe/Berlin", "00:00-24:00", "mon-sun", "none")
    start, end = at("2027-10-31T00:00:00+02:00"), at("2027-11-01T00:00:00+01:00")
    assert calendar.business_seconds_between(start, end) == 25 * 3600


def test_dst_opening_hours_follow_the_wall_clock() -> None:
    calendar = BusinessCalendar.from_cli("Europe/Berlin", "09:00-21:00", "mon-sun", "DE")
    due = calendar.due(at("2027-03-27T20:00:00+01:00"), "2h")
    assert iso(due) == "2027-03-28T10:00:00+02:00"
    assert iso(calendar.due(at("2027-03-27T12:00:00+01:00"), "1bd")) == "2027-03-28T21:00:00+02:00"


# --- moments -------------------------------------------------------------------------------------


def test_is_business_time_is_half_open() -> None:
    calendar = moscow()
    assert calendar.is_business_time(at("2026-12-08T09:00:00+03:00"))
    assert calendar.is_business_time(at("2026-12-08T20:59:59+03:00"))
    assert not calendar.is_business_time(at("2026-12-08T21:00:00+03:00"))
    assert not calendar.is_business_time(at("2026-12-08T08:59:59+03:00"))
    assert not calendar.is_business_time(at("2027-01-05T12:00:00+03:00"))  # New Year holidays


def test_next_opening() -> None:
    calendar = moscow("mon-fri")
    inside = at("2026-12-08T10:00:00+03:00")
    assert calendar.next_opening(inside) == inside
    assert iso(calendar.next_opening(at("2026-12-11T21:00:00+03:00"))) == "2026-12-14T09:00:00+03:00"
    assert iso(calendar.next_opening(at("2026-12-08T04:00:00Z"))) == "2026-12-08T09:00:00+03:00"


def test_business_seconds_between() -> None:
    calendar = moscow("mon-fri")
    friday, monday = at("2026-12-11T20:00:00+03:00"), at("2026-12-14T10:00:00+03:00")
    assert calendar.business_seconds_between(friday, monday) == 2 * 3600
    assert calendar.business_seconds_between(monday, friday) == 0
    assert (
        calendar.business_seconds_between(at("2026-12-12T10:00:00+03:00"), at("2026-12-13T10:00:00+03:00"))
        == 0
    )


def test_midnight_close() -> None:
    calendar = moscow(open_="10:00-24:00")
    assert iso(calendar.due(at("2026-12-08T23:00:00+03:00"), "1h")) == "2026-12-09T00:00:00+03:00"
    assert iso(calendar.due(at("2026-12-08T23:00:00+03:00"), "eod")) == "2026-12-09T00:00:00+03:00"
    assert not calendar.is_business_time(at("2026-12-09T00:00:00+03:00"))


# --- properties ----------------------------------------------------------------------------------

CALENDARS = [
    BusinessCalendar.from_cli("Europe/Moscow", "09:00-21:00", "mon-sun", "RU"),
    BusinessCalendar.from_cli("Asia/Yekaterinburg", "08:00-20:00", "mon-fri", "RU"),
    BusinessCalendar.from_cli("Asia/Vladivostok", "10:00-24:00", "mon-sat", "RU"),
    BusinessCalendar.from_cli("Europe/Berlin", "00:00-24:00", "mon-sun", "DE"),
    BusinessCalendar.from_cli("Europe/Berlin", "08:00-18:30", "mon-fri", "DE"),
    BusinessCalendar.from_cli("America/New_York", "07:15-19:45", "mon-sat", "none"),
]
calendars = st.sampled_from(CALENDARS)
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=3000).map(lambda n: f"{n}m")
withins = st.one_of(durations, st.sampled_from(["eod", "1bd", "2bd", "5bd", "1h", "8h", "24h"]))
PROPERTY = settings(max_examples=120, deadline=None)


def at_closing(calendar: BusinessCalendar, moment: datetime) -> bool:
    local = moment.astimezone(calendar.zone).date()
    spans = [calendar.opening_hours(local - timedelta(days=d)) for d in (0, 1)]
    return any(span is not None and span[1] == moment for span in spans)


@PROPERTY
@given(calendars, moments, withins)
def test_due_is_in_business_time_or_at_a_closing(
    calendar: BusinessCalendar, received: datetime, within: str
) -> None:
    due = calendar.due(received, within)
    assert due >= received
    assert due.tzinfo is calendar.zone
    assert calendar.is_business_time(due) or at_closing(calendar, due)


@PROPERTY
@given(calendars, moments, moments, withins)
def test_due_is_monotonic(calendar: BusinessCalendar, first: datetime, second: datetime, within: str) -> None:
    early, late = sorted((first, second))
    assert calendar.due(early, within) <= calendar.due(late, within)


@PROPERTY
@given(calendars, moments, st.integers(min_value=0, max_value=3000))
def test_business_seconds_of_a_duration(calendar: BusinessCalendar, received: datetime, minutes: int) -> None:
    due = calendar.due(received, f"{minutes}m")
    assert calendar.business_seconds_between(received, due) == minutes * 60


@PROPERTY
@given(calendars, moments, st.integers(min_value=1, max_value=600))
def test_duration_inside_business_time(calendar: BusinessCalendar, received: datetime, minutes: int) -> None:
    assume(calendar.is_business_time(received))
    due = calendar.due(received, f"{minutes}m")
    assert calendar.business_seconds_between(received, due) == minutes * 60
    assert due > received
