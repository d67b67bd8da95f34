"""A user flooding the bot is slowed alone: past 20 messages a minute they are told once, in
their language, and the rest are neither answered nor relayed; other users are not affected."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.compose import Services
from bot.config import Settings
from bot.desk import Desk
from bot.flood import FloodGate
from bot.office import OfficeHours
from bot.storage import Storage
from bot.telegram_app import build_application
from knowledge.answer import Assistant
from tests.fakebot import FakeTelegram, FakeUser

MONDAY_MORNING = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


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
async def desk(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[tuple[Desk, object]]:
    settings = Settings(
        token=fake.token,
        base_url=fake.base_url,
        database_path=":memory:",
        office=OfficeHours.parse(),
    )
    app = build_application(Services(settings))
    await app.initialize()
    storage = Storage.open(":memory:", clock=lambda: MONDAY_MORNING)
    desk = Desk(settings, storage, assistant, clock=lambda: MONDAY_MORNING)
    app.bot_data["desk"] = desk
    yield desk, app
    storage.close()
    await app.shutdown()


async def _say(
    fake: FakeTelegram, app: object, user: FakeUser, text: str, offset: list[int]
) -> None:
    await fake.send_text(user, user.id, text)
    updates = await app.bot.get_updates(offset=offset[0], timeout=0)  # type: ignore[attr-defined]
    for update in updates:
        offset[0] = update.update_id + 1
        await app.process_update(update)  # type: ignore[attr-defined]


async def test_a_flooding_user_is_slowed_politely_and_others_are_not(
    fake: FakeTelegram, desk: tuple[Desk, object]
) -> None:
    the_desk, app = desk
    flooder = fake.user(801, "Flood", language_code="zh-hans")
    other = fake.user(802, "Calm")
    offset = [0]
    for _ in range(25):
        await _say(fake, app, flooder, "秘书处的热线电话是多少？", offset)
    texts = [str(m.get("text", "")) for m in fake.sent(flooder.id)]
    assert 20 == sum("2788 5588" in t for t in texts)
    notices = [t for t in texts if t == the_desk.kb.say("flood_slow_down", "zh")]
    assert 1 == len(notices)
    await _say(fake, app, other, "What's the hotline?", offset)
    assert any("2788 5588" in str(m.get("text", "")) for m in fake.sent(other.id))
