"""The shipped Application, initialised in-process against the fake Bot API, with updates fed to
it one at a time as polling would: the harness the handler, delivery and flood tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram.ext import Application

from bot.compose import Services
from bot.config import Settings
from bot.desk import Desk
from bot.office import OfficeHours
from bot.storage import Storage
from bot.telegram_app import build_application
from knowledge.answer import Assistant
from tests.fakebot import FakeTelegram, FakeUser

MONDAY_MORNING = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Mon 10:00 in Hong Kong


class Harness:
    """An initialised Application on the fake server, and a way to feed it what users send."""

    def __init__(self, fake: FakeTelegram, app: Application, desk: Desk) -> None:  # type: ignore[type-arg]
        self.fake, self.app, self.desk = fake, app, desk
        self.offset = 0

    async def process(self) -> None:
        """Fetch what users sent from the fake server and process it, in order."""
        updates = await self.app.bot.get_updates(offset=self.offset, timeout=0)
        for update in updates:
            self.offset = update.update_id + 1
            await self.app.process_update(update)
        await self.desk.staff_queue.drain(self.app.bot)  # as its background task would

    async def say(self, user: FakeUser, text: str, chat_id: int | None = None, **kw: Any) -> None:
        await self.fake.send_text(user, chat_id or user.id, text, **kw)
        await self.process()

    async def press(self, user: FakeUser, message: dict[str, Any], data: str) -> dict[str, Any]:
        query_id = await self.fake.press(user, message, data)
        await self.process()
        return self.fake.answered_callbacks[query_id]

    async def close(self) -> None:
        self.desk.storage.close()
        await self.app.shutdown()


async def harness(
    fake: FakeTelegram,
    assistant: Assistant,
    clock: dt.datetime = MONDAY_MORNING,
    **overrides: Any,
) -> Harness:
    """The Application as ``cppbot run`` builds it, from ``Settings`` with ``overrides``, and its
    desk on an in-memory database whose clock stands at ``clock``."""
    values: dict[str, Any] = {
        "database_path": ":memory:",
        "office": OfficeHours.parse(),
        **overrides,
    }
    settings = Settings(token=fake.token, base_url=fake.base_url, **values)
    app = build_application(Services(settings))
    await app.initialize()
    storage = Storage.open(":memory:", clock=lambda: clock)
    desk = Desk(settings, storage, assistant, clock=lambda: clock)
    app.bot_data["desk"] = desk
    return Harness(fake, app, desk)
