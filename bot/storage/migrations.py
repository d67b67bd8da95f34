"""The schema, as an ordered list of migrations, each applied once and recorded.

``_migrations`` holds one row per migration applied: its number (position in ``MIGRATIONS``,
from 1), its name and when it ran. Opening a database applies, in order, each migration not
recorded yet, each in its own ``BEGIN IMMEDIATE`` transaction together with its record, so a
migration that fails leaves neither half a change nor a record of it, and two processes
opening the same file at once apply it once (the second waits for the lock, then finds it
recorded).

To change the schema, append a new migration at the end; never edit, reorder or remove one
that has shipped (a database records migrations by number, and the name is checked).
Migrations run plain SQL on the ``sqlite3`` connection: SQLite's DDL is transactional, while
some sqlite-utils versions commit on their own inside table helpers.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.database import immediate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


# The schema bot/storage.py created before this log existed, statement for statement (see
# tests/data/schema_v0.sql). SQLite stores each without "IF NOT EXISTS", so a new database's
# schema text is identical to one made by that code. Quoting and layout are sqlite-utils' where
# it made the table, raw DDL where it could not say it: AUTOINCREMENT, so that an id staff have
# seen ("#12", a suggestion to --accept, a miss behind a button) is never handed to another row
# after ``forget`` deleted the newest one; and CHECK constraints.
_BASELINE = (
    """CREATE TABLE IF NOT EXISTS "registrations" (
   "id" TEXT PRIMARY KEY,
   "user_id" TEXT NOT NULL,
   "event_id" TEXT NOT NULL,
   "name" TEXT NOT NULL,
   "company" TEXT NOT NULL,
   "email" TEXT NOT NULL,
   "phone" TEXT NOT NULL,
   "attendees" INTEGER NOT NULL,
   "lang" TEXT,
   "created_at" TEXT NOT NULL,
   "cancelled_at" TEXT
)""",
    """CREATE INDEX IF NOT EXISTS "idx_registrations_event_id"
    ON "registrations" ("event_id")""",
    """CREATE INDEX IF NOT EXISTS "idx_registrations_user_id"
    ON "registrations" ("user_id")""",
    """CREATE TABLE IF NOT EXISTS "subscriptions" (
   "user_id" TEXT PRIMARY KEY,
   "lang" TEXT NOT NULL,
   "created_at" TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS "sessions" (
   "user_id" TEXT PRIMARY KEY,
   "data" TEXT NOT NULL,
   "updated_at" TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS "daily_notices" (
   "user_id" TEXT NOT NULL,
   "kind" TEXT NOT NULL,
   "day" TEXT NOT NULL,
   "created_at" TEXT NOT NULL,
   PRIMARY KEY ("user_id", "kind", "day")
)""",
    "CREATE TABLE IF NOT EXISTS tickets ( id integer primary key autoincrement,"
    " user_id text not null, chat_id integer not null, lang text not null,"
    " company text not null, case_json text not null,"
    " status text not null check (status in ('open', 'closed')), thread_id integer,"
    " summary_message_id integer, created_at text not null, closed_at text, closed_by text,"
    " rating integer check (rating between 1 and 5), rated_at text,"
    " user_blocked integer not null default 0)",
    """CREATE INDEX IF NOT EXISTS "idx_tickets_user_id"
    ON "tickets" ("user_id")""",
    """CREATE INDEX IF NOT EXISTS "idx_tickets_thread_id"
    ON "tickets" ("thread_id")""",
    """CREATE INDEX IF NOT EXISTS "idx_tickets_summary_message_id"
    ON "tickets" ("summary_message_id")""",
    # The database itself keeps "at most one open ticket per user".
    "CREATE UNIQUE INDEX IF NOT EXISTS tickets_one_open_per_user"
    " on tickets (user_id) where status = 'open'",
    """CREATE TABLE IF NOT EXISTS "relays" (
   "id" INTEGER PRIMARY KEY,
   "ticket_id" INTEGER NOT NULL,
   "direction" TEXT NOT NULL,
   "from_chat_id" INTEGER NOT NULL,
   "from_message_id" INTEGER NOT NULL,
   "to_chat_id" INTEGER NOT NULL,
   "to_message_id" INTEGER NOT NULL,
   "created_at" TEXT NOT NULL
)""",
    """CREATE INDEX IF NOT EXISTS "idx_relays_ticket_id"
    ON "relays" ("ticket_id")""",
    """CREATE INDEX IF NOT EXISTS "idx_relays_to_message_id"
    ON "relays" ("to_message_id")""",
    """CREATE INDEX IF NOT EXISTS "idx_relays_from_message_id"
    ON "relays" ("from_message_id")""",
    """CREATE TABLE IF NOT EXISTS "feedback" (
   "user_id" TEXT NOT NULL,
   "faq_id" TEXT NOT NULL,
   "vote" INTEGER NOT NULL,
   "lang" TEXT NOT NULL,
   "created_at" TEXT NOT NULL,
   PRIMARY KEY ("user_id", "faq_id")
)""",
    """CREATE INDEX IF NOT EXISTS "idx_feedback_faq_id"
    ON "feedback" ("faq_id")""",
    """CREATE TABLE IF NOT EXISTS "enquiries" (
   "id" INTEGER PRIMARY KEY,
   "lang" TEXT NOT NULL,
   "matched" INTEGER NOT NULL,
   "faq_id" TEXT,
   "score" REAL NOT NULL,
   "created_at" TEXT NOT NULL
)""",
    """CREATE INDEX IF NOT EXISTS "idx_enquiries_created_at"
    ON "enquiries" ("created_at")""",
    # staff_message_id was once added to existing tables by ALTER TABLE, which appended it
    # in this form; _baseline adds it where it is still missing.
    "CREATE TABLE IF NOT EXISTS misses ( id integer primary key autoincrement,"
    " user_id text not null, question text not null, lang text not null,"
    " score real not null, candidates text not null, created_at text not null,"
    ' "staff_message_id" INTEGER)',
    """CREATE INDEX IF NOT EXISTS "idx_misses_user_id"
    ON "misses" ("user_id")""",
    # Places the bot keeps in the staff chat, such as the "unanswered questions" topic.
    """CREATE TABLE IF NOT EXISTS "staff_places" (
   "place" TEXT NOT NULL,
   "chat_id" INTEGER NOT NULL,
   "thread_id" INTEGER NOT NULL,
   "updated_at" TEXT NOT NULL,
   PRIMARY KEY ("place", "chat_id")
)""",
    # miss_id: None once ``forget`` removed the miss.
    "CREATE TABLE IF NOT EXISTS suggestions ( id integer primary key autoincrement,"
    " miss_id integer, faq_id text not null, question text not null, lang text not null,"
    " staff_user_id integer not null,"
    " status text not null check (status in ('pending', 'accepted', 'rejected')),"
    " created_at text not null, resolved_at text)",
    """CREATE INDEX IF NOT EXISTS "idx_suggestions_miss_id"
    ON "suggestions" ("miss_id")""",
    """CREATE INDEX IF NOT EXISTS "idx_suggestions_faq_id"
    ON "suggestions" ("faq_id")""",
)


def _baseline(conn: sqlite3.Connection) -> None:
    """Today's tables; also adopts a database made before the log (nothing is replaced)."""
    for statement in _BASELINE:
        conn.execute(statement)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(misses)")}
    if "staff_message_id" not in columns:  # a database from before it existed
        conn.execute('ALTER TABLE misses ADD COLUMN "staff_message_id" INTEGER')


def _consent_versions(conn: sqlite3.Connection) -> None:
    """Which collection statement each registration's consent was given to (PDPO): the
    version ``KnowledgeBase.statement_version`` names; empty for rows made before."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(registrations)")}
    if "consent_version" not in columns:  # a database whose log was lost may have it already
        conn.execute(
            "ALTER TABLE registrations ADD COLUMN consent_version TEXT NOT NULL DEFAULT ''"
        )


def _update_journal(conn: sqlite3.Connection) -> None:
    """Updates in hand (bot.storage.journal), and the highest update id ever fetched."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS update_journal (update_id INTEGER PRIMARY KEY,"
        " data TEXT NOT NULL, received_at TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS journal_high_water (id INTEGER PRIMARY KEY CHECK (id = 1),"
        " update_id INTEGER NOT NULL)"
    )


def _outbox(conn: sqlite3.Connection) -> None:
    """Replies a turn committed but Telegram has not confirmed yet (bot.storage.outbox)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " chat_id INTEGER NOT NULL, user_id TEXT NOT NULL, html TEXT NOT NULL,"
        " keyboard TEXT, created_at TEXT NOT NULL)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS idx_outbox_chat_id ON outbox (chat_id, id)")


def _scheduling(conn: sqlite3.Connection) -> None:
    """Promises kept later (bot.storage.schedule, bot.storage.deliveries): due items with their
    time (announcements, reminders, reports, purges), one row per message of a campaign sent to
    many users (so a restart resumes it and never repeats one), waiting tickets already flagged
    to staff, and subscribers who blocked the bot."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schedule (key TEXT PRIMARY KEY, kind TEXT NOT NULL,"
        " due_at TEXT NOT NULL, payload TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,"
        " done_at TEXT, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS idx_schedule_due ON schedule (done_at, due_at)")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS deliveries (campaign TEXT NOT NULL, user_id TEXT NOT NULL,"
        " chat_id INTEGER NOT NULL, lang TEXT NOT NULL, status TEXT NOT NULL"
        " CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed')),"
        " message_id INTEGER, updated_at TEXT NOT NULL, PRIMARY KEY (campaign, user_id))"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS idx_deliveries_user_id ON deliveries (user_id)")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS ticket_flags (ticket_id INTEGER NOT NULL,"
        " waiting_since TEXT NOT NULL, flagged_at TEXT NOT NULL,"
        " PRIMARY KEY (ticket_id, waiting_since))"
    )
    columns = {row[1] for row in conn.execute("PRAGMA table_info(subscriptions)")}
    if "blocked_at" not in columns:
        conn.execute("ALTER TABLE subscriptions ADD COLUMN blocked_at TEXT")


