"""Storage's schema migrations, connection settings and ``Storage.transaction()``."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage import migrations as migrations_module
from bot.storage.migrations import MIGRATIONS, Migration, migrate

SCHEMA_V0 = Path(__file__).parent / "data" / "schema_v0.sql"
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
NOW_TEXT = "2026-11-20T02:00:00+00:00"


def clock() -> dt.datetime:
    return NOW


def schema(path: Path) -> list[tuple[str, str, str | None]]:
    """Every object in the file as SQLite keeps it, in creation order, but the migration log."""
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "select type, name, sql from sqlite_master where name != '_migrations' order by rowid"
    ).fetchall()
    conn.close()
    return rows


def old_database(path: Path, schema_sql: str | None = None) -> Path:
    """A database as the code before the migration log left it, with a few rows."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V0.read_text() if schema_sql is None else schema_sql)
    conn.executescript(
        """
        insert into sessions values ('7', '{"flow": "register"}', '2025-01-01T00:00:00+00:00');
        insert into registrations values ('r1', '7', 'seminar', 'Chan', 'ABC Ltd',
            'chan@abc.hk', '2788 5588', 2, 'en', '2025-01-01T00:00:00+00:00', null);
        insert into tickets (user_id, chat_id, lang, company, case_json, status, created_at)
            values ('7', 7, 'en', 'ABC Ltd', '{"topic": "funding"}', 'open',
            '2025-01-01T00:00:00+00:00');
        insert into misses (user_id, question, lang, score, candidates, created_at)
            values ('7', 'old question', 'en', 0.2, '[]', '2025-01-01T00:00:00+00:00');
        """
    )
    conn.close()
    return path


def recorded(storage: Storage) -> list[tuple[int, str, str]]:
    return storage.db.execute("select id, name, applied_at from _migrations order by id").fetchall()


# ---------------------------------------------------------------------------------- migrations


def test_a_fresh_database_records_every_migration_once_in_order(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "bot.db", clock=clock)
    expected = [(number, m.name, NOW_TEXT) for number, m in enumerate(MIGRATIONS, start=1)]
    assert expected == recorded(storage)
    storage.close()


def test_opening_again_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Storage.open(path, clock=clock).close()
    later = Storage.open(path, clock=lambda: NOW + dt.timedelta(days=1))
    assert [] == migrate(later.db.conn, later._now)
    assert [NOW_TEXT] * len(MIGRATIONS) == [applied for _, _, applied in recorded(later)]
    later.close()


def test_a_fresh_database_has_the_schema_of_an_upgraded_one(tmp_path: Path) -> None:
    """The baseline is the schema of before, statement for statement; later migrations then
    change a fresh database and an old one alike."""
    Storage.open(tmp_path / "new.db").close()
    before = old_database(tmp_path / "old.db")
    Storage.open(before).close()
    assert schema(before) == schema(tmp_path / "new.db")


def test_a_database_from_before_the_log_is_upgraded_and_keeps_its_rows(tmp_path: Path) -> None:
    path = old_database(tmp_path / "old.db")
    Storage.open(tmp_path / "fresh.db").close()
    expected_schema = schema(tmp_path / "fresh.db")
    storage = Storage.open(path, clock=clock)
    assert [(1, "baseline", NOW_TEXT)] == recorded(storage)[:1]
    assert {"flow": "register"} == storage.load_session(7)
    assert [("r1", 2)] == [(r["id"], r["attendees"]) for r in storage.registrations(7)]
    ticket = storage.open_ticket_for(7) or pytest.fail("ticket lost")
    assert (1, {"topic": "funding"}) == (ticket.id, ticket.case)
    storage.set_miss_message(1, 42)
    assert (42,) == storage.staff_traces(7, -100).messages
    assert 2 == storage.open_ticket(8, 8, "en", "", {}).id  # AUTOINCREMENT carries on
    consent = storage.db.execute("select consent_version from registrations").fetchall()
    assert [("",)] == consent  # given before versions were recorded: not invented
    storage.close()
    assert expected_schema == schema(path)


def test_a_database_from_before_staff_message_ids_gets_the_column(tmp_path: Path) -> None:
    text = SCHEMA_V0.read_text()
    column = ', "staff_message_id" INTEGER'
    assert 1 == text.count(column)
    path = old_database(tmp_path / "older.db", text.replace(column, ""))
    storage = Storage.open(path)
    storage.set_miss_message(1, 42)
    assert "old question" == (storage.miss(1) or pytest.fail("miss lost")).question
    assert (42,) == storage.staff_traces(7, -100).messages
    storage.close()
    Storage.open(tmp_path / "fresh.db").close()
    assert schema(tmp_path / "fresh.db") == schema(path)


