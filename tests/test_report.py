"""The staff report: figures over local Hong Kong days, the HTML, the charts and the CSV files.

The database is seeded through Storage's own methods with a clock set by hand; every expected
value below is worked out from the seed, not from running the report.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.report import (
    CHART_NAMES,
    CSV_NAMES,
    DayCounts,
    EventRegistrations,
    FaqCount,
    MissGroup,
    ReportFigures,
    TicketFigures,
    Votes,
    chart_paths,
    compute,
    group_questions,
    percentile,
    summary_text,
    write_report,
)
from bot.storage import Direction, Storage
from tests.clock import FakeClock
from tests.test_storage import EVENT, UNLIMITED, details

PNG = b"\x89PNG\r\n\x1a\n"
BOM = b"\xef\xbb\xbf"
SINCE = dt.date(2026, 11, 16)
UNTIL = dt.date(2026, 11, 18)
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(clock: FakeClock) -> Iterator[Storage]:
    storage = Storage.open(":memory:", clock=clock)
    yield storage
    storage.close()


# (Hong Kong time, language, matched, FAQ id, score); the first and last are outside the period.
ENQUIRIES = (
    ("2026-11-15T23:30", "en", True, "deadline", 0.9),
    ("2026-11-16T09:00", "en", True, "app_how_to_apply", 0.9),
    ("2026-11-16T09:05", "en", False, None, 0.2),
    ("2026-11-16T10:00", "yue", True, "app_how_to_apply", 0.85),
    ("2026-11-16T11:00", "zh", True, "funding_amount", 0.8),
    ("2026-11-17T09:00", "yue", True, "funding_amount", 0.7),
    ("2026-11-17T09:30", "yue", False, None, 0.1),
    ("2026-11-17T14:00", "zh", True, "app_how_to_apply", 0.95),
    ("2026-11-17T15:00", "en", True, None, 0.6),  # a worked estimate: answered, no FAQ entry
    ("2026-11-18T09:00", "en", True, "deadline", 0.9),
    ("2026-11-18T23:30", "zh", False, None, 0.3),  # the last day's last half hour: in
    ("2026-11-19T00:30", "en", True, "deadline", 0.9),  # the day after: out
)

# (Hong Kong time, user, question, language)
MISSES = (
    ("2026-11-15T23:00", 30, "what is the deadline", "en"),  # before the period
    ("2026-11-16T09:05", 31, "how to apply online", "en"),
    ("2026-11-16T10:30", 32, "點樣網上申請？", "yue"),
    ("2026-11-17T09:30", 33, "How do I apply online?", "en"),
    ("2026-11-17T10:00", 34, SCRIPT, "en"),
    ("2026-11-17T11:00", 35, "点样喺网上申请", "zh"),
    ("2026-11-18T09:10", 36, "How to apply online", "en"),  # the first one again
    ("2026-11-18T23:30", 37, "office opening hours", "en"),
    ("2026-11-19T00:30", 38, "how to apply online", "en"),  # after the period
)

# (Hong Kong time, user, FAQ id, vote)
VOTES = (
    ("2026-11-15T12:00", 4, "deadline", 1),  # before the period
    ("2026-11-16T12:00", 1, "app_how_to_apply", 1),
    ("2026-11-16T13:00", 2, "app_how_to_apply", 1),
    ("2026-11-17T12:00", 3, "app_how_to_apply", -1),
    ("2026-11-18T12:00", 1, "funding_amount", -1),
    ("2026-11-17T13:00", 5, "funding_amount", 1),
    ("2026-11-19T10:00", 5, "funding_amount", -1),  # replaces the vote above: it leaves the period
)


def seed(db: Storage, clock: FakeClock) -> None:
    for moment, lang, matched, faq_id, score in ENQUIRIES:
        clock.at(moment)
        db.log_enquiry(lang, matched, faq_id, score)
    for moment, user, question, lang in MISSES:
        clock.at(moment)
        db.record_miss(user, question, lang, 0.3, ["app_how_to_apply"])
    for moment, user, faq_id, vote in VOTES:
        clock.at(moment)
        db.record_feedback(user, faq_id, vote, "en")
    seed_tickets(db, clock)
    seed_registrations(db, clock)


def seed_tickets(db: Storage, clock: FakeClock) -> None:
    """Opened in the period: #2 (15 min to the first reply), #3 (60), #4 (none yet), #5 (30),
    #6 (120, the reply after the period). Closed in the period: #1, #2, #5. Rated in the
    period: #1 (5), #2 (4), #5 (3); #3's 2 comes after."""

    def opened(moment: str, user: int) -> int:
        clock.at(moment)
        return db.open_ticket(user, user, "en", "", {}).id

    def relay(moment: str, ticket: int, direction: Direction, message: int) -> None:
        clock.at(moment)
        db.record_relay(ticket, direction, 1, message, 2, message)

    def closed(moment: str, ticket: int, by: str, user: int, rating: int) -> None:
        clock.at(moment)
        assert db.close_ticket(ticket, by)
        clock.now += dt.timedelta(minutes=5)
        assert db.rate_ticket(ticket, user, rating)

    before = opened("2026-11-15T20:00", 14)  # #1: opened the day before
    relay("2026-11-15T20:01", before, "to_staff", 1)
    relay("2026-11-16T08:00", before, "to_user", 2)
    closed("2026-11-16T09:00", before, "staff", 14, 5)

    first = opened("2026-11-16T10:00", 11)  # #2
    relay("2026-11-16T10:01", first, "to_staff", 3)
    relay("2026-11-16T10:15", first, "to_user", 4)
    relay("2026-11-16T10:30", first, "to_user", 5)  # a second reply: not the first
    closed("2026-11-16T12:00", first, "staff", 11, 4)

    late_close = opened("2026-11-17T09:00", 12)  # #3
    relay("2026-11-17T10:00", late_close, "to_user", 6)
    closed("2026-11-19T09:00", late_close, "staff", 12, 2)  # after the period

    waiting = opened("2026-11-18T20:00", 13)  # #4
    relay("2026-11-18T20:05", waiting, "to_staff", 7)  # the user wrote; no staff reply

    by_user = opened("2026-11-18T09:00", 15)  # #5
    relay("2026-11-18T09:30", by_user, "to_user", 8)
    closed("2026-11-18T10:00", by_user, "user", 15, 3)

    night = opened("2026-11-18T23:00", 16)  # #6
    relay("2026-11-19T01:00", night, "to_user", 9)