def _event_status(conn: sqlite3.Connection) -> None:
    """Events staff postponed or cancelled (/event_status), for the date they were set for: a
    new date in events.yaml opens registration again."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS event_status (event_id TEXT NOT NULL, starts TEXT NOT NULL,"
        " status TEXT NOT NULL CHECK (status IN ('postponed', 'cancelled')),"
        " note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
        " PRIMARY KEY (event_id, starts))"
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration("baseline", _baseline),
    Migration("consent_versions", _consent_versions),
    Migration("update_journal", _update_journal),
    Migration("outbox", _outbox),
    Migration("scheduling", _scheduling),
    Migration("event_status", _event_status),
)

_LOG_TABLE = (
    "CREATE TABLE IF NOT EXISTS _migrations ("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def migrate(conn: sqlite3.Connection, now: Callable[[], str]) -> list[str]:
    """Apply the migrations not recorded yet, in order; the names of those applied.

    ``now`` gives the ``applied_at`` text. A recorded migration whose name differs from the
    one at its place in ``MIGRATIONS`` means the list was edited after shipping: that raises
    ``RuntimeError`` rather than guessing which schema the file has.
    """
    conn.execute(_LOG_TABLE)
    recorded = dict(conn.execute("SELECT id, name FROM _migrations").fetchall())
    for number, recorded_name in recorded.items():
        if number > len(MIGRATIONS):
            log.warning("database has migration %d (%s), unknown here", number, recorded_name)
        elif recorded_name != MIGRATIONS[number - 1].name:
            raise RuntimeError(
                f"migration {number} is recorded as {recorded_name!r},"
                f" but is {MIGRATIONS[number - 1].name!r} here"
            )
    applied: list[str] = []
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number in recorded:
            continue
        with immediate(conn):
            # Again under the lock: another process may have applied it meanwhile.
            if conn.execute("SELECT 1 FROM _migrations WHERE id = ?", [number]).fetchone():
                continue
            migration.apply(conn)
            conn.execute(
                "INSERT INTO _migrations (id, name, applied_at) VALUES (?, ?, ?)",
                [number, migration.name, now()],
            )
        applied.append(migration.name)
        log.info("migration %d applied: %s", number, migration.name)
    return applied
