"""Promises kept at their time, against the fake Bot API with the time set by the test: an
event announced to every subscriber once, in their language; the reminder the day before; a
postponement at once; the weekly report; a ticket waiting too long flagged to staff."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.scheduler import Scheduler
from bot.storage import Storage
from knowledge.answer import Assistant
from knowledge.models import HONG_KONG
from tests.app_harness import Harness, harness
from tests.fakebot import FakeTelegram, FakeUser
from tests.fakebot.process import STAFF_CHAT as PROCESS_STAFF_CHAT
from tests.fakebot.process import STAFF_MEMBER as STAFF_MEMBER_PROCESS
from tests.fakebot.process import BotProcess
from tests.test_seminar_flow import WEBINAR
from tests.test_storage import details
from tests.test_telegram_e2e import _knowledge_with_a_seminar

STAFF_CHAT = -1009876543210
STAFF_MEMBER = 4242
EVENT = WEBINAR.id  # online, 3 Dec 2026 10:00 Hong Kong time, with a bad-weather rule


def hk(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=HONG_KONG)


@pytest.fixture
async def h(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    fake.supergroup(STAFF_CHAT, "Secretariat", is_forum=True)
    kb = dataclasses.replace(assistant.kb, events=(*assistant.kb.events, WEBINAR))
    running = await harness(
        fake, Assistant(kb), staff_chat_id=STAFF_CHAT, staff_user_ids=frozenset({STAFF_MEMBER})
    )
    yield running
    await running.close()


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [str(m.get("text", "")) for m in fake.sent(chat_id)]


def subscribers(h: Harness, fake: FakeTelegram) -> dict[str, FakeUser]:
    users = {lang: fake.user(800 + n, f"S{n}") for n, lang in enumerate(("en", "yue", "zh"))}
    for lang, user in users.items():
        h.desk.storage.subscribe(user.id, lang)
    return users


async def staff_says(h: Harness, text: str) -> None:
    await h.say(h.fake.user(STAFF_MEMBER, "Ho"), text, chat_id=STAFF_CHAT)
    await h.desk.events.settled()


# ------------------------------------------------------------------------------ announcements


async def test_an_announcement_reaches_each_subscriber_once_in_their_language(
    h: Harness, fake: FakeTelegram
) -> None:
    users = subscribers(h, fake)
    gone = fake.user(810, "Gone")
    h.desk.storage.subscribe(gone.id, "en")
    fake.blocked.add(gone.id)
    await staff_says(h, f"/announce {EVENT}")
    assert [True] == [t.startswith("📢 A new event") for t in texts(fake, users["en"].id)]
    assert "測試網上講座" in texts(fake, users["yue"].id)[0]
    assert "测试网上讲座" in texts(fake, users["zh"].id)[0]
    [announcement] = fake.sent(users["en"].id)
    labels = [label for label, _ in users["en"].buttons(announcement)]
    assert ["📝 Register", "🔕 Stop event announcements"] == labels
    summary = await fake.expect(STAFF_CHAT, "sent 3")
    assert "skipped 1" in summary["text"] and "failed 0" in summary["text"]
    assert [] == [s for s, _ in h.desk.storage.subscribers() if s == str(gone.id)]  # marked

    late = fake.user(811, "Late")
    h.desk.storage.subscribe(late.id, "en")
    await staff_says(h, f"/announce {EVENT}")  # again: only the new subscriber gets it
    for user in (*users.values(), late):
        assert 1 == len(fake.sent(user.id))


async def test_register_from_the_announcement_and_stop_them(h: Harness, fake: FakeTelegram) -> None:
    users = subscribers(h, fake)
    await staff_says(h, f"/announce {EVENT}")
    user = users["en"]
    [announcement] = fake.sent(user.id)
    buttons = dict(user.buttons(announcement))
    await h.press(user, announcement, buttons["📝 Register"])
    await user.expect("collection statement")
    await h.press(user, announcement, buttons["🔕 Stop event announcements"])
    await user.expect("won't get event announcements")
    assert str(user.id) not in [s for s, _ in h.desk.storage.subscribers()]


async def test_staff_are_told_what_cannot_be_announced(h: Harness, fake: FakeTelegram) -> None:
    await h.say(fake.user(STAFF_MEMBER, "Ho"), "/announce no_such_event", chat_id=STAFF_CHAT)
    assert "no event “no_such_event”" in (await fake.expect(STAFF_CHAT, "no_such_event"))["text"]
    await h.say(fake.user(STAFF_MEMBER, "Ho"), "/announce seminar_2025_06_25", chat_id=STAFF_CHAT)
    await fake.expect(STAFF_CHAT, "not open for registration")


async def test_a_campaign_stopped_half_way_goes_on_without_repeats(
    h: Harness, fake: FakeTelegram
) -> None:
    users = subscribers(h, fake)
    campaign = h.desk.campaigns
    from bot.campaigns import announce

    wanted = announce(EVENT)
    campaign.enlist(wanted)
    first = h.desk.storage.claim(wanted.key)  # sent by a process that then died:
    assert first is not None
    await h.app.bot.send_message(first.chat_id, "(the announcement, sent before the stop)")
    h.desk.storage.settle(first, "sent", 1)
    second = h.desk.storage.claim(wanted.key)  # ...and one it was sending when killed
    assert second is not None
    tally = await campaign.run(h.app.bot, wanted)
    assert {"sent": 2, "failed": 1, "pending": 0} == {
        k: tally[k] for k in ("sent", "failed", "pending")
    }
    for user in users.values():
        assert len(fake.sent(user.id)) <= 1  # nobody twice
    assert 0 == len(fake.sent(second.chat_id))  # in flight at the kill: counted, not repeated


# ------------------------------------------------------------------------------- reminders


def registrants(h: Harness, fake: FakeTelegram) -> dict[str, FakeUser]:
    users = {lang: fake.user(820 + n, f"R{n}") for n, lang in enumerate(("en", "yue", "zh"))}
    for lang, user in users.items():
        h.desk.storage.register(user.id, details(WEBINAR, email=f"{lang}@x.hk", lang=lang), WEBINAR)
    quitter = fake.user(825, "Quitter")
    h.desk.storage.register(quitter.id, details(WEBINAR, email="q@x.hk"), WEBINAR)
    [mine] = h.desk.storage.registrations(quitter.id)
    h.desk.storage.cancel_registration(quitter.id, mine["id"])
    return users


async def test_reminders_go_the_day_before_once(h: Harness, fake: FakeTelegram) -> None:
    users = registrants(h, fake)
    bot, scheduler = h.app.bot, h.desk.scheduler
    await scheduler.tick(bot, hk(2026, 12, 2, 9, 59))
    assert [] == texts(fake, users["en"].id)
    await scheduler.tick(bot, hk(2026, 12, 2, 10, 0))
    [reminder] = texts(fake, users["en"].id)
    assert "tomorrow" in reminder and "Thu 3 Dec 2026" in reminder and "10:00" in reminder
    assert "link to join is e-mailed" in reminder
    assert "Cancelled if signal no. 8 is up." in reminder  # the event's bad-weather rule
    assert (
        "聽日" in texts(fake, users["yue"].id)[0]
        and "八號風球取消" in texts(fake, users["yue"].id)[0]
    )
    assert "明天" in texts(fake, users["zh"].id)[0]
    assert [] == texts(fake, 825)  # cancelled: no reminder
    await scheduler.tick(bot, hk(2026, 12, 2, 10, 30))
    restarted = Scheduler(  # a restart: a new scheduler over the same database
        h.desk.settings, h.desk.storage, h.desk.staff, h.desk.campaigns, h.desk.tickets,
        h.desk.runtime.retention, h.desk.now,
    )  # fmt: skip
    await restarted.tick(bot, hk(2026, 12, 2, 11, 0))
    assert 1 == len(texts(fake, users["en"].id))


async def test_a_bot_down_at_reminder_time_still_reminds_before_the_event(
    h: Harness, fake: FakeTelegram
) -> None:
    users = registrants(h, fake)
    h.desk.scheduler.plan(hk(2026, 11, 30, 12, 0))  # planned while running, then down
    await h.desk.scheduler.tick(h.app.bot, hk(2026, 12, 2, 21, 0))  # back in the evening
    assert 1 == len(texts(fake, users["en"].id))
    registrants_after = fake.user(830, "After")
    h.desk.storage.register(registrants_after.id, details(WEBINAR, email="a@x.hk"), WEBINAR)
    await h.desk.scheduler.tick(h.app.bot, hk(2026, 12, 3, 10, 30))  # the event has begun
    assert [] == texts(fake, registrants_after.id)


async def test_a_postponement_reaches_registrants_at_once(h: Harness, fake: FakeTelegram) -> None:
    users = registrants(h, fake)
    await staff_says(h, f"/event_status {EVENT} postponed New date by e-mail.")
    assert "has been postponed" in texts(fake, users["en"].id)[0]
    assert "New date by e-mail." in texts(fake, users["en"].id)[0]
    assert "延期" in texts(fake, users["yue"].id)[0]
    assert [] == texts(fake, 825)
    await fake.expect(STAFF_CHAT, "sent 3")
    await staff_says(h, f"/event_status {EVENT} cancelled")
    assert "has been cancelled" in texts(fake, users["en"].id)[1]


async def test_event_status_needs_a_known_event_and_status(h: Harness, fake: FakeTelegram) -> None:
    await h.say(fake.user(STAFF_MEMBER, "Ho"), f"/event_status {EVENT} maybe", chat_id=STAFF_CHAT)
    await fake.expect(STAFF_CHAT, "Usage: /event_status")


# --------------------------------------------------------------------------- waiting tickets


async def open_ticket(h: Harness, user: FakeUser) -> None:
    await h.say(user, "/staff Can our project start later?")
    await h.say(user, "Lee Plastics")


def flags(fake: FakeTelegram) -> list[dict[str, Any]]:
    return [m for m in fake.sent(STAFF_CHAT) if "waited" in m["text"]]


async def test_a_ticket_waiting_too_long_in_office_hours_is_flagged_once(
    h: Harness, fake: FakeTelegram
) -> None:
    await open_ticket(h, fake.user(840, "Waiting"))  # Monday 23 Nov, 10:00 Hong Kong time
    bot, scheduler = h.app.bot, h.desk.scheduler
    await scheduler.tick(bot, hk(2026, 11, 23, 10, 59))
    assert [] == flags(fake)
    await scheduler.tick(bot, hk(2026, 11, 23, 11, 1))
    [flag] = flags(fake)
    assert "#1" in flag["text"] and "61 minutes" in flag["text"]
    (thread,) = [t for t, topic in fake.topics[STAFF_CHAT].items() if "#1" in topic["name"]]
    assert thread == flag["message_thread_id"]
    await scheduler.tick(bot, hk(2026, 11, 23, 12, 0))
    assert 1 == len(flags(fake))


async def test_only_office_hours_count_and_a_staff_answer_ends_the_wait(
    h: Harness, fake: FakeTelegram
) -> None:
    h.desk.scheduler.settings = dataclasses.replace(h.desk.settings, staff_reply_alert_minutes=600)
    await open_ticket(h, fake.user(841, "Overnight"))  # Monday 10:00; the office shuts at 18:00
    bot, scheduler = h.app.bot, h.desk.scheduler
    await scheduler.tick(bot, hk(2026, 11, 24, 10, 59))  # 8 h on Monday + 1 h 59 on Tuesday
    assert [] == flags(fake)
    await scheduler.tick(bot, hk(2026, 11, 24, 11, 0))  # 10 office hours
    assert 1 == len(flags(fake))
    thread = next(iter(fake.topics[STAFF_CHAT]))
    await h.say(fake.user(STAFF_MEMBER, "Ho"), "We are on it", chat_id=STAFF_CHAT, thread_id=thread)
    assert [] == h.desk.storage.waiting_for_staff()  # staff wrote last: nobody waits
    await h.say(fake.user(841, "Overnight"), "Thanks, one more question")
    [(ticket, since)] = h.desk.storage.waiting_for_staff()  # a new wait, flagged on its own
    assert 1 == ticket.id and since.startswith("2026-11-23T02:00")


# ------------------------------------------------------------------------------ the report


async def test_the_weekly_report_is_posted_on_monday_morning_once(
    h: Harness, fake: FakeTelegram
) -> None:
    bot, scheduler = h.app.bot, h.desk.scheduler
    await scheduler.tick(bot, hk(2026, 11, 30, 8, 59))
    assert [] == [m for m in fake.sent(STAFF_CHAT) if "Report" in m["text"]]
    await scheduler.tick(bot, hk(2026, 11, 30, 9, 0))
    [posted] = [m for m in fake.sent(STAFF_CHAT) if "2026-11-23" in m["text"]]
    assert "2026-11-29" in posted["text"]  # Monday to Sunday of the week before
    await scheduler.tick(bot, hk(2026, 11, 30, 9, 30))
    assert 1 == len([m for m in fake.sent(STAFF_CHAT) if "2026-11-23" in m["text"]])


async def test_report_in_the_staff_chat_now(h: Harness, fake: FakeTelegram) -> None:
    await h.say(fake.user(850, "Asker"), "What is the hotline of the secretariat?")
    await h.say(fake.user(STAFF_MEMBER, "Ho"), "/report", chat_id=STAFF_CHAT)
    summary = await fake.expect(STAFF_CHAT, "2026-11-23")
    assert "1" in summary["text"]


async def test_an_event_added_while_the_bot_runs_can_be_announced(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    knowledge = _knowledge_with_a_seminar(tmp_path / "knowledge")
    bot = BotProcess(fake, tmp_path, {"KNOWLEDGE_DIR": str(knowledge)})
    subscriber = fake.user(860, "Sub")
    storage = Storage.open(bot.workdir / "cppbot.db")
    storage.subscribe(subscriber.id, "en")
    storage.close()
    await bot.start()
    events_file = knowledge / "events.yaml"
    events = yaml.safe_load(events_file.read_text(encoding="utf-8"))
    added = {**events[-1], "id": "added_live", "title": {"en": "Added live", "yue": "新加",
                                                         "zh": "新加"}}  # fmt: skip
    events_file.write_text(yaml.safe_dump([*events, added], allow_unicode=True), encoding="utf-8")
    await fake.send_text(fake.user(STAFF_MEMBER_PROCESS, "Ho"), PROCESS_STAFF_CHAT,
                         "/announce added_live")  # fmt: skip
    announcement = await subscriber.expect("Added live", timeout=20)
    assert announcement["text"].startswith("📢")
    await bot.stop_cleanly()


async def test_a_large_announcement_keeps_to_telegrams_broadcast_limit(
    h: Harness, fake: FakeTelegram
) -> None:
    users = [fake.user(870 + n, f"M{n}") for n in range(75)]
    for user in users:
        h.desk.storage.subscribe(user.id, "en")
    started = time.monotonic()
    await staff_says(h, f"/announce {EVENT}")
    elapsed = time.monotonic() - started
    assert [1] * len(users) == [len(fake.sent(user.id)) for user in users]
    assert elapsed >= 1.4  # a burst of 30, then 30 a second: 75 messages take 1.5 s at least


async def test_a_cancelled_event_is_no_longer_offered_nor_reminded(
    h: Harness, fake: FakeTelegram
) -> None:
    users = registrants(h, fake)
    newcomer = fake.user(880, "Newcomer")
    await h.say(newcomer, "/seminars")
    assert "Test webinar" in texts(fake, newcomer.id)[-1]
    await staff_says(h, f"/event_status {EVENT} postponed")
    await h.say(newcomer, "/seminars")
    assert "Test webinar" not in texts(fake, newcomer.id)[-1]
    await h.desk.scheduler.tick(h.app.bot, hk(2026, 12, 2, 10, 0))  # reminder time
    assert not any("tomorrow" in t for t in texts(fake, users["en"].id))
    moved = WEBINAR.model_copy(
        update={"starts": hk(2026, 12, 17, 10, 0), "ends": hk(2026, 12, 17, 11, 0)}
    )  # staff give it a new date in events.yaml: open again, with a reminder of its own
    kb = h.desk.runtime.assistant.kb
    h.desk.runtime.assistant.kb = dataclasses.replace(
        kb, events=tuple(moved if e.id == EVENT else e for e in kb.events)
    )
    await h.say(newcomer, "/seminars")
    assert "Test webinar" in texts(fake, newcomer.id)[-1]
    await h.desk.scheduler.tick(h.app.bot, hk(2026, 12, 16, 10, 0))
    assert any("tomorrow" in t and "17 Dec" in t for t in texts(fake, users["en"].id))
