"""A SIGKILL while an update is in hand loses nothing: the update was journaled before it was
handled, and the next start handles it; the user gets the answer once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.fakebot import FakeTelegram
from tests.fakebot.process import BotProcess


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
