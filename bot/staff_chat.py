"""The staff chat as a place to post in: its language, its forum topics, and what to do when
staff delete a topic the bot still needs.

Tickets (``bot.tickets``) and missed questions (``bot.misses``) post here. A group that refuses
topics (not a forum, or the bot may not manage them) still works: posts go into the group, and
a ticket's messages thread as replies to its summary.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest

from bot.config import Settings
from bot.sender import send
from bot.storage import Storage
from flows.core import Reply
from knowledge.loader import KnowledgeBase
from knowledge.models import Lang

log = logging.getLogger(__name__)

MAX_TOPIC_NAME = 128  # Telegram's limit on a forum topic's name
TOPIC_GONE = ("thread not found", "topic_deleted")  # Telegram's words for a deleted topic

Place = tuple[int | None, int | None]  # where in the staff chat: (topic thread, reply to)


def topic_gone(exc: BadRequest) -> bool:
    return any(gone in str(exc).lower() for gone in TOPIC_GONE)


async def in_place(
    place: Place,
    action: Callable[[int | None, int | None], Awaitable[Any]],
    recreate: Callable[[], Awaitable[Place]],
) -> Any:
    """``action(thread, reply_to)`` at ``place``; when Telegram says its topic was deleted,
    ``recreate()`` gives the new place (a ticket's topic, the misses topic) and it runs once more."""
    try:
        return await action(*place)
    except BadRequest as exc:
        if not topic_gone(exc):
            raise
    return await action(*await recreate())


class StaffChat:
    """The staff chat's id, language and topics."""

    def __init__(self, settings: Settings, storage: Storage, kb: KnowledgeBase) -> None:
        self.settings = settings
        self.storage = storage
        self.kb = kb

    @property
    def chat_id(self) -> int | None:
        return self.settings.staff_chat_id

    @property
    def lang(self) -> Lang:
        return self.settings.staff_language

    def say(self, key: str, **values: Any) -> str:
        """A text in the staff's language."""
        return self.kb.say(key, self.lang, **values)

    def is_staff(self, chat_id: int | None, user_id: int | None) -> bool:
        staff_chat = self.chat_id
        return (staff_chat is not None and chat_id == staff_chat) or self.settings.is_staff_user(
            user_id
        )

    async def answer(self, bot: Bot, message: Message, text: str) -> None:
        """Answer a staff member where they asked: in the command's topic, as a reply to it."""
        thread = message.message_thread_id if message.is_topic_message else None
        await send(
            bot, message.chat_id, [Reply(text)], thread_id=thread, reply_to=message.message_id
        )

    async def new_topic(self, bot: Bot, name: str, what: str) -> int | None:
        """A new forum topic; None when the group refuses, and the caller posts in the group."""
        assert self.chat_id is not None
        try:
            topic = await bot.create_forum_topic(self.chat_id, name[:MAX_TOPIC_NAME])
        except BadRequest as exc:
            log.warning("no forum topic for %s (%s); posting in the group instead", what, exc)
            return None
        return topic.message_thread_id