def seed_registrations(db: Storage, clock: FakeClock) -> None:
    clock.at("2026-11-16T15:00")
    assert "ok" == db.register(21, details(company="A", email="a@a.hk", attendees=2), EVENT)
    clock.at("2026-11-17T15:00")
    assert "ok" == db.register(22, details(company="B", email="b@b.hk"), EVENT)
    assert "ok" == db.register(23, details(company="C", email="c@c.hk"), EVENT)
    clock.at("2026-11-18T15:00")
    assert "ok" == db.register(24, details(UNLIMITED, attendees=3), UNLIMITED)
    [cancelled] = db.registrations(23)
    assert db.cancel_registration(23, cancelled["id"])
    clock.at("2026-11-19T15:00")  # after the period
    assert "ok" == db.register(25, details(UNLIMITED, email="e@e.hk"), UNLIMITED)


@pytest.fixture
def seeded(db: Storage, clock: FakeClock) -> Storage:
    seed(db, clock)
    return db


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(BOM)  # Excel then reads it as UTF-8
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


# ------------------------------------------------------------------------------- figures


def test_enquiries_per_day_and_answered_share(seeded: Storage) -> None:
    figures = compute(seeded, SINCE, UNTIL)
    assert (
        DayCounts(dt.date(2026, 11, 16), en=2, yue=1, zh=1, other=0, matched=3),
        DayCounts(dt.date(2026, 11, 17), en=1, yue=2, zh=1, other=0, matched=3),
        DayCounts(dt.date(2026, 11, 18), en=1, yue=0, zh=1, other=0, matched=1),
    ) == figures.days
    assert {"en": 4, "yue": 3, "zh": 3} == figures.by_language
    assert (10, 7, 0.7) == (
        figures.total_enquiries,
        figures.matched_enquiries,
        figures.answered_share,
    )
    assert 10 == len(figures.enquiries)


