"""SIGTERM with a backlog: the bot stops within Docker's 10-second grace period and no queued
question goes unanswered (answered before it stops, or after the next start)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.fakebot import FakeTelegram
from tests.fakebot.process import BotProcess

QUESTIONS = 40


async def test_sigterm_with_40_queued_questions(fake: FakeTelegram, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path, {})
    await bot.start()
    users = [fake.user(9300 + n, f"Q{n}") for n in range(QUESTIONS)]
    for user in users:
        await user.say("What is the hotline of the Secretariat?")
    await asyncio.sleep(0.3)  # the bot has fetched the backlog
    started = time.monotonic()
    assert 0 == await bot.stop()
    assert time.monotonic() - started < 10.0
    await bot.start()
    for user in users:
        await user.expect("2788 5588", timeout=20)
    answered = [
        sum("2788 5588" in str(m.get("text", "")) for m in fake.sent(user.id)) for user in users
    ]
    assert [1] * QUESTIONS == answered  # each once: none lost, none twice
    await bot.stop_cleanly()
