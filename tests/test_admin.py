"""``cppbot admin``: the read-only copy for Datasette, its canned queries, the real server."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import admin
from bot.storage import Storage
from knowledge.models import HONG_KONG, Seminar
from tests.test_storage import EVENT, UNLIMITED

# Personal data in the seed: none of it may be in the bytes of the copy without it.
CHAN = {"name": "Chan Tai Man", "company": "ABC Ltd", "email": "chan@abc.com.hk"}
CHAN_PHONE = "+852 2788 5588"
WONG = {"name": "Wong Siu Ming", "company": "XYZ Co", "email": "wong@xyz.com.hk"}
WONG_PHONE = "+852 9123 4567"
QUESTION = "Can my secret widget factory get funding?"
JOURNALED = "journaled-update-secret"
OUTBOX = "outbox-reply-secret"
SECRETS = [
    *CHAN.values(),
    CHAN_PHONE,
    *WONG.values(),
    WONG_PHONE,
    QUESTION,
    "session-secret",
    JOURNALED,
    OUTBOX,
]

# The seed's Hong Kong days: two days ago at 10:00, and 07:30 the day after (23:30 UTC on the
# day before, so the queries must convert to Hong Kong time to count it right).
DAY = dt.datetime.now(HONG_KONG).date() - dt.timedelta(days=2)
MORNING = dt.datetime.combine(DAY, dt.time(10, 0), HONG_KONG)
NEXT_EARLY = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(7, 30), HONG_KONG)
LONG_AGO = MORNING - dt.timedelta(days=60)


class Clock:
    """The time the next write is stamped with."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def registration(
    event: Seminar, person: dict[str, str], phone: str, attendees: int
) -> dict[str, Any]:
    return {"event_id": event.id, **person, "phone": phone, "attendees": attendees, "lang": "en"}


def seed(storage: Storage, clock: Clock) -> None:
    """A little of everything, through the bot's own write methods."""
    clock.moment = LONG_AGO
    storage.log_enquiry("en", True, "eligibility", 90.0)
    clock.moment = MORNING
    storage.log_enquiry("en", True, "eligibility", 92.0)
    storage.log_enquiry("en", True, "amounts", 88.0)
    storage.log_enquiry("en", False, None, 41.0)
    storage.log_enquiry("yue", True, "eligibility", 95.0)
    assert "ok" == storage.register(1, registration(EVENT, CHAN, CHAN_PHONE, 2), EVENT)
    assert "ok" == storage.register(2, registration(EVENT, WONG, WONG_PHONE, 1), EVENT)
    assert "ok" == storage.register(3, registration(UNLIMITED, CHAN, CHAN_PHONE, 4), UNLIMITED)
    assert "ok" == storage.register(4, registration(UNLIMITED, WONG, WONG_PHONE, 1), UNLIMITED)
    [cancelled] = storage.registrations(4)
    assert storage.cancel_registration(4, cancelled["id"])
    storage.subscribe(1, "en")
    storage.subscribe(2, "yue")
    storage.record_miss(1, QUESTION, "en", 41.0, ["eligibility"])
    ticket = storage.open_ticket(1, 1001, "en", CHAN["company"], {"name": CHAN["name"]})
    storage.record_relay(ticket.id, "to_staff", 1001, 5, -100200, 77)
    storage.save_session(1, {"note": "session-secret"})
    storage.journal([(900, json.dumps({"text": JOURNALED}))])
    storage.stage(1001, 1, [(f"<b>{OUTBOX}</b>", None)])
    storage.enlist("announce:test", [(1, 1001, "en")])
    storage.record_feedback(1, "eligibility", 1, "en")
    storage.record_feedback(2, "eligibility", -1, "en")
    storage.record_feedback(3, "amounts", 1, "en")
    clock.moment = NEXT_EARLY
    storage.log_enquiry("zh", True, "amounts", 91.0)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Storage]:
    """The live database, seeded and still open (as while the bot runs)."""
    clock = Clock(MORNING)
    storage = Storage.open(tmp_path / "live.db", clock)
    seed(storage, clock)
    yield storage
    storage.close()


def live_path(storage: Storage) -> Path:
    return Path(storage.db.conn.execute("PRAGMA database_list").fetchone()[2])


