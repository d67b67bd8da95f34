"""``/reply KEY``: a saved answer sent to a ticket's user, in the user's language.

Staff answer the same questions again and again (how to apply, the Secretariat's contacts, the
funding ceilings...). A saved reply is written once, in the three languages, in
``knowledge/data/saved_replies.yaml``, where ``cppbot kb check`` holds it to the programme's
documents like an FAQ answer; ``/reply KEY`` in a ticket's topic sends it to the ticket's user in
*their* language, whatever the staff chat's language is, and ``/reply`` alone lists the keys.

It goes to the user as the bot's own message and is recorded as a staff relay, exactly like a
message staff type in the topic, so a colleague's reply to it finds the ticket and "time to first
staff reply" counts it. Every answer to staff is in their language, in the topic (or thread) of
the command. Nothing here logs message text or personal data: only ticket numbers and keys.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message
from telegram.error import Forbidden, TelegramError

from bot.sender import send
from bot.staff_chat import StaffChat
from bot.tickets import Tickets
from flows.core import Reply

log = logging.getLogger(__name__)


class SavedReplies:
    """The staff's ``/reply`` command over the tickets."""

    def __init__(self, staff: StaffChat, tickets: Tickets) -> None:
        self.staff = staff
        self.kb = staff.kb
        self.tickets = tickets

    def listing(self) -> str:
        """Every key with its title, in the staff's language: what ``/reply`` alone answers, and
        what follows an unknown key, so staff never have to look the keys up elsewhere."""
        say = self.staff.say
        replies = self.kb.saved_replies
        if not replies:
            return say("saved_replies_none")
        lines = [say("saved_replies_header")]
        lines += [
            say("saved_replies_line", reply=reply.key, title=reply.title.get(self.staff.lang))
            for reply in replies
        ]
        return "\n".join(lines)

    async def reply(self, bot: Bot, message: Message, argument: str) -> None:
        """``/reply KEY`` in a ticket's topic (or, without topics, as a reply to one of its
        messages): send the saved reply to the ticket's user and confirm it in the topic."""
        words = argument.split()
        if not words:
            await self._answer(bot, message, self.listing())
            return
        key = words[0].lower()
        ticket = self.tickets.of_staff_message(message)
        if ticket is None:
            await self._answer(bot, message, self.staff.say("saved_reply_not_a_ticket"))
            return
        saved = self.kb.saved_reply(key)
        if saved is None:
            unknown = self.staff.say("saved_reply_unknown", reply=key)
            await self._answer(bot, message, f"{unknown}\n\n{self.listing()}")
            return
        if ticket.status != "open":
            await self._answer(bot, message, self.staff.say("saved_reply_closed", ticket=ticket.id))
            return
        lang = self.tickets.lang_of(ticket.user_id)
        try:
            sent = await send(bot, ticket.chat_id, [Reply(self.kb.saved_reply_text(saved, lang))])
        except Forbidden:
            await self.tickets.user_blocked(bot, ticket)  # tells the staff once
            return
        except TelegramError as exc:
            log.warning("ticket #%d: saved reply %s not delivered: %s", ticket.id, saved.key, exc)
            failed = self.staff.say("staff_delivery_failed", ticket=ticket.id)
            await self._answer(bot, message, failed)
            return
        self.tickets.delivered_to_user(ticket, message, sent[0].message_id)  # the command's side
        log.info("ticket #%d: saved reply %s sent", ticket.id, saved.key)
        language = self.staff.say(f"language_name_{lang}")
        confirmed = self.staff.say(
            "saved_reply_sent", reply=saved.key, ticket=ticket.id, language=language
        )
        await self._answer(bot, message, confirmed)

    async def _answer(self, bot: Bot, message: Message, text: str) -> None:
        """Answer the staff where they asked: the command's topic, as a reply to it."""
        await self.staff.answer(bot, message, text)
