"""The outbox: a turn's replies, stored in the same transaction as the turn's session, and
deleted once Telegram has accepted each one (``bot.outbox`` sends them).

Why: a process killed after the turn was saved but before its replies went out would lose
them (a registration confirmed in the database, the user never told). A row lives only
until it is sent (seconds), so the outbox holds no lasting personal data; ``forget`` and the
retention purge clear it all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.database import StorageBase, UserId


@dataclass(frozen=True)
class OutboxRow:
    """One message waiting to be sent: Telegram HTML and its inline keyboard as JSON."""

    id: int
    chat_id: int
    user_id: str
    html: str
    keyboard: str | None


class OutboxRows(StorageBase):
    def stage(
        self, chat_id: int, user_id: UserId, messages: Sequence[tuple[str, str | None]]
    ) -> None:
        """Queue messages (HTML, keyboard JSON) for a chat, in order."""
        with self.transaction():
            for html, keyboard in messages:
                self.db.execute(
                    "insert into outbox (chat_id, user_id, html, keyboard, created_at)"
                    " values (?, ?, ?, ?, ?)",
                    [chat_id, str(user_id), html, keyboard, self._now()],
                )

    def waiting(self, chat_id: int | None = None) -> list[OutboxRow]:
        """Messages not yet sent, oldest first: one chat's, or every chat's."""
        where, values = ("where chat_id = ?", [chat_id]) if chat_id is not None else ("", [])
        rows = self.db.execute(
            f"select id, chat_id, user_id, html, keyboard from outbox {where} order by id", values
        ).fetchall()
        return [OutboxRow(int(i), int(c), str(u), str(h), k) for i, c, u, h, k in rows]

    def waiting_chats(self) -> list[int]:
        """The chats with messages waiting, in the order their oldest was queued."""
        rows = self.db.execute(
            "select chat_id from outbox group by chat_id order by min(id)"
        ).fetchall()
        return [int(row[0]) for row in rows]

    def unstage(self, row_id: int) -> None:
        """The message was sent (or can never be): it leaves the outbox."""
        with self.transaction():
            self.db.execute("delete from outbox where id = ?", [row_id])
