"""The help desk behind the Telegram handlers: conversations, tickets, relays, staff tools.

Handlers unpack an update and call one method here; this class keeps the rules in one place:

* a user's conversation (``flows.conversation``) is loaded from SQLite, stepped, saved *before*
  the replies go out, so a crash or a restart never loses where the user was;
* effects are carried out (``bot.effects``), a handoff opens a ticket: a forum topic in the staff
  chat named "#12 · Company", with the case summary; without topics (the group is not a forum,
  or the bot may not create them) the summary is posted in the group and the ticket's messages
  are threaded as replies to it; a deleted topic is recreated when the next message needs it;
* while a ticket is open, what the user sends is copied into its topic, and what staff write
  there is copied back (``copyMessage``: no staff names, no "forwarded from");
* outside office hours the user is told when staff will reply, at most once a day;
* enquiries are counted for ``/stats``; a question the bot could not answer is posted in the
  staff chat's "unanswered questions" topic with buttons that store it as an alternate FAQ
  phrasing for review;
* ``/forget`` also removes what the bot posted about the user in the staff chat.

Nothing here logs message text or personal data: only ticket numbers and outcomes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import Settings
from bot.effects import execute
from bot.render import outgoing
from bot.storage import Storage, Ticket
from flows import handoff
from flows.conversation import Message as FlowMessage
from flows.conversation import Session, Turn, handle, parse_command
from flows.core import Button, Context, Effect, Outcome, Reply, Text
from knowledge.answer import Answer, Assistant, today_hk
from knowledge.models import Lang

log = logging.getLogger(__name__)

USER_COMMANDS = (
    "start", "help", "eligibility", "estimate", "recognition", "seminars", "mine", "staff",
    "language", "privacy", "forget", "cancel",
)  # fmt: skip
STAFF_COMMANDS = ("tickets", "stats", "close")
MAX_TOPIC_NAME = 128  # Telegram's limit on a forum topic's name
TOPIC_GONE = ("thread not found", "topic_deleted")  # Telegram's words for a deleted topic
MISSES_PLACE = "misses"  # the staff chat's topic for questions the bot could not answer
MAX_DELETE = 100  # message ids per deleteMessages call


Place = tuple[int | None, int | None]  # where in the staff chat: (topic thread, reply to)


def _topic_gone(exc: BadRequest) -> bool:
    return any(gone in str(exc).lower() for gone in TOPIC_GONE)


async def _in_place(
    place: Place,
    action: Callable[[int | None, int | None], Awaitable[Any]],
    recreate: Callable[[], Awaitable[Place]],
) -> Any:
    """``action(thread, reply_to)`` at ``place``; when Telegram says its topic was deleted,
    ``recreate()`` gives the new place (a ticket's topic, the misses topic) and it runs once more."""
    try:
        return await action(*place)
    except BadRequest as exc:
        if not _topic_gone(exc):
            raise
    return await action(*await recreate())


def language_from_code(code: str | None) -> Lang:
    """Telegram's ``language_code`` → our language: Traditional Chinese (HK, TW, Macau) reads
    Cantonese, other Chinese Putonghua, anything else English."""
    code = (code or "").lower().replace("_", "-")
    if code.startswith("yue") or code in ("zh-hk", "zh-tw", "zh-mo", "zh-hant"):
        return "yue"
    return "zh" if code.startswith("zh") else "en"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Desk:
    """One bot's conversations and tickets over one database."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        assistant: Assistant,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.assistant = assistant
        self.clock = clock
        self._topicless = False  # the staff chat refused a topic: post misses in the group

    # ------------------------------------------------------------------------------ helpers

    @property
    def staff_lang(self) -> Lang:
        return self.settings.staff_language

    def context(self) -> Context:
        no_staff = None if self.settings.staff_chat_id is not None else "unavailable"
        return Context(self.assistant.kb, today_hk(), no_staff=no_staff)

    def say(self, key: str, lang: Lang, **values: Any) -> str:
        return self.assistant.kb.say(key, lang, **values)

    def session(self, user_id: int, language_code: str | None = None) -> Session:
        """The user's stored conversation, or a new one in the language of their Telegram app."""
        stored = self.storage.load_session(user_id)
        if stored is not None:
            return Session.from_json(stored)
        return Session(lang=language_from_code(language_code))

    def is_staff(self, chat_id: int | None, user_id: int | None) -> bool:
        staff_chat = self.settings.staff_chat_id
        return (staff_chat is not None and chat_id == staff_chat) or self.settings.is_staff_user(
            user_id
        )

    async def send(
        self,
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

    # -------------------------------------------------------------------------- the enquirer

    async def converse(
        self,
        bot: Bot,
        chat_id: int,
        user_id: int,
        language_code: str | None,
        message: FlowMessage,
        message_id: int = 0,
    ) -> None:
        """One message from a user in their private chat: step the conversation and answer.
        While the user has an open ticket, what they write goes to the staff instead."""
        session = self.session(user_id, language_code)
        ticket = self.storage.open_ticket_for(user_id)
        if ticket is not None and isinstance(message, Text):
            command = parse_command(message.text)
            if command is None:
                await self.relay_to_staff(bot, ticket, chat_id, message_id)
                return
            if command.name == "staff":
                reply = Reply(self.say("handoff_already_open", session.lang, ticket=ticket.id))
                await self.send(bot, chat_id, [reply])
                return
        turn = handle(session, message, self.context(), self.assistant)
        await self.apply(bot, chat_id, user_id, session, turn)

    async def apply(
        self, bot: Bot, chat_id: int, user_id: int, before: Session, turn: Turn
    ) -> None:
        """Carry out a turn: record the enquiry, do the effects, save, then reply."""
        replies = list(turn.replies)
        session = turn.session
        forgotten = False
        if turn.answer is not None:
            await self._count(bot, user_id, turn.answer, session.last_question)
        for effect in turn.effects:
            outcome = await self._effect(bot, chat_id, user_id, session, effect)
            forgotten = forgotten or effect.kind == "forget"
            if outcome is not None:
                follow = handle(session, outcome, self.context(), self.assistant)
                session = follow.session
                replies.extend(follow.replies)
        if session.flow is not None and session.flow.done:
            session = replace(session, flow=None)
        if not forgotten:
            self.storage.save_session(user_id, session.to_json())
        await self.send(bot, chat_id, replies)
        if session.lang != before.lang:
            await self.set_commands(bot, session.lang, chat_id)

    async def _effect(
        self, bot: Bot, chat_id: int, user_id: int, session: Session, effect: Effect
    ) -> Outcome | None:
        if effect.kind == "handoff":
            return await self.open_ticket(bot, chat_id, user_id, session.lang, effect.data)
        if effect.kind == "forget":
            return await self._forget(bot, user_id, effect)
        return execute(effect, self.storage, str(user_id), self.context())

    async def _forget(self, bot: Bot, user_id: int, effect: Effect) -> Outcome | None:
        """``/forget``: close an open ticket, delete the records, and remove what the bot posted
        about the user in the staff chat (their tickets' topics, summaries and copies of their
        messages, their missed questions), telling the staff which tickets went."""
        staff_chat = self.settings.staff_chat_id
        ticket = self.storage.open_ticket_for(user_id)
        if ticket is not None:
            self.storage.close_ticket(ticket.id, "user")
        if staff_chat is None:
            return execute(effect, self.storage, str(user_id), self.context())
        traces = self.storage.staff_traces(user_id, staff_chat)  # before the rows go
        outcome = execute(effect, self.storage, str(user_id), self.context())
        left = await self._erase(bot, staff_chat, traces.topics, traces.messages)
        if traces.tickets:
            tickets = ", ".join(f"#{n}" for n in traces.tickets)
            key = "staff_user_forgot_partly" if left else "staff_user_forgot"
            try:
                await self.send(
                    bot, staff_chat, [Reply(self.say(key, self.staff_lang, tickets=tickets))]
                )
            except TelegramError as exc:
                log.warning("could not tell the staff about a /forget: %s", exc)
        return outcome

    async def _erase(
        self, bot: Bot, staff_chat: int, topics: Sequence[int], messages: Sequence[int]
    ) -> int:
        """Delete topics, then messages, from the staff chat; how many topics and batches of
        messages Telegram refused (old messages need the bot to be an admin, topics need its
        "delete messages" right)."""
        refused = 0
        for thread in topics:
            try:
                await bot.delete_forum_topic(staff_chat, thread)
            except BadRequest as exc:
                if not _topic_gone(exc):
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

    async def _count(self, bot: Bot, user_id: int, answer: Answer, question: str) -> None:
        """Count the enquiry; a real miss (not small talk) goes to the staff to teach the FAQ."""
        self.storage.log_enquiry(answer.lang, answer.matched, answer.faq_id, answer.score)
        if answer.matched or answer.intent is not None or not question:
            return
        candidates = [s.faq_id for s in answer.suggestions]
        miss_id = self.storage.record_miss(user_id, question, answer.lang, answer.score, candidates)
        if self.settings.staff_chat_id is None:
            return
        lang = self.staff_lang
        text = self.say(
            "staff_miss",
            lang,
            language=self.say(f"language_name_{answer.lang}", lang),
            score=f"{answer.score:.2f}",
            question=question,
        )
        buttons: tuple[tuple[Button, ...], ...] = ()
        if candidates:
            text += "\n\n" + self.say("staff_miss_teach", lang)
            buttons = tuple(
                (
                    Button(
                        self.say("button_teach", lang, question=self._faq_title(c, lang)),
                        f"teach:{miss_id}:{i}",
                    ),
                )
                for i, c in enumerate(candidates)
            )
        try:
            posted = await self._post_miss(bot, self.settings.staff_chat_id, Reply(text, buttons))
        except TelegramError as exc:
            log.warning("could not post a missed question to the staff chat: %s", exc)
            return
        self.storage.set_miss_message(miss_id, posted.message_id)

    async def _misses_thread(self, bot: Bot, staff_chat: int) -> int | None:
        """The staff chat's "unanswered questions" topic, created on first use, so that misses
        do not bury the staff's own conversation; None in a group without topics."""
        thread = self.storage.staff_place(MISSES_PLACE, staff_chat)
        if thread is not None or self._topicless:
            return thread
        name = self.say("staff_misses_topic", self.staff_lang)
        thread = await self._new_topic(bot, name, "missed questions")
        if thread is None:
            self._topicless = True
            return None
        self.storage.set_staff_place(MISSES_PLACE, staff_chat, thread)
        return thread

    async def _post_miss(self, bot: Bot, staff_chat: int, reply: Reply) -> Message:
        """Post a missed question in its topic; recreate the topic if staff deleted it."""

        async def post(thread: int | None, reply_to: int | None) -> Message:
            return (await self.send(bot, staff_chat, [reply], thread_id=thread))[0]

        async def recreate() -> Place:
            log.warning("the topic for missed questions is gone; recreating it")
            self.storage.set_staff_place(MISSES_PLACE, staff_chat, None)
            return await self._misses_thread(bot, staff_chat), None

        place = (await self._misses_thread(bot, staff_chat), None)
        message: Message = await _in_place(place, post, recreate)
        return message

    def _faq_title(self, faq_id: str, lang: Lang) -> str:
        return self.assistant.kb.entry(faq_id).questions.get(lang)[0]

    async def not_text(
        self, bot: Bot, chat_id: int, user_id: int, message_id: int, language_code: str | None
    ) -> None:
        """A voice message, photo, sticker...: to the staff while a ticket is open, else a polite
        word on what the bot can read."""
        ticket = self.storage.open_ticket_for(user_id)
        if ticket is not None:
            await self.relay_to_staff(bot, ticket, chat_id, message_id)
            return
        lang = self.session(user_id, language_code).lang
        await self.send(bot, chat_id, [Reply(self.say("non_text", lang))])

    # ------------------------------------------------------------------------------ tickets

    def _office(self) -> dict[str, Any]:
        office = self.settings.office
        return {
            "days": sorted(office.days),
            "opens": f"{office.opens:%H:%M}",
            "closes": "24:00" if office.closes == dt.time.max else f"{office.closes:%H:%M}",
        }

    def _office_notice(self, user_id: int) -> str | None:
        """When staff will reply, if the office is closed and the user was not told today."""
        now = self.clock()
        office = self.settings.office
        if office.is_open(now):
            return None
        local_day = now.astimezone(office.tz).date()
        if not self.storage.claim_daily_notice(user_id, "office_hours", local_day):
            return None
        return office.next_opening(now).isoformat()

    async def open_ticket(
        self, bot: Bot, chat_id: int, user_id: int, lang: Lang, case: dict[str, Any]
    ) -> Outcome:
        """Open a ticket for the case and post it to the staff; the Outcome the flow expects."""
        if self.settings.staff_chat_id is None:
            return Outcome("unavailable")
        existing = self.storage.open_ticket_for(user_id)
        if existing is not None:
            return Outcome("already_open", {"ticket": existing.id})
        ticket = self.storage.open_ticket(
            user_id, chat_id, lang, str(case.get("company", "")), case
        )
        try:
            await self._post_case(bot, ticket)
        except TelegramError as exc:
            log.error("ticket #%d: could not post to the staff chat: %s", ticket.id, exc)
            self.storage.close_ticket(ticket.id, "system")
            return Outcome("unavailable")
        log.info("ticket #%d opened", ticket.id)
        data: dict[str, Any] = {"ticket": ticket.id, "office_opens": self._office_notice(user_id)}
        data["office"] = self._office()
        return Outcome("opened", data)

    async def _new_topic(self, bot: Bot, name: str, what: str) -> int | None:
        """A new forum topic in the staff chat; None when the group refuses (not a forum, or
        the bot may not manage topics), and the caller posts in the group instead."""
        staff_chat = self.settings.staff_chat_id
        assert staff_chat is not None
        try:
            topic = await bot.create_forum_topic(staff_chat, name[:MAX_TOPIC_NAME])
        except BadRequest as exc:
            log.warning("no forum topic for %s (%s); posting in the group instead", what, exc)
            return None
        return topic.message_thread_id

    async def _post_case(self, bot: Bot, ticket: Ticket, recreated: bool = False) -> Ticket:
        """Create the ticket's topic (if the group allows) and post the case summary there."""
        staff_chat = self.settings.staff_chat_id
        assert staff_chat is not None
        lang = self.staff_lang
        company = ticket.company or self.say("staff_no_company", lang)
        thread = await self._new_topic(bot, f"#{ticket.id} · {company}", f"ticket #{ticket.id}")
        parts = [self.say("staff_case_header", lang, ticket=ticket.id)]
        if recreated:
            parts.append(self.say("staff_case_recreated", lang))
        parts.append(handoff.summary(ticket.case, self.context(), lang))
        footer = "staff_case_footer_topic" if thread is not None else "staff_case_footer_reply"
        parts.append(self.say(footer, lang))
        sent = await self.send(bot, staff_chat, [Reply("\n\n".join(parts))], thread_id=thread)
        self.storage.set_ticket_thread(ticket.id, thread, sent[0].message_id)
        updated = self.storage.ticket(ticket.id)
        assert updated is not None
        return updated

    async def _into_ticket(
        self,
        bot: Bot,
        ticket: Ticket,
        action: Callable[[int | None, int | None], Awaitable[Any]],
    ) -> Any:
        """Run ``action(thread_id, reply_to)`` in the ticket's place in the staff chat (its
        topic, or replies to its summary); a deleted topic is recreated with the summary."""

        def place(where: Ticket) -> Place:
            return where.thread_id, None if where.thread_id else where.summary_message_id

        async def recreate() -> Place:
            log.warning("ticket #%d: its topic is gone; recreating it", ticket.id)
            return place(await self._post_case(bot, ticket, recreated=True))

        return await _in_place(place(ticket), action, recreate)

    async def _to_staff(self, bot: Bot, ticket: Ticket, text: str) -> None:
        """A note from the bot in the ticket's place in the staff chat (never fails the caller)."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return

        async def post(thread: int | None, reply_to: int | None) -> None:
            await self.send(bot, staff_chat, [Reply(text)], thread_id=thread, reply_to=reply_to)

        try:
            await self._into_ticket(bot, ticket, post)
        except TelegramError as exc:
            log.warning("ticket #%d: could not post a note for staff: %s", ticket.id, exc)

    async def relay_to_staff(self, bot: Bot, ticket: Ticket, chat_id: int, message_id: int) -> None:
        """Copy the user's message into the ticket; tell them when staff will reply if closed."""
        staff_chat = self.settings.staff_chat_id
        assert staff_chat is not None  # a ticket exists only with a staff chat
        lang = self.session(int(ticket.user_id)).lang

        async def copy(thread: int | None, reply_to: int | None) -> int:
            copied = await bot.copy_message(
                staff_chat,
                chat_id,
                message_id,
                message_thread_id=thread,
                reply_to_message_id=reply_to,
                allow_sending_without_reply=True,
            )
            return copied.message_id

        try:
            copied_id = await self._into_ticket(bot, ticket, copy)
        except TelegramError as exc:
            log.warning("ticket #%d: could not relay to staff: %s", ticket.id, exc)
            await self.send(bot, chat_id, [Reply(self.say("relay_failed", lang))])
            return
        self.storage.record_relay(ticket.id, "to_staff", chat_id, message_id, staff_chat, copied_id)
        office = {
            "office_opens": self._office_notice(int(ticket.user_id)),
            "office": self._office(),
        }
        notice = handoff.after_hours(office, self.context(), lang)
        if notice:
            await self.send(bot, chat_id, [Reply(notice)])

    def ticket_of_staff_message(self, message: Message) -> Ticket | None:
        """The ticket a message in the staff chat belongs to: its forum topic, or (in a group
        without topics) the bot message it replies to."""
        if message.is_topic_message and message.message_thread_id is not None:
            return self.storage.ticket_for_thread(message.message_thread_id)
        replied = message.reply_to_message
        if replied is not None:
            return self.storage.ticket_for_staff_message(replied.message_id)
        return None

    async def relay_to_user(self, bot: Bot, message: Message) -> None:
        """A staff message in a ticket goes to its user as the bot's own (no staff name)."""
        ticket = self.ticket_of_staff_message(message)
        if ticket is None:
            return
        lang = self.staff_lang
        thread = message.message_thread_id if message.is_topic_message else None
        if ticket.status != "open":
            await self.send(
                bot,
                message.chat_id,
                [Reply(self.say("staff_already_closed", lang, ticket=ticket.id))],
                thread_id=thread,
                reply_to=message.message_id,
            )
            return
        try:
            copied = await bot.copy_message(ticket.chat_id, message.chat_id, message.message_id)
        except Forbidden:
            await self._user_blocked(bot, ticket)
            return
        except TelegramError as exc:
            log.warning("ticket #%d: could not relay to the user: %s", ticket.id, exc)
            await self._to_staff(
                bot, ticket, self.say("staff_delivery_failed", lang, ticket=ticket.id)
            )
            return
        self.storage.record_relay(
            ticket.id,
            "to_user",
            message.chat_id,
            message.message_id,
            ticket.chat_id,
            copied.message_id,
        )
        if ticket.user_blocked:
            self.storage.mark_user_blocked(ticket.id, False)

    async def _user_blocked(self, bot: Bot, ticket: Ticket) -> None:
        """Tell the staff, once, that nothing they write reaches this user any more."""
        log.info("ticket #%d: the user has blocked the bot", ticket.id)
        if not ticket.user_blocked:
            self.storage.mark_user_blocked(ticket.id)
            await self._to_staff(
                bot, ticket, self.say("staff_blocked", self.staff_lang, ticket=ticket.id)
            )

    async def close(self, bot: Bot, ticket: Ticket, by: str) -> None:
        """Close a ticket (by staff or by its user): close the topic, ask the user for a rating."""
        if not self.storage.close_ticket(ticket.id, by):
            return
        log.info("ticket #%d closed by %s", ticket.id, by)
        staff_text = "staff_closed" if by == "staff" else "staff_closed_by_user"
        await self._to_staff(bot, ticket, self.say(staff_text, self.staff_lang, ticket=ticket.id))
        if ticket.thread_id is not None and self.settings.staff_chat_id is not None:
            try:
                await bot.close_forum_topic(self.settings.staff_chat_id, ticket.thread_id)
            except TelegramError as exc:
                log.info("ticket #%d: topic not closed: %s", ticket.id, exc)
        lang = self.session(int(ticket.user_id)).lang
        key = "ticket_closed_by_staff" if by == "staff" else "ticket_closed_by_user"
        stars = tuple(Button(str(n), f"rate:{ticket.id}:{n}") for n in range(1, 6))
        try:
            await self.send(
                bot, ticket.chat_id, [Reply(self.say(key, lang, ticket=ticket.id), (stars,))]
            )
        except Forbidden:
            await self._user_blocked(bot, ticket)

    async def close_command(self, bot: Bot, message: Message, argument: str) -> None:
        """``/close`` in the staff chat: in a ticket's topic, as a reply to it, or ``/close 12``."""
        ticket = self.ticket_of_staff_message(message)
        if ticket is None and argument.strip().lstrip("#").isdigit():
            ticket = self.storage.ticket(int(argument.strip().lstrip("#")))
        thread = message.message_thread_id if message.is_topic_message else None
        lang = self.staff_lang
        if ticket is None:
            text = self.say("staff_not_a_ticket", lang)
        elif ticket.status != "open":
            text = self.say("staff_already_closed", lang, ticket=ticket.id)
        else:
            await self.close(bot, ticket, "staff")
            return
        await self.send(
            bot, message.chat_id, [Reply(text)], thread_id=thread, reply_to=message.message_id
        )

    # ------------------------------------------------------------------------------ buttons

    async def user_button(
        self, bot: Bot, chat_id: int, user_id: int, language_code: str | None, data: str
    ) -> str | None:
        """A button pressed in a private chat. Returns a short notice for the button's toast when
        the press was handled here (feedback, rating, end of ticket); None sends it on to the
        conversation, which answers stale or forged data with "this button has expired"."""
        prefix, _, rest = data.partition(":")
        lang = self.session(user_id, language_code).lang
        if prefix == "fb":
            return self._feedback(user_id, rest, lang)
        if prefix == "rate":
            return await self._rate(bot, chat_id, user_id, rest, lang)
        if prefix == "ticket":
            ticket = self.storage.open_ticket_for(user_id)
            if ticket is None or rest != f"end:{ticket.id}":
                return self.say("button_expired", lang)
            await self.close(bot, ticket, "user")
            return ""
        return None

    def _feedback(self, user_id: int, rest: str, lang: Lang) -> str:
        vote, _, faq_id = rest.partition(":")
        known = {entry.id for entry in self.assistant.kb.faq}
        if vote not in ("up", "down") or faq_id not in known:
            return self.say("button_expired", lang)
        self.storage.record_feedback(user_id, faq_id, 1 if vote == "up" else -1, lang)
        return self.say(f"feedback_thanks_{vote}", lang)

    async def _rate(self, bot: Bot, chat_id: int, user_id: int, rest: str, lang: Lang) -> str:
        ticket_id, _, rating = rest.partition(":")
        if not (ticket_id.isdigit() and rating.isdigit()):
            return self.say("button_expired", lang)
        if not self.storage.rate_ticket(int(ticket_id), user_id, int(rating)):
            return self.say("button_expired", lang)
        await self.send(bot, chat_id, [Reply(self.say("rating_thanks", lang, rating=int(rating)))])
        ticket = self.storage.ticket(int(ticket_id))
        if ticket is not None:
            await self._to_staff(
                bot,
                ticket,
                self.say("staff_rating", self.staff_lang, ticket=ticket.id, rating=int(rating)),
            )
        return ""

    def teach(self, presser_id: int, data: str) -> str:
        """``teach:<miss>:<n>`` in the staff chat: store the missed question as an alternate
        phrasing of its n-th candidate FAQ entry, for review."""
        lang = self.staff_lang
        _, miss_id, index = (data.split(":") + ["", ""])[:3]
        miss = self.storage.miss(int(miss_id)) if miss_id.isdigit() else None
        if miss is None or not index.isdigit() or int(index) >= len(miss.candidates):
            return self.say("button_expired", lang)
        faq_id = miss.candidates[int(index)]
        outcome = self.storage.suggest_alternate(miss.id, faq_id, presser_id)
        if outcome == "duplicate":
            return self.say("staff_teach_duplicate", lang)
        if outcome != "ok":
            return self.say("button_expired", lang)
        return self.say(
            "staff_teach_ok", lang, question=miss.question, faq=self._faq_title(faq_id, lang)
        )

    # ------------------------------------------------------------------------- staff reports

    def tickets_text(self) -> str:
        lang = self.staff_lang
        tickets = self.storage.open_tickets()
        if not tickets:
            return self.say("staff_tickets_none", lang)
        lines = [self.say("staff_tickets_header", lang, count=len(tickets))]
        for ticket in tickets:
            lines.append(
                self.say(
                    "staff_ticket_line",
                    lang,
                    ticket=ticket.id,
                    company=ticket.company or self.say("staff_no_company", lang),
                    language=self.say(f"language_name_{ticket.lang}", lang),
                    opened=self._local(ticket.created_at),
                    last=self._local(self.storage.last_activity(ticket.id) or ticket.created_at),
                )
            )
        return "\n".join(lines)

    def _local(self, stamp: str) -> str:
        moment = dt.datetime.fromisoformat(stamp).astimezone(self.settings.office.tz)
        return f"{moment:%Y-%m-%d %H:%M}"

    def stats_text(self) -> str:
        tz = self.settings.office.tz
        day = self.clock().astimezone(tz).date()
        stats = self.storage.stats(day, tz)
        rate = f"{stats.matched / stats.enquiries:.0%}" if stats.enquiries else "—"
        average = f"{stats.rating_average:.1f}" if stats.rating_average is not None else "—"
        return self.say(
            "staff_stats",
            self.staff_lang,
            date=day.isoformat(),
            enquiries=stats.enquiries,
            matched=stats.matched,
            rate=rate,
            opened=stats.tickets_opened,
            closed=stats.tickets_closed,
            open=stats.tickets_open,
            registrations=stats.registrations,
            up=stats.feedback_up,
            down=stats.feedback_down,
            ratings=stats.ratings,
            average=average,
        )

    # ------------------------------------------------------------------------- command menus

    def commands(self, lang: Lang, staff: bool = False) -> list[BotCommand]:
        names = STAFF_COMMANDS if staff else USER_COMMANDS
        return [BotCommand(name, self.say(f"cmd_{name}", lang)) for name in names]

    async def set_commands(self, bot: Bot, lang: Lang, chat_id: int | None = None) -> None:
        """The command menu: per chat after a language change, else the defaults."""
        try:
            if chat_id is not None:
                await bot.set_my_commands(self.commands(lang), scope=BotCommandScopeChat(chat_id))
            else:
                await self._default_commands(bot)
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)

    async def _default_commands(self, bot: Bot) -> None:
        """English for everyone, Putonghua for Chinese apps, staff commands in the staff chat."""
        await bot.set_my_commands(self.commands("en"))
        await bot.set_my_commands(self.commands("zh"), language_code="zh")
        if self.settings.staff_chat_id is not None:
            staff = self.commands(self.staff_lang, staff=True)
            await bot.set_my_commands(staff, scope=BotCommandScopeChat(self.settings.staff_chat_id))


__all__ = ["Desk", "language_from_code"]
