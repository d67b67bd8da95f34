"""Storage for FAQ votes, enquiry counts, missed questions, staff suggestions and /stats."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.storage import Miss, Stats, Storage, SuggestedPhrasing
from tests.clock import FakeClock
from tests.test_storage import EVENT, details

HK = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(clock: FakeClock) -> Storage:
    return Storage.open(":memory:", clock=clock)


# ----------------------------------------------------------------------------- feedback


def test_feedback_totals_per_entry_and_overall(fresh_db: Storage) -> None:
    assert {"up": 0, "down": 0} == fresh_db.feedback_totals()
    fresh_db.record_feedback(1, "a", 1, "en")
    fresh_db.record_feedback(2, "a", 1, "yue")
    fresh_db.record_feedback(3, "a", -1, "zh")
    fresh_db.record_feedback(1, "b", -1, "en")
    assert {"up": 2, "down": 1} == fresh_db.feedback_totals("a")
    assert {"up": 0, "down": 1} == fresh_db.feedback_totals("b")
    assert {"up": 0, "down": 0} == fresh_db.feedback_totals("c")
    assert {"up": 2, "down": 2} == fresh_db.feedback_totals()


def test_pressing_again_replaces_the_vote(fresh_db: Storage) -> None:
    fresh_db.record_feedback(1, "a", 1, "en")
    fresh_db.record_feedback(1, "a", 1, "en")
    assert {"up": 1, "down": 0} == fresh_db.feedback_totals("a")
    fresh_db.record_feedback("1", "a", -1, "zh")
    assert {"up": 0, "down": 1} == fresh_db.feedback_totals("a")
    assert [(-1, "zh")] == fresh_db.db.execute("select vote, lang from feedback").fetchall()


@pytest.mark.parametrize("vote", [0, 2, -2, 5])
def test_a_vote_is_plus_or_minus_one(fresh_db: Storage, vote: int) -> None:
    with pytest.raises(ValueError):
        fresh_db.record_feedback(1, "a", vote, "en")
    assert {"up": 0, "down": 0} == fresh_db.feedback_totals()


# ---------------------------------------------------------------------------- enquiries


def test_enquiries_hold_no_user_and_no_text(fresh_db: Storage) -> None:
    fresh_db.log_enquiry("yue", True, "app_how_to_apply", 0.91)
    fresh_db.log_enquiry("en", False, None, 0.12)
    rows = fresh_db.db.execute(
        "select lang, matched, faq_id, score from enquiries order by id"
    ).fetchall()
    assert [("yue", 1, "app_how_to_apply", 0.91), ("en", 0, None, 0.12)] == rows
    columns = {column.name for column in fresh_db.db.table("enquiries").columns}
    assert {"id", "lang", "matched", "faq_id", "score", "created_at"} == columns


# --------------------------------------------------------------------------- misses


def test_record_and_read_a_miss(db: Storage) -> None:
    miss_id = db.record_miss(7, "點樣申請資助？", "yue", 0.41, ["app_how_to_apply", "x"])
    expected = Miss(
        id=miss_id,
        question="點樣申請資助？",
        lang="yue",
        score=0.41,
        candidates=("app_how_to_apply", "x"),
        created_at="2026-11-20T03:00:00+00:00",
    )
    assert expected == db.miss(miss_id)
    no_candidates = db.miss(db.record_miss(7, "?", "en", 0.0, []))
    assert no_candidates is not None
    assert () == no_candidates.candidates
    assert None is db.miss(999)


def test_miss_ids_are_sequential(fresh_db: Storage) -> None:
    assert [1, 2, 3] == [fresh_db.record_miss(u, "q", "en", 0.1, []) for u in (1, 2, 3)]


# ---------------------------------------------------------------------- suggestions


def test_suggest_alternate_is_pending_until_resolved(db: Storage, clock: FakeClock) -> None:
    miss_id = db.record_miss(7, "How to apply for money?", "en", 0.4, ["app_how_to_apply"])
    clock.at("2026-11-20T05:00:00+00:00")
    assert "ok" == db.suggest_alternate(miss_id, "app_how_to_apply", 555)
    expected = SuggestedPhrasing(
        id=1,
        faq_id="app_how_to_apply",
        question="How to apply for money?",
        lang="en",
        created_at="2026-11-20T05:00:00+00:00",
        status="pending",
    )
    assert [expected] == db.pending_suggestions()
    assert db.resolve_suggestion(1, "accepted")
    assert [] == db.pending_suggestions()
    assert not db.resolve_suggestion(1, "rejected")  # already resolved
    assert not db.resolve_suggestion(2, "accepted")  # unknown


def test_suggest_alternate_duplicates_and_unknown_misses(fresh_db: Storage) -> None:
    first = fresh_db.record_miss(1, "How to apply?", "en", 0.4, [])
    same_text = fresh_db.record_miss(2, "  how TO apply? ", "en", 0.4, [])
    assert "ok" == fresh_db.suggest_alternate(first, "a", 9)
    assert "duplicate" == fresh_db.suggest_alternate(first, "a", 10)  # pending
    assert "duplicate" == fresh_db.suggest_alternate(same_text, "a", 10)  # same question
    assert "ok" == fresh_db.suggest_alternate(first, "b", 9)  # another entry
    assert fresh_db.resolve_suggestion(1, "accepted")
    assert "duplicate" == fresh_db.suggest_alternate(first, "a", 9)  # accepted already
    assert fresh_db.resolve_suggestion(2, "rejected")
    assert "ok" == fresh_db.suggest_alternate(first, "b", 9)  # a rejected one may come back
    assert "unknown" == fresh_db.suggest_alternate(999, "a", 9)
    assert [(3, "b")] == [(s.id, s.faq_id) for s in fresh_db.pending_suggestions()]


def test_pending_suggestions_oldest_first(fresh_db: Storage) -> None:
    for n, faq_id in enumerate(("b", "a", "b", "c")):
        fresh_db.suggest_alternate(fresh_db.record_miss(n, f"q{n}", "zh", 0.3, []), faq_id, 9)
    fresh_db.resolve_suggestion(3, "rejected")
    assert [(1, "b"), (2, "a"), (4, "c")] == [
        (s.id, s.faq_id) for s in fresh_db.pending_suggestions()
    ]


# ------------------------------------------------------------------------------- stats


def test_stats_of_an_empty_database(fresh_db: Storage) -> None:
    assert Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, None) == fresh_db.stats(dt.date(2026, 11, 21), HK)


def test_stats_count_the_local_day_across_midnight(db: Storage, clock: FakeClock) -> None:
    # 21 Nov in Hong Kong is [2026-11-20T16:00Z, 2026-11-21T16:00Z)
    clock.at("2026-11-20T15:59:59+00:00")  # 20 Nov 23:59:59 HKT: the day before
    db.log_enquiry("en", True, "a", 0.9)
    old_ticket = db.open_ticket(1, 1, "en", "", {})
    db.register(1, details(email="before@x.hk"), EVENT)
    db.record_feedback(1, "a", 1, "en")

    clock.at("2026-11-20T16:00:00+00:00")  # 21 Nov 00:00 HKT
    db.log_enquiry("en", False, None, 0.1)
    clock.at("2026-11-20T16:30:00+00:00")  # 21 Nov 00:30 HKT
    db.log_enquiry("yue", True, "a", 0.8)
    db.record_feedback(2, "a", -1, "yue")
    db.record_feedback(3, "a", 1, "yue")
    db.register(2, details(email="two@x.hk"), EVENT)
    db.register(3, details(email="three@x.hk"), EVENT)
    [cancelled] = db.registrations(3)
    db.cancel_registration(3, cancelled["id"])
    today_ticket = db.open_ticket(2, 2, "yue", "", {})
    rated = db.open_ticket(3, 3, "yue", "", {})
    db.close_ticket(old_ticket.id, "staff")
    db.close_ticket(rated.id, "user")
    db.rate_ticket(old_ticket.id, 1, 5)
    db.rate_ticket(rated.id, 3, 2)

    clock.at("2026-11-21T15:59:59+00:00")  # 21 Nov 23:59:59 HKT
    db.log_enquiry("zh", True, "b", 0.7)
    clock.at("2026-11-21T16:00:00+00:00")  # 22 Nov 00:00 HKT: the day after
    db.log_enquiry("zh", True, "b", 0.7)
    db.record_feedback(4, "b", -1, "zh")
    db.close_ticket(today_ticket.id, "staff")
    db.open_ticket(4, 4, "zh", "", {})

    assert Stats(
        enquiries=3,
        matched=2,
        tickets_opened=2,
        tickets_open=1,  # now, whatever day: user 4's
        tickets_closed=2,
        registrations=1,  # two made, one cancelled
        feedback_up=1,
        feedback_down=1,
        ratings=2,
        rating_average=3.5,
    ) == db.stats(dt.date(2026, 11, 21), HK)
    day_before = db.stats(dt.date(2026, 11, 20), HK)
    assert (1, 1, 1, 1, 0) == (
        day_before.enquiries,
        day_before.tickets_opened,
        day_before.registrations,
        day_before.feedback_up,
        day_before.ratings,
    )
    day_after = db.stats(dt.date(2026, 11, 22), HK)
    assert (1, 1, 1, 1, None) == (
        day_after.enquiries,
        day_after.tickets_opened,
        day_after.tickets_closed,
        day_after.feedback_down,
        day_after.rating_average,
    )
    # the same moments seen as UTC days
    assert 3 == db.stats(dt.date(2026, 11, 20), ZoneInfo("UTC")).enquiries


def test_a_clock_in_another_zone_is_stored_as_utc(db: Storage, clock: FakeClock) -> None:
    clock.at("2026-11-21T00:30:00+08:00")
    db.log_enquiry("en", True, "a", 0.9)
    [(stored,)] = db.db.execute("select created_at from enquiries").fetchall()
    assert "2026-11-20T16:30:00+00:00" == stored
    assert 1 == db.stats(dt.date(2026, 11, 21), HK).enquiries
