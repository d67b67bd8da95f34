"""Due items: what the bot has promised to do at a time (send an announcement, remind
registrants, post the weekly report, purge old data), kept in SQLite so a restart neither loses
nor repeats one (``bot.scheduler`` runs them).

An item has a unique key ("reminder:seminar_2026_03_18"), so scheduling it again is a no-op and
an item done stays done. A failed run is retried later with its error kept for staff.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from bot.storage.database import StorageBase, utc_text


@dataclass(frozen=True)
class Due:
    """One scheduled item."""

    key: str
    kind: str
    due_at: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    done_at: str | None = None
    last_error: str | None = None


def _due(row: tuple[Any, ...]) -> Due:
    key, kind, due_at, payload, attempts, done_at, last_error = row
    return Due(
        key, kind, dt.datetime.fromisoformat(due_at), json.loads(payload), attempts, done_at,
        last_error,
    )  # fmt: skip


_COLUMNS = "key, kind, due_at, payload, attempts, done_at, last_error"


class ScheduleRows(StorageBase):
    def schedule(
        self, key: str, kind: str, due_at: dt.datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        """Add an item unless one with this key exists (done or not); whether it was added."""
        with self.transaction():
            cursor = self.db.execute(
                "insert or ignore into schedule (key, kind, due_at, payload, created_at)"
                " values (?, ?, ?, ?, ?)",
                [key, kind, utc_text(due_at), json.dumps(payload or {}), self._now()],
            )
        return cursor.rowcount == 1

    def due_items(self, now: dt.datetime) -> list[Due]:
        """Items not done whose time has come, earliest first."""
        rows = self.db.execute(
            f"select {_COLUMNS} from schedule where done_at is null and due_at <= ?"
            " order by due_at, key",
            [utc_text(now)],
        ).fetchall()
        return [_due(row) for row in rows]

    def scheduled(self, kind: str | None = None) -> list[Due]:
        """Every item (of a kind), by time: for staff and the tests."""
        where, values = ("where kind = ?", [kind]) if kind else ("", [])
        rows = self.db.execute(
            f"select {_COLUMNS} from schedule {where} order by due_at, key", values
        ).fetchall()
        return [_due(row) for row in rows]

    def item(self, key: str) -> Due | None:
        row = self.db.execute(f"select {_COLUMNS} from schedule where key = ?", [key]).fetchone()
        return None if row is None else _due(row)

    def mark_done(self, key: str) -> None:
        with self.transaction():
            self.db.execute(
                "update schedule set done_at = ?, last_error = null where key = ?",
                [self._now(), key],
            )

    def retry_later(self, key: str, at: dt.datetime, error: str) -> None:
        """A run failed: count it, keep the error (no personal data), try again at ``at``."""
        with self.transaction():
            self.db.execute(
                "update schedule set attempts = attempts + 1, last_error = ?, due_at = ?"
                " where key = ?",
                [error[:500], utc_text(at), key],
            )
