"""``cppbot admin``: a read-only data browser for staff (Datasette, the optional ``admin`` extra).

Staff ask the same questions of the bot's data again and again (how many enquiries, how much the
FAQ answers, which tickets wait, who registered for what). Datasette answers them in a browser,
with canned queries for the common ones and plain SQL for the rest, without anyone touching
the live database.

What is served, and why:

* **A copy, never the live file.** ``make_copy`` takes an online backup (SQLite's backup API,
  safe while the bot runs) through a read-only connection, so nothing staff do in the browser
  can change, lock or slow the bot's database. The copy is served ``--immutable``: Datasette
  opens it read-only and never writes to it either.
* **Personal data left out unless asked for.** Most questions are about counts, so by default
  the copy holds no names, companies, e-mail addresses, phone numbers, Telegram user or chat
  ids, question texts or conversation state. Columns are *dropped* (tables rebuilt without
  them), not blanked, and the file is ``VACUUM``-ed, so the data is not left in free pages
  either. ``personal=True`` (staff asking explicitly) keeps them.
* **Transient internals always left out**: ``update_journal`` (raw Telegram updates),
  ``outbox`` (replies not yet sent), and bookkeeping of no use to staff (``journal_high_water``,
  ``_migrations``, ``staff_places``).
* **Tables this module does not know are kept only if they look harmless.** The schema grows;
  a new table not listed in ``PERSONAL`` is kept only when none of its column names looks
  personal (contains ``user_id``, ``chat_id``, ``name``, ``email``, ``phone``, ``question``,
  ``text``, ``data`` and the like, see ``_LOOKS_PERSONAL``), otherwise it is dropped, in both
  modes, until someone lists it here. In the copy without personal data, a column of a known
  table whose name looks personal is dropped too, listed or not. Views and triggers are
  dropped (a view could show a dropped column; nothing is written to the copy).
* **Only on this machine.** Datasette listens on 127.0.0.1 only; the copy lives in a private
  temporary directory removed when the server stops.
* **Arbitrary SQL is allowed.** The database is immutable and Datasette accepts only read-only
  statements, so SQL can show nothing that the table pages do not; what is in the copy is what
  decides what staff can see. Downloading the whole database file is switched off for a copy
  with personal data, so that it does not leave as a file in one click.

Times are stored as UTC text ("2026-11-20T16:30:00+00:00"); the canned queries show Hong Kong
days and times (``date(created_at, '+8 hours')``: Hong Kong has no daylight saving). A week
is named by its Monday.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from knowledge.models import HONG_KONG

COPY_NAME = "cppbot-admin.db"
"""The copy's file name; Datasette names the database after it (``/cppbot-admin``)."""

DATABASE = Path(COPY_NAME).stem

TITLE = "CPPP enquiry bot (read-only copy)"


PERSONAL: dict[str, tuple[str, ...]] = {
    "registrations": ("user_id", "name", "company", "email", "phone"),
    "subscriptions": ("user_id",),
    "sessions": ("user_id", "data"),  # the whole table: see PERSONAL_TABLES
    "daily_notices": ("user_id",),
    "tickets": ("user_id", "chat_id", "company", "case_json"),
    "relays": ("from_chat_id", "from_message_id", "to_chat_id", "to_message_id"),
    "feedback": ("user_id",),
    "enquiries": (),
    "misses": ("user_id", "question"),
    # Staff-reviewed phrasings, but the words are the user's; staff_user_id is a person's id.
    "suggestions": ("question", "staff_user_id"),
    "deliveries": ("user_id", "chat_id"),
    "schedule": (),
    "ticket_flags": (),
}
"""Per known table, the columns holding personal data (dropped from the default copy)."""

PERSONAL_TABLES = frozenset({"sessions"})
"""Tables that are nothing but personal data (what would be left says nothing): dropped whole
from the default copy."""

INTERNAL = frozenset(
    {"update_journal", "outbox", "journal_high_water", "_migrations", "staff_places"}
)
"""Transient or bookkeeping tables, dropped from every copy: the journal and the outbox hold
raw updates and replies for seconds (personal, and of no use to staff); the rest is the bot's
own bookkeeping."""

