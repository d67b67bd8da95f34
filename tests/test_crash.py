"""A SIGKILL while an update is in hand loses nothing: the update was journaled before it was
handled, and the next start handles it; a turn already saved has its replies in the outbox,
sent at the next start. Either way the user gets the answer once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.storage import Storage
from tests.fakebot import FakeTelegram
from tests.fakebot.process import BotProcess
from tests.test_telegram_e2e import _knowledge_with_a_seminar


async def test_a_kill_while_answering_loses_no_question(fake: FakeTelegram, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path, {})
    await bot.start()
    user = fake.user(9500, "Kill")
    fault = fake.fail("sendMessage", "lost", delay=30)  # the answer hangs, never delivered
    await user.say("What is the hotline of the Secretariat?")
    deadline = time.monotonic() + 15
    while ("sendMessage", "lost") not in fake.faulted:  # the bot is sending its answer now
        assert time.monotonic() < deadline, bot.output
        await asyncio.sleep(0.05)
    assert bot.proc is not None
    bot.proc.kill()  # SIGKILL: no cleanup of any kind
    bot.proc.wait()
    fault.times = 0
    await bot.start()
    await user.expect("2788 5588", timeout=20)
    await fake.quiet()
    answers = [m for m in fake.sent(user.id) if "2788 5588" in str(m.get("text", ""))]
    assert 1 == len(answers)
    await bot.stop_cleanly()


async def _kill_while_sending(bot: BotProcess, fake: FakeTelegram) -> None:
    """Wait until the bot hangs on a 'lost' sendMessage, then SIGKILL it."""
    deadline = time.monotonic() + 15
    while ("sendMessage", "lost") not in fake.faulted:
        assert time.monotonic() < deadline, bot.output
        await asyncio.sleep(0.05)
    assert bot.proc is not None
    bot.proc.kill()
    bot.proc.wait()


async def test_a_kill_while_confirming_a_registration_tells_the_user_once(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    env = {"KNOWLEDGE_DIR": str(_knowledge_with_a_seminar(tmp_path / "knowledge"))}
    bot = BotProcess(fake, tmp_path, env)
    await bot.start()
    chan = fake.user(9501, "Chan", language_code="en")
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
    fault = fake.fail("sendMessage", "lost", delay=30)  # the confirmation hangs, undelivered
    await chan.press("Confirm")
    await _kill_while_sending(bot, fake)
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
