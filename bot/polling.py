"""Long polling that survives a kill at any line, and a stop bounded in time.

Why: python-telegram-bot's polling confirms each update as soon as it fetches it, so an update
in hand when the process dies is lost (a Confirm press vanished; a ticket stayed half-made).
Here each batch of fetched updates is written to the journal (``bot.storage.journal``) before
Telegram is told to move on, and an update leaves the journal only once handled; at start the
unfinished ones are handled first. On SIGTERM or SIGINT fetching stops at once, what is in hand
gets ``STOP_GRACE`` seconds to finish (Docker kills after 10), and anything left stays in the
journal for the next start. Telegram outages are waited out with backoff, one log line each.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.storage import Storage

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds a getUpdates call waits for updates
STOP_GRACE = 8.0  # seconds the updates in hand get to finish after SIGTERM
MAX_BACKOFF = 30.0
DONE_GROUP = 99  # after every other handler group


def journal_handler(storage: Storage) -> TypeHandler:  # type: ignore[type-arg]
    """The last handler of every update: it was handled, so it leaves the journal."""

    async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        storage.finish_update(update.update_id)

    return TypeHandler(Update, done)


async def serve(app: Application, allowed_updates: list[str]) -> None:  # type: ignore[type-arg]
    """Initialise, handle the journal's unfinished updates, poll until a signal, stop. The
    journal is the desk's database (``post_init`` opens it)."""
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
    await app.bot.delete_webhook()  # polling and a webhook exclude each other
    fetcher = asyncio.create_task(_fetch(app, storage, allowed_updates, stopping))
    await stopping.wait()
    fetcher.cancel()
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


async def _initialise(app: Application) -> None:  # type: ignore[type-arg]
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


async def _fetch(
    app: Application,  # type: ignore[type-arg]
    storage: Storage,
    allowed_updates: list[str],
    stopping: asyncio.Event,
) -> None:
    """Fetch, journal, then queue: an update reaches the queue only once it is stored."""
    offset = storage.next_update_offset()
    backoff = 1.0
    while not stopping.is_set():
        try:
            updates = await app.bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT, allowed_updates=allowed_updates
            )
            backoff = 1.0
        except TelegramError as exc:
            log.warning("getUpdates failed (%s); trying again in %.0f s", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        if not updates:
            continue
        new = set(storage.journal([(u.update_id, json.dumps(u.to_dict())) for u in updates]))
        offset = updates[-1].update_id + 1
        for update in updates:
            if update.update_id in new:
                await app.update_queue.put(update)