_LOOKS_PERSONAL = re.compile(
    r"user_?id|chat_?id|name|e_?mail|phone|question|text|data|company|address|html|json"
    r"|contact"
)
"""Column names that suggest personal data, for tables and columns not listed above."""


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _looks_personal(column: str) -> bool:
    return _LOOKS_PERSONAL.search(column.casefold()) is not None


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, int]]:
    """(name, declared type, position in the primary key or 0) of each column, in order."""
    rows = conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    return [(str(name), str(kind or ""), int(pk)) for _, name, kind, _, _, pk in rows]


def _plan(conn: sqlite3.Connection, personal: bool) -> tuple[list[str], dict[str, list[str]]]:
    """What to remove from the copy: tables to drop, and columns to drop per kept table."""
    tables = [
        str(name)
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    drop_tables: list[str] = []
    drop_columns: dict[str, list[str]] = {}
    for table in tables:
        names = [name for name, _, _ in _columns(conn, table)]
        if table in INTERNAL:
            drop_tables.append(table)
        elif table not in PERSONAL:  # unknown: kept only if nothing in it looks personal
            if any(_looks_personal(name) for name in names):
                drop_tables.append(table)
        elif personal:
            continue
        elif table in PERSONAL_TABLES:
            drop_tables.append(table)
        else:
            dropped = [name for name in names if name in PERSONAL[table] or _looks_personal(name)]
            if len(dropped) == len(names):
                drop_tables.append(table)
            elif dropped:
                drop_columns[table] = dropped
    return drop_tables, drop_columns


def _rebuild_without(conn: sqlite3.Connection, table: str, dropped: list[str]) -> None:
    """Rebuild ``table`` without the ``dropped`` columns.

    A rebuild rather than ``ALTER TABLE ... DROP COLUMN``, which refuses columns in a primary
    key, a unique or partial index, or a CHECK constraint (``feedback``'s key holds
    ``user_id``). Declared types are kept (Datasette sorts and filters by them), and so is the
    primary key when all of its columns stay (so rows keep their ids, ``tickets.id`` stays the
    rowid); constraints are not needed in a copy nothing writes to. Indexes on kept columns
    are made again; one whose condition names a dropped column is left out.
    """
    columns = _columns(conn, table)
    kept = [(name, kind, pk) for name, kind, pk in columns if name not in dropped]
    key = [name for name, _, pk in sorted(columns, key=lambda column: column[2]) if pk]
    definitions = [f"{_quote(name)} {kind}".rstrip() for name, kind, _ in kept]
    if key and not set(key) & set(dropped):
        definitions.append(f"PRIMARY KEY ({', '.join(_quote(name) for name in key)})")
    indexes: list[str] = []
    for index, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL",
        [table],
    ).fetchall():
        indexed = [row[2] for row in conn.execute(f"PRAGMA index_info({_quote(index)})")]
        if all(name is not None and name not in dropped for name in indexed):
            indexes.append(str(sql))
    listed = ", ".join(_quote(name) for name, _, _ in kept)
    new = "_cppbot_admin_rebuild"
    conn.execute(f"CREATE TABLE {_quote(new)} ({', '.join(definitions)})")
    conn.execute(f"INSERT INTO {_quote(new)} ({listed}) SELECT {listed} FROM {_quote(table)}")
    conn.execute(f"DROP TABLE {_quote(table)}")
    conn.execute(f"ALTER TABLE {_quote(new)} RENAME TO {_quote(table)}")
    for sql in indexes:
        try:
            conn.execute(sql)
        except sqlite3.OperationalError:  # e.g. a partial index on a dropped column
            continue