def test_a_failing_migration_leaves_no_change_and_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bot.db"
    Storage.open(path).close()

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("create table half_done (id integer)")
        raise RuntimeError("migration bug")

    broken = (*MIGRATIONS, Migration("half_done", half_done))
    monkeypatch.setattr(migrations_module, "MIGRATIONS", broken)
    with pytest.raises(RuntimeError, match="migration bug"):
        Storage.open(path)
    conn = sqlite3.connect(path)
    assert [] == conn.execute("select name from sqlite_master where name = 'half_done'").fetchall()
    assert len(MIGRATIONS) == conn.execute("select count(*) from _migrations").fetchone()[0]
    assert not conn.in_transaction
    conn.close()


def test_a_renamed_migration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Storage.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("update _migrations set name = 'something else' where id = 1")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="recorded as 'something else'"):
        Storage.open(path)


# ------------------------------------------------------------------------------ connection


def test_pragmas(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "bot.db")
    assert "wal" == storage.db.execute("pragma journal_mode").fetchone()[0]
    assert 1 == storage.db.execute("pragma synchronous").fetchone()[0]  # NORMAL
    assert 0 < storage.db.execute("pragma busy_timeout").fetchone()[0]
    storage.close()


# ----------------------------------------------------------------------------- transaction


def counts(conn: sqlite3.Connection) -> tuple[int, int]:
    sessions = conn.execute("select count(*) from sessions").fetchone()[0]
    enquiries = conn.execute("select count(*) from enquiries").fetchone()[0]
    return sessions, enquiries


def test_transaction_commits_a_session_and_an_enquiry_together(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    storage = Storage.open(path)
    other = sqlite3.connect(path)
    with storage.transaction():
        storage.save_session(1, {"flow": "eligibility"})
        storage.log_enquiry("en", True, "app_how_to_apply", 0.9)
        assert (1, 1) == counts(storage.db.conn)
        assert (0, 0) == counts(other)  # a second connection sees nothing yet
    assert (1, 1) == counts(other)
    other.close()
    storage.close()


def test_an_exception_inside_a_transaction_rolls_both_back(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    storage = Storage.open(path)
    with pytest.raises(KeyError), storage.transaction():
        storage.save_session(1, {"flow": "eligibility"})
        storage.log_enquiry("en", True, "app_how_to_apply", 0.9)
        raise KeyError("handler bug")
    assert (0, 0) == counts(storage.db.conn)
    assert None is storage.load_session(1)
    storage.save_session(1, {"flow": None})  # the connection is usable again
    assert (1, 0) == counts(storage.db.conn)
    storage.close()


def test_a_nested_block_joins_the_outer_and_undoes_only_its_own_writes(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "bot.db")
    with storage.transaction():
        storage.save_session(1, {"step": 1})
        with pytest.raises(ValueError), storage.transaction():
            storage.log_enquiry("en", False, None, 0.1)
            raise ValueError("caught by the caller")
        storage.log_enquiry("en", True, "a", 0.9)
    assert (1, 1) == counts(storage.db.conn)
    assert [(1,)] == storage.db.execute("select matched from enquiries").fetchall()
    storage.close()


def test_a_transaction_holds_the_write_lock_from_the_start(tmp_path: Path) -> None:
    """So a check-then-insert inside it (registration's seat count) cannot race."""
    path = tmp_path / "bot.db"
    storage = Storage.open(path)
    impatient = sqlite3.connect(path, timeout=0)
    with storage.transaction():
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            impatient.execute("BEGIN IMMEDIATE")
        assert (0, 0) == counts(impatient)  # readers are not blocked (WAL)
    impatient.execute("BEGIN IMMEDIATE")
    impatient.execute("ROLLBACK")
    impatient.close()
    storage.close()


async def test_another_task_cannot_write_into_an_open_transaction(fresh_db: Storage) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def turn() -> None:
        with fresh_db.transaction():
            fresh_db.save_session(1, {"step": 1})
            started.set()
            await release.wait()

    first = asyncio.create_task(turn())
    await started.wait()
    with pytest.raises(RuntimeError, match="another task"):
        fresh_db.save_session(2, {"step": 1})
    release.set()
    await first
    assert {"step": 1} == fresh_db.load_session(1)
    assert None is fresh_db.load_session(2)
