"""Turned negatives (domain/turned.py): after the answer, a raised rating, a new positive review by the same
author, or a case closed as turned; shares by clinic and triage; the sorry bonuses that worked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic_reviews.domain.review import ReviewKey
from clinic_reviews.domain.turned import turned_figures

from .records import make_record

DAY = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_turned_by_rating_by_writing_again_and_by_case(policy):
    raised = make_record(policy, "raised", rating=4, first_rating=1, first_sentiment="negative", triage=1,
                         answered_after=timedelta(hours=2), created=DAY)
    again = make_record(policy, "again", rating=1, author="Пётр", triage=2, answered_after=timedelta(hours=1), created=DAY)
    later_positive = make_record(policy, "again-2", rating=5, author="  пётр ", created=DAY + timedelta(days=3))
    before_answer = make_record(policy, "early", rating=1, author="Олег", triage=2, answered_after=timedelta(days=2),
                                created=DAY)
    positive_too_early = make_record(policy, "early-2", rating=5, author="Олег", created=DAY + timedelta(days=1))
    by_case = make_record(policy, "case", rating=2, author=None, triage=3, clinic_id="ekb-center",
                          answered_after=timedelta(hours=3), created=DAY)
    unanswered = make_record(policy, "open", rating=1, created=DAY)
    backfill = make_record(policy, "old", rating=1, backfill=True, answered_after=timedelta(hours=1), created=DAY)
    month = [raised, again, before_answer, by_case, unanswered, backfill, later_positive, positive_too_early]
    bonuses = {raised.key: {"taxi"}, before_answer.key: {"discount"}, by_case.key: {"discount"}}
    figures = turned_figures(month, month, bonuses, case_turned={ReviewKey("ekb-center", "yandex", "case")})
    assert (figures.answered, figures.turned) == (4, 3)
    assert figures.how == {"rating_raised": 1, "wrote_again": 1, "case_outcome": 1}
    assert {r.key: (r.turned, r.answered) for r in figures.by_clinic} == {"msk-arbat": (2, 3), "ekb-center": (1, 1)}
    assert {r.key: (r.turned, r.answered) for r in figures.by_triage} == {"1": (1, 1), "2": (1, 2), "3": (1, 1)}
    assert {r.key: (r.turned, r.answered) for r in figures.by_bonus} == {"taxi": (1, 1), "discount": (1, 2)}
    assert figures.share == 0.75 and figures.target_met
    assert figures.to_json()["by_bonus"][0] == {"key": "discount", "answered": 2, "turned": 1, "share": 0.5}


def test_nothing_answered_means_nothing_to_measure(policy):
    figures = turned_figures([make_record(policy, "n", rating=1)], [])
    assert figures.answered == 0 and figures.share is None and figures.target_met is None
