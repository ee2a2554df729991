"""Case rules: transitions, permissions, what answers the review, the chat's bonus wording, and the analytics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clinic_reviews.domain import cases as c
from clinic_reviews.domain.review import ReviewKey

T0 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
ANNA = c.Actor("anna", "Анна", c.REVIEW_MANAGER)
OLGA = c.Actor("olga", "Ольга", c.REVIEW_MANAGER, ("ekb-center",))
LAWYER = c.Actor("legal", "Юротдел", c.LEGAL_ROLE)
KEY = ReviewKey("msk-arbat", "yandex", "r-1")


def opened(legal: bool = False, key: ReviewKey = KEY) -> c.Case:
    return c.open_case(key, "zdorovie", T0, T0 + timedelta(hours=10), legal=legal).case


def taken(case: c.Case | None = None, actor: c.Actor = ANNA) -> c.Case:
    return c.take(case or opened(), actor, T0 + timedelta(minutes=12)).case


def test_a_case_per_review_with_the_review_keys_token():
    case = opened()
    assert case.id == KEY.token() and case.status == c.NEW and case.version == 0
    assert c.open_case(ReviewKey("msk-arbat", "visit_feedback", "v"), "zdorovie", T0, None).case.private


def test_the_happy_path_new_taken_replied_closed():
    case = taken()
    assert (case.status, case.owner, case.version) == (c.TAKEN, "anna", 1)
    change = c.record_action(case, ANNA, T0 + timedelta(minutes=30), c.PUBLIC_REPLY, reply_mode=c.REPLY_BY_HAND)
    assert change.answers_review and change.case.status == c.REPLIED_PUBLICLY
    assert change.case.first_reply_at == T0 + timedelta(minutes=30)
    closed = c.close(change.case, ANNA, T0 + timedelta(hours=2), "patient_satisfied", c.RootCause("front_desk", False))
    assert closed.case.status == c.CLOSED and closed.answers_review and closed.event == c.CASE_CLOSED
    assert not closed.case.is_open


def test_a_call_contacts_privately_and_a_bonus_keeps_the_status():
    case = c.record_action(taken(), ANNA, T0, c.PATIENT_CALLED).case
    assert case.status == c.CONTACTED_PRIVATELY and case.first_contact_at == T0
    bonus = c.record_action(case, ANNA, T0, c.SORRY_BONUS, bonus_kind="taxi", bonus_value=700)
    assert bonus.case.status == c.CONTACTED_PRIVATELY and not bonus.answers_review
    assert bonus.case.bonus_total == 700


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda case: c.record_action(case, ANNA, T0, c.PATIENT_CALLED), "take the case first"),
        (lambda case: c.resolve(case, ANNA, T0), "take the case first"),
        (lambda case: c.close(case, ANNA, T0, "no_response", c.RootCause("other", False)), "take the case first"),
    ],
)
def test_nothing_happens_to_a_case_nobody_took(operation, message):
    with pytest.raises(c.CaseConflict, match=message):
        operation(opened())


def test_a_closed_case_refuses_everything():
    closed = c.close(taken(), ANNA, T0, "no_response", c.RootCause("waiting", False)).case
    for operation in (
        lambda: c.take(closed, ANNA, T0),
        lambda: c.record_action(closed, ANNA, T0, c.PATIENT_CALLED),
        lambda: c.resolve(closed, ANNA, T0),
        lambda: c.close(closed, ANNA, T0, "no_response", c.RootCause("waiting", False)),
    ):
        with pytest.raises(c.CaseConflict, match="closed"):
            operation()


def test_taking_twice_is_a_no_op_for_the_owner_and_a_conflict_for_anyone_else():
    case = taken()
    again = c.take(case, ANNA, T0 + timedelta(hours=1))
    assert not again.changed and again.case == case
    with pytest.raises(c.CaseConflict, match="already taken by Анна"):
        c.take(case, c.Actor("irina", "Ирина", c.HEAD), T0)


def test_resolve_then_close_and_resolving_twice_changes_nothing():
    resolved = c.resolve(taken(), ANNA, T0).case
    assert resolved.status == c.RESOLVED
    assert not c.resolve(resolved, ANNA, T0).changed
    # a bonus granted after the talk is still recorded; the status stays resolved
    assert c.record_action(resolved, ANNA, T0, c.SORRY_BONUS, bonus_kind="gift", bonus_value=0).case.status == c.RESOLVED
    assert c.close(resolved, ANNA, T0, "rating_raised", c.RootCause("doctor", False)).case.status == c.CLOSED


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "sorry_bonus"}, "needs its kind"),
        ({"kind": "sorry_bonus", "bonus_kind": "taxi"}, "needs its value"),
        ({"kind": "sorry_bonus", "bonus_kind": "taxi", "bonus_value": -1}, "needs its value"),
        ({"kind": "patient_called", "bonus_value": 5}, "belong to a sorry bonus"),
        ({"kind": "public_reply_posted"}, "platform or by hand"),
        ({"kind": "dance"}, "unknown action"),
        ({"kind": "patient_called", "note": "x" * 501}, "at most 500"),
    ],
)
def test_bad_actions_are_refused_with_a_reason(kwargs, message):
    kind = kwargs.pop("kind")
    with pytest.raises(c.CaseInvalid, match=message):
        c.record_action(taken(), ANNA, T0, kind, **kwargs)


def test_closing_needs_a_known_outcome_and_topic_and_a_fix_note_for_a_systemic_cause():
    case = taken()
    with pytest.raises(c.CaseInvalid, match="unknown outcome"):
        c.close(case, ANNA, T0, "happy", c.RootCause("doctor", False))
    with pytest.raises(c.CaseInvalid, match="unknown root cause topic"):
        c.close(case, ANNA, T0, "no_response", c.RootCause("weather", False))
    with pytest.raises(c.CaseInvalid, match="note on the fix"):
        c.close(case, ANNA, T0, "no_response", c.RootCause("doctor", True, " "))


def test_a_private_complaint_has_no_public_reply():
    case = taken(opened(key=ReviewKey("msk-arbat", "visit_feedback", "v-1")))
    with pytest.raises(c.CaseConflict, match="call the patient"):
        c.record_action(case, ANNA, T0, c.PUBLIC_REPLY, reply_mode=c.REPLY_BY_HAND)


def test_clinic_scoping_and_roles():
    with pytest.raises(c.NotAllowed, match="no access to clinic msk-arbat"):
        c.take(opened(), OLGA, T0)
    with pytest.raises(c.NotAllowed, match="legal may not take"):
        c.take(opened(), LAWYER, T0)
    legal_case = taken(opened(legal=True))
    with pytest.raises(c.NotAllowed, match="flagged legal"):
        c.may_reply(ANNA, legal_case)
    c.may_reply(LAWYER, legal_case)  # the legal department approves it
    c.may_reply(c.Actor("d", "Д", c.DIRECTOR), legal_case)
    assert c.record_action(legal_case, LAWYER, T0, c.LEGAL).case.actions[-1].by == "legal"


def test_overdue_until_the_patient_is_answered():
    case = taken()
    late = T0 + timedelta(hours=11)
    assert case.overdue(late) and case.minutes_left(late) == -60
    replied = c.record_action(case, ANNA, late, c.PUBLIC_REPLY, reply_mode=c.REPLY_PLATFORM).case
    assert not replied.overdue(late)


def test_json_round_trip():
    case = c.close(
        c.record_action(taken(), ANNA, T0, c.SORRY_BONUS, bonus_kind="discount", bonus_value=1500, note="на УЗИ").case,
        ANNA, T0, "patient_satisfied", c.RootCause("billing", True, "прайс на сайте"),
    ).case
    assert c.Case.from_json(case.to_json()) == case


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("такси 700", ("taxi", 700)),
        ("Скидка 1 500 ₽ на УЗИ", ("discount", 1500)),
        ("бесплатный приём у другого врача", ("free_visit", 0)),
        ("подарочный сертификат 2000", ("gift", 2000)),
        ("что-то ещё 300", ("other", 300)),
    ],
)
def test_bonus_as_written_in_the_chat(text, expected):
    assert c.parse_bonus(text) == expected


def _entry(event, case, action=None, at=T0):
    return c.LogEntry(event, at, "anna", "Анна", c.REVIEW_MANAGER, "console", case, action)


def test_analytics_of_a_period():
    entries = []
    for n, (outcome, topic, systemic, clinic) in enumerate([
        ("patient_satisfied", "front_desk", True, "msk-arbat"),
        ("rating_raised", "waiting", False, "msk-arbat"),
        ("no_response", "front_desk", True, "ekb-center"),
        ("patient_satisfied", "front_desk", True, "msk-arbat"),
    ]):
        key = ReviewKey(clinic, "yandex", f"r-{n}")
        case = c.open_case(key, "zdorovie", T0, None).case
        entries.append(_entry(c.CASE_OPENED, case))
        case = c.take(case, ANNA, T0 + timedelta(minutes=10 * (n + 1))).case
        entries.append(_entry(c.CASE_TAKEN, case))
        reply = c.record_action(case, ANNA, T0 + timedelta(minutes=60), c.PUBLIC_REPLY, reply_mode=c.REPLY_BY_HAND)
        entries.append(_entry(c.CASE_ACTION, reply.case, reply.action))
        case = reply.case
        if n == 1:
            bonus = c.record_action(case, ANNA, T0, c.SORRY_BONUS, bonus_kind="taxi", bonus_value=700)
            entries.append(_entry(c.CASE_ACTION, bonus.case, bonus.action))
            case = bonus.case
        note = "обучение" if systemic else None
        case = c.close(case, ANNA, T0, outcome, c.RootCause(topic, systemic, note)).case
        entries.append(_entry(c.CASE_CLOSED, case))
    figures = c.case_analytics(entries)
    assert (figures.opened, figures.closed, figures.turned) == (4, 4, 3)
    assert figures.turned_share == 0.75 and figures.target_met
    assert figures.median_take_minutes == 25 and figures.median_reply_minutes == 60
    assert (figures.bonuses, figures.bonus_cost, figures.bonus_kinds) == (1, 700, {"taxi": 1})
    by_clinic = {x.clinic_id: x.systemic for x in figures.systemic_by_clinic}
    assert by_clinic == {"ekb-center": (("front_desk", 1),), "msk-arbat": (("front_desk", 2),)}
    one = c.case_analytics(entries, clinic_id="ekb-center")
    assert (one.closed, one.turned, one.turned_share, one.target_met) == (1, 0, 0.0, False)
    assert c.case_analytics([]).turned_share is None and c.case_analytics([]).empty
    assert figures.to_json()["systemic_by_clinic"][1]["topics"] == [{"topic": "front_desk", "cases": 2}]
