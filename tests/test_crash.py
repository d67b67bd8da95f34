"""A SIGKILL while an update is in hand loses nothing: the update was journaled before it was
handled, and the next start handles it; a turn already saved has its replies in the outbox,
sent at the next start. Either way the user gets the answer once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.fakebot import FakeTelegram
from tests.fakebot.process import STAFF_CHAT, BotProcess
from tests.test_telegram_e2e import _knowledge_with_a_seminar, fill_in_a_registration
from tests.test_telegram_webhook import SECRET, _free_port


async def test_a_kill_while_answering_loses_no_question(fake: FakeTelegram, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path, {})
    await bot.start()
    user = fake.user(9500, "Kill")
    fault = fake.fail("sendMessage", "lost", delay=30)  # the answer hangs, never delivered
    await user.say("What is the hotline of the Secretariat?")
    await _kill_during(bot, fake, "sendMessage")  # while the bot is sending its answer
    fault.times = 0
    await bot.start()
    await user.expect("2788 5588", timeout=20)
    await fake.quiet()
    answers = [m for m in fake.sent(user.id) if "2788 5588" in str(m.get("text", ""))]
    assert 1 == len(answers)
    await bot.stop_cleanly()


async def _kill_during(bot: BotProcess, fake: FakeTelegram, method: str) -> None:
    """Wait until the bot hangs on a 'lost' call of ``method``, then SIGKILL it."""
    deadline = time.monotonic() + 15
    while (method, "lost") not in fake.faulted:
        assert time.monotonic() < deadline, bot.output
        await asyncio.sleep(0.05)
    assert bot.proc is not None
    bot.proc.kill()  # SIGKILL: no cleanup of any kind
    bot.proc.wait()


async def test_a_kill_while_confirming_a_registration_tells_the_user_once(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    env = {"KNOWLEDGE_DIR": str(_knowledge_with_a_seminar(tmp_path / "knowledge"))}
    bot = BotProcess(fake, tmp_path, env)
    await bot.start()
    chan = fake.user(9501, "Chan", language_code="en")
    await fill_in_a_registration(chan)
    fault = fake.fail("sendMessage", "lost", delay=30)  # the confirmation hangs, undelivered
    await chan.press("Confirm")
    await _kill_during(bot, fake, "sendMessage")
    fault.times = 0
    await bot.start()
    await chan.expect("You're registered", timeout=20)
    await fake.quiet()
    confirmations = [m for m in fake.sent(chan.id) if "You're registered" in str(m.get("text"))]
    assert 1 == len(confirmations)
    storage = Storage.open(bot.workdir / "cppbot.db")
    assert [("e2e_webinar", 2)] == [
        (r["event_id"], r["attendees"]) for r in storage.registrations(9501)
    ]
    assert [] == storage.waiting()  # the outbox is empty once Telegram confirmed it
    storage.close()
    await bot.stop_cleanly()


def _bot(fake: FakeTelegram, tmp_path: Path, mode: str) -> BotProcess:
    """The bot polling, or on a webhook (ready once it has set it)."""
    if mode == "polling":
        return BotProcess(fake, tmp_path, {})
    port = _free_port()
    env = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    return BotProcess(
        fake, tmp_path, env, ready=lambda: [m for m, _ in fake.calls].count("setWebhook")
    )


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_kill_half_way_through_forget_is_finished_at_the_next_start(
    fake: FakeTelegram, tmp_path: Path, mode: str
) -> None:
    bot = _bot(fake, tmp_path, mode)
    await bot.start()
    lee = fake.user(9502, "Lee")
    await lee.say("/staff Can our project start later?")
    await lee.expect("company")
    await lee.say("Lee Plastics")
    await lee.expect("#1")
    await fake.expect(STAFF_CHAT, "Ticket #1")
    (thread,) = fake.topics[STAFF_CHAT]
    fault = fake.fail("deleteForumTopic", "lost", delay=30)  # the topic's deletion hangs
    await lee.say("/forget")
    await _kill_during(bot, fake, "deleteForumTopic")
    fault.times = 0
    await bot.start()
    await lee.expect("deleted", timeout=20)
    await fake.quiet()
    assert thread not in fake.topics[STAFF_CHAT]  # the staff chat holds nothing of theirs
    assert 1 == sum("deleted" in str(m.get("text")) for m in fake.sent(lee.id))
    storage = Storage.open(bot.workdir / "cppbot.db")
    assert storage.ticket(1) is None and storage.load_session(lee.id) is None
    assert [] == storage.unfinished_updates()
    storage.close()
    await bot.stop_cleanly()


async def test_an_announcement_killed_half_way_goes_on_after_the_restart_without_repeats(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    env = {"KNOWLEDGE_DIR": str(_knowledge_with_a_seminar(tmp_path / "knowledge"))}
    bot = BotProcess(fake, tmp_path, env)
    users = [fake.user(9600 + n, f"S{n}") for n in range(80)]
    storage = Storage.open(bot.workdir / "cppbot.db")
    for user in users:
        storage.subscribe(user.id, "en")
    storage.close()
    await bot.start()
    await fake.send_text(fake.user(5550001, "Ho"), STAFF_CHAT, "/announce e2e_webinar")
    deadline = time.monotonic() + 20
    while sum(bool(fake.sent(u.id)) for u in users) < 10:  # well under way
        assert time.monotonic() < deadline, bot.output
        await asyncio.sleep(0.02)
    assert bot.proc is not None
    bot.proc.kill()
    bot.proc.wait()
    told_before = sum(bool(fake.sent(u.id)) for u in users)
    assert told_before < len(users)  # the kill did stop it half-way
    await bot.start()
    await fake.expect(STAFF_CHAT, "sent ", timeout=30)  # the summary after the restart
    await fake.quiet()
    counts = [len(fake.sent(u.id)) for u in users]
    assert max(counts) == 1  # nobody twice
    assert counts.count(0) <= 1  # at most the one in flight at the kill, counted failed
    storage = Storage.open(bot.workdir / "cppbot.db")
    tally = storage.tally("announce:e2e_webinar")
    storage.close()
    assert len(users) == tally["sent"] + tally["failed"]  # every subscriber accounted for
    assert tally["failed"] <= 1  # the one in flight at the kill (it may have arrived or not)
    await bot.stop_cleanly()
