"""Where things are in the staff chat: relayed messages and the topics the bot keeps.

``relays`` records which message was copied where for a ticket: chat and message ids only,
never the text. ``staff_places`` remembers topics the bot keeps in the staff chat, such as
"unanswered questions".
"""

from __future__ import annotations

from typing import Literal

from bot.storage.database import StorageBase

Direction = Literal["to_staff", "to_user"]

DIRECTIONS: tuple[Direction, ...] = ("to_staff", "to_user")


class StaffChatRows(StorageBase):
    def record_relay(
        self,
        ticket_id: int,
        direction: Direction,
        from_chat_id: int,
        from_message_id: int,
        to_chat_id: int,
        to_message_id: int,
    ) -> None:
        """Remember that a message was copied between the user and staff (ids only, never the
        text), so staff replies to it find the ticket and ``last_activity`` moves on."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
        with self.transaction():
            self.db.execute(
                "insert into relays (ticket_id, direction, from_chat_id, from_message_id,"
                " to_chat_id, to_message_id, created_at) values (?, ?, ?, ?, ?, ?, ?)",
                [
                    ticket_id,
                    direction,
                    from_chat_id,
                    from_message_id,
                    to_chat_id,
                    to_message_id,
                    self._now(),
                ],
            )

    def relay_count(self, ticket_id: int) -> dict[str, int]:
        """How many messages went each way: ``{"to_staff": n, "to_user": m}``."""
        counts: dict[str, int] = dict.fromkeys(DIRECTIONS, 0)
        rows = self.db.execute(
            "select direction, count(*) from relays where ticket_id = ? group by direction",
            [ticket_id],
        )
        for direction, count in rows.fetchall():
            counts[direction] = count
        return counts

    def staff_place(self, place: str, chat_id: int) -> int | None:
        """The thread of a topic the bot keeps in ``chat_id`` (None: not created yet)."""
        row = self.db.execute(
            "select thread_id from staff_places where place = ? and chat_id = ?", [place, chat_id]
        ).fetchone()
        return None if row is None else int(row[0])

    def set_staff_place(self, place: str, chat_id: int, thread_id: int | None) -> None:
        """Remember (or, with None, forget) the topic the bot keeps for ``place``."""
        with self.transaction():
            self.db.execute(
                "delete from staff_places where place = ? and chat_id = ?", [place, chat_id]
            )
            if thread_id is not None:
                self.db.execute(
                    "insert into staff_places (place, chat_id, thread_id, updated_at)"
                    " values (?, ?, ?, ?)",
                    [place, chat_id, thread_id, self._now()],
                )
