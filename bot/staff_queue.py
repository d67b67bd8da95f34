"""What waits for the staff chat, posted off the users' path.

Why: the staff group takes about 20 messages a minute. Posted from the user's own update, a
case or a missed question kept that user's next message waiting behind the group's limit (the
chat's updates are handled in order). So the desk only wakes this queue; a background task
posts the cases of new tickets (``Tickets.post_unposted``) and the missed questions
(``Misses.post_waiting``, in digests when several wait). Everything it posts is found in the
database (rows not yet linked to a staff-chat message), so a kill or an outage loses nothing:
it is posted on the next round: at start, when woken, or at the scheduler's next tick.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot

from bot.misses import Misses
from bot.tickets import Tickets

log = logging.getLogger(__name__)


class StaffQueue:
    """Posts cases and missed questions in the staff chat, one round at a time."""

    def __init__(self, tickets: Tickets, misses: Misses) -> None:
        self.tickets = tickets
        self.misses = misses
        self._wake = asyncio.Event()
        self._round = asyncio.Lock()

    def wake(self) -> None:
        """Something new waits: post it soon (the caller does not wait for Telegram)."""
        self._wake.set()

    async def drain(self, bot: Bot) -> None:
        """One round: every unposted case first (staff answer those), then the misses. Never
        raises: what failed is tried again on the next round, and users are never affected."""
        async with self._round:
            try:
                await self.tickets.post_unposted(bot)
                await self.misses.post_waiting(bot)
            except Exception:
                log.exception("a round of staff-chat posts failed")

    async def run(self, bot: Bot) -> None:
        """For the bot's lifetime: a round whenever woken (by a turn, or by the scheduler's
        tick, so what failed is tried again)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self.drain(bot)