def make_copy(source: Path, target_dir: Path, personal: bool = False) -> Path:
    """Copy the live database to ``target_dir/cppbot-admin.db`` without what must not be shown.

    The live file is opened read-only (``mode=ro``) and copied with SQLite's online backup API,
    which is safe while the bot writes to it; every change is made to the copy. Without
    ``personal``, personal tables and columns are removed (see the module docstring); either
    way the transient internals are. The copy is then ``VACUUM``-ed, so removed rows are not
    left in its free pages, and checked. A copy already there is replaced. Returns its path.
    (Reading a WAL database while the bot is stopped leaves an empty ``-wal`` and ``-shm``
    beside it, as any reader does; SQLite reuses them, and they must never be deleted by hand
    while the bot may start.)
    ``FileNotFoundError`` when ``source`` does not exist (a read-only open would not create
    it, but the message is clearer).
    """
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / COPY_NAME
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    live = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)  # transactions are explicit
        try:
            live.backup(copy)
        finally:
            live.close()
        try:
            # One self-contained file: the backup keeps the live database's WAL mode.
            copy.execute("PRAGMA journal_mode = DELETE")
            drop_tables, drop_columns = _plan(copy, personal)
            copy.execute("BEGIN IMMEDIATE")
            for kind, name in copy.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"
            ).fetchall():
                copy.execute(f"DROP {kind.upper()} IF EXISTS {_quote(name)}")
            for table in drop_tables:
                copy.execute(f"DROP TABLE {_quote(table)}")
            for table, columns in drop_columns.items():
                _rebuild_without(copy, table, columns)
            copy.execute("COMMIT")
            copy.execute("VACUUM")
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise sqlite3.DatabaseError(f"the copy failed its integrity check: {verdict}")
    partial.replace(target)
    return target


# Canned queries. Each works on the copy without personal data (only columns kept there).
_HK_DAY = "date({column}, '+8 hours')"
_HK_TIME = "strftime('%Y-%m-%d %H:%M', {column}, '+8 hours')"
# The Monday of the Hong Kong week: 'weekday 0' moves on to Sunday (or stays), -6 days back.
_HK_WEEK = "date({column}, '+8 hours', 'weekday 0', '-6 days')"
_LAST_30_DAYS = f"{_HK_DAY.format(column='created_at')} >= date('now', '+8 hours', '-29 days')"

# Since when each open ticket's user has waited for staff (as TicketRows.waiting_for_staff):
# the first message to staff after staff last wrote, or the opening if staff have not written;
# null when staff wrote last.
_LAST_STAFF = (
    "(SELECT max(u.created_at) FROM relays u WHERE u.ticket_id = t.id AND u.direction = 'to_user')"
)
_WAITING_SINCE = (
    f"CASE WHEN {_LAST_STAFF} IS NULL THEN t.created_at ELSE"
    " (SELECT min(r.created_at) FROM relays r WHERE r.ticket_id = t.id"
    f" AND r.direction = 'to_staff' AND r.created_at >= {_LAST_STAFF}) END"
)


