"""The outbox: a turn's replies are stored with the turn and leave only once Telegram has
accepted them, so an outage longer than the retries, or a kill, loses no answer and sends none
twice (the kill itself: ``test_crash``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.outbox import Outbox
from bot.storage import Storage
from flows.buttons import Nav
from flows.core import Button, Reply
from flows.effects import Case, TicketAlreadyOpen, TicketOpened
from knowledge.answer import Assistant
from tests.app_harness import Harness, harness
from tests.fakebot import FakeTelegram

STAFF_CHAT = -1009876543210


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bot with no retries of its own: one 502 fails a send."""
    async with Bot(fake.token, base_url=fake.base_url) as plain:
        yield plain


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [str(m.get("text", "")) for m in fake.sent(chat_id)]


async def test_staged_replies_go_out_in_order_with_their_buttons(
    fake: FakeTelegram, bot: Bot, fresh_db: Storage
) -> None:
    user = fake.user(601, "Chan")
    outbox = Outbox(fresh_db)
    outbox.stage(
        user.id, user.id, [Reply("first"), Reply("second", ((Button("Yes", Nav("back")),),))]
    )
    assert await outbox.flush(bot, user.id)
    assert ["first", "second"] == texts(fake, user.id)
    [*_, last] = fake.sent(user.id)
    assert Nav("back").pack() == last["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert [] == fresh_db.waiting()


async def test_what_telegram_refused_waits_and_goes_once_in_order(
    fake: FakeTelegram, bot: Bot, fresh_db: Storage
) -> None:
    user = fake.user(602, "Lee")
    outbox = Outbox(fresh_db)
    outbox.stage(user.id, user.id, [Reply("one")])
    assert await outbox.flush(bot, user.id)
    outbox.stage(user.id, user.id, [Reply("two"), Reply("three")])
    fake.fail("sendMessage", "502")
    assert not await outbox.flush(bot, user.id)
    assert ["one"] == texts(fake, user.id)
    assert 2 == len(fresh_db.waiting(user.id))
    assert 0 == await outbox.flush_all(bot)  # e.g. the next start, or the minute's retry
    assert ["one", "two", "three"] == texts(fake, user.id)
    assert 0 == await outbox.flush_all(bot)
    assert ["one", "two", "three"] == texts(fake, user.id)


async def test_a_user_who_blocked_the_bot_does_not_hold_the_outbox_up(
    fake: FakeTelegram, bot: Bot, fresh_db: Storage
) -> None:
    gone, here = fake.user(603, "Gone"), fake.user(604, "Here")
    fake.blocked.add(gone.id)
    outbox = Outbox(fresh_db)
    outbox.stage(gone.id, gone.id, [Reply("for gone")])
    outbox.stage(here.id, here.id, [Reply("for here")])
    assert 0 == await outbox.flush_all(bot)
    assert ["for here"] == texts(fake, here.id)
    assert [] == fresh_db.waiting()


async def test_forget_also_empties_the_users_outbox(fresh_db: Storage) -> None:
    Outbox(fresh_db).stage(605, 605, [Reply("not sent yet")])
    Outbox(fresh_db).stage(606, 606, [Reply("someone else's")])
    fresh_db.forget(605)
    assert [606] == [row.chat_id for row in fresh_db.waiting()]


@pytest.fixture
async def h(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    fake.supergroup(STAFF_CHAT, "Secretariat", is_forum=True)
    running = await harness(fake, assistant, staff_chat_id=STAFF_CHAT)
    yield running
    await running.close()


async def test_the_same_handoff_handled_again_opens_no_second_ticket(h: Harness) -> None:
    # After a kill before the turn was saved, the update is handled again: the user is told
    # their ticket is open, as the first time, not that "a ticket is already open".
    case = Case(lang="en", question="Can we extend the deadline?", company="ABC Ltd")
    first = await h.desk.tickets.open(h.app.bot, 607, "607", case)
    again = await h.desk.tickets.open(h.app.bot, 607, "607", case)
    assert isinstance(first, TicketOpened) and isinstance(again, TicketOpened)
    assert first.ticket == again.ticket
    other = await h.desk.tickets.open(h.app.bot, 607, "607", Case(lang="en", question="Else?"))
    assert TicketAlreadyOpen(first.ticket) == other


async def test_a_users_answer_is_in_no_outbox_once_sent(h: Harness, fake: FakeTelegram) -> None:
    user = fake.user(608, "Wong")
    await h.say(user, "What is the hotline of the secretariat?")
    assert any("2788 5588" in text for text in texts(fake, user.id))
    assert [] == h.desk.storage.waiting()
