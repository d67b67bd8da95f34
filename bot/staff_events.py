"""Staff's commands about events and figures, in the staff chat: /announce, /event_status and
/report. They queue the work with the scheduler (``bot.scheduler``), which sends it off the
staff chat's own path and posts a summary when done, so a long announcement never holds up
the next command."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from telegram import Bot, Message

from bot import campaigns
from bot.campaigns import Campaigns
from bot.scheduler import Scheduler
from bot.staff_chat import StaffChat
from flows.notices import Status
from flows.seminar import open_events
from knowledge.models import HONG_KONG

log = logging.getLogger(__name__)

REPORT_DAYS = 7  # /report covers the last week, today included
STATUS_WORDS: dict[str, Status] = {
    "postponed": "postponed", "postpone": "postponed", "延期": "postponed",
    "cancelled": "cancelled", "canceled": "cancelled", "cancel": "cancelled",
    "取消": "cancelled",
}  # fmt: skip


class EventCommands:
    """/announce EVENT_ID, /event_status EVENT_ID postponed|cancelled [note], /report."""

    def __init__(
        self,
        staff: StaffChat,
        campaigns: Campaigns,
        scheduler: Scheduler,
        clock: Callable[[], dt.datetime],
        refresh_events: Callable[[], object] = lambda: None,
    ) -> None:
        self.staff = staff
        self.campaigns = campaigns
        self.scheduler = scheduler
        self.clock = clock
        self.refresh_events = refresh_events  # an event staff just added is found
        self._tasks: set[asyncio.Task[list[str]]] = set()

    async def announce(self, bot: Bot, message: Message, argument: str) -> None:
        """Announce an event open for registration to every subscriber, once each."""
        self.refresh_events()
        event_id = argument.strip()
        event = self.campaigns.event(event_id)
        if not event_id:
            await self._answer(bot, message, self.staff.say("staff_announce_usage",
                                                            events=self._open_ids()))  # fmt: skip
            return
        if event is None:
            await self._unknown(bot, message, event_id)
            return
        if event not in open_events(self.campaigns.context()):
            await self._answer(bot, message, self.staff.say("staff_event_not_open", event=event_id))
            return
        await self._start(bot, message, campaigns.announce(event_id))

    async def event_status(self, bot: Bot, message: Message, argument: str) -> None:
        """Tell an event's registrants at once that it is postponed or cancelled; registration
        closes until events.yaml gives the event a new date."""
        self.refresh_events()
        event_id, _, rest = argument.strip().partition(" ")
        word, _, note = rest.strip().partition(" ")
        status = STATUS_WORDS.get(word.lower())
        if not event_id or status is None:
            events = ", ".join(e.id for e in self.campaigns.context().kb.events)
            usage = self.staff.say("staff_event_status_usage", events=events or self._none())
            await self._answer(bot, message, usage)
            return
        event = self.campaigns.event(event_id)
        if event is None:
            await self._unknown(bot, message, event_id)
            return
        self.campaigns.storage.set_event_status(event, status, note)  # closes registration
        campaign = campaigns.report_status(event_id, status, note, message.message_id)
        await self._start(bot, message, campaign)

    async def report(self, bot: Bot, message: Message, argument: str) -> None:
        """The last week's report (charts and summary) in the staff chat now."""
        until = self.clock().astimezone(HONG_KONG).date()
        await self.scheduler.post_report(bot, until - dt.timedelta(days=REPORT_DAYS - 1), until)

    async def _start(self, bot: Bot, message: Message, campaign: campaigns.Campaign) -> None:
        count = self.campaigns.enlist(campaign)
        self.scheduler.queue(campaign, f"{campaign.key}:{message.message_id}")
        what = self.campaigns.what(campaign)
        await self._answer(bot, message, self.staff.say("staff_campaign_started", what=what,
                                                        count=count))  # fmt: skip
        task = asyncio.create_task(self.scheduler.tick(bot))  # sent now, not at the next tick
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Wait for the campaigns started here (the tests; a clean stop)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _unknown(self, bot: Bot, message: Message, event_id: str) -> None:
        events = ", ".join(e.id for e in self.campaigns.context().kb.events) or self._none()
        await self._answer(bot, message, self.staff.say("staff_event_unknown", event=event_id,
                                                        events=events))  # fmt: skip

    def _open_ids(self) -> str:
        ids = [e.id for e in open_events(self.campaigns.context())]
        return ", ".join(ids) or self._none()

    def _none(self) -> str:
        return self.staff.say("staff_no_events")

    async def _answer(self, bot: Bot, message: Message, text: str) -> None:
        await self.staff.answer(bot, message, text)
