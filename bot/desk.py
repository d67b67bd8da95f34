"""The Telegram side of a conversation: what the handlers call for a user's message or press.

The turn itself is ``bot.runtime`` (the same for the console); this module adds what only
Telegram has: while a user has an open ticket, what they write goes to the staff instead
(``bot.tickets``); a handoff opens a ticket and ``/forget`` erases the staff-chat posts
(``TelegramPerformer``); new cases and misses are posted for staff off the user's path
(``bot.staff_queue``); 👍/👎 and ratings are
stored; the command menu follows the user's language. The session is saved *before* the replies
go out, so a crash or a restart never loses where the user was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from telegram import Bot, InputFile

from bot.campaigns import Campaigns
from bot.config import Settings
from bot.flood import FloodGate
from bot.forget import Eraser
from bot.menus import Menus
from bot.misses import Misses
from bot.outbox import Outbox
from bot.runtime import Runtime
from bot.saved_replies import SavedReplies
from bot.scheduler import Scheduler
from bot.sender import send
from bot.staff_chat import StaffChat
from bot.staff_commands import StaffCommands
from bot.staff_events import EventCommands
from bot.staff_queue import StaffQueue
from bot.storage import Storage
from bot.tickets import Tickets
from flows.buttons import ButtonData, EndTicket, Feedback, Rating, Unsubscribe
from flows.conversation import Message as FlowMessage
from flows.conversation import parse_command
from flows.core import Reply, Retention, Text
from flows.effects import Effect, Forget, OpenTicket, Outcome
from knowledge.answer import Assistant
from knowledge.loader import DATA_DIR, KnowledgeError, load_events
from knowledge.models import Lang

log = logging.getLogger(__name__)


def language_from_code(code: str | None) -> Lang:
    """Telegram's ``language_code`` → our language: Traditional Chinese (HK, TW, Macau) reads
    Cantonese, other Chinese Putonghua, anything else English."""
    code = (code or "").lower().replace("_", "-")
    if code.startswith("yue") or code in ("zh-hk", "zh-tw", "zh-mo", "zh-hant"):
        return "yue"
    return "zh" if code.startswith("zh") else "en"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TelegramPerformer:
    """The effects that need the staff chat; the rest as every shell does them."""

    def __init__(self, desk: Desk, bot: Bot, chat_id: int) -> None:
        self.desk, self.bot, self.chat_id = desk, bot, chat_id

    async def perform(self, effect: Effect, user_id: str) -> Outcome | None:
        if isinstance(effect, OpenTicket):
            return await self.desk.tickets.open(self.bot, self.chat_id, user_id, effect.case)
        if isinstance(effect, Forget):
            await self.desk.eraser.forget(self.bot, user_id)
            return None
        return await self.desk.runtime.performer.perform(effect, user_id)


class Desk:
    """One bot's conversations, tickets and staff tools over one database."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        assistant: Assistant,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.kb = assistant.kb
        self.clock = clock  # replaceable: the tickets and staff tools read it through now()
        self.runtime = Runtime(
            assistant,
            storage,
            None if settings.staff_chat_id is not None else "unavailable",
            retention=Retention(
                settings.retention_records_months, settings.retention_conversations_months
            ),
        )
        self.staff = StaffChat(settings, storage, self.kb)
        self.tickets = Tickets(self.staff, self.runtime.context, self.lang_of, self.now)
        self.misses = Misses(self.staff, self.now)
        self.eraser = Eraser(self.staff, self.misses)
        self.staff_queue = StaffQueue(self.tickets, self.misses)
        self.menus = Menus(settings, self.kb)
        self.staff_commands = StaffCommands(self.staff, self.tickets, self.now)
        self.saved_replies = SavedReplies(self.staff, self.tickets)
        self.flood = FloodGate()
        self.outbox = Outbox(storage)
        self.campaigns = Campaigns(storage, self.staff, self.runtime.context)
        self.scheduler = Scheduler(
            settings,
            storage,
            self.staff,
            self.campaigns,
            self.tickets,
            self.runtime.retention,
            self.now,
        )
        self.events = EventCommands(
            self.staff, self.campaigns, self.scheduler, self.now, self.refresh_events
        )
        self._events_path = (settings.knowledge_dir or DATA_DIR) / "events.yaml"
        self._events_stamp = self._stamp(self._events_path)

    def now(self) -> dt.datetime:
        return self.clock()

    def refresh_events(self) -> bool:
        """Read ``events.yaml`` again if staff edited it since (an event added to the
        ``KNOWLEDGE_DIR`` copy), so /announce, /seminars and the reminders see it without a
        restart; whether it changed. A file that does not validate is logged (``cppbot kb
        check`` says why) and the events in use stay."""
        try:
            stamp = self._events_path.stat().st_mtime_ns
        except OSError:
            return False
        if stamp == self._events_stamp:
            return False
        self._events_stamp = stamp
        try:
            events = load_events(self._events_path.parent)
        except KnowledgeError as exc:
            log.error("events.yaml was edited but is invalid; the events in use stay: %s", exc)
            return False
        assistant = self.runtime.assistant
        assistant.kb = dataclasses.replace(assistant.kb, events=events)
        log.info("events.yaml read again: %d event(s)", len(events))
        return True

    @staticmethod
    def _stamp(path: Path) -> int | None:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    def lang_of(self, user_id: str, language_code: str | None = None) -> Lang:
        """The user's language: their session's, else their Telegram app's."""
        return self.runtime.session(user_id, language_from_code(language_code)).lang

    async def converse(
        self,
        bot: Bot,
        chat_id: int,
        user_id: int,
        language_code: str | None,
        message: FlowMessage,
        message_id: int = 0,
        update_id: int | None = None,
    ) -> None:
        """One message from a user in their private chat: step the conversation and answer.
        While the user has an open ticket, what they write goes to the staff instead.

        The replies are staged in the outbox, and the update marked handled in the journal,
        in the transaction that saves the turn: a kill after it loses no answer (the outbox
        sends it at start) and does not handle the update twice."""
        uid = str(user_id)
        if not await self._admitted(bot, chat_id, uid, language_code):
            return
        ticket = self.storage.open_ticket_for(uid)
        if ticket is not None and isinstance(message, Text):
            command = parse_command(message.text)
            if command is None:
                await self.tickets.relay_to_staff(bot, ticket, chat_id, message_id)
                return
            if command.name == "staff":
                text = self.kb.say("handoff_already_open", self.lang_of(uid), ticket=ticket.id)
                await send(bot, chat_id, [Reply(text)])
                return
        lang = language_from_code(language_code)
        performer = TelegramPerformer(self, bot, chat_id)

        def commit(replies: tuple[Reply, ...]) -> None:
            self.outbox.stage(chat_id, uid, replies)
            if update_id is not None:
                self.storage.finish_update(update_id)

        done = await self.runtime.turn(uid, message, lang, performer, commit)
        await self.outbox.flush(bot, chat_id)
        self.staff_queue.wake()  # a new case or miss: posted off this user's path
        for document in done.documents:
            await bot.send_document(
                chat_id, InputFile(document.content, filename=document.filename)
            )
        if done.language_changed:
            await self.menus.set(bot, done.session.lang, chat_id)

    async def _admitted(
        self, bot: Bot, chat_id: int, user_id: str, language_code: str | None
    ) -> bool:
        """Whether this message is within the user's rate (``bot.flood``); past it, they are
        told once, in their language, and the message is not handled nor relayed."""
        admission = self.flood.admit(user_id)
        if admission == "notice":
            lang = self.lang_of(user_id, language_code)
            await send(bot, chat_id, [Reply(self.kb.say("flood_slow_down", lang))])
        return admission == "ok"

    async def not_text(
        self, bot: Bot, chat_id: int, user_id: int, message_id: int, language_code: str | None
    ) -> None:
        """A voice message, photo, sticker...: to the staff while a ticket is open, else a polite
        word on what the bot can read."""
        if not await self._admitted(bot, chat_id, str(user_id), language_code):
            return
        ticket = self.storage.open_ticket_for(str(user_id))
        if ticket is not None:
            await self.tickets.relay_to_staff(bot, ticket, chat_id, message_id)
            return
        lang = self.lang_of(str(user_id), language_code)
        await send(bot, chat_id, [Reply(self.kb.say("non_text", lang))])

    async def button(
        self, bot: Bot, chat_id: int, user_id: int, language_code: str | None, data: ButtonData
    ) -> str | None:
        """A button pressed in a private chat. Returns a short notice for the button's toast when
        the press was handled here (feedback, rating, end of ticket); None sends it on to the
        conversation."""
        uid = str(user_id)
        if isinstance(data, Feedback):
            return self._feedback(uid, data, self.lang_of(uid, language_code))
        if isinstance(data, Rating):
            return await self._rate(bot, chat_id, uid, data, self.lang_of(uid, language_code))
        if isinstance(data, Unsubscribe):
            lang = self.lang_of(uid, language_code)
            if not self.storage.unsubscribe(uid):
                return self.kb.say("notice_not_subscribed", lang)
            await send(bot, chat_id, [Reply(self.kb.say("notice_unsubscribed", lang))])
            return ""
        if isinstance(data, EndTicket):
            ticket = self.storage.open_ticket_for(uid)
            if ticket is None or data.ticket != ticket.id:
                return self.kb.say("button_expired", self.lang_of(uid, language_code))
            await self.tickets.close(bot, ticket, "user")
            return ""
        return None

    def _feedback(self, user_id: str, data: Feedback, lang: Lang) -> str:
        if data.faq_id not in {entry.id for entry in self.kb.faq}:
            return self.kb.say("button_expired", lang)
        self.storage.record_feedback(user_id, data.faq_id, 1 if data.vote == "up" else -1, lang)
        return self.kb.say(f"feedback_thanks_{data.vote}", lang)

    async def _rate(self, bot: Bot, chat_id: int, user_id: str, data: Rating, lang: Lang) -> str:
        if not self.storage.rate_ticket(data.ticket, user_id, data.stars):
            return self.kb.say("button_expired", lang)
        await send(bot, chat_id, [Reply(self.kb.say("rating_thanks", lang, rating=data.stars))])
        ticket = self.storage.ticket(data.ticket)
        if ticket is not None:
            text = self.staff.say("staff_rating", ticket=ticket.id, rating=data.stars)
            await self.tickets.note(bot, ticket, text)
        return ""


__all__ = ["Desk", "TelegramPerformer", "language_from_code"]
