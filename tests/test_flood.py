"""A user flooding the bot is slowed alone: past 20 messages a minute they are told once, in
their language, and the rest are neither answered nor relayed; other users are not affected."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.flood import FloodGate
from knowledge.answer import Assistant
from tests.app_harness import Harness, harness
from tests.fakebot import FakeTelegram


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_gate_admits_the_limit_then_tells_once_then_drops() -> None:
    clock = Clock()
    gate = FloodGate(limit=3, window=60, clock=clock)
    assert ["ok", "ok", "ok", "notice", "drop", "drop"] == [gate.admit("u") for _ in range(6)]
    assert "ok" == gate.admit("someone else")
    clock.now += 61  # the window has passed
    assert "ok" == gate.admit("u")


def test_a_steady_writer_is_never_slowed() -> None:
    clock = Clock()
    gate = FloodGate(limit=20, window=60, clock=clock)
    for _ in range(200):  # one message every 3.5 s, for more than 10 minutes
        assert "ok" == gate.admit("u")
        clock.now += 3.5


@pytest.fixture
async def h(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    running = await harness(fake, assistant)
    yield running
    await running.close()


async def test_a_flooding_user_is_slowed_politely_and_others_are_not(
    fake: FakeTelegram, h: Harness
) -> None:
    flooder = fake.user(801, "Flood", language_code="zh-hans")
    other = fake.user(802, "Calm")
    for _ in range(25):
        await h.say(flooder, "秘书处的热线电话是多少？")
    texts = [str(m.get("text", "")) for m in fake.sent(flooder.id)]
    assert 20 == sum("2788 5588" in t for t in texts)
    notices = [t for t in texts if t == h.desk.kb.say("flood_slow_down", "zh")]
    assert 1 == len(notices)
    await h.say(other, "What's the hotline?")
    assert any("2788 5588" in str(m.get("text", "")) for m in fake.sent(other.id))
