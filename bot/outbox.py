"""Sending what a turn committed: the replies wait in the outbox (``bot.storage.outbox``) until
Telegram accepts each one, so a kill between saving a turn and answering loses no answer.

A turn stages its replies in the transaction that saves the session and marks the update
handled (``Desk.converse``); then ``flush`` sends that chat's waiting messages in order, each
deleted once Telegram confirms it. What is still waiting at start (a kill, an outage longer than
``bot.delivery``'s retries) is sent then, and again at every scheduler tick. One
lock per chat keeps two flushes from sending the same row. A user who blocked the bot, or a
message Telegram refuses outright, leaves the outbox with a log line: it can never be sent.

A kill in the instant between Telegram's confirmation and the row's deletion sends that one
message again on the next start: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.render import outgoing
from bot.storage import OutboxRow, Storage, UserId
from flows.core import Reply

log = logging.getLogger(__name__)


class Outbox:
    """The replies committed and not yet sent, per chat, in order."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def stage(self, chat_id: int, user_id: UserId, replies: Sequence[Reply]) -> None:
        """Queue the replies as the messages that show them (call inside the turn's
        transaction, so they are stored exactly when the turn is)."""
        messages = [
            (part.html, json.dumps(part.keyboard.to_dict()) if part.keyboard else None)
            for reply in replies
            for part in outgoing(reply)
        ]
        self.storage.stage(chat_id, user_id, messages)

    async def flush(self, bot: Bot, chat_id: int) -> bool:
        """Send the chat's waiting messages in order; False when Telegram could not be reached
        (the rest stay for the next flush)."""
        async with self._locks[chat_id]:
            for row in self.storage.waiting(chat_id):
                if not await self._send(bot, row):
                    return False
        return True

    async def flush_all(self, bot: Bot) -> int:
        """Every chat's waiting messages (at start); how many chats still have some."""
        left = 0
        for chat_id in self.storage.waiting_chats():
            if not await self.flush(bot, chat_id):
                left += 1
        return left

    async def _send(self, bot: Bot, row: OutboxRow) -> bool:
        keyboard = (
            InlineKeyboardMarkup.de_json(json.loads(row.keyboard), bot) if row.keyboard else None
        )
        try:
            await bot.send_message(row.chat_id, row.html, parse_mode="HTML", reply_markup=keyboard)
        except Forbidden:
            log.info("outbox: the user blocked the bot; message %d dropped", row.id)
        except BadRequest as exc:
            log.error("outbox: Telegram refused message %d for good: %s", row.id, exc)
        except TelegramError as exc:
            log.warning("outbox: message %d not sent yet: %s", row.id, exc)
            return False
        self.storage.unstage(row.id)
        return True