def _queries() -> dict[str, dict[str, str]]:
    """The canned queries for the copy without personal data (also in the personal one)."""
    day, week = _HK_DAY.format(column="created_at"), _HK_WEEK.format(column="created_at")
    return {
        "enquiries_per_day": {
            "title": "Enquiries per day and language (last 30 days)",
            "description": "Questions the bot answered or tried to, by Hong Kong day;"
            " 'answered' = answered from the FAQ.",
            "sql": f"SELECT {day} AS day, lang, count(*) AS enquiries,"
            " sum(matched) AS answered FROM enquiries"
            f" WHERE {_LAST_30_DAYS} GROUP BY day, lang ORDER BY day DESC, lang",
        },
        "faq_share_per_week": {
            "title": "Share of enquiries answered by the FAQ, per week",
            "description": "Weeks from Monday, Hong Kong time.",
            "sql": f"SELECT {week} AS week_from, count(*) AS enquiries,"
            " sum(matched) AS answered,"
            " round(100.0 * sum(matched) / count(*), 1) AS answered_percent"
            " FROM enquiries GROUP BY week_from ORDER BY week_from DESC",
        },
        "top_faq_entries": {
            "title": "FAQ entries answered most often",
            "sql": "SELECT faq_id, count(*) AS answered,"
            f" sum({_LAST_30_DAYS}) AS last_30_days,"
            f" max({_HK_TIME.format(column='created_at')}) AS last_answered"
            " FROM enquiries WHERE matched = 1 AND faq_id IS NOT NULL"
            " GROUP BY faq_id ORDER BY answered DESC, faq_id LIMIT 100",
        },
        "unanswered_per_week": {
            "title": "Questions left unanswered, per week",
            "description": "Questions the bot could not answer confidently (counts only).",
            "sql": f"SELECT {week} AS week_from, lang, count(*) AS unanswered,"
            " round(avg(score), 1) AS average_best_score"
            " FROM misses GROUP BY week_from, lang ORDER BY week_from DESC, lang",
        },
        "open_tickets": {
            "title": "Open tickets and how long they have waited",
            "description": "Oldest first. 'waiting_for_staff_since' is empty when staff wrote"
            " last. Hong Kong time; no names (see the ticket in the staff chat).",
            "sql": "SELECT id, status, lang,"
            f" {_HK_TIME.format(column='created_at')} AS opened,"
            " round((julianday('now') - julianday(created_at)) * 24, 1) AS hours_open,"
            f" {_HK_TIME.format(column='waiting_since')} AS waiting_for_staff_since,"
            " round((julianday('now') - julianday(waiting_since)) * 24, 1)"
            " AS hours_waiting_for_staff,"
            " (SELECT count(*) FROM relays r WHERE r.ticket_id = w.id"
            " AND r.direction = 'to_staff') AS messages_to_staff,"
            " (SELECT count(*) FROM relays r WHERE r.ticket_id = w.id"
            " AND r.direction = 'to_user') AS replies_from_staff"
            f" FROM (SELECT t.*, {_WAITING_SINCE} AS waiting_since FROM tickets t"
            " WHERE t.status = 'open') w ORDER BY created_at, id",
        },
        "tickets_per_week": {
            "title": "Tickets per week, with ratings",
            "description": "By the week a ticket was opened (from Monday, Hong Kong time).",
            "sql": f"SELECT {week} AS week_from, count(*) AS opened,"
            " sum(status = 'closed') AS closed, count(rating) AS rated,"
            " round(avg(rating), 2) AS average_rating,"
            " round(avg((julianday(first_reply) - julianday(created_at)) * 24), 1)"
            " AS average_hours_to_first_reply"
            " FROM (SELECT t.*, (SELECT min(r.created_at) FROM relays r"
            " WHERE r.ticket_id = t.id AND r.direction = 'to_user') AS first_reply"
            " FROM tickets t) GROUP BY week_from ORDER BY week_from DESC",
        },
        "registrations_per_event": {
            "title": "Registrations per event",
            "description": "Cancelled registrations count for nothing but are shown apart.",
            "sql": "SELECT event_id,"
            " sum(cancelled_at IS NULL) AS registrations,"
            " coalesce(sum(CASE WHEN cancelled_at IS NULL THEN attendees END), 0)"
            " AS attendees,"
            " sum(cancelled_at IS NOT NULL) AS cancelled,"
            f" min({day}) AS first_registered, max({day}) AS last_registered"
            " FROM registrations GROUP BY event_id ORDER BY event_id",
        },
        "feedback_per_faq": {
            "title": "👍/👎 per FAQ entry",
            "description": "One vote per user and entry (pressing again replaces it).",
            "sql": "SELECT faq_id, sum(vote > 0) AS up, sum(vote < 0) AS down,"
            " round(100.0 * sum(vote > 0) / count(*), 1) AS up_percent"
            " FROM feedback GROUP BY faq_id ORDER BY down DESC, up DESC, faq_id",
        },
        "subscribers_per_language": {
            "title": "Subscribers to announcements, per language",
            "sql": "SELECT lang, count(*) AS subscribers FROM subscriptions"
            " GROUP BY lang ORDER BY subscribers DESC, lang",
        },
    }


def _personal_queries() -> dict[str, dict[str, str]]:
    """Canned queries that need personal data: only in a copy made with it."""
    return {
        "unanswered_questions": {
            "title": "Questions left unanswered (last 30 days, with their words)",
            "sql": f"SELECT id, {_HK_TIME.format(column='created_at')} AS asked, lang,"
            " question, round(score, 1) AS best_score, candidates FROM misses"
            f" WHERE {_LAST_30_DAYS} ORDER BY created_at DESC, id DESC",
        },
        "registrants": {
            "title": "Registrants of each event, with their contacts",
            "sql": "SELECT event_id, name, company, email, phone, attendees, lang,"
            f" {_HK_TIME.format(column='created_at')} AS registered FROM registrations"
            " WHERE cancelled_at IS NULL ORDER BY event_id, created_at",
        },
    }


