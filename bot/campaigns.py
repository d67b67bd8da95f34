"""Sending one notice to many users: an event's announcement to the subscribers, its reminder
or a postponement to its registrants. Each user gets it in their own language, once.

Every recipient is a row in ``deliveries`` (``bot.storage.deliveries``), claimed just before
its Bot API call and settled after, so a campaign stopped half-way (a restart, an outage) goes
on where it was and never sends anyone the same notice twice. Telegram's broadcast limit
(about 30 messages a second) is kept by the rate limiter every call goes through
(``bot.delivery``). A user who blocked the bot is marked (and skipped by later announcements);
staff get a summary: sent, skipped, failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.sender import send
from bot.staff_chat import StaffChat
from bot.storage import Delivery, Storage
from flows import notices
from flows.core import Context, Reply
from flows.notices import Status
from knowledge.models import LANGS, Lang, Seminar

log = logging.getLogger(__name__)

Kind = Literal["announce", "reminder", "status"]


@dataclass(frozen=True)
class Campaign:
    """One notice about one event to its audience; ``key`` names its deliveries."""

    key: str
    kind: Kind
    event_id: str
    status: Status | None = None
    note: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "campaign": self.key,
            "kind": self.kind,
            "event_id": self.event_id,
            "status": self.status,
            "note": self.note,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Campaign:
        return cls(
            str(payload["campaign"]),
            cast(Kind, payload["kind"]),
            str(payload["event_id"]),
            cast(Status | None, payload.get("status")),
            str(payload.get("note") or ""),
        )


def announce(event_id: str) -> Campaign:
    """Each subscriber hears of an event once, however often staff announce it."""
    return Campaign(f"announce:{event_id}", "announce", event_id)


def remind(event: Seminar) -> Campaign:
    """The reminder of an event at its current date (a new date, a new reminder)."""
    return Campaign(f"reminder:{event.id}:{event.starts:%Y%m%dT%H%M}", "reminder", event.id)


def report_status(event_id: str, status: Status, note: str, command_id: int) -> Campaign:
    """A postponement or cancellation, once per staff command."""
    return Campaign(f"status:{event_id}:{status}:{command_id}", "status", event_id, status, note)


def _chat(user_id: str) -> int | None:
    """A Telegram private chat's id is its user's; other ids (the console's) get nothing."""
    return int(user_id) if user_id.lstrip("-").isdigit() else None


class Campaigns:
    """Sends campaigns and tells staff how they went."""

    def __init__(self, storage: Storage, staff: StaffChat, context: Callable[[], Context]) -> None:
        self.storage = storage
        self.staff = staff
        self.context = context

    def event(self, event_id: str) -> Seminar | None:
        return next((e for e in self.context().kb.events if e.id == event_id), None)

    def enlist(self, campaign: Campaign) -> int:
        """Add the audience (subscribers, or the event's registrants) not already in it."""
        if campaign.kind == "announce":
            audience = self.storage.subscribers()
        else:
            audience = self.storage.registrants(campaign.event_id)
        recipients = [
            (user_id, chat, lang if lang in LANGS else "en")
            for user_id, lang in audience
            if (chat := _chat(user_id)) is not None
        ]
        return self.storage.enlist(campaign.key, recipients)

    def what(self, campaign: Campaign) -> str:
        """The campaign as staff read it in a summary."""
        say = self.staff.say
        if campaign.kind == "status" and campaign.status is not None:
            status = say(f"status_{campaign.status}")
            return say("staff_campaign_status", event=campaign.event_id, status=status)
        return say(f"staff_campaign_{campaign.kind}", event=campaign.event_id)

    async def run(self, bot: Bot, campaign: Campaign) -> dict[str, int]:
        """Send to everyone still pending; the tally. Raises TelegramError when Telegram stays
        unreachable (the rest is sent on the scheduler's next try)."""
        event = self.event(campaign.event_id)
        if event is None:
            log.warning("campaign %s: the event is no longer in events.yaml", campaign.key)
            return self.storage.tally(campaign.key)
        self.enlist(campaign)
        lost = self.storage.abandon_in_flight(campaign.key)
        if lost:
            log.warning("campaign %s: %d message(s) in flight at a stop counted failed",
                        campaign.key, lost)  # fmt: skip
        while (delivery := self.storage.claim(campaign.key)) is not None:
            await self._deliver(bot, campaign, event, delivery)
        tally = self.storage.tally(campaign.key)
        log.info("campaign %s: %s", campaign.key, tally)
        await self._summary(bot, campaign, tally)
        return tally

    def render(self, campaign: Campaign, event: Seminar, lang: Lang) -> Reply:
        ctx = self.context()
        if campaign.kind == "announce":
            return notices.announcement(event, lang, ctx)
        if campaign.kind == "reminder":
            return notices.reminder(event, lang, ctx)
        assert campaign.status is not None
        return notices.status_notice(event, campaign.status, campaign.note, lang, ctx)

    async def _deliver(
        self, bot: Bot, campaign: Campaign, event: Seminar, delivery: Delivery
    ) -> None:
        lang = cast(Lang, delivery.lang)
        try:
            sent = await send(bot, delivery.chat_id, [self.render(campaign, event, lang)])
        except Forbidden:
            self.storage.settle(delivery, "blocked")
            self.storage.mark_subscriber_blocked(delivery.user_id)
            return
        except BadRequest as exc:
            log.warning("campaign %s: a message was refused: %s", campaign.key, exc)
            self.storage.settle(delivery, "failed")
            return
        except TelegramError:
            self.storage.settle(delivery, "pending")  # not sent: the next try sends it
            raise
        self.storage.settle(delivery, "sent", sent[-1].message_id)

    async def _summary(self, bot: Bot, campaign: Campaign, tally: dict[str, int]) -> None:
        staff_chat = self.staff.chat_id
        if staff_chat is None:
            return
        text = self.staff.say(
            "staff_campaign_summary",
            what=self.what(campaign),
            sent=tally["sent"],
            blocked=tally["blocked"],
            failed=tally["failed"],
        )
        try:
            await send(bot, staff_chat, [Reply(text)])
        except TelegramError as exc:
            log.warning("campaign %s: the summary for staff was not posted: %s", campaign.key, exc)
