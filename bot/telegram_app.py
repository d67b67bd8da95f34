"""The Telegram bot's Application: its handlers and who may use them, built from the one
composition root (``bot.compose``); the desk is made in ``post_init`` and the database closed
on shutdown.

``run`` is what ``cppbot run`` (and ``make run`` with a token) starts: long polling, or a
webhook when ``WEBHOOK_URL`` is set. Conversation state lives in SQLite (``Storage``), not in a
pickle file, so a restart carries every conversation on.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import handlers
from bot.compose import Services
from bot.concurrency import PerChatProcessor
from bot.config import Settings
from bot.delivery import RetryingRateLimiter
from bot.desk import Desk
from bot.scheduler import TICK_EVERY
from bot.updates import Polling, Webhook, serve

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
STAFF_COMMANDS = [
    "tickets",
    "stats",
    "close",
    "reply",
    "help",
    "announce",
    "event_status",
    "report",
]


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's call, every ``TICK_EVERY`` seconds: send what waits, run what is due
    (``bot.scheduler``)."""
    desk: Desk = context.bot_data["desk"]
    desk.refresh_events()  # an event staff added to events.yaml since
    await desk.outbox.flush_all(context.bot)  # what an outage left unsent
    desk.staff_queue.wake()  # and unposted for staff
    await desk.scheduler.tick(context.bot)


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    """Open the resources once the bot is known to Telegram; set the command menus; send what
    a crash left unsent; start the scheduler's ticks (reminders, reports, the daily purge)."""
    services: Services = app.bot_data["services"]
    desk = services.desk()
    app.bot_data["desk"] = desk
    await desk.menus.set(app.bot, "en")
    await desk.outbox.flush_all(app.bot)  # replies a crash or an outage left unsent
    await desk.staff_queue.drain(app.bot)  # cases and misses a crash left unposted
    app.bot_data["staff_queue"] = asyncio.create_task(desk.staff_queue.run(app.bot))
    if app.job_queue is not None:
        app.job_queue.run_repeating(_tick, interval=TICK_EVERY, first=1, name="scheduler")
    else:  # without the job-queue extra nothing scheduled would ever happen: say so
        log.error("python-telegram-bot's job-queue extra is missing: nothing scheduled will run")
    log.info("cppbot is running as @%s", app.bot.username)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    task = app.bot_data.pop("staff_queue", None)
    if task is not None:
        task.cancel()
    services: Services = app.bot_data["services"]
    services.close()


def add_handlers(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Who may do what: staff commands in the staff chat (or for STAFF_USER_IDS), staff messages
    relayed from the staff chat, and everything else only in private chats."""
    staff_chat = filters.Chat(chat_id=[settings.staff_chat_id] if settings.staff_chat_id else [])
    staff_users = filters.User(user_id=list(settings.staff_user_ids))
    message = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE & message
    app.add_handlers(
        [
            CommandHandler(STAFF_COMMANDS, handlers.on_staff_command, staff_chat & message),
            MessageHandler(
                staff_chat & message & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                handlers.on_staff_message,
            ),
            CommandHandler(
                ["tickets", "stats", "close"], handlers.on_staff_command, private & staff_users
            ),
            CallbackQueryHandler(handlers.on_button),
            MessageHandler(private & filters.TEXT, handlers.on_text),
            MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.on_media),
        ]
    )
    app.add_error_handler(handlers.on_error)


def build_application(services: Services, updater: bool = True) -> Application:  # type: ignore[type-arg]
    """The Application, wired but not started; ``updater=False`` for ``bot.updates``, which
    takes the updates in itself."""
    settings = services.settings
    builder = Application.builder()
    if not updater:
        builder = builder.updater(None)
    app = (
        builder.token(settings.token)
        .base_url(settings.base_url)
        .rate_limiter(RetryingRateLimiter())
        .concurrent_updates(PerChatProcessor())
        .read_timeout(settings.read_timeout)
        .write_timeout(settings.read_timeout)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["services"] = services
    add_handlers(app, settings)
    return app


def run(services: Services) -> None:
    """Run until interrupted: a webhook when WEBHOOK_URL is set, else long polling; either way
    every update is journaled before Telegram is told it arrived (``bot.updates``)."""
    settings = services.settings
    intake: Polling | Webhook = (
        Webhook(settings, ALLOWED_UPDATES) if settings.webhook_url else Polling(ALLOWED_UPDATES)
    )
    asyncio.run(serve(build_application(services, updater=False), intake))
