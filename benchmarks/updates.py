"""Benchmark: Telegram updates per second through the bot's real Application, in-process and
offline, against a bare python-telegram-bot echo bot measured in the same run.

Target (restructuring): the bot's throughput must become at least 1.8x the baseline measured at
commit 5ef4096 (``BASELINE_*`` below, benchmarks/README.md). Run:

    .venv/bin/python benchmarks/updates.py [--updates 2000] [--warmup 300] [--users 200]
        [--repeat 1] [--profile [--top 15]] [--db-dir DIR]

(``.venv/bin/python -m benchmarks.updates`` from the repository root works too.)

What runs: the Application that ``bot.telegram_app.build_application`` wires (its handlers,
error handler, ``post_init``/``post_shutdown``, ``bot_data``), rebuilt around an in-memory
request layer (``OfflineRequest``: every Bot API call answered from memory, no sockets) and
without the ``AIORateLimiter``, so only the bot's own work is timed: python-telegram-bot's
dispatch and (de)serialisation, the conversation, the FAQ search, rendering, logging as
``cppbot run`` sets it up, and SQLite commits to a database file in a temporary directory (not
``:memory:``: commit cost is part of the point; ``--db-dir`` picks the file system). Scripted
users (200 by default) send a mix of FAQ questions in en/yue/zh (tests/eval/enquiries.jsonl),
/start, guided checks (/eligibility, then answers) and presses of the buttons the bot itself
sent (language, 👍/👎, related questions, the check's options). Each update goes through
``await app.process_update(Update.de_json(...))`` one at a time, after ``initialize()``, the
``post_init`` and a warm-up. The echo bot gets the same number of text messages from the same
users through the same request layer. Wall-clock rates are the result; CPU time is printed
beside them (the difference is fsync waits, or other processes taking the CPU).

The benchmark imports ``bot`` from ``sys.path``, so ``PYTHONPATH=/path/to/other/tree`` measures
another checkout: the first line prints which ``bot`` it imported, and the run fails if any of
the project's modules came from elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import html
import itertools
import json
import logging
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest, RequestData

ROOT = Path(__file__).resolve().parents[1]
ENQUIRIES = ROOT / "tests" / "eval" / "enquiries.jsonl"
TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz"
BOT_ID = 123456
STAFF_CHAT = -1001000000001  # a forum supergroup: misses go to its "unanswered questions" topic
FIRST_USER = 10_000
# Medians of three runs at the commit before the restructuring, on the 2-core development machine
# when it was otherwise idle (benchmarks/README.md has the runs and the method).
BASELINE_COMMIT = "5ef4096"
BASELINE_BOT = 288  # updates/s
BASELINE_ECHO = 3025  # updates/s
BASELINE_RATIO = 10.0  # echo/bot, the median of the three runs' ratios
TARGET = 1.8

JSON = dict[str, Any]
App = Application[Any, Any, Any, Any, Any, Any]


# ----------------------------------------------------------------------- coupling to the bot
# The only two functions that know the bot's code. When bot.telegram_app or bot.compose change,
# adapt the call in ``bot_application``: everything else uses python-telegram-bot's public API
# on the Application it returns (handlers, error_handlers, post_init, post_shutdown, bot_data,
# defaults, context_types) and the documented environment variables.


def bot_application(database: Path) -> App:
    """The bot's Application exactly as ``cppbot run`` builds it (not started, no I/O yet)."""
    import bot
    from bot.telegram_app import build_application

    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "STAFF_CHAT_ID": str(STAFF_CHAT),
        "DATABASE_PATH": str(database),
    }
    # Not importlib.util.find_spec: the editable install's finder would find bot/compose.py in
    # the installed checkout even when PYTHONPATH points at an older tree without it.
    if not (Path(bot.__file__ or "").parent / "compose.py").is_file():  # before it (5ef4096)
        from bot.config import load_settings

        build: Any = build_application  # it took the Settings then
        before: App = build(load_settings(env))
        return before
    from bot.compose import compose  # the one composition root since the restructuring

    app: App = build_application(compose(env, telegram=True))
    return app


