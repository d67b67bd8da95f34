"""Every reply and relay reaches its chat exactly once when Telegram has a bad day.

The Application as shipped (``build_application``) runs against the fake Bot API, which is made
to answer 429 with ``retry_after``, 502 Bad Gateway, a late answer to a call it carried out, or
no answer at all to one it dropped. What users and staff finally have is then counted.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import Settings
from bot.delivery import RetryingRateLimiter
from knowledge.answer import Assistant
from tests.app_harness import Harness, harness
from tests.fakebot import FakeTelegram, FakeUser

STAFF_CHAT = -1009876543210
TIMEOUT = 2.0  # the bot's read timeout in these tests (seconds)


@pytest.fixture
async def h(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    fake.supergroup(STAFF_CHAT, "Secretariat", is_forum=True)
    running = await harness(fake, assistant, staff_chat_id=STAFF_CHAT, read_timeout=TIMEOUT)
    yield running
    await running.close()


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [str(m.get("text", "")) for m in fake.sent(chat_id)]


QUESTION = "What is the hotline of the secretariat?"


async def _answer_count(h: Harness, user: FakeUser) -> int:
    return sum("2788 5588" in text for text in texts(h.fake, user.id))


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "429", "retry_after": 1},
        {"kind": "429", "retry_after": 1, "times": 3},
        {"kind": "502"},
        {"kind": "502", "times": 3},
        {"kind": "late", "delay": TIMEOUT / 2},  # arrived; the answer is late but in time
        {"kind": "lost", "delay": TIMEOUT * 1.5},  # never arrived: sent again
    ],
    ids=lambda f: "-".join(str(v) for v in f.values()),
)
async def test_an_faq_answer_arrives_exactly_once(
    h: Harness, fake: FakeTelegram, fault: dict[str, Any]
) -> None:
    user = fake.user(501, "Chan")
    fake.fail("sendMessage", **fault)
    await h.say(user, QUESTION)
    assert 1 == await _answer_count(h, user)
    assert [] == [t for t in texts(fake, user.id) if "went wrong" in t]
    assert fault["kind"] in {kind for _, kind in fake.faulted}


async def test_a_relay_to_staff_is_delivered_once_and_recorded(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(502, "Wong")
    await h.say(user, "/staff Can our project start later?")
    await h.say(user, "ABC Ltd")
    ticket = h.desk.storage.open_ticket_for("502")
    assert ticket is not None and ticket.thread_id is not None
    fake.fail("copyMessage", "429", retry_after=1)
    fake.fail("copyMessage", "502")
    await h.say(user, "Our DP cost is 800k, is that fine?")
    copies = [
        m for m in fake.sent(STAFF_CHAT, ticket.thread_id) if "800k" in str(m.get("text", ""))
    ]
    assert 1 == len(copies)
    relays = h.desk.storage.db.execute(
        "select count(*) from relays where ticket_id = ? and direction = 'to_staff'",
        [ticket.id],
    ).fetchone()[0]
    assert 1 == relays


def test_settings_default_to_a_timeout_longer_than_telegrams_slow_answers() -> None:
    """A late answer within the timeout is a delivered message, never reported failed."""
    assert Settings(token="1:x").read_timeout >= 10


async def test_messages_to_one_private_chat_are_paced_and_other_chats_are_not() -> None:
    """A burst goes at once; past it, one chat's messages wait their turn (Telegram asks for
    about one a second per private chat), while another chat is not held up."""
    limiter = RetryingRateLimiter(private_burst=2, private_period=0.6)
    await limiter.initialize()

    async def call() -> bool:
        return True

    async def send(chat_id: int) -> float:
        started = time.monotonic()
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": chat_id}, None)
        return time.monotonic() - started

    burst = [await send(1) for _ in range(2)]
    assert max(burst) < 0.1  # the first two at once
    assert await send(1) >= 0.2  # the third waits for the chat's pace
    assert await send(2) < 0.1  # another user is not held up
    await limiter.shutdown()
