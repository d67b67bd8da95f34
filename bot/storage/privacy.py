"""Personal data: finding a user's traces in the staff chat, and ``forget``.

Personal data (names, companies, e-mail addresses, phone numbers, user ids, question texts)
are never logged; ``forget`` deletes everything held about one user, in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.storage.database import StorageBase, UserId

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffTraces:
    """What the staff chat holds about one user, so ``/forget`` can remove it too: each
    ticket's topic, and its messages (case summaries, copies of the user's messages, the staff's
    answers to them, missed questions)."""

    tickets: tuple[int, ...]
    topics: tuple[int, ...]
    messages: tuple[int, ...]


class Privacy(StorageBase):
    def staff_traces(self, user_id: UserId, staff_chat_id: int) -> StaffTraces:
        """Where the user's tickets and missed questions show in the staff chat."""
        user = str(user_id)
        tickets = self.db.execute(
            "select id, thread_id, summary_message_id from tickets where user_id = ? order by id",
            [user],
        ).fetchall()
        copies = self.db.execute(  # the user's messages copied in, the staff's answers
            "select to_message_id from relays where direction = 'to_staff' and to_chat_id = ?"
            " and ticket_id in (select id from tickets where user_id = ?)"
            " union select from_message_id from relays where direction = 'to_user'"
            " and from_chat_id = ? and ticket_id in (select id from tickets where user_id = ?)",
            [staff_chat_id, user, staff_chat_id, user],
        ).fetchall()
        misses = self.db.execute(
            "select staff_message_id from misses"
            " where user_id = ? and staff_message_id is not null",
            [user],
        ).fetchall()
        messages = {row[2] for row in tickets if row[2] is not None}
        messages |= {row[0] for row in copies} | {row[0] for row in misses}
        return StaffTraces(
            tickets=tuple(row[0] for row in tickets),
            topics=tuple(row[1] for row in tickets if row[1] is not None),
            messages=tuple(sorted(messages)),
        )

    def forget(self, user_id: UserId) -> int:
        """Delete everything held about ``user_id`` (the /forget command).

        Registrations, the subscription, the conversation state, daily notices, FAQ votes,
        tickets with their relay rows, missed questions and the *pending* suggestions made
        from them. Suggestions staff already accepted or rejected stay (only the question
        text, which staff reviewed), unlinked from the deleted miss. Enquiry counts hold
        nothing personal. Returns how many rows went, so the shell can say whether anything
        was held.
        """
        user = [str(user_id)]
        with self.transaction():
            removed = 0
            for sql in (
                "delete from registrations where user_id = ?",
                "delete from subscriptions where user_id = ?",
                "delete from sessions where user_id = ?",
                "delete from daily_notices where user_id = ?",
                "delete from feedback where user_id = ?",
                "delete from relays where ticket_id in (select id from tickets where user_id = ?)",
                "delete from tickets where user_id = ?",
                "delete from suggestions where status = 'pending'"
                " and miss_id in (select id from misses where user_id = ?)",
            ):
                removed += self.db.execute(sql, user).rowcount
            self.db.execute(
                "update suggestions set miss_id = null"
                " where miss_id in (select id from misses where user_id = ?)",
                user,
            )
            removed += self.db.execute("delete from misses where user_id = ?", user).rowcount
        log.info("forget: %d row(s) deleted", removed)
        return removed