def production_logging(stream: Any) -> str:
    """Logging as ``cppbot run`` sets it up (INFO, the redacting handler), into ``stream``."""
    try:
        from bot.logs import setup_logging
    except ImportError:
        logging.basicConfig(level=logging.INFO, stream=stream)
        return "logging.basicConfig(INFO) (bot.logs.setup_logging not found)"
    setup_logging([TOKEN], level=logging.INFO, stream=stream)
    return "bot.logs.setup_logging(INFO)"


# ------------------------------------------------------------------- the offline Bot API


def _plain(text: str) -> str:
    """What Telegram stores of an HTML message: the text without tags, entities unescaped."""
    return html.unescape(re.sub(r"<[^>]*>", "", text)).strip()


class OfflineRequest(BaseRequest):
    """Answers every Bot API call from memory with plausible Bot API JSON; no sockets.

    Messages the bot sends are kept per chat, so scripted users can read the last replies and
    press their buttons; ``calls`` counts the methods called."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.inbox: dict[int, list[JSON]] = defaultdict(list)  # chat id -> sent, not yet read
        self.messages: dict[tuple[int, int], JSON] = {}
        self._ids = itertools.count(1_000_000)
        self.me: JSON = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "CPP bench",
            "username": "cpp_bench_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.json_parameters if request_data is not None else {}  # as on the wire
        self.calls[name] += 1
        answer = getattr(self, f"_{name}", None)
        if answer is None:
            self.unknown[name] += 1
            body: JSON = {"ok": False, "error_code": 404, "description": "Not Found"}
            return 404, json.dumps(body).encode()
        body = {"ok": True, "result": answer(params)}
        return 200, json.dumps(body).encode()

    # -- helpers

    @staticmethod
    def _chat(chat_id: int) -> JSON:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": "CPP staff", "is_forum": True}

    def _new_message(self, params: dict[str, str], text: str | None = None) -> JSON:
        chat_id = int(params["chat_id"])
        message: JSON = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.me,
        }
        if text is not None:
            message["text"] = text
        if "message_thread_id" in params:
            message["message_thread_id"] = int(params["message_thread_id"])
            message["is_topic_message"] = True
        if "reply_markup" in params:
            message["reply_markup"] = json.loads(params["reply_markup"])
        self.messages[(chat_id, message["message_id"])] = message
        self.inbox[chat_id].append(message)
        return message

    def _edited(self, params: dict[str, str]) -> JSON | bool:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            return True
        message = dict(message, edit_date=int(time.time()))
        if "text" in params:
            message["text"] = _plain(params["text"])
        if "reply_markup" in params:
            message["reply_markup"] = json.loads(params["reply_markup"])
        else:  # editMessageText without a keyboard removes it, as Telegram does
            message.pop("reply_markup", None)
        self.messages[key] = message
        return message

    # -- methods (named _<Bot API method>)

    def _getMe(self, params: dict[str, str]) -> JSON:
        return self.me

    def _sendMessage(self, params: dict[str, str]) -> JSON:
        return self._new_message(params, _plain(params["text"]))

    def _copyMessage(self, params: dict[str, str]) -> JSON:
        return {"message_id": self._new_message(params, "(copy)")["message_id"]}

    def _editMessageText(self, params: dict[str, str]) -> JSON | bool:
        return self._edited(params)

    def _editMessageReplyMarkup(self, params: dict[str, str]) -> JSON | bool:
        return self._edited(params)

    def _createForumTopic(self, params: dict[str, str]) -> JSON:
        return {"message_thread_id": next(self._ids), "name": params["name"], "icon_color": 7322096}

    def _true(self, params: dict[str, str]) -> bool:
        return True

    _answerCallbackQuery = _setMyCommands = _deleteMyCommands = _sendChatAction = _true
    _closeForumTopic = _deleteForumTopic = _deleteMessage = _deleteMessages = _true


# ------------------------------------------------------------------------- the applications


def offline_copy(real: App, request: OfflineRequest) -> App:
    """The same Application (handlers, error handlers, post_init/post_shutdown, bot_data,
    defaults, context types) around ``request`` and without a rate limiter."""
    builder = (
        Application.builder()
        .token(real.bot.token)
        .request(request)
        .get_updates_request(request)
        .context_types(real.context_types)
        .concurrent_updates(real.update_processor)
    )
    if real.bot.defaults is not None:
        builder = builder.defaults(real.bot.defaults)
    if real.post_init is not None:
        builder = builder.post_init(real.post_init)
    if real.post_shutdown is not None:
        builder = builder.post_shutdown(real.post_shutdown)
    if real.persistence is not None:
        builder = builder.persistence(real.persistence)
    app: App = builder.build()
    for group, handlers in real.handlers.items():
        app.add_handlers(handlers, group=group)
    for callback, block in real.error_handlers.items():
        app.add_error_handler(callback, block=block)
    app.bot_data.update(real.bot_data)
    return app


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def echo_application(request: OfflineRequest) -> App:
    """A bare python-telegram-bot echo bot: one MessageHandler that sends the text back."""
    app: App = (
        Application.builder().token(TOKEN).request(request).get_updates_request(request).build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app


async def started(app: App) -> None:
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)


async def stopped(app: App) -> None:
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


# --------------------------------------------------------------------------- scripted users

LANGUAGE_CODES = {"en": ("en", "en-GB", None), "yue": ("zh-hk", "zh-hant"), "zh": ("zh-hans", "zh")}
CHECK_TEXT_ANSWERS = ("60%", "Shenzhen", "Kwun Tong", "30", "yes", "HK$2m", "800000")


def questions() -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = defaultdict(list)
    for line in ENQUIRIES.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            by_lang[row["lang"]].append(row["q"])
    return dict(by_lang)


@dataclass
class User:
    """One scripted Telegram user; ``read()`` returns the bot's messages since the last call."""

    id: int
    lang: str
    language_code: str | None
    request: OfflineRequest
    ids: Iterator[int]
    last: list[JSON] = field(default_factory=list)

    def sender(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": f"User {self.id}"}
        if self.language_code is not None:
            user["language_code"] = self.language_code
        return user

    def read(self) -> list[JSON]:
        sent = self.request.inbox.pop(self.id, [])
        if sent:
            self.last = sent
        return sent

    def text(self, text: str) -> JSON:
        message: JSON = {
            "message_id": next(self.ids),
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": f"User {self.id}"},
            "from": self.sender(),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self.ids), "message": message}

    def press(self, message: JSON, data: str) -> JSON:
        query: JSON = {
            "id": str(next(self.ids)),
            "from": self.sender(),
            "chat_instance": str(self.id),
            "message": self.request.messages.get((self.id, message["message_id"]), message),
            "data": data,
        }
        return {"update_id": next(self.ids), "callback_query": query}

    def buttons(self, *prefixes: str) -> list[tuple[JSON, str]]:
        """(message, callback data) of the last replies' buttons whose data starts with one of
        ``prefixes`` (all buttons when none are given)."""
        found = []
        for message in self.last:
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if data and (not prefixes or data.startswith(prefixes)):
                        found.append((message, data))
        return found


