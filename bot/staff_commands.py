"""What staff ask the bot in the staff chat: /tickets, /stats, /close and /help."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from telegram import Bot, Message

from bot.staff_chat import StaffChat
from bot.tickets import Tickets


class StaffCommands:
    """The staff's commands: their texts, and /close."""

    def __init__(
        self, staff: StaffChat, tickets: Tickets, clock: Callable[[], dt.datetime]
    ) -> None:
        self.staff = staff
        self.storage = staff.storage
        self.tickets = tickets
        self.clock = clock

    def text(self, name: str) -> str:
        """The reply to ``/tickets``, ``/stats`` or anything else (the staff help)."""
        if name == "tickets":
            return self.tickets_text()
        if name == "stats":
            return self.stats_text()
        return self.staff.say("staff_help")

    def tickets_text(self) -> str:
        say = self.staff.say
        tickets = self.storage.open_tickets()
        if not tickets:
            return say("staff_tickets_none")
        lines = [say("staff_tickets_header", count=len(tickets))]
        for ticket in tickets:
            lines.append(
                say(
                    "staff_ticket_line",
                    ticket=ticket.id,
                    company=ticket.company or say("staff_no_company"),
                    language=say(f"language_name_{ticket.lang}"),
                    opened=self._local(ticket.created_at),
                    last=self._local(self.storage.last_activity(ticket.id) or ticket.created_at),
                )
            )
        return "\n".join(lines)

    def _local(self, stamp: str) -> str:
        moment = dt.datetime.fromisoformat(stamp).astimezone(self.staff.settings.office.tz)
        return f"{moment:%Y-%m-%d %H:%M}"

    def stats_text(self) -> str:
        tz = self.staff.settings.office.tz
        day = self.clock().astimezone(tz).date()
        stats = self.storage.stats(day, tz)
        rate = f"{stats.matched / stats.enquiries:.0%}" if stats.enquiries else "—"
        average = f"{stats.rating_average:.1f}" if stats.rating_average is not None else "—"
        return self.staff.say(
            "staff_stats",
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

    async def close(self, bot: Bot, message: Message, argument: str) -> None:
        """``/close`` in the staff chat: in a ticket's topic, as a reply to it, or ``/close 12``."""
        ticket = self.tickets.of_staff_message(message)
        number = argument.strip().lstrip("#")
        if ticket is None and number.isascii() and number.isdigit():
            ticket = self.storage.ticket(int(number))
        if ticket is None:
            text = self.staff.say("staff_not_a_ticket")
        elif ticket.status != "open":
            text = self.staff.say("staff_already_closed", ticket=ticket.id)
        else:
            await self.tickets.close(bot, ticket, "staff")
            return
        await self.staff.answer(bot, message, text)
