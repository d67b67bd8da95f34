"""Tickets: a case handed to staff, and the messages copied both ways while it is open.

Opening a ticket tells the user at once; the staff queue (``bot.staff_queue``) then creates a
forum topic in the staff chat named "#12 · Company" and posts the case summary there (without topics, the summary goes into the group and the ticket's messages
thread as replies to it; a deleted topic is recreated when the next message needs it). While a
ticket is open, what the user sends is copied into its topic and what staff write there is
copied back (``copyMessage``: no staff names, no "forwarded from"). Outside office hours the
user is told when staff will reply, at most once a day. Closing asks the user for a rating.

Nothing here logs message text or personal data: only ticket numbers and outcomes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Message
from telegram.error import Forbidden, TelegramError

from bot.sender import send
from bot.staff_chat import Place, StaffChat, in_place
from bot.storage import Ticket
from flows import handoff
from flows.buttons import Rating
from flows.core import Button, Context, Reply
from flows.effects import (
    AfterHours,
    Case,
    NoStaff,
    OfficeSchedule,
    Outcome,
    TicketAlreadyOpen,
    TicketOpened,
)
from knowledge.models import Lang

log = logging.getLogger(__name__)


class Tickets:
    """Tickets over the staff chat."""

    def __init__(
        self,
        staff: StaffChat,
        context: Callable[[], Context],
        lang_of: Callable[[str], Lang],
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.staff = staff
        self.storage = staff.storage
        self.context = context
        self.lang_of = lang_of  # a user's language, from their session
        self.clock = clock
        self._posting = asyncio.Lock()

    # ------------------------------------------------------------------------ office hours

    def schedule(self) -> OfficeSchedule:
        office = self.staff.settings.office
        closes = "24:00" if office.closes == dt.time.max else f"{office.closes:%H:%M}"
        return OfficeSchedule(tuple(sorted(office.days)), f"{office.opens:%H:%M}", closes)

    def after_hours(self, user_id: str) -> AfterHours | None:
        """When staff will reply, if the office is closed and the user was not told today."""
        now = self.clock()
        office = self.staff.settings.office
        if office.is_open(now):
            return None
        local_day = now.astimezone(office.tz).date()
        if not self.storage.claim_daily_notice(user_id, "office_hours", local_day):
            return None
        return AfterHours(office.next_opening(now), self.schedule())

    # ----------------------------------------------------------------------------- opening

    async def open(self, bot: Bot, chat_id: int, user_id: str, case: Case) -> Outcome:
        """Open a ticket for the case and post it to the staff; the outcome the flow expects."""
        if self.staff.chat_id is None:
            return NoStaff("unavailable")
        existing = self.storage.open_ticket_for(user_id)
        if existing is not None and Case.from_json(existing.case) == case:
            # This very handoff, handled again after a kill: the user is told once more.
            return TicketOpened(existing.id, self.after_hours(user_id))
        if existing is not None:
            return TicketAlreadyOpen(existing.id)
        ticket = self.storage.open_ticket(user_id, chat_id, case.lang, case.company, case.to_json())
        log.info("ticket #%d opened", ticket.id)
        # The user is told at once; the staff queue posts the case (post_unposted), so the
        # staff group's rate limit never holds their answer up.
        return TicketOpened(ticket.id, self.after_hours(user_id))

    async def post_unposted(self, bot: Bot, user_id: str | None = None) -> None:
        """Post the case of every open ticket not yet in the staff chat (the user's, or at
        start all of them: a crash between telling the user and posting left it half-made).
        A failure leaves it for the next time; nothing is posted twice."""
        if self.staff.chat_id is None:
            return
        async with self._posting:  # the staff queue and a relay may both want it posted
            for ticket in self.storage.unposted_tickets(user_id):
                try:
                    await self._post_case(bot, ticket)
                except TelegramError as exc:
                    log.error("ticket #%d: not in the staff chat yet: %s", ticket.id, exc)

    async def _post_case(self, bot: Bot, ticket: Ticket, recreated: bool = False) -> Ticket:
        """Create the ticket's topic (if the group allows) and post the case summary there."""
        staff_chat = self.staff.chat_id
        assert staff_chat is not None
        say = self.staff.say
        company = ticket.company or say("staff_no_company")
        thread = await self.staff.new_topic(
            bot, f"#{ticket.id} · {company}", f"ticket #{ticket.id}"
        )
        parts = [say("staff_case_header", ticket=ticket.id)]
        if recreated:
            parts.append(say("staff_case_recreated"))
        parts.append(handoff.summary(Case.from_json(ticket.case), self.context(), self.staff.lang))
        footer = "staff_case_footer_topic" if thread is not None else "staff_case_footer_reply"
        parts.append(say(footer))
        sent = await send(bot, staff_chat, [Reply("\n\n".join(parts))], thread_id=thread)
        self.storage.set_ticket_thread(ticket.id, thread, sent[0].message_id)
        updated = self.storage.ticket(ticket.id)
        assert updated is not None
        return updated

    async def _into(
        self, bot: Bot, ticket: Ticket, action: Callable[[int | None, int | None], Awaitable[Any]]
    ) -> Any:
        """Run ``action(thread_id, reply_to)`` in the ticket's place in the staff chat (its
        topic, or replies to its summary); a deleted topic is recreated with the summary. A
        case the staff queue has not posted yet is posted first, so nothing lands outside it."""
        if ticket.summary_message_id is None and ticket.status == "open":
            await self.post_unposted(bot, ticket.user_id)
            ticket = self.storage.ticket(ticket.id) or ticket

        def place(where: Ticket) -> Place:
            return where.thread_id, None if where.thread_id else where.summary_message_id

        async def recreate() -> Place:
            log.warning("ticket #%d: its topic is gone; recreating it", ticket.id)
            return place(await self._post_case(bot, ticket, recreated=True))

        return await in_place(place(ticket), action, recreate)

    async def note(self, bot: Bot, ticket: Ticket, text: str) -> None:
        """A note from the bot in the ticket's place in the staff chat (never fails the caller)."""
        staff_chat = self.staff.chat_id
        if staff_chat is None:
            return

        async def post(thread: int | None, reply_to: int | None) -> None:
            await send(bot, staff_chat, [Reply(text)], thread_id=thread, reply_to=reply_to)

        try:
            await self._into(bot, ticket, post)
        except TelegramError as exc:
            log.warning("ticket #%d: could not post a note for staff: %s", ticket.id, exc)

    # ------------------------------------------------------------------------------ relays

    async def relay_to_staff(self, bot: Bot, ticket: Ticket, chat_id: int, message_id: int) -> None:
        """Copy the user's message into the ticket; tell them when staff will reply if closed."""
        staff_chat = self.staff.chat_id
        assert staff_chat is not None  # a ticket exists only with a staff chat
        lang = self.lang_of(ticket.user_id)

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
            copied_id = await self._into(bot, ticket, copy)
        except TelegramError as exc:
            log.warning("ticket #%d: could not relay to staff: %s", ticket.id, exc)
            await send(bot, chat_id, [Reply(self.staff.kb.say("relay_failed", lang))])
            return
        self.storage.record_relay(ticket.id, "to_staff", chat_id, message_id, staff_chat, copied_id)
        notice = handoff.after_hours(self.after_hours(ticket.user_id), self.context(), lang)
        if notice:
            await send(bot, chat_id, [Reply(notice)])

    def of_staff_message(self, message: Message) -> Ticket | None:
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
        ticket = self.of_staff_message(message)
        if ticket is None:
            return
        if ticket.status != "open":
            await self.staff.answer(bot, message, self.staff.say("staff_already_closed",
                                                                 ticket=ticket.id))  # fmt: skip
            return
        try:
            copied = await bot.copy_message(ticket.chat_id, message.chat_id, message.message_id)
        except Forbidden:
            await self.user_blocked(bot, ticket)
            return
        except TelegramError as exc:
            log.warning("ticket #%d: could not relay to the user: %s", ticket.id, exc)
            await self.note(bot, ticket, self.staff.say("staff_delivery_failed", ticket=ticket.id))
            return
        self.delivered_to_user(ticket, message, copied.message_id)

    def delivered_to_user(self, ticket: Ticket, staff_message: Message, sent_id: int) -> None:
        """Record a staff answer Telegram delivered to the ticket's user (a copy, or a saved
        reply): it counts as staff replying, and the user evidently no longer blocks the bot."""
        self.storage.record_relay(
            ticket.id,
            "to_user",
            staff_message.chat_id,
            staff_message.message_id,
            ticket.chat_id,
            sent_id,
        )
        if ticket.user_blocked:
            self.storage.mark_user_blocked(ticket.id, False)

    async def user_blocked(self, bot: Bot, ticket: Ticket) -> None:
        """Tell the staff, once, that nothing they write reaches this user any more."""
        log.info("ticket #%d: the user has blocked the bot", ticket.id)
        if not ticket.user_blocked:
            self.storage.mark_user_blocked(ticket.id)
            await self.note(bot, ticket, self.staff.say("staff_blocked", ticket=ticket.id))

    # ----------------------------------------------------------------------------- closing

    async def close(self, bot: Bot, ticket: Ticket, by: str) -> None:
        """Close a ticket (by staff or by its user): close the topic, ask the user for a rating."""
        if not self.storage.close_ticket(ticket.id, by):
            return
        log.info("ticket #%d closed by %s", ticket.id, by)
        staff_text = "staff_closed" if by == "staff" else "staff_closed_by_user"
        await self.note(bot, ticket, self.staff.say(staff_text, ticket=ticket.id))
        if ticket.thread_id is not None and self.staff.chat_id is not None:
            try:
                await bot.close_forum_topic(self.staff.chat_id, ticket.thread_id)
            except TelegramError as exc:
                log.info("ticket #%d: topic not closed: %s", ticket.id, exc)
        lang = self.lang_of(ticket.user_id)
        key = "ticket_closed_by_staff" if by == "staff" else "ticket_closed_by_user"
        stars = tuple(Button(str(n), Rating(ticket.id, n)) for n in range(1, 6))
        text = self.staff.kb.say(key, lang, ticket=ticket.id)
        try:
            await send(bot, ticket.chat_id, [Reply(text, (stars,))])
        except Forbidden:
            await self.user_blocked(bot, ticket)