def script(user: User, rng: random.Random, asked: dict[str, list[str]]) -> Iterator[JSON]:
    """What one user does, forever: mostly FAQ questions (some followed by 👍/👎 or a related
    question), sometimes /start (and a language button), sometimes a guided eligibility check
    answered by pressing the bot's buttons (text when a question has none)."""
    while True:
        roll = rng.random()
        if roll < 0.12:
            yield user.text("/start")
            user.read()
            languages = user.buttons("lang:")
            if languages and rng.random() < 0.5:
                yield user.press(*rng.choice(languages))
                user.read()
        elif roll < 0.30:
            yield user.text("/eligibility")
            user.read()
            for _ in range(rng.randint(3, 7)):
                options = [(m, d) for m, d in user.buttons() if not d.startswith(("nav:", "fb:"))]
                if options:
                    yield user.press(*rng.choice(options))
                else:
                    yield user.text(rng.choice(CHECK_TEXT_ANSWERS))
                user.read()
        else:
            yield user.text(rng.choice(asked[user.lang]))
            user.read()
            follow = rng.random()
            if follow < 0.25:
                votes = user.buttons("fb:")
                if votes:
                    yield user.press(*rng.choice(votes))
                    user.read()
            elif follow < 0.40:
                related = user.buttons("faq:")
                if related:
                    yield user.press(*rng.choice(related))
                    user.read()