def test_top_faq_counts_matched_entries_only(seeded: Storage) -> None:
    assert (
        FaqCount("app_how_to_apply", 3),
        FaqCount("funding_amount", 2),
        FaqCount("deadline", 1),
    ) == compute(seeded, SINCE, UNTIL).top_faq


def test_similar_misses_group_together(seeded: Storage) -> None:
    assert (
        MissGroup(3, ("how to apply online", "How do I apply online?")),
        MissGroup(2, ("點樣網上申請？", "点样喺网上申请")),
        MissGroup(1, (SCRIPT,)),
        MissGroup(1, ("office opening hours",)),
    ) == compute(seeded, SINCE, UNTIL).unanswered


def test_feedback_per_entry_dated_by_the_latest_press(seeded: Storage) -> None:
    assert (
        Votes("app_how_to_apply", up=2, down=1),
        Votes("funding_amount", up=0, down=1),
    ) == compute(seeded, SINCE, UNTIL).feedback


def test_ticket_figures(seeded: Storage) -> None:
    assert (
        TicketFigures(
            opened=5,
            closed=3,
            replied=4,
            awaiting_reply=1,
            first_reply_median_minutes=45.0,  # of 15, 30, 60, 120
            first_reply_p90_minutes=120.0,
            ratings=3,
            rating_average=4.0,
        )
        == compute(seeded, SINCE, UNTIL).tickets
    )


def test_registrations_per_event_without_cancelled(seeded: Storage) -> None:
    assert (
        EventRegistrations("test_seminar", registrations=2, attendees=3),
        EventRegistrations("test_unlimited", registrations=1, attendees=3),
    ) == compute(seeded, SINCE, UNTIL).registrations


def test_period_bounds_are_inclusive_local_days(db: Storage, clock: FakeClock) -> None:
    for moment in (
        "2026-11-15T23:59:59",  # out: the day before
        "2026-11-16T00:00:00",  # in
        "2026-11-18T23:30:00",  # in: the last day, 15:30 UTC
        "2026-11-19T00:30:00",  # out: the day after, still 18 Nov in UTC
    ):
        clock.at(moment)
        db.log_enquiry("en", True, "a", 0.9)
        db.record_miss(1, moment, "en", 0.1, [])
    figures = compute(db, SINCE, UNTIL)
    assert ["2026-11-16T00:00:00+08:00", "2026-11-18T23:30:00+08:00"] == [
        e.time.isoformat() for e in figures.enquiries
    ]
    assert (1, 0, 1) == tuple(day.total for day in figures.days)
    assert 2 == figures.unanswered_total
    assert [dt.date(2026, 11, 18)] == [d.day for d in compute(db, UNTIL, UNTIL).days]
    assert 1 == compute(db, UNTIL, UNTIL).total_enquiries


def test_a_period_must_not_end_before_it_starts(fresh_db: Storage) -> None:
    with pytest.raises(ValueError):
        compute(fresh_db, UNTIL, SINCE)


def test_group_questions() -> None:
    assert (MissGroup(2, ("點樣申請",)), MissGroup(1, ("apply",))) == group_questions(
        ["點樣申請", "apply", "点样申请"]  # the same in Simplified: one wording
    )
    # one word is not "like" every longer question that contains it
    assert 2 == len(group_questions(["apply", "how to apply online"]))
    assert 2 == len(group_questions(["how to apply online", "what is the deadline"]))
    assert () == group_questions([])


def test_percentile_is_nearest_rank() -> None:
    assert None is percentile([], 90)
    assert 7.0 == percentile([7.0], 90)
    assert 120.0 == percentile([60.0, 15.0, 120.0, 30.0], 90)
    assert 9.0 == percentile([float(n) for n in range(1, 11)], 90)


# ------------------------------------------------------------------------------- writing


