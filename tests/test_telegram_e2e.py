"""End to end: the real ``cppbot run`` process against our fake Telegram Bot API server.

Scripted users do what a new user would: choose a language, ask in English, Cantonese and
Putonghua, check eligibility by pressing buttons, estimate, register for a seminar, ask for a
person; a staff member answers in the ticket's topic, closes it, the user rates it; the bot is
restarted mid-conversation and carries on. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.storage import Storage
from knowledge.dates import today_hk
from knowledge.loader import DATA_DIR
from knowledge.models import HONG_KONG
from tests.fakebot import FakeTelegram, FakeUser
from tests.fakebot.process import STAFF_CHAT, STAFF_MEMBER, BotProcess


def _knowledge_with_a_seminar(target: Path) -> Path:
    """The shipped knowledge data plus one webinar three weeks from today, open to register."""
    shutil.copytree(DATA_DIR, target)
    events = yaml.safe_load((target / "events.yaml").read_text(encoding="utf-8")) or []
    day = today_hk() + dt.timedelta(days=21)
    events.append(
        {
            **events[0],
            "id": "e2e_webinar",
            "title": {"en": "E2E webinar", "yue": "測試講座", "zh": "测试讲座"},
            "starts": f"{day.isoformat()}T10:00:00+08:00",
            "ends": f"{day.isoformat()}T11:00:00+08:00",
            "capacity": 50,
        }
    )
    (target / "events.yaml").write_text(
        yaml.safe_dump(events, allow_unicode=True), encoding="utf-8"
    )
    return target


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    env = {
        "KNOWLEDGE_DIR": str(_knowledge_with_a_seminar(tmp_path / "knowledge")),
    }
    process = BotProcess(fake, tmp_path, env)
    await process.start()
    yield process
    await process.stop_cleanly()


def _storage(bot: BotProcess) -> Storage:
    return Storage.open(bot.workdir / "cppbot.db")


async def test_new_user_picks_a_language_and_asks_in_all_three(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    mei = fake.user(1001, "Mei", language_code="zh-hant")
    await mei.say("/start")
    welcome = await mei.expect("你好")
    assert ["English", "普通话"] == [label for label, _ in mei.buttons(welcome)]
    await mei.press("English", message=welcome)
    await mei.expect("OK, I'll reply in English")

    await mei.say("How much funding can a factory get for a demonstration project?")
    answer = await mei.expect("Source")
    labels = [label for label, _ in mei.buttons(answer)]
    assert "👍" in labels and "👎" in labels
    await mei.press("👍", message=answer)
    await fake.quiet()
    assert [label for label, _ in mei.buttons(fake.current(answer))] == labels[:-2]

    await mei.say("點樣申請呢個計劃㗎？")
    assert "資料來源" in (await mei.expect("資料來源"))["text"]
    await mei.say("申请这个计划需要什么文件？")
    assert "资料来源" in (await mei.expect("资料来源"))["text"]

    await fake.quiet()
    storage = _storage(bot)
    assert {"up": 1, "down": 0} == storage.feedback_totals()
    assert 3 == storage.stats(today_hk(), HONG_KONG).enquiries
    storage.close()
    menus = fake.commands
    assert ("default", "") in menus and ("default", "zh") in menus
    assert "tickets" in [c["command"] for c in menus[(f"chat:{STAFF_CHAT}", "")]]
    assert "eligibility" in [c["command"] for c in menus[("chat:1001", "")]]  # after /language


async def test_eligibility_by_buttons_then_estimate(fake: FakeTelegram, bot: BotProcess) -> None:
    wong = fake.user(1002, "Wong", language_code="en")
    await wong.say("/eligibility")
    question = await wong.expect("company, or as a trade or industry association")
    await wong.press("A trade / industry association", message=question)
    answered = await wong.expect("» A trade / industry association")  # the choice stays visible
    assert [] == wong.buttons(answered)
    await wong.expect("statutory organisation")
    await wong.press("Yes")
    verdict = await wong.expect("Organisation Support Initiative: ❓ needs confirmation")
    assert "Source" in verdict["text"]

    await wong.say("/estimate")
    await wong.expect("Which kind of project")
    await wong.press("New Cleaner Production Technology Project", message=None)
    await wong.expect("total project cost")
    await wong.say("HK$2m")
    estimate = await wong.expect("HK$650,000")
    assert "HK$1,350,000" in estimate["text"]


async def fill_in_a_registration(chan: FakeUser) -> None:
    """Up to "Please check your registration" for the E2E webinar, two attendees."""
    await chan.say("/seminars")
    await chan.expect("E2E webinar")
    await chan.press("E2E webinar")
    await chan.expect("collection statement")
    await chan.press("agree")
    for prompt, answer in [
        ("name", "Chan Tai Man"),
        ("company", "ABC Manufacturing Ltd"),
        ("e-mail", "chan@abc.com.hk"),
        ("phone", "+852 2788 5588"),
        ("How many", "2"),
    ]:
        await chan.expect(prompt)
        await chan.say(answer)
    await chan.expect("Please check your registration")


async def test_seminar_registration_is_stored(fake: FakeTelegram, bot: BotProcess) -> None:
    chan = fake.user(1003, "Chan", language_code="en")
    await fill_in_a_registration(chan)
    await chan.press("Confirm")
    await chan.expect("You're registered")
    await fake.quiet()
    storage = _storage(bot)
    assert [("e2e_webinar", 2)] == [
        (r["event_id"], r["attendees"]) for r in storage.registrations(1003)
    ]
    storage.close()


async def test_handoff_staff_reply_close_and_rating(fake: FakeTelegram, bot: BotProcess) -> None:
    lee = fake.user(1004, "Lee", language_code="zh-hk")
    staff = fake.user(STAFF_MEMBER, "Staff Ho")
    await lee.say("/staff 我哋想延長項目限期，點做？")
    await lee.expect("公司")
    await lee.say("利興塑膠廠")
    opened = await lee.expect("#1")
    assert any("ticket:end:1" == data for _, data in lee.buttons(opened))

    summary = await fake.expect(STAFF_CHAT, "Ticket #1")  # posted after the user was told
    topics = fake.topics[STAFF_CHAT]
    (thread,) = topics
    assert "#1 · 利興塑膠廠" == topics[thread]["name"]
    assert thread == summary["message_thread_id"]
    assert "Company: 利興塑膠廠" in summary["text"] and "延長項目限期" in summary["text"]

    await lee.say("我哋係做注塑嘅。")
    relayed = await fake.expect(STAFF_CHAT, "注塑", thread_id=thread)
    assert "forward_origin" not in relayed

    await fake.send_text(staff, STAFF_CHAT, "你好，可以申請延期，請電郵秘書處。", thread_id=thread)
    reply = await lee.expect("可以申請延期")
    assert "Staff Ho" not in str(reply) and "forward_origin" not in reply

    await fake.send_text(staff, STAFF_CHAT, "/close", thread_id=thread)
    rating = await lee.expect("1 = ")
    await fake.expect(STAFF_CHAT, "closed", thread_id=thread)
    await lee.press("5", message=rating)
    await lee.expect("5/5")
    await fake.expect(STAFF_CHAT, "5/5", thread_id=thread)
    await lee.say("多謝！")  # the ticket is closed: the bot answers again
    await lee.expect("唔使客氣")

    await fake.quiet()
    storage = _storage(bot)
    ticket = storage.ticket(1)
    storage.close()
    assert ticket is not None and ("closed", 5) == (ticket.status, ticket.rating)


async def test_restart_mid_conversation_carries_on(fake: FakeTelegram, bot: BotProcess) -> None:
    ng = fake.user(1005, "Ng", language_code="en")
    await ng.say("/eligibility")
    await ng.expect("company, or as a trade")
    await ng.press("A company")
    question = await ng.expect("registered in Hong Kong")
    await bot.restart()
    await ng.press("Yes", message=question)
    await ng.expect("Where is the factory or workshop")
    await ng.say("/language 普通话")
    await ng.expect("普通话")
    await bot.restart()
    await ng.say("/help")
    await ng.expect("我可以帮您")
    assert 3 == bot.starts
