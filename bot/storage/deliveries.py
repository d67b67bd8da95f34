"""Messages sent to many users at once (an announcement to subscribers, a reminder or a
postponement to an event's registrants): one row per recipient and campaign, so a campaign
stopped half-way resumes where it was and never sends one user the same message twice.

A row goes ``pending`` → ``sending`` (claimed just before the Bot API call) → ``sent``,
``blocked`` (the user blocked the bot) or ``failed``. A row a kill left ``sending`` may or may
not have reached its user; it is counted ``failed`` rather than sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.database import StorageBase, UserId


@dataclass(frozen=True)
class Delivery:
    campaign: str
    user_id: str
    chat_id: int
    lang: str


class DeliveryRows(StorageBase):
    def enlist(self, campaign: str, recipients: Sequence[tuple[UserId, int, str]]) -> int:
        """Add recipients (user id, chat id, language) not already in the campaign; how many."""
        added = 0
        with self.transaction():
            for user_id, chat_id, lang in recipients:
                cursor = self.db.execute(
                    "insert or ignore into deliveries"
                    " (campaign, user_id, chat_id, lang, status, updated_at)"
                    " values (?, ?, ?, ?, 'pending', ?)",
                    [campaign, str(user_id), chat_id, lang, self._now()],
                )
                added += cursor.rowcount
        return added

    def claim(self, campaign: str) -> Delivery | None:
        """The next pending recipient, marked ``sending`` in the same transaction (a second
        sender, e.g. ``cppbot announce`` while the bot runs, never gets the same one)."""
        with self.transaction():
            row = self.db.execute(
                "select user_id, chat_id, lang from deliveries"
                " where campaign = ? and status = 'pending' order by rowid limit 1",
                [campaign],
            ).fetchone()
            if row is None:
                return None
            self.db.execute(
                "update deliveries set status = 'sending', updated_at = ?"
                " where campaign = ? and user_id = ?",
                [self._now(), campaign, row[0]],
            )
        return Delivery(campaign, str(row[0]), int(row[1]), str(row[2]))

    def settle(self, delivery: Delivery, status: str, message_id: int | None = None) -> None:
        """What became of one message: sent, blocked or failed."""
        with self.transaction():
            self.db.execute(
                "update deliveries set status = ?, message_id = ?, updated_at = ?"
                " where campaign = ? and user_id = ?",
                [status, message_id, self._now(), delivery.campaign, delivery.user_id],
            )

    def abandon_in_flight(self, campaign: str) -> int:
        """Rows a kill left ``sending``: counted failed, never sent twice."""
        with self.transaction():
            cursor = self.db.execute(
                "update deliveries set status = 'failed', updated_at = ?"
                " where campaign = ? and status = 'sending'",
                [self._now(), campaign],
            )
        return cursor.rowcount

    def tally(self, campaign: str) -> dict[str, int]:
        """How many rows of the campaign are in each state."""
        rows = self.db.execute(
            "select status, count(*) from deliveries where campaign = ? group by status",
            [campaign],
        ).fetchall()
        counts = {status: 0 for status in ("pending", "sending", "sent", "blocked", "failed")}
        counts.update({str(status): int(n) for status, n in rows})
        return counts

    def campaigns_unfinished(self) -> list[str]:
        """Campaigns with recipients still pending (a stop half-way)."""
        rows = self.db.execute(
            "select distinct campaign from deliveries where status in ('pending', 'sending')"
        ).fetchall()
        return [str(row[0]) for row in rows]