def test_csv_files_hold_the_figures(seeded: Storage, tmp_path: Path) -> None:
    write_report(compute(seeded, SINCE, UNTIL), tmp_path)
    assert [
        {"day": "2026-11-16", "en": "2", "yue": "1", "zh": "1", "other": "0", "total": "4",
         "matched": "3", "answered_share": "0.7500"},
        {"day": "2026-11-17", "en": "1", "yue": "2", "zh": "1", "other": "0", "total": "4",
         "matched": "3", "answered_share": "0.7500"},
        {"day": "2026-11-18", "en": "1", "yue": "0", "zh": "1", "other": "0", "total": "2",
         "matched": "1", "answered_share": "0.5000"},
    ] == read_csv(tmp_path / "enquiries_per_day.csv")  # fmt: skip
    assert [
        {"rank": "1", "faq_id": "app_how_to_apply", "count": "3"},
        {"rank": "2", "faq_id": "funding_amount", "count": "2"},
        {"rank": "3", "faq_id": "deadline", "count": "1"},
    ] == read_csv(tmp_path / "top_faq.csv")
    assert [
        {"group": "1", "count": "3", "examples": "how to apply online | How do I apply online?"},
        {"group": "2", "count": "2", "examples": "點樣網上申請？ | 点样喺网上申请"},
        {"group": "3", "count": "1", "examples": SCRIPT},
        {"group": "4", "count": "1", "examples": "office opening hours"},
    ] == read_csv(tmp_path / "unanswered.csv")
    assert [
        {"faq_id": "app_how_to_apply", "up": "2", "down": "1"},
        {"faq_id": "funding_amount", "up": "0", "down": "1"},
    ] == read_csv(tmp_path / "feedback.csv")
    assert {
        "opened": "5",
        "closed": "3",
        "replied": "4",
        "awaiting_reply": "1",
        "first_reply_median_minutes": "45.0",
        "first_reply_p90_minutes": "120.0",
        "ratings": "3",
        "rating_average": "4.00",
    } == {row["figure"]: row["value"] for row in read_csv(tmp_path / "tickets.csv")}
    assert [
        {"event_id": "test_seminar", "registrations": "2", "attendees": "3"},
        {"event_id": "test_unlimited", "registrations": "1", "attendees": "3"},
    ] == read_csv(tmp_path / "registrations.csv")


def test_enquiries_csv_has_one_row_per_enquiry_and_no_personal_data(
    seeded: Storage, tmp_path: Path
) -> None:
    write_report(compute(seeded, SINCE, UNTIL), tmp_path)
    rows = read_csv(tmp_path / "enquiries.csv")
    assert ["time", "language", "matched", "faq_id", "score"] == list(rows[0])
    assert [
        ("2026-11-16T09:00:00+08:00", "en", "1", "app_how_to_apply", "0.9"),
        ("2026-11-16T09:05:00+08:00", "en", "0", "", "0.2"),
        ("2026-11-16T10:00:00+08:00", "yue", "1", "app_how_to_apply", "0.85"),
        ("2026-11-16T11:00:00+08:00", "zh", "1", "funding_amount", "0.8"),
        ("2026-11-17T09:00:00+08:00", "yue", "1", "funding_amount", "0.7"),
        ("2026-11-17T09:30:00+08:00", "yue", "0", "", "0.1"),
        ("2026-11-17T14:00:00+08:00", "zh", "1", "app_how_to_apply", "0.95"),
        ("2026-11-17T15:00:00+08:00", "en", "1", "", "0.6"),
        ("2026-11-18T09:00:00+08:00", "en", "1", "deadline", "0.9"),
        ("2026-11-18T23:30:00+08:00", "zh", "0", "", "0.3"),
    ] == [tuple(row.values()) for row in rows]
    every_csv = "".join((tmp_path / name).read_text(encoding="utf-8-sig") for name in CSV_NAMES)
    assert "user" not in every_csv
    assert "a@a.hk" not in every_csv
    assert "Chan Tai Man" not in every_csv


