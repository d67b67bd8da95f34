"""The connection under ``Storage``: how it is opened, its transactions, its clock.

One ``sqlite_utils.Database`` (one ``sqlite3`` connection) is shared by every part of
``Storage``. Settings, and why:

``journal_mode=WAL``
    Readers no longer wait for a writer and a writer no longer waits for readers, so the
    bot and ``cppbot kb pending`` (or a second bot process) can use the file at once; a
    commit appends to the log instead of rewriting pages, which is faster. The mode is kept
    in the file. An in-memory database stays ``memory``.
``synchronous=NORMAL``
    In WAL mode this still never corrupts the database; a power cut may lose the last
    commits, not the file. ``FULL`` would sync on every commit, once per message.
``busy_timeout``
    A connection that finds the write lock taken waits (up to 5 s) instead of failing at
    once with "database is locked".

No table has a foreign key, so ``foreign_keys`` stays off: ``forget`` removes dependent
rows itself, in one transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

Clock = Callable[[], dt.datetime]
"""Returns the current moment as an aware datetime (tests pass a fake one)."""

UserId = str | int
"""A Telegram user id as the shell has it; always stored as text."""

BUSY_TIMEOUT_MS = 5000


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_text(moment: dt.datetime) -> str:
    """UTC, ISO 8601 with seconds ("2026-11-20T16:30:00+00:00").

    Every stored timestamp has this one format, so ranges compare as text (``stats``).
    """
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def configure(db: sqlite_utils.Database) -> None:
    """Apply the connection settings above; must run outside any transaction."""
    # First, so that switching to WAL waits for another connection rather than failing.
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not db.memory:
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    # Deleted rows (/forget, the retention purge) are overwritten, not just unlinked: a copy
    # of the file taken later does not still hold them in its free pages.
    db.execute("PRAGMA secure_delete = ON")


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction that takes the write lock before its first read (``BEGIN IMMEDIATE``).

    A plain ``BEGIN`` would let two connections read the same seat count and both insert:
    the later one would then fail on commit instead of waiting and seeing the first one's
    row. Commits at the end; any exception rolls everything back and propagates.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # some errors have already rolled it back
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:  # e.g. still busy after the timeout: leave no transaction open
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop running: plain synchronous use
        return None


class StorageBase:
    """What every part of ``Storage`` shares: the connection, the clock, the transaction."""

    def __init__(self, db: sqlite_utils.Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock
        self._depth = 0  # how many transaction() blocks are open
        self._task: asyncio.Task[object] | None = None  # the task that opened the outermost

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together at the end, or none of them.

        The outermost block begins ``IMMEDIATE``: it holds the write lock from the start, so a
        check-then-insert inside (registration's capacity check) cannot race another
        connection. An exception leaving it rolls back every write inside. Outside any block,
        each write method is its own such transaction.

        A nested block joins the outer transaction (nothing is committed until the outermost
        ends) through a savepoint: an exception leaving the inner block undoes just its own
        writes, so a write method that fails half-way leaves nothing behind even when the
        caller catches the error and carries on.

        The connection is shared, so a block must not be left open across an ``await`` that
        lets another update be handled: that update's writes would land in this transaction
        and be rolled back with it. Such a write from another asyncio task raises
        ``RuntimeError`` instead of joining silently.
        """
        conn = self.db.conn
        task = _current_task()
        if self._depth == 0:
            with immediate(conn):
                self._depth, self._task = 1, task
                try:
                    yield
                finally:
                    self._depth, self._task = 0, None
            return
        if task is not self._task:
            raise RuntimeError(
                "another task's storage transaction is open on this connection;"
                " do not await inside Storage.transaction()"
            )
        savepoint = f"nested_{self._depth}"
        conn.execute(f"SAVEPOINT {savepoint}")
        self._depth += 1
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO {savepoint}")
                conn.execute(f"RELEASE {savepoint}")
            raise
        finally:
            self._depth -= 1
        conn.execute(f"RELEASE {savepoint}")

    def backup(self, target: Path) -> int:
        """Copy the database to ``target`` (which must not exist) with SQLite's online backup
        API, safe while the bot runs, then check the copy's integrity; returns its size in
        bytes. Written to a temporary name first, so ``target`` is either whole or absent."""
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
        try:
            self.db.conn.backup(copy)
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        if verdict != "ok":
            partial.unlink(missing_ok=True)
            raise sqlite3.DatabaseError(f"the copy failed its integrity check: {verdict}")
        partial.replace(target)
        return target.stat().st_size

    def _now(self) -> str:
        """The clock's current moment as stored: see ``utc_text``."""
        return utc_text(self.clock())
