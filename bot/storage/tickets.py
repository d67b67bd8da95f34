"""Handoffs to staff: the ``tickets`` table.

A ticket holds the user's chat, the case summary (JSON), the forum topic and summary message
in the staff chat, open/closed, the user's 1-5 rating. Ids are what staff see ("#12") and are
never reused, even after ``forget``. At most one open ticket per user (a partial unique
index).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from bot.storage.database import StorageBase, UserId

log = logging.getLogger(__name__)

CLOSED_BY = ("staff", "user", "system")  # system: the case could not reach the staff chat

_TICKET_COLUMNS = (
    "id, user_id, chat_id, lang, company, case_json, status, thread_id, summary_message_id,"
    " created_at, closed_at, closed_by, rating, user_blocked"
)


@dataclass(frozen=True)
class Ticket:
    """One handoff to staff, as the Telegram adapter needs it."""

    id: int  # sequential 1, 2, 3 ... (what staff see as "#12"), never reused
    user_id: str
    chat_id: int  # the user's private chat
    lang: str
    company: str  # may be ""
    case: dict[str, Any]
    status: Literal["open", "closed"]
    thread_id: int | None  # forum topic in the staff chat; None when posting without topics
    summary_message_id: int | None  # the staff-chat message holding the case summary
    created_at: str
    closed_at: str | None
    closed_by: str | None  # "staff" | "user"
    rating: int | None
    user_blocked: bool


def _ticket(row: Sequence[Any]) -> Ticket:
    (ticket_id, user_id, chat_id, lang, company, case_json, status, thread_id, summary_id,
     created_at, closed_at, closed_by, rating, blocked) = row  # fmt: skip
    return Ticket(
        id=ticket_id,
        user_id=user_id,
        chat_id=chat_id,
        lang=lang,
        company=company,
        case=json.loads(case_json),
        status=status,
        thread_id=thread_id,
        summary_message_id=summary_id,
        created_at=created_at,
        closed_at=closed_at,
        closed_by=closed_by,
        rating=rating,
        user_blocked=bool(blocked),
    )


class TicketRows(StorageBase):
    def open_ticket(
        self, user_id: UserId, chat_id: int, lang: str, company: str, case: Mapping[str, Any]
    ) -> Ticket:
        """Open a ticket for the user; if one is already open, return that one unchanged.

        A user has at most one open ticket (their messages go to it), so a second handoff
        request while one is open is not an error: the caller sees the existing ticket's
        ``created_at``/``id`` and can tell the user it is still open.
        """
        with self.transaction():
            existing = self._open_ticket_for(str(user_id))
            if existing is not None:
                log.info("ticket #%d already open", existing.id)
                return existing
            cursor = self.db.execute(
                "insert into tickets (user_id, chat_id, lang, company, case_json, status,"
                " created_at) values (?, ?, ?, ?, ?, 'open', ?)",
                [
                    str(user_id),
                    chat_id,
                    lang,
                    company,
                    json.dumps(dict(case), ensure_ascii=False),
                    self._now(),
                ],
            )
            opened = self._first("id = ?", [cursor.lastrowid])
        assert opened is not None  # just inserted, in the same transaction
        log.info("ticket #%d opened", opened.id)
        return opened

    def _tickets(self, where: str, params: Sequence[Any]) -> list[Ticket]:
        rows = self.db.execute(f"select {_TICKET_COLUMNS} from tickets where {where}", params)
        return [_ticket(row) for row in rows.fetchall()]

    def _first(self, where: str, params: Sequence[Any]) -> Ticket | None:
        found = self._tickets(where, params)
        return found[0] if found else None

    def _open_ticket_for(self, user_id: str) -> Ticket | None:
        return self._first("user_id = ? and status = 'open'", [user_id])

    def ticket(self, ticket_id: int) -> Ticket | None:
        return self._first("id = ?", [ticket_id])

    def open_ticket_for(self, user_id: UserId) -> Ticket | None:
        """The user's open ticket, if any (there is at most one)."""
        return self._open_ticket_for(str(user_id))

    def ticket_for_thread(self, thread_id: int) -> Ticket | None:
        """The most recent ticket, open or closed, that uses this forum topic."""
        return self._first("thread_id = ? order by id desc limit 1", [thread_id])

    def ticket_for_staff_message(self, message_id: int) -> Ticket | None:
        """The ticket a staff-chat message belongs to, for staff replying in a group without
        topics: its summary message, a user's message relayed into the staff chat, or a
        staff message that was relayed to the user (a colleague replying to it).

        Message ids are only unique within one chat, so only the staff-chat side of each
        relay is looked at (``to_message_id`` of "to_staff", ``from_message_id`` of
        "to_user"). The most recent match wins.
        """
        row = self.db.execute(
            "select max(ticket_id) from ("
            " select id as ticket_id from tickets where summary_message_id = ?"
            " union all select ticket_id from relays"
            " where direction = 'to_staff' and to_message_id = ?"
            " union all select ticket_id from relays"
            " where direction = 'to_user' and from_message_id = ?)",
            [message_id, message_id, message_id],
        ).fetchone()
        return None if row[0] is None else self.ticket(int(row[0]))

    def set_ticket_thread(
        self, ticket_id: int, thread_id: int | None, summary_message_id: int | None
    ) -> None:
        """Remember where in the staff chat the ticket lives (both values are replaced)."""
        with self.transaction():
            self.db.execute(
                "update tickets set thread_id = ?, summary_message_id = ? where id = ?",
                [thread_id, summary_message_id, ticket_id],
            )

    def close_ticket(self, ticket_id: int, closed_by: str) -> bool:
        """Close an open ticket; False if it is already closed or unknown (a second /close).

        ``closed_by`` is "staff", "user" or "system" (``ValueError`` otherwise).
        """
        if closed_by not in CLOSED_BY:
            raise ValueError(f"closed_by must be one of {CLOSED_BY}, not {closed_by!r}")
        with self.transaction():
            cursor = self.db.execute(
                "update tickets set status = 'closed', closed_at = ?, closed_by = ?"
                " where id = ? and status = 'open'",
                [self._now(), closed_by, ticket_id],
            )
            closed = cursor.rowcount == 1
        log.info("ticket #%d closed by %s: %s", ticket_id, closed_by, closed)
        return closed

    def open_tickets(self) -> list[Ticket]:
        """All open tickets, oldest first (staff's queue)."""
        return self._tickets("status = 'open' order by id", [])

    def unposted_tickets(self, user_id: UserId | None = None) -> list[Ticket]:
        """Open tickets whose case is not in the staff chat yet (the user is told first; a
        crash in between leaves one here for the next start), oldest first."""
        where = "status = 'open' and summary_message_id is null"
        if user_id is None:
            return self._tickets(f"{where} order by id", [])
        return self._tickets(f"{where} and user_id = ? order by id", [str(user_id)])

    def rate_ticket(self, ticket_id: int, user_id: UserId, rating: int) -> bool:
        """Store the user's 1-5 rating of a closed ticket; False for anything else.

        Rating buttons come back as callback data a client can forge or press late, so only
        the ticket's own user, only once, only after it was closed, only 1..5.
        """
        if not 1 <= rating <= 5:
            return False
        with self.transaction():
            cursor = self.db.execute(
                "update tickets set rating = ?, rated_at = ?"
                " where id = ? and user_id = ? and status = 'closed' and rating is null",
                [rating, self._now(), ticket_id, str(user_id)],
            )
            rated = cursor.rowcount == 1
        log.info("ticket #%d rated: %s", ticket_id, rated)
        return rated

    def mark_user_blocked(self, ticket_id: int, blocked: bool = True) -> None:
        """Note that the user blocked the bot (relays to them fail), or unblocked it."""
        with self.transaction():
            self.db.execute(
                "update tickets set user_blocked = ? where id = ?", [int(blocked), ticket_id]
            )

    def last_activity(self, ticket_id: int) -> str | None:
        """When the latest message was relayed for the ticket, else when it was opened;
        None for an unknown ticket. For reminding staff of tickets gone quiet."""
        row = self.db.execute(
            "select coalesce((select max(created_at) from relays where ticket_id = t.id),"
            " t.created_at) from tickets t where t.id = ?",
            [ticket_id],
        ).fetchone()
        return None if row is None else cast(str | None, row[0])

    def waiting_for_staff(self) -> list[tuple[Ticket, str]]:
        """Open tickets whose user waits for a staff answer, with since when (stored text): the
        first message the user sent after staff last wrote, or the opening when staff have not
        written yet. A ticket staff answered last is not waiting."""
        last_staff = (
            "(select max(u.created_at) from relays u"
            " where u.ticket_id = t.id and u.direction = 'to_user')"
        )
        rows = self.db.execute(
            f"select t.id, case when {last_staff} is null then t.created_at else"
            " (select min(r.created_at) from relays r where r.ticket_id = t.id"
            f" and r.direction = 'to_staff' and r.created_at >= {last_staff}) end"
            " from tickets t where t.status = 'open' order by t.id"
        ).fetchall()
        waiting = []
        for ticket_id, since in rows:
            ticket = self.ticket(int(ticket_id))
            if since is not None and ticket is not None:
                waiting.append((ticket, str(since)))
        return waiting

    def flag_waiting(self, ticket_id: int, since: str) -> bool:
        """Record that staff were told the ticket has waited since ``since``; False when they
        were told already (each wait is flagged once)."""
        with self.transaction():
            cursor = self.db.execute(
                "insert or ignore into ticket_flags (ticket_id, waiting_since, flagged_at)"
                " values (?, ?, ?)",
                [ticket_id, since, self._now()],
            )
        return cursor.rowcount == 1

    def first_staff_replies(
        self, opened_from: str = "", opened_before: str = "\uffff"
    ) -> dict[int, tuple[str, str | None]]:
        """For each ticket opened in [``opened_from``, ``opened_before``) (stored text): when it
        was opened and when the first staff answer reached the user (None: not yet). Staff
        answers are the only relays "to_user", recorded once Telegram delivered them."""
        rows = self.db.execute(
            "select t.id, t.created_at, (select min(r.created_at) from relays r"
            " where r.ticket_id = t.id and r.direction = 'to_user'"
            " and r.created_at >= t.created_at)"
            " from tickets t where t.created_at >= ? and t.created_at < ? order by t.id",
            [opened_from, opened_before],
        ).fetchall()
        return {int(ticket): (str(opened), reply) for ticket, opened, reply in rows}
