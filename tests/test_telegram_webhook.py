"""End to end in webhook mode: the real ``cppbot run`` with ``WEBHOOK_URL`` set, against our fake
Telegram Bot API server, which delivers the users' updates by POSTing them to the bot's webhook
(with the secret token header), as Telegram does. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientConnectionError, ClientSession, ClientTimeout

from tests.fakebot import FakeTelegram
from tests.fakebot.process import BotProcess

SECRET = "e2e-Webhook_secret-7f3c9a1d"
HOOK_PATH = "/telegram-hook"


@dataclass
class WebhookBot:
    process: BotProcess
    url: str


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _set_webhook_calls(fake: FakeTelegram) -> list[dict[str, object]]:
    return [params for method, params in fake.calls if method == "setWebhook"]


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[WebhookBot]:
    """The bot in webhook mode, started once it has called setWebhook. Its webhook server
    may open a moment later; the fake retries a refused delivery, as Telegram does."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}{HOOK_PATH}"
    env = {
        "WEBHOOK_URL": url,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    process = BotProcess(fake, tmp_path, env, ready=lambda: len(_set_webhook_calls(fake)))
    await process.start()
    yield WebhookBot(process, url)
    await process.stop_cleanly(SECRET)  # neither the token nor the secret reaches the log
    assert [] == [method for method, _ in fake.calls if method == "getUpdates"]


async def _post_update(url: str, update: dict[str, object], secret: str | None) -> int:
    """POST ``update`` to the bot's webhook as a stranger would; the HTTP status. Retries
    while the webhook server is not accepting connections yet (it opens after setWebhook)."""
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        while True:
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    await response.read()
                    return response.status
            except ClientConnectionError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.05)


async def test_webhook_mode_answers_users_and_stops_cleanly(
    fake: FakeTelegram, bot: WebhookBot
) -> None:
    (registered,) = _set_webhook_calls(fake)
    assert bot.url == registered["url"]
    assert SECRET == registered["secret_token"]
    assert ["message", "callback_query"] == registered["allowed_updates"]
    assert fake.webhook is not None and bot.url == fake.webhook["url"]

    mei = fake.user(1001, "Mei", language_code="zh-hant")
    await mei.say("/start")
    welcome = await mei.expect("你好")
    assert ["English", "普通话"] == [label for label, _ in mei.buttons(welcome)]
    await mei.say("點樣申請呢個計劃㗎？")
    answer = await mei.expect("資料來源")
    assert "👍" in [label for label, _ in mei.buttons(answer)]

    await fake.quiet()
    assert not fake.webhook["last_error_message"] or "Connection failed" in str(
        fake.webhook["last_error_message"]
    )  # at most refused while the webhook server was opening; never a bad answer
    menus = fake.commands
    assert ("default", "") in menus and ("default", "zh") in menus


async def test_webhook_refuses_an_update_without_the_right_secret(
    fake: FakeTelegram, bot: WebhookBot
) -> None:
    forger = fake.user(1002, "Forger", language_code="en")
    forged = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": forger.chat_json(),
            "from": forger.as_json(),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    assert 403 == await _post_update(bot.url, forged, "not-the-secret")
    assert 403 == await _post_update(bot.url, forged, None)

    # The bot is up and answers a genuine update (delivered by the fake with the secret)...
    genuine = fake.user(1003, "Wong", language_code="en")
    await genuine.say("/start")
    await genuine.expect()
    await fake.quiet()
    # ... but the forged ones produced nothing.
    assert [] == fake.sent(forger.id)
    assert [] == [
        params for _, params in fake.calls if params.get("chat_id") in (forger.id, str(forger.id))
    ]