def metadata(personal: bool, made: dt.datetime | None = None) -> dict[str, Any]:
    """Datasette's metadata for the copy: title, what it holds and when it was made (``made``,
    now by default), a note on each table that lost columns, and the canned queries."""
    when = (made or dt.datetime.now(dt.UTC)).astimezone(HONG_KONG).strftime("%Y-%m-%d %H:%M")
    if personal:
        held = (
            "It INCLUDES personal data (names, companies, e-mail addresses, phone numbers,"
            " Telegram ids, question texts), as asked: handle it accordingly."
        )
    else:
        held = (
            "Personal data are left out: names, companies, e-mail addresses, phone numbers,"
            " Telegram ids, question texts and conversation state (`cppbot admin --personal`"
            " includes them)."
        )
    queries = _queries() | (_personal_queries() if personal else {})
    tables: dict[str, dict[str, str]] = {}
    if not personal:
        for table, columns in PERSONAL.items():
            if columns and table not in PERSONAL_TABLES:
                tables[table] = {"description": "Left out: " + ", ".join(columns) + "."}
    return {
        "title": TITLE,
        "description": (
            f"A read-only copy of the bot's database, made {when} Hong Kong time; changes"
            f" since then are not shown. {held} Times in tables are UTC; the canned queries"
            " show Hong Kong time."
        ),
        "databases": {DATABASE: {"queries": queries, "tables": tables}},
    }


def command(copy: Path, meta: Path, port: int, personal: bool = False) -> list[str]:
    """The Datasette command line: the copy served immutable, on 127.0.0.1 only.

    Datasette of the interpreter running the bot (``python -m datasette``), so the one the
    ``admin`` extra installed. Downloading the database file is off for a personal copy.
    """
    argv = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(copy),
        "--metadata",
        str(meta),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if personal:
        argv += ["--setting", "allow_download", "off"]
    return argv


def _contents(copy: Path) -> list[tuple[str, int, list[str]]]:
    """(table, rows, columns) of each table in the copy, for the summary printed at start."""
    conn = sqlite3.connect(copy.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = [
            str(name)
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return [
            (
                table,
                int(conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]),
                [name for name, _, _ in _columns(conn, table)],
            )
            for table in tables
        ]
    finally:
        conn.close()


def datasette_installed() -> bool:
    """Whether this interpreter can run Datasette (the optional ``admin`` extra)."""
    return importlib.util.find_spec("datasette") is not None


def serve(
    database: Path, port: int = 8001, personal: bool = False, workdir: Path | None = None
) -> int:
    """Serve a read-only copy of ``database`` with Datasette until stopped (Ctrl-C).

    The copy and its metadata live in a private temporary directory (in ``workdir`` if given),
    removed when the server stops, so a copy with personal data does not linger on disk.
    Returns Datasette's exit code (0 after Ctrl-C); 2 when Datasette is not installed (it is
    an optional extra), 1 when there is no database.
    """
    if not datasette_installed():
        print(
            "cppbot admin needs Datasette, the optional 'admin' extra: pip install -e '.[admin]'",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="cppbot-admin-", dir=workdir) as folder:
        try:
            copy = make_copy(database, Path(folder), personal)
        except FileNotFoundError as error:
            print(error, file=sys.stderr)
            return 1
        meta = Path(folder) / "metadata.json"
        meta.write_text(json.dumps(metadata(personal), ensure_ascii=False, indent=2), "utf-8")
        print(f"Read-only copy of {database}, {'WITH' if personal else 'without'} personal data:")
        for table, rows, columns in _contents(copy):
            print(f"  {table}: {rows} rows ({', '.join(columns)})")
        print(f"Open http://127.0.0.1:{port}/{DATABASE} (this machine only); Ctrl-C stops.")
        process = subprocess.Popen(command(copy, meta, port, personal))
        try:
            return process.wait()
        except KeyboardInterrupt:
            # The terminal sent SIGINT to Datasette too; give it time to shut down cleanly.
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return 0