def population(count: int, request: OfflineRequest, seed: int) -> list[User]:
    rng = random.Random(seed)
    ids = itertools.count(1)
    users = []
    for n in range(count):
        lang = rng.choices(("en", "yue", "zh"), weights=(4, 4, 2))[0]
        code = rng.choice(LANGUAGE_CODES[lang])
        users.append(User(FIRST_USER + n, lang, code, request, ids))
    return users


def bot_traffic(users: list[User], seed: int) -> Iterator[JSON]:
    """Updates from ``users`` in a random interleaving, each user following ``script``."""
    rng = random.Random(seed)
    asked = questions()
    scripts = [script(user, random.Random(f"{seed}:{user.id}"), asked) for user in users]
    while True:
        yield next(rng.choice(scripts))


def echo_traffic(users: list[User], seed: int) -> Iterator[JSON]:
    """Text messages (the same questions) from ``users``, for the echo bot."""
    rng = random.Random(seed)
    asked = questions()
    while True:
        user = rng.choice(users)
        yield user.text(rng.choice(asked[user.lang]))
        user.read()


# ------------------------------------------------------------------------------- measuring


@dataclass
class Run:
    name: str
    updates: int
    seconds: float  # wall clock
    cpu: float  # this process's CPU time: the rest is waiting (fsync) or other processes
    calls: Counter[str]
    unknown: Counter[str]
    errors: int
    first_error: str

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


class ErrorCount(logging.Handler):
    """Counts ERROR records (the bot's error handler logs every failed update)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if not self.first:
            error = record.exc_info[1] if record.exc_info else None
            self.first = f"{type(error).__name__}: {error}" if error else record.getMessage()


async def feed(app: App, traffic: Iterator[JSON], count: int) -> tuple[float, float]:
    """Process ``count`` updates one at a time: (wall-clock seconds, this process's CPU seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        await app.process_update(Update.de_json(next(traffic), app.bot))
    return time.perf_counter() - wall, time.process_time() - cpu


async def measure(
    name: str,
    app: App,
    request: OfflineRequest,
    traffic: Iterator[JSON],
    args: argparse.Namespace,
    errors: ErrorCount,
    profile: bool,
) -> tuple[Run, cProfile.Profile | None]:
    """Warm up, time ``args.updates`` updates; with ``--profile``, profile as many more."""
    await started(app)
    try:
        await feed(app, traffic, args.warmup)
        request.calls.clear()
        errors.count, errors.first = 0, ""
        seconds, cpu = await feed(app, traffic, args.updates)
        run = Run(
            name,
            args.updates,
            seconds,
            cpu,
            Counter(request.calls),
            request.unknown,
            errors.count,
            errors.first,
        )
        profiler = None
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await feed(app, traffic, args.updates)
            profiler.disable()
        return run, profiler
    finally:
        await stopped(app)


def _where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    if path == "~":
        return name
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{short}:{line}({name})"


def print_profile(profiler: cProfile.Profile, updates: int, top: int) -> None:
    """The top functions by own time and by cumulative time, in microseconds per update."""
    stats = pstats.Stats(profiler)
    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in rows.values())
    print(
        f"\ncProfile of {updates} more bot updates: {total / updates * 1e6:,.0f} µs/update"
        f" under the profiler (which inflates Python code far more than C calls like sqlite3's)"
    )
    for title, column in (("own time (tottime)", 2), ("cumulative time (cumtime)", 3)):
        print(f"top {top} by {title}, µs per update:")
        print(f"  {'tottime':>8} {'cumtime':>8} {'calls/upd':>9}  function")
        ranked = sorted(rows.items(), key=lambda item: item[1][column], reverse=True)[:top]
        for func, (_, ncalls, tottime, cumtime, _) in ranked:
            print(
                f"  {tottime / updates * 1e6:8.0f} {cumtime / updates * 1e6:8.0f}"
                f" {ncalls / updates:9.2f}  {_where(func)}"
            )


