"""The command menus Telegram shows: the user's commands in their language, staff commands in
the staff chat."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.config import Settings
from knowledge.loader import KnowledgeBase
from knowledge.models import Lang

log = logging.getLogger(__name__)

USER_COMMANDS = (
    "start", "help", "eligibility", "estimate", "recognition", "seminars", "mine", "staff",
    "language", "privacy", "mydata", "forget", "cancel",
)  # fmt: skip
STAFF_COMMANDS = ("tickets", "stats", "close", "reply", "announce", "event_status", "report")


class Menus:
    """Sets the command menus."""

    def __init__(self, settings: Settings, kb: KnowledgeBase) -> None:
        self.settings = settings
        self.kb = kb

    def commands(self, lang: Lang, staff: bool = False) -> list[BotCommand]:
        names = STAFF_COMMANDS if staff else USER_COMMANDS
        return [BotCommand(name, self.kb.say(f"cmd_{name}", lang)) for name in names]

    async def set(self, bot: Bot, lang: Lang, chat_id: int | None = None) -> None:
        """The command menu: per chat after a language change, else the defaults."""
        try:
            if chat_id is not None:
                await bot.set_my_commands(self.commands(lang), scope=BotCommandScopeChat(chat_id))
            else:
                await self._defaults(bot)
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)

    async def _defaults(self, bot: Bot) -> None:
        """English for everyone, Putonghua for Chinese apps, staff commands in the staff chat."""
        await bot.set_my_commands(self.commands("en"))
        await bot.set_my_commands(self.commands("zh"), language_code="zh")
        staff_chat = self.settings.staff_chat_id
        if staff_chat is not None:
            staff = self.commands(self.settings.staff_language, staff=True)
            await bot.set_my_commands(staff, scope=BotCommandScopeChat(staff_chat))
