"""Updates from different chats handled at the same time, each chat's in the order sent.

Why: python-telegram-bot handles one update at a time by default, so every user waited behind
the slowest call of anyone before them: above all the staff group's limit of about 20 messages
a minute, which a burst of unanswered questions (each posted to the staff chat) reaches at once.
``PerChatProcessor`` lets updates run concurrently, but takes a lock per chat first: a user's
messages are still answered in order (the conversation state is one row per user), and a wait
on the staff group delays only that chat. Locks are dropped when no update of the chat is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 256  # updates in hand at once, waiting for their chat's turn included


class PerChatProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential (first come, first served) within a chat."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = _chat_id(update)
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:  # asyncio.Lock wakes its waiters in the order they came
                await coroutine
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat]
                self._locks.pop(chat, None)

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close: updates in hand finish on their own."""


def _chat_id(update: object) -> int | None:
    """The chat an update belongs to (None, one shared lane, for those without one)."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None
