"""``/forget`` on Telegram: besides the rows, remove what the bot posted about the user in the
staff chat (their tickets' topics, summaries and copies of their messages, their missed
questions: edited out of a digest that shows other users' too), and tell staff which tickets
went."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.misses import Misses
from bot.sender import send
from bot.staff_chat import StaffChat, topic_gone
from flows.core import Reply

log = logging.getLogger(__name__)

MAX_DELETE = 100  # message ids per deleteMessages call


class Eraser:
    """Deletes a user's traces: rows, and posts in the staff chat."""

    def __init__(self, staff: StaffChat, misses: Misses) -> None:
        self.staff = staff
        self.storage = staff.storage
        self.misses = misses

    async def forget(self, bot: Bot, user_id: str) -> None:
        """Close an open ticket, delete the staff-chat posts, then the records.

        The posts go first: the rows are how they are found, so a kill half-way leaves the
        rows, and the /forget update, handled again at the next start (``bot.updates``),
        finds and finishes the rest. Deleting a message already gone is harmless."""
        ticket = self.storage.open_ticket_for(user_id)
        if ticket is not None:
            self.storage.close_ticket(ticket.id, "user")
        staff_chat = self.staff.chat_id
        if staff_chat is None:
            self.storage.forget(user_id)
            return
        traces = self.storage.staff_traces(user_id, staff_chat)
        digests = {  # messages that also show other users' questions: edited, not deleted
            message: others
            for message in traces.messages
            if (others := self.storage.misses_in_message(message, user_id))
        }
        alone = [message for message in traces.messages if message not in digests]
        left = await self._erase(bot, staff_chat, traces.topics, alone)
        for message, others in digests.items():
            try:
                await self.misses.edit_out(bot, message, others)
            except TelegramError as exc:
                log.warning("could not edit a forgotten question out of a digest: %s", exc)
                left += 1
        self.storage.forget(user_id)
        if traces.tickets:
            tickets = ", ".join(f"#{n}" for n in traces.tickets)
            key = "staff_user_forgot_partly" if left else "staff_user_forgot"
            try:
                await send(bot, staff_chat, [Reply(self.staff.say(key, tickets=tickets))])
            except TelegramError as exc:
                log.warning("could not tell the staff about a /forget: %s", exc)

    async def _erase(
        self, bot: Bot, staff_chat: int, topics: Sequence[int], messages: Sequence[int]
    ) -> int:
        """Delete topics, then messages; how many topics and batches Telegram refused (old
        messages need the bot to be an admin, topics need its "delete messages" right)."""
        refused = 0
        for thread in topics:
            try:
                await bot.delete_forum_topic(staff_chat, thread)
            except BadRequest as exc:
                if not topic_gone(exc):
                    log.warning("could not delete a ticket topic: %s", exc)
                    refused += 1
            except TelegramError as exc:
                log.warning("could not delete a ticket topic: %s", exc)
                refused += 1
        for start in range(0, len(messages), MAX_DELETE):
            try:
                await bot.delete_messages(staff_chat, messages[start : start + MAX_DELETE])
            except TelegramError as exc:
                log.warning("could not delete staff-chat messages: %s", exc)
                refused += 1
        return refused
