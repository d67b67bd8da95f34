"""Getting updates from Telegram, by long polling or by webhook, so that a kill at any line
loses none, and a stop bounded in time.

Why: python-telegram-bot confirms each update as soon as it has it (its polling moves the offset
on; its webhook answers 200 before the update is handled), so an update in hand when the
process dies is lost (a Confirm press vanished; a ticket stayed half-made). Here every update is
written to the journal (``bot.storage.journal``) before Telegram is told it arrived: polling
moves the offset on only after the batch is stored, the webhook answers 200 only after the
update is stored (else 500, and Telegram sends it again). An update leaves the journal once
handled (a turn marks it in its own transaction, see ``Desk.converse``); at start the
unfinished ones are handled first. On SIGTERM or SIGINT intake stops at once, what is in hand
gets ``STOP_GRACE`` seconds to finish (Docker kills after 10), and anything left stays in the
journal for the next start. Telegram outages are waited out with backoff, one log line each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from typing import Any, Protocol, TypeAlias
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.config import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds a getUpdates call waits for updates
STOP_GRACE = 8.0  # seconds the updates in hand get to finish after SIGTERM
MAX_BACKOFF = 30.0
DONE_GROUP = 99  # after every other handler group
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

App: TypeAlias = "Application[Any, Any, Any, Any, Any, Any]"


class Intake(Protocol):
    """Where updates come from: each is journaled, then put on the Application's queue."""

    async def open(self, app: App, storage: Storage) -> None: ...

    async def close(self) -> None: ...


def journal_handler(storage: Storage) -> TypeHandler:  # type: ignore[type-arg]
    """The last handler of every update: it was handled, so it leaves the journal."""

    async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        storage.finish_update(update.update_id)

    return TypeHandler(Update, done)


async def serve(app: App, intake: Intake) -> None:
    """Initialise, handle the journal's unfinished updates, take updates until a signal, stop.
    The journal is the desk's database (``post_init`` opens it)."""
    await _initialise(app)
    if app.post_init is not None:
        await app.post_init(app)
    storage: Storage = app.bot_data["desk"].storage
    app.add_handler(journal_handler(storage), group=DONE_GROUP)
    await app.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    for update_id, data in storage.unfinished_updates():
        log.info("update %d was not finished before the last stop; handling it now", update_id)
        await app.update_queue.put(Update.de_json(json.loads(data), app.bot))
    await intake.open(app, storage)
    await stopping.wait()
    await intake.close()
    try:
        await asyncio.wait_for(app.stop(), STOP_GRACE)
        stopped = True
    except TimeoutError:
        log.warning("stopping: updates still in hand after %.0f s are left for the next start",
                    STOP_GRACE)  # fmt: skip
        stopped = False
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
    if stopped:  # else the Application is still running: the process ends with it
        await app.shutdown()


async def _initialise(app: App) -> None:
    """``app.initialize()`` (getMe), retried with backoff while Telegram cannot be reached."""
    backoff = 1.0
    while True:
        try:
            await app.initialize()
            return
        except InvalidToken:
            raise
        except (NetworkError, RetryAfter) as exc:
            log.warning("Telegram is unreachable at start (%s); trying again in %.0f s",
                        exc, backoff)  # fmt: skip
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)


async def _queue_new(app: App, storage: Storage, updates: list[dict[str, Any]]) -> None:
    """Journal updates (as Telegram sent them), then queue those not seen before."""
    new = set(storage.journal([(int(u["update_id"]), json.dumps(u)) for u in updates]))
    for data in updates:
        if int(data["update_id"]) in new:
            await app.update_queue.put(Update.de_json(data, app.bot))


class Polling:
    """Long polling: fetch, journal, then queue; the offset moves on only past stored updates."""

    def __init__(self, allowed_updates: list[str]) -> None:
        self.allowed_updates = allowed_updates
        self._task: asyncio.Task[None] | None = None

    async def open(self, app: App, storage: Storage) -> None:
        await app.bot.delete_webhook()  # polling and a webhook exclude each other
        self._task = asyncio.create_task(self._fetch(app, storage))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _fetch(self, app: App, storage: Storage) -> None:
        offset = storage.next_update_offset()
        backoff = 1.0
        while True:
            try:
                updates = await app.bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT, allowed_updates=self.allowed_updates
                )
                backoff = 1.0
            except TelegramError as exc:
                log.warning("getUpdates failed (%s); trying again in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            if not updates:
                continue
            await _queue_new(app, storage, [u.to_dict() for u in updates])
            offset = updates[-1].update_id + 1


class _Hook(tornado.web.RequestHandler):
    """POST from Telegram: the secret checked, the update journaled, then 200."""

    def initialize(self, app: App, storage: Storage, secret: str | None) -> None:
        self.app, self.storage, self.secret = app, storage, secret

    async def post(self) -> None:
        if self.secret and self.request.headers.get(SECRET_HEADER) != self.secret:
            log.warning("a webhook call without the right secret token was refused")
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            int(data["update_id"])
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        try:
            await _queue_new(self.app, self.storage, [data])
        except Exception:  # not stored: Telegram must send it again
            log.exception("a webhook update could not be journaled")
            self.set_status(500)
            return
        self.set_status(200)


class Webhook:
    """A webhook (``WEBHOOK_URL``): Telegram POSTs each update; it is stored before the 200."""

    def __init__(self, settings: Settings, allowed_updates: list[str]) -> None:
        self.settings = settings
        self.allowed_updates = allowed_updates
        self._server: tornado.httpserver.HTTPServer | None = None

    async def open(self, app: App, storage: Storage) -> None:
        settings = self.settings
        assert settings.webhook_url is not None
        path = urlsplit(settings.webhook_url).path or "/"
        routes = [
            (path, _Hook, {"app": app, "storage": storage, "secret": settings.webhook_secret})
        ]
        self._server = tornado.httpserver.HTTPServer(tornado.web.Application(routes))
        self._server.listen(settings.webhook_port, address=settings.webhook_listen)
        await app.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=self.allowed_updates,
        )
        log.info("listening for Telegram's webhook calls on %s:%d",
                 settings.webhook_listen, settings.webhook_port)  # fmt: skip

    async def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
