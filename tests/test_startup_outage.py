"""`cppbot run` started while Telegram is unreachable waits for it, saying so in one log line
per attempt, and then serves users: no exit, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakebot import FakeTelegram
from tests.fakebot.process import BotProcess


@pytest.mark.parametrize("kind", ["outage", "429"])
async def test_a_start_during_an_outage_waits_and_then_serves(
    fake: FakeTelegram, tmp_path: Path, kind: str
) -> None:
    if kind == "outage":
        fake.outage(10)  # 502 to every call, getMe included, for 10 seconds
    else:
        fake.fail("getMe", "429", times=3, retry_after=2)
    bot = BotProcess(fake, tmp_path, {})
    await bot.start()  # polling began: it did not exit
    user = fake.user(7001, "Lee")
    await user.say("What is the Secretariat's phone number?")
    await user.expect("2788 5588")
    output = await bot.stop_cleanly()
    assert "Traceback" not in output
    if kind == "outage":
        assert "Telegram is unreachable" in output or "retry" in output