def test_charts_are_png_files(seeded: Storage, tmp_path: Path) -> None:
    out = tmp_path / "new" / "report"  # made if missing
    written = write_report(compute(seeded, SINCE, UNTIL), out)
    assert [out / "report.html"] + [out / name for name in CSV_NAMES] + [
        out / name for name in CHART_NAMES
    ] == written
    assert [out / name for name in CHART_NAMES] == chart_paths(written)
    for chart in chart_paths(written):
        assert chart.read_bytes().startswith(PNG)


def test_html_states_the_period_and_escapes_texts(seeded: Storage, tmp_path: Path) -> None:
    write_report(compute(seeded, SINCE, UNTIL), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "2026-11-16 to 2026-11-18" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "點樣網上申請？" in page
    for name in CHART_NAMES:
        assert f'<img src="{name}"' in page
    assert "test_unlimited" in page


def test_summary_text(seeded: Storage) -> None:
    assert [
        "CPPP enquiry bot report, 2026-11-16 to 2026-11-18 (Hong Kong time)",
        "Enquiries: 10 (English 4, Cantonese 3, Putonghua 3)",
        "Answered by the FAQ: 70.0%",
        "Top FAQ entries: app_how_to_apply (3), funding_amount (2), deadline (1)",
        "Unanswered: 7 in 4 groups; biggest: 3x \u201chow to apply online\u201d;"
        " 2x \u201c點樣網上申請？\u201d; 1x \u201c" + SCRIPT + "\u201d",
        "Tickets: 5 opened, 3 closed; first staff reply median 45 min, p90 2 h 00 min",
        "Ratings: 4.0/5 from 3",
        "Registrations: test_seminar 2 (3 attendees), test_unlimited 1 (3 attendees)",
    ] == summary_text(compute(seeded, SINCE, UNTIL)).splitlines()


def test_summary_shortens_a_long_question(db: Storage) -> None:
    db.record_miss(1, "word " * 30, "en", 0.1, [])  # the clock's day: 20 Nov
    figures = compute(db, dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    line = summary_text(figures).splitlines()[4]
    assert "Unanswered: 1 in 1 groups; biggest: 1x \u201c" + "word " * 11 + "word…\u201d" == line
    assert (
        "CPPP enquiry bot report, 2026-11-20 (Hong Kong time)"
        == summary_text(figures).splitlines()[0]
    )


# ------------------------------------------------------------------------- empty database


def test_an_empty_database(fresh_db: Storage, seeded: Storage, tmp_path: Path) -> None:
    figures = compute(fresh_db, SINCE, UNTIL)
    assert (
        ReportFigures(
            since=SINCE,
            until=UNTIL,
            days=tuple(DayCounts(SINCE + dt.timedelta(days=n), 0, 0, 0, 0, 0) for n in range(3)),
            enquiries=(),
            total_enquiries=0,
            matched_enquiries=0,
            answered_share=None,
            top_faq=(),
            unanswered=(),
            feedback=(),
            tickets=TicketFigures(0, 0, 0, 0, None, None, 0, None),
            registrations=(),
        )
        == figures
    )
    write_report(compute(seeded, SINCE, UNTIL), tmp_path)  # an older report in the same place
    written = write_report(figures, tmp_path)
    assert [] == chart_paths(written)
    assert [] == sorted(tmp_path.glob("*.png"))  # the older charts are gone
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "2026-11-16 to 2026-11-18" in page
    assert "<img" not in page
    assert [] == read_csv(tmp_path / "enquiries.csv")
    assert 3 == len(read_csv(tmp_path / "enquiries_per_day.csv"))
    assert [
        "CPPP enquiry bot report, 2026-11-16 to 2026-11-18 (Hong Kong time)",
        "Enquiries: 0 (English 0, Cantonese 0, Putonghua 0)",
        "Answered by the FAQ: n/a",
        "Top FAQ entries: none",
        "Unanswered: 0 in 0 groups",
        "Tickets: 0 opened, 0 closed; first staff reply median n/a, p90 n/a",
        "Ratings: none",
        "Registrations: none",
    ] == summary_text(figures).splitlines()
