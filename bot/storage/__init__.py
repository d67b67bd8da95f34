"""The bot's own SQLite database: registrations, conversations, staff handoff, feedback.

Flows never touch it: the shell carries out their effects here and feeds the outcome back.
``Storage`` is one object over one connection, assembled from one part per aggregate:

==================  ===============================================================
``database``        opening the connection, its settings, ``transaction()``, the clock
``migrations``      the schema, as ordered migrations recorded in ``_migrations``
``sessions``        conversation state (``sessions``), once-a-day notices (``daily_notices``)
``registrations``   seminar registrations and seats, "tell me about the next one"
``tickets``         handoffs to staff (``tickets``)
``staff_chat``      relayed messages (``relays``), topics the bot keeps (``staff_places``)
``enquiries``       the /stats log (``enquiries``), ``misses``, ``suggestions``
``feedback``        👍/👎 under FAQ answers (``feedback``)
``stats``           the day's figures for /stats
``privacy``         the user's traces in the staff chat, ``forget``
``journal``         updates fetched and not yet handled (``update_journal``)
``outbox``          replies committed and not yet sent (``outbox``)
``schedule``        what is due when: announcements, reminders, reports, purges
``deliveries``      one message of a campaign to many users, per recipient (resumable)
==================  ===============================================================

Personal data (names, companies, e-mail addresses, phone numbers, user ids, question texts)
are never logged; ``forget`` deletes everything held about one user.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from bot.storage.database import Clock, UserId, configure, utc_now
from bot.storage.deliveries import Delivery, DeliveryRows
from bot.storage.enquiries import Enquiries, Miss, SuggestedPhrasing, SuggestOutcome
from bot.storage.feedback import FeedbackRows
from bot.storage.journal import UpdateJournal
from bot.storage.migrations import migrate
from bot.storage.outbox import OutboxRow, OutboxRows
from bot.storage.privacy import Privacy, StaffTraces
from bot.storage.registrations import RegisterOutcome, Registrations, RegistrationSummary
from bot.storage.schedule import Due, ScheduleRows
from bot.storage.sessions import Sessions
from bot.storage.staff_chat import DIRECTIONS, Direction, StaffChatRows
from bot.storage.stats import Stats, StatsQueries
from bot.storage.tickets import CLOSED_BY, Ticket, TicketRows
from flows.core import Retention

__all__ = [
    "CLOSED_BY",
    "DIRECTIONS",
    "Direction",
    "Delivery",
    "Due",
    "Miss",
    "OutboxRow",
    "RegisterOutcome",
    "RegistrationSummary",
    "Retention",
    "StaffTraces",
    "Stats",
    "Storage",
    "SuggestOutcome",
    "SuggestedPhrasing",
    "Ticket",
    "UserId",
]


class Storage(
    Sessions,
    Registrations,
    TicketRows,
    StaffChatRows,
    Enquiries,
    FeedbackRows,
    StatsQueries,
    Privacy,
    UpdateJournal,
    OutboxRows,
    ScheduleRows,
    DeliveryRows,
):
    """All the bot's persistent data, over one ``sqlite_utils.Database``.

    Opening a database applies the migrations it has not had yet, so a new deployment (or an
    upgraded one) needs no separate step. ``clock`` exists for tests (timestamps); it returns
    an aware datetime. Each write method commits on its own, unless it runs inside
    ``transaction()``, which commits all of them together.
    """

    def __init__(self, db: sqlite_utils.Database, clock: Clock = utc_now) -> None:
        super().__init__(db, clock)
        configure(db)
        migrate(db.conn, self._now)

    @classmethod
    def open(cls, path: str | Path, clock: Clock = utc_now) -> Storage:
        """Open (creating if needed) the database at ``path``; ``":memory:"`` for a throwaway one."""
        db = sqlite_utils.Database(str(path))
        try:
            return cls(db, clock)
        except BaseException:  # e.g. a migration failed: do not leave the file open
            db.close()
            raise

    def close(self) -> None:
        self.db.close()