def print_run(run: Run) -> None:
    calls = ", ".join(f"{name} {n / run.updates:.2f}" for name, n in run.calls.most_common())
    print(
        f"{run.name:>4}: {run.updates} updates in {run.seconds:.2f}s = {run.rate:,.0f} updates/s"
        f" ({run.seconds / run.updates * 1e3:.2f} ms/update, CPU {run.cpu / run.updates * 1e3:.2f}"
        f" ms/update); errors {run.errors}"
    )
    print(f"      Bot API calls per update: {calls}")
    if run.errors:
        print(f"      first failed update: {run.first_error}")
    if run.unknown:
        print(f"      methods the offline layer does not know: {dict(run.unknown)}")


def foreign_modules() -> list[str]:
    """The project's modules imported from another tree than ``bot`` was (the editable
    install's finder supplies modules missing under PYTHONPATH from the installed checkout)."""
    import bot

    root = Path(bot.__file__ or "").resolve().parents[1]
    foreign = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        ours = name.partition(".")[0] in ("bot", "flows", "knowledge")
        if ours and file and not Path(file).resolve().is_relative_to(root):
            foreign.append(f"{name} ({file})")
    return foreign


async def one_round(
    args: argparse.Namespace, errors: ErrorCount, profile: bool
) -> tuple[Run, Run, cProfile.Profile | None]:
    """The echo bot, then the bot on a new database: (echo, bot, the bot's profile)."""
    echo_request = OfflineRequest()
    echo, _ = await measure(
        "echo",
        echo_application(echo_request),
        echo_request,
        echo_traffic(population(args.users, echo_request, args.seed), args.seed),
        args,
        errors,
        profile=False,
    )
    with tempfile.TemporaryDirectory(prefix="cppbot-bench-", dir=args.db_dir) as tmp:
        bot_request = OfflineRequest()
        app = offline_copy(bot_application(Path(tmp) / "cppbot.db"), bot_request)
        traffic = bot_traffic(population(args.users, bot_request, args.seed), args.seed)
        bot_run, profiler = await measure("bot", app, bot_request, traffic, args, errors, profile)
    return echo, bot_run, profiler


async def main_async(args: argparse.Namespace) -> int:
    import bot

    how = production_logging(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    where = args.db_dir or tempfile.gettempdir()
    print(f"bot package: {Path(bot.__file__ or '?').parent}; database in {where}; {how}")
    print(
        f"{args.updates} timed updates after {args.warmup} warm-up, {args.users} users,"
        f" seed {args.seed}, {args.repeat} round(s)"
    )
    rounds = []
    profiler = None
    for n in range(args.repeat):
        echo, bot_run, profiled = await one_round(args, errors, args.profile and n == 0)
        profiler = profiler or profiled
        rounds.append((echo, bot_run))
        print_run(echo)
        print_run(bot_run)
        print(f"ratio echo/bot: {echo.rate / bot_run.rate:.1f}x")
    echo_rate = statistics.median(echo.rate for echo, _ in rounds)
    bot_rate = statistics.median(bot_run.rate for _, bot_run in rounds)
    ratio = statistics.median(echo.rate / bot_run.rate for echo, bot_run in rounds)
    if args.repeat > 1:
        print(
            f"median of {args.repeat}: bot {bot_rate:,.0f} updates/s, echo {echo_rate:,.0f}"
            f" updates/s, ratio echo/bot {ratio:.1f}x"
        )
    print(
        f"against the baseline ({BASELINE_BOT} bot, {BASELINE_ECHO:,} echo updates/s at"
        f" {BASELINE_COMMIT}): bot {bot_rate / BASELINE_BOT:.2f}x; bot relative to the echo bot"
        f" {BASELINE_RATIO / ratio:.2f}x (target >= {TARGET:.1f}x)"
    )
    if profiler is not None:
        print_profile(profiler, args.updates, args.top)
    foreign = foreign_modules()
    if foreign:
        print(f"NOT ONE TREE: modules from another checkout: {', '.join(foreign)}")
    failed = any(bot_run.errors or bot_run.unknown for _, bot_run in rounds)
    return 1 if failed or foreign else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=2000, help="timed updates per bot")
    parser.add_argument("--warmup", type=int, default=300, help="untimed updates first")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; medians are reported")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile as many more bot updates (first round)"
    )
    parser.add_argument("--top", type=int, default=15, help="profile rows to print")
    parser.add_argument("--db-dir", help="where the temporary database goes (default: $TMPDIR)")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