def columns(copy: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(copy)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            )
        ]
        return {t: [row[1] for row in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}
    finally:
        conn.close()


def query(copy: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(copy)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def fingerprint(path: Path) -> list[str]:
    """The live database's file and its write-ahead log (the shared-memory index changes on
    every read, by design)."""
    return [
        hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "absent"
        for p in (path, path.with_name(path.name + "-wal"))
    ]


def test_copy_without_personal_data(live: Storage, tmp_path: Path) -> None:
    source = live_path(live)
    before = fingerprint(source)

    copy = admin.make_copy(source, tmp_path / "admin")

    assert tmp_path / "admin" / "cppbot-admin.db" == copy
    tables = columns(copy)
    for table in ("sessions", "update_journal", "outbox", "journal_high_water", "_migrations"):
        assert table not in tables
    for table, personal in admin.PERSONAL.items():
        if table in tables:
            assert [] == [column for column in personal if column in tables[table]]
    assert {"id", "event_id", "attendees", "cancelled_at"} <= set(tables["registrations"])
    assert {"id", "ticket_id", "direction", "created_at"} == set(tables["relays"])
    assert "staff_user_id" not in tables["suggestions"]
    content = copy.read_bytes()
    assert [] == [secret for secret in SECRETS if secret.encode() in content]
    assert [(6,)] == query(copy, "select count(*) from enquiries")
    assert [(4,)] == query(copy, "select count(*) from registrations")
    assert [(1, "test_seminar")] == query(
        copy, "select count(*), event_id from registrations where attendees = 2"
    )
    # The primary key survives the rebuild: ticket ids are what staff know.
    assert [(1, "open")] == query(copy, "select id, status from tickets")
    assert before == fingerprint(source)
    assert "ok" == query(copy, "PRAGMA integrity_check")[0][0]
    live.log_enquiry("en", True, "eligibility", 90.0)  # the bot still writes: no lock left
    assert 7 == live.db.execute("select count(*) from enquiries").fetchone()[0]


def test_personal_copy_keeps_people_not_internals(live: Storage, tmp_path: Path) -> None:
    copy = admin.make_copy(live_path(live), tmp_path, personal=True)

    tables = columns(copy)
    assert "update_journal" not in tables
    assert "outbox" not in tables
    assert "sessions" in tables
    assert {"name", "company", "email", "phone", "user_id"} <= set(tables["registrations"])
    assert [("Chan Tai Man", "chan@abc.com.hk", CHAN_PHONE)] == query(
        copy, "select distinct name, email, phone from registrations where user_id = '1'"
    )
    assert [(QUESTION,)] == query(copy, "select question from misses")
    content = copy.read_bytes()
    assert JOURNALED.encode() not in content
    assert OUTBOX.encode() not in content


def test_a_second_copy_replaces_the_first(live: Storage, tmp_path: Path) -> None:
    admin.make_copy(live_path(live), tmp_path / "admin", personal=True)
    copy = admin.make_copy(live_path(live), tmp_path / "admin")
    assert "email" not in columns(copy)["registrations"]
    assert ["cppbot-admin.db"] == [path.name for path in (tmp_path / "admin").iterdir()]


def test_no_database_no_copy(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        admin.make_copy(tmp_path / "missing.db", tmp_path / "admin")
    assert not (tmp_path / "missing.db").exists()


def test_unknown_tables_and_columns(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    Storage.open(source).close()
    conn = sqlite3.connect(source)
    conn.execute("create table counters (kind text primary key, n integer)")
    conn.execute("insert into counters values ('a', 1)")
    conn.execute("create table contacts (id integer primary key, nickname text)")
    conn.execute("alter table registrations add column note_text text")
    conn.execute("create view everyone as select email from registrations")
    conn.commit()
    conn.close()

    plain = columns(admin.make_copy(source, tmp_path / "plain"))
    personal = columns(admin.make_copy(source, tmp_path / "personal", personal=True))

    assert ["kind", "n"] == plain["counters"]
    assert "contacts" not in plain
    assert "contacts" not in personal
    assert "note_text" not in plain["registrations"]
    assert "note_text" in personal["registrations"]
    assert "everyone" not in plain


def test_canned_queries_on_the_copy(live: Storage, tmp_path: Path) -> None:
    plain = admin.make_copy(live_path(live), tmp_path / "plain")
    personal = admin.make_copy(live_path(live), tmp_path / "personal", personal=True)
    queries = admin.metadata(False)["databases"]["cppbot-admin"]["queries"]
    every = admin.metadata(True)["databases"]["cppbot-admin"]["queries"]

    for canned in queries.values():
        query(plain, canned["sql"])  # each runs without personal data
    for canned in every.values():
        query(personal, canned["sql"])
    assert set(queries) < set(every)
    day, next_day = DAY.isoformat(), (DAY + dt.timedelta(days=1)).isoformat()
    assert [(next_day, "zh", 1, 1), (day, "en", 3, 2), (day, "yue", 1, 1)] == query(
        plain, queries["enquiries_per_day"]["sql"]
    )
    assert [
        ("test_seminar", 2, 3, 0, day, day),
        ("test_unlimited", 1, 4, 1, day, day),
    ] == query(plain, queries["registrations_per_event"]["sql"])
    assert [("eligibility", 1, 1, 50.0), ("amounts", 1, 0, 100.0)] == query(
        plain, queries["feedback_per_faq"]["sql"]
    )
    assert [("eligibility", 3, 2), ("amounts", 2, 2)] == [
        row[:3] for row in query(plain, queries["top_faq_entries"]["sql"])
    ]
    [(ticket_id, status, lang, opened, *_)] = query(plain, queries["open_tickets"]["sql"])
    assert (1, "open", "en", f"{day} 10:00") == (ticket_id, status, lang, opened)
    [(_, unanswered_lang, unanswered, _)] = query(plain, queries["unanswered_per_week"]["sql"])
    assert ("en", 1) == (unanswered_lang, unanswered)
    assert 6 == sum(row[1] for row in query(plain, queries["faq_share_per_week"]["sql"]))
    assert [(QUESTION,)] == [
        row[3:4] for row in query(personal, every["unanswered_questions"]["sql"])
    ]


def test_metadata_says_what_the_copy_holds() -> None:
    made = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)
    plain, personal = admin.metadata(False, made), admin.metadata(True, made)
    assert "CPPP enquiry bot (read-only copy)" == plain["title"]
    assert "2026-11-21 00:30" in plain["description"]
    assert "left out" in plain["description"]
    assert "INCLUDES personal data" in personal["description"]
    assert "unanswered_questions" not in plain["databases"]["cppbot-admin"]["queries"]
    json.dumps(plain)  # what serve() writes


def test_command_serves_on_this_machine_only(tmp_path: Path) -> None:
    argv = admin.command(tmp_path / "c.db", tmp_path / "m.json", 8123)
    assert "127.0.0.1" == argv[argv.index("--host") + 1]
    assert str(tmp_path / "c.db") == argv[argv.index("--immutable") + 1]
    assert "allow_download" not in argv
    assert "allow_download" in admin.command(tmp_path / "c.db", tmp_path / "m.json", 8123, True)


def test_serve_without_datasette(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(admin, "datasette_installed", lambda: False)
    assert 2 == admin.serve(tmp_path / "live.db")
    assert "pip install -e '.[admin]'" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, data: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, body.decode(errors="replace")


def test_datasette_serves_the_copy_read_only(live: Storage, tmp_path: Path) -> None:
    copy = admin.make_copy(live_path(live), tmp_path / "admin")
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(admin.metadata(False)), "utf-8")
    before = copy.read_bytes()
    port = free_port()
    base = f"http://127.0.0.1:{port}/cppbot-admin"
    server = subprocess.Popen(
        admin.command(copy, meta, port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                fetch(f"http://127.0.0.1:{port}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    assert server.stderr is not None
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.1)

        status, rows = fetch(f"{base}/registrations.json?_shape=array&_sort=id")
        assert 200 == status
        assert 4 == len(rows)
        assert [] == [key for key in rows[0] if key in ("name", "email", "phone", "user_id")]
        status, events = fetch(f"{base}/registrations_per_event.json?_shape=array")
        assert 200 == status
        assert [("test_seminar", 2, 3), ("test_unlimited", 1, 4)] == [
            (event["event_id"], event["registrations"], event["attendees"]) for event in events
        ]

        insert = "insert into enquiries (lang, matched, score, created_at) values ('en', 1, 1, 'x')"
        status, _ = fetch(f"{base}.json?" + urllib.parse.urlencode({"sql": insert}))
        assert 400 == status
        status, _ = fetch(f"{base}/enquiries_per_day", data=b"x=1")  # a POST
        assert status >= 400
        status, _ = fetch(f"{base}/-/insert", data=b"{}")
        assert status >= 400
        status, counted = fetch(
            f"{base}.json?_shape=array&"
            + urllib.parse.urlencode({"sql": "select count(*) AS n from enquiries"})
        )
        assert (200, [{"n": 6}]) == (status, counted)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()
    assert before == copy.read_bytes()
