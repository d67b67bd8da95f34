"""Promises kept at their time: announcements, reminders the day before an event, postponement
notices, the weekly report for staff, the daily retention purge, and flagging tickets that wait
too long for staff.

Every due item is a row in ``schedule`` (``bot.storage.schedule``) with its time, so a restart
neither loses nor repeats one: ``tick`` runs what is due and marks it done; one that fails is
tried again later (a campaign resumes where it stopped, see ``bot.campaigns``). PTB's JobQueue
calls ``tick`` every ``TICK_EVERY`` seconds (``bot.telegram_app``); the tests call it with the
time they choose. Recurring items are planned ahead by ``plan``: each is keyed by its own date,
so planning again is harmless.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from telegram import Bot, InputMediaPhoto
from telegram.error import TelegramError

from bot import report
from bot.campaigns import Campaign, Campaigns, remind
from bot.config import Settings
from bot.sender import send
from bot.staff_chat import StaffChat
from bot.storage import Due, Storage
from bot.tickets import Tickets
from flows.core import Reply, Retention
from knowledge.models import HONG_KONG

log = logging.getLogger(__name__)

TICK_EVERY = 30  # seconds between ticks
REMINDER_AT = dt.time(10, 0)  # Hong Kong time, the day before the event
REPORT_AT = dt.time(9, 0)  # Hong Kong time, on Mondays
PURGE_AT = dt.time(4, 0)  # Hong Kong time, daily
RETRY_AFTER = (60, 300, 900, 3600)  # seconds before the 1st, 2nd... retry of a failed item


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=HONG_KONG)


class Scheduler:
    """Runs what is due; plans the recurring items."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        staff: StaffChat,
        campaigns: Campaigns,
        tickets: Tickets,
        retention: Retention,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.staff = staff
        self.campaigns = campaigns
        self.tickets = tickets
        self.retention = retention
        self.clock = clock
        self._running = asyncio.Lock()

    # ------------------------------------------------------------------------------ planning

    def plan(self, now: dt.datetime) -> None:
        """Make sure the recurring items exist: each upcoming event's reminder, this and next
        Monday's report (this one only on the day, so a bot down at 09:00 still posts it),
        today's and tomorrow's purge."""
        for event in self.campaigns.context().kb.events:
            if event.starts > now:
                campaign = remind(event)
                day_before = event.starts.astimezone(HONG_KONG).date() - dt.timedelta(days=1)
                due = _at(day_before, REMINDER_AT)
                self.storage.schedule(campaign.key, "campaign", due, campaign.payload())
        today = now.astimezone(HONG_KONG).date()
        monday = today - dt.timedelta(days=today.weekday())
        for day in (monday, monday + dt.timedelta(days=7)):
            if day > today or (day == today and now >= _at(day, REPORT_AT)):
                self.storage.schedule(f"report:{day}", "report", _at(day, REPORT_AT))
        for day in (today, today + dt.timedelta(days=1)):
            self.storage.schedule(f"purge:{day}", "purge", _at(day, PURGE_AT))

    def queue(self, campaign: Campaign, key: str | None = None) -> bool:
        """A campaign to send at the next tick (staff's /announce, /event_status)."""
        return self.storage.schedule(key or campaign.key, "campaign", self.clock(),
                                     campaign.payload())  # fmt: skip

    # ------------------------------------------------------------------------------- running

    async def tick(self, bot: Bot, now: dt.datetime | None = None) -> list[str]:
        """Run everything due at ``now`` (default: the clock); the keys done. One tick at a
        time: a tick that finds another running waits for it."""
        async with self._running:
            now = now or self.clock()
            self.plan(now)
            await self.flag_waiting(bot, now)
            done = []
            for item in self.storage.due_items(now):
                try:
                    await self.run(bot, item, now)
                except Exception as exc:  # retried later; the others still run
                    delay = RETRY_AFTER[min(item.attempts, len(RETRY_AFTER) - 1)]
                    log.warning("scheduled %s failed (%s); retrying in %d s",
                                item.key, type(exc).__name__, delay)  # fmt: skip
                    when = now + dt.timedelta(seconds=delay)
                    self.storage.retry_later(item.key, when, f"{type(exc).__name__}: {exc}")
                    continue
                self.storage.mark_done(item.key)
                done.append(item.key)
            return done

    async def run(self, bot: Bot, item: Due, now: dt.datetime) -> None:
        if item.kind == "campaign":
            campaign = Campaign.from_payload(item.payload)
            event = self.campaigns.event(campaign.event_id)
            withdrawn = self.campaigns.context().withdrawn
            if campaign.kind == "reminder" and (
                event is None or event.starts <= now or event.id in withdrawn
            ):
                return  # too late, or nothing to remind of (postponed, cancelled)
            await self.campaigns.run(bot, campaign)
        elif item.kind == "report":
            until = item.due_at.astimezone(HONG_KONG).date() - dt.timedelta(days=1)
            await self.post_report(bot, until - dt.timedelta(days=6), until)
        elif item.kind == "purge":
            removed = self.storage.purge(self.retention)
            log.info("retention purge: %s", ", ".join(f"{t} {n}" for t, n in removed.items()))
        else:
            log.error("scheduled %s has an unknown kind %r; skipped", item.key, item.kind)

    # ------------------------------------------------------------------------------ for staff

    async def flag_waiting(self, bot: Bot, now: dt.datetime) -> None:
        """Tell staff, once per wait, in the ticket's topic, when a user has waited longer
        than STAFF_REPLY_ALERT_MINUTES of office hours for a reply."""
        limit = self.settings.staff_reply_alert_minutes
        if limit <= 0 or self.staff.chat_id is None:
            return
        for ticket, since in self.storage.waiting_for_staff():
            waited = self.settings.office.open_minutes(dt.datetime.fromisoformat(since), now)
            if waited < limit or not self.storage.flag_waiting(ticket.id, since):
                continue
            text = self.staff.say("staff_ticket_waiting", ticket=ticket.id, minutes=int(waited))
            await self.tickets.note(bot, ticket, text)

    async def post_report(self, bot: Bot, since: dt.date, until: dt.date) -> None:
        """The report's charts and summary in the staff chat (``bot.report``)."""
        staff_chat = self.staff.chat_id
        if staff_chat is None:
            return
        figures = report.compute(self.storage, since, until)
        with tempfile.TemporaryDirectory(prefix="cppbot-report-") as out:
            charts = report.chart_paths(report.write_report(figures, Path(out)))
            await send(bot, staff_chat, [Reply(report.summary_text(figures))])
            if charts:
                media = [InputMediaPhoto(path.read_bytes()) for path in charts[:10]]
                try:
                    await bot.send_media_group(staff_chat, media)
                except TelegramError as exc:
                    log.warning("the report's charts were not posted: %s", exc)
