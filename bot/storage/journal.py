"""The update journal: every update fetched from Telegram is stored before it is handled and
deleted once handled, so a process killed at any line loses none (see ``bot.updates``).

Rows live only while an update is in hand (seconds), so the journal holds no lasting personal
data; an update still here at start is handled again (at least once: a reply sent just before a
kill may be sent a second time, never lost).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.database import StorageBase


class UpdateJournal(StorageBase):
    def journal(self, updates: Sequence[tuple[int, str]]) -> list[int]:
        """Store fetched updates (id, JSON) and the highest id fetched, in one transaction;
        the ids not seen before (an update Telegram sends again after a crash is not)."""
        new: list[int] = []
        high = self.next_update_offset()
        with self.transaction():
            for update_id, data in updates:
                if high is not None and update_id < high:
                    continue  # handled already, before a restart
                cursor = self.db.execute(
                    "insert or ignore into update_journal (update_id, data, received_at)"
                    " values (?, ?, ?)",
                    [update_id, data, self._now()],
                )
                if cursor.rowcount:
                    new.append(update_id)
            if updates:
                self.db.execute(
                    "insert into journal_high_water (id, update_id) values (1, ?)"
                    " on conflict(id) do update set"
                    " update_id = max(update_id, excluded.update_id)",
                    [max(update_id for update_id, _ in updates)],
                )
        return new

    def unfinished_updates(self) -> list[tuple[int, str]]:
        """Updates fetched but not handled to the end (a crash or a stop), oldest first."""
        rows = self.db.execute(
            "select update_id, data from update_journal order by update_id"
        ).fetchall()
        return [(int(update_id), str(data)) for update_id, data in rows]

    def finish_update(self, update_id: int) -> None:
        """The update was handled: forget it."""
        with self.transaction():
            self.db.execute("delete from update_journal where update_id = ?", [update_id])

    def next_update_offset(self) -> int | None:
        """The offset to fetch from: after every update ever journaled (None: from Telegram's)."""
        row = self.db.execute("select update_id from journal_high_water where id = 1").fetchone()
        return int(row[0]) + 1 if row else None
