"""Personal data is kept no longer than the retention periods: the daily purge (and `cppbot
purge`) deletes what is older, keeps what is not, and never touches an open ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import Retention, Storage
from bot.storage.privacy import months_before

START = dt.datetime(2024, 1, 15, 10, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(clock: Clock) -> Iterator[Storage]:
    storage = Storage.open(":memory:", clock=clock)
    yield storage
    storage.close()


def count(db: Storage, table: str) -> int:
    return int(db.db.execute(f"select count(*) from {table}").fetchone()[0])


def fill(db: Storage, user: int) -> None:
    """One of everything the bot keeps about a user."""
    db.save_session(user, {"lang": "en"})
    db.record_miss(user, "Where is the zebra crossing?", "en", 0.1, ["app_how_to_apply"])
    db.record_feedback(user, "app_how_to_apply", 1, "en")
    db.subscribe(user, "en")
    db.claim_daily_notice(user, "closed", START.date())
    ticket = db.open_ticket(user, user, "en", "ABC Ltd", {"question": "?"})
    db.close_ticket(ticket.id, "staff")


def test_what_is_older_than_its_period_goes_and_the_rest_stays(db: Storage, clock: Clock) -> None:
    fill(db, 1)
    clock.now = START + dt.timedelta(days=200)  # past 6 months, within 24
    fill(db, 2)
    removed = db.purge(Retention(records_months=24, conversations_months=6))
    assert {"sessions": 1, "misses": 1, "feedback": 1, "daily_notices": 1} == {
        t: n for t, n in removed.items() if n
    }
    assert 1 == count(db, "sessions") and 2 == count(db, "tickets")
    clock.now = START + dt.timedelta(days=750)  # past 24 months for user 1's records
    removed = db.purge(Retention(records_months=24, conversations_months=6))
    assert 1 == removed["tickets"] and 1 == removed["subscriptions"]
    assert [("2",)] == db.db.execute("select user_id from tickets").fetchall()
    assert 0 == count(db, "misses")  # user 2's are older than 6 months by now


def test_an_open_ticket_is_never_purged(db: Storage, clock: Clock) -> None:
    db.open_ticket(3, 3, "en", "", {})
    clock.now = START + dt.timedelta(days=3650)
    db.purge(Retention(records_months=1, conversations_months=1))
    assert db.open_ticket_for(3) is not None


def test_a_reviewed_suggestion_outlives_its_miss(db: Storage, clock: Clock) -> None:
    miss = db.record_miss(4, "how to apply subsidy", "en", 0.3, ["app_how_to_apply"])
    db.suggest_alternate(miss, "app_how_to_apply", 99)
    db.resolve_suggestion(1, "accepted")
    clock.now = START + dt.timedelta(days=365)
    db.purge(Retention())
    assert 0 == count(db, "misses")
    assert [(None, "accepted")] == db.db.execute(
        "select miss_id, status from suggestions"
    ).fetchall()


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (dt.datetime(2026, 11, 30), 6, dt.datetime(2026, 5, 30)),
        (dt.datetime(2026, 8, 31), 6, dt.datetime(2026, 2, 28)),  # no 31 February
        (dt.datetime(2026, 1, 15), 24, dt.datetime(2024, 1, 15)),
        (dt.datetime(2024, 3, 31), 1, dt.datetime(2024, 2, 29)),
    ],
)
def test_months_are_calendar_months(
    moment: dt.datetime, months: int, expected: dt.datetime
) -> None:
    assert expected == months_before(moment, months)


def test_cppbot_purge_uses_the_configured_periods(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.db"
    old = Storage.open(path, clock=lambda: dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    fill(old, 5)
    old.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RETENTION_CONVERSATIONS_MONTHS", "3")
    assert 0 == main(["purge", "--db", str(path)])
    out = capsys.readouterr().out
    assert "Kept 24 months" in out and "3 months" in out
    assert "sessions: 1 deleted" in out and "tickets: 1 deleted" in out
    kept = Storage.open(path)
    assert 0 == count(kept, "sessions") + count(kept, "tickets") + count(kept, "misses")
    kept.close()


def test_a_retention_period_that_is_not_a_number_of_months_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RETENTION_RECORDS_MONTHS", "forever")
    assert 0 != main(["purge", "--db", str(tmp_path / "bot.db")])
    assert "RETENTION_RECORDS_MONTHS must be a whole number of months" in capsys.readouterr().err
