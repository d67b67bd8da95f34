"""Personal data: finding a user's traces in the staff chat, and ``forget``.

Personal data (names, companies, e-mail addresses, phone numbers, user ids, question texts)
are never logged; ``forget`` deletes everything held about one user, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from bot.storage.database import StorageBase, UserId, utc_text
from flows.core import Retention

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffTraces:
    """What the staff chat holds about one user, so ``/forget`` can remove it too: each
    ticket's topic, and its messages (case summaries, copies of the user's messages, the staff's
    answers to them, missed questions)."""

    tickets: tuple[int, ...]
    topics: tuple[int, ...]
    messages: tuple[int, ...]


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes the last day
    of a shorter month)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))


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
                "delete from outbox where user_id = ?",
                "delete from deliveries where user_id = ?",
                "delete from ticket_flags"
                " where ticket_id in (select id from tickets where user_id = ?)",
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

    def purge(self, retention: Retention) -> dict[str, int]:
        """Delete what has been kept longer than ``retention`` allows, in one transaction;
        how many rows went from each table (no personal data, so it may be logged). An open
        ticket is never purged, however old; suggestions staff reviewed stay, unlinked."""
        now = self.clock()
        records = [utc_text(months_before(now, retention.records_months))]
        talk = [utc_text(months_before(now, retention.conversations_months))]
        old_tickets = (
            "select id from tickets where status = 'closed' and coalesce(closed_at, created_at) < ?"
        )
        statements = (
            ("registrations", "delete from registrations where created_at < ?", records),
            ("subscriptions", "delete from subscriptions where created_at < ?", records),
            ("relays", f"delete from relays where ticket_id in ({old_tickets})", records),
            ("tickets", f"delete from tickets where id in ({old_tickets})", records),
            ("sessions", "delete from sessions where updated_at < ?", talk),
            (
                "suggestions",
                "delete from suggestions where status = 'pending'"
                " and miss_id in (select id from misses where created_at < ?)",
                talk,
            ),
            (
                "",
                "update suggestions set miss_id = null"
                " where miss_id in (select id from misses where created_at < ?)",
                talk,
            ),
            ("misses", "delete from misses where created_at < ?", talk),
            ("feedback", "delete from feedback where created_at < ?", talk),
            ("daily_notices", "delete from daily_notices where created_at < ?", talk),
            ("outbox", "delete from outbox where created_at < ?", talk),
            ("deliveries", "delete from deliveries where updated_at < ?", talk),
            (
                "ticket_flags",
                "delete from ticket_flags where ticket_id not in (select id from tickets)"
                " or flagged_at < ?",
                records,
            ),
        )
        removed: dict[str, int] = {}
        with self.transaction():
            for table, sql, values in statements:
                count = self.db.execute(sql, values).rowcount
                if table:
                    removed[table] = count
        return removed

    def export(self, user_id: UserId) -> dict[str, list[dict[str, object]]]:
        """Everything held about ``user_id``, table by table (/mydata): each row as stored,
        without the user id itself; the conversation state and a ticket's case decoded."""
        user = [str(user_id)]
        queries = {
            "registrations": "select event_id, name, company, email, phone, attendees, lang,"
            " created_at, cancelled_at, consent_version from registrations where user_id = ?"
            " order by created_at",
            "subscriptions": "select lang, created_at, blocked_at from subscriptions"
            " where user_id = ?",
            "sessions": "select data, updated_at from sessions where user_id = ?",
            "tickets": "select id, company, case_json, status, created_at, closed_at, rating"
            " from tickets where user_id = ? order by id",
            "misses": "select question, lang, created_at from misses where user_id = ? order by id",
            "feedback": "select faq_id, vote, created_at from feedback where user_id = ?"
            " order by created_at",
            "daily_notices": "select kind, day from daily_notices where user_id = ? order by day",
            "deliveries": "select campaign, status, updated_at from deliveries where user_id = ?"
            " order by updated_at",
        }
        held: dict[str, list[dict[str, object]]] = {}
        for table, sql in queries.items():
            cursor = self.db.execute(sql, user)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            for row in rows:
                for encoded in ("data", "case_json"):
                    if isinstance(row.get(encoded), str):
                        row[encoded.removesuffix("_json")] = json.loads(str(row.pop(encoded)))
            held[table] = rows
        return held
