"""Sending the bot's replies on Telegram: every message the bot writes goes out through here."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, Message

from bot.render import outgoing
from flows.core import Reply


async def send(
    bot: Bot,
    chat_id: int,
    replies: Sequence[Reply],
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> list[Message]:
    """Send replies as HTML messages (split when long); returns what was sent."""
    sent = []
    for reply in replies:
        for part in outgoing(reply):
            sent.append(
                await bot.send_message(
                    chat_id,
                    part.html,
                    parse_mode="HTML",
                    reply_markup=part.keyboard,
                    message_thread_id=thread_id,
                    reply_to_message_id=reply_to,
                    allow_sending_without_reply=True,
                )
            )
    return sent
