"""Load benchmark: many users at once against the real `cppbot run` over the fake Bot API.

Issue 11's target: 200 users each sending a few messages over a minute (well under Telegram's
30 messages a second), FAQ questions, guided checks and requests for a person mixed, with the
rate limiter as shipped: first-reply p99 under 2 s, no errors; one user flooding the bot does
not change that. Run from the repository root:

    .venv/bin/python -m benchmarks.load [--users 200] [--seconds 60] [--messages 3] [--flooder]

What runs: ``cppbot run`` as a child process (``tests/fakebot/process.py``: settings from the
environment, a SQLite file, long polling, a staff supergroup with topics) against
``tests/fakebot`` on 127.0.0.1. Each scripted user sends ``--messages`` messages at seeded
random moments over ``--seconds``: an FAQ question from ``tests/eval/enquiries.jsonl`` in
their language (60%), ``/eligibility`` then a press of the first button it shows (25%), or
``/staff`` with a question then their company (15%; a ticket opens). A message's first reply is
the first message the bot sends to that chat after it. ``--flooder`` adds one user sending 60
messages in the first 20 seconds. Printed: replies per second, first-reply p50/p99/max, errors
the fake answered (Bot API calls it refused), and the tickets in the database against the
handoffs sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakebot import FakeTelegram, FakeUser  # noqa: E402
from tests.fakebot.process import BotProcess  # noqa: E402

LANG_CODES = {"en": "en", "yue": "zh-hk", "zh": "zh-hans"}
REPLY_TIMEOUT = 30.0  # seconds: a message not answered by then counts as unanswered


def _questions() -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = {"en": [], "yue": [], "zh": []}
    with (ROOT / "tests" / "eval" / "enquiries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            enquiry = json.loads(line)
            if not enquiry.get("oos"):
                by_lang[enquiry["lang"]].append(enquiry["q"])
    return by_lang


class Run:
    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.latencies: list[float] = []
        self.timeouts = 0
        self.unanswered: dict[str, int] = {}  # what was sent, for each message left unanswered
        self.handoffs = 0

    def seen(self, user: FakeUser) -> int:
        """How many messages (and edits) the bot has produced in the user's chat so far."""
        return len(self.fake._events.get(user.id, []))  # noqa: SLF001 - the fake's own record

    async def first_reply(self, user: FakeUser, started: float, before: int, what: str) -> None:
        """Wait for the first message after ``before`` in the chat; its delay from ``started``."""
        while self.seen(user) <= before:
            if time.monotonic() - started > REPLY_TIMEOUT:
                self.timeouts += 1
                self.unanswered[what] = self.unanswered.get(what, 0) + 1
                return
            await asyncio.sleep(0.005)
        self.latencies.append(time.monotonic() - started)

    async def user(self, user: FakeUser, lang: str, moments: list[float], rng: random.Random,
                   questions: dict[str, list[str]], t0: float) -> None:  # fmt: skip
        for moment in moments:
            await asyncio.sleep(max(0.0, t0 + moment - time.monotonic()))
            kind = rng.random()
            if kind < 0.60:
                await self.send(user, rng.choice(questions[lang]))
            elif kind < 0.85:
                await self.send(user, "/eligibility")
                message = self.fake.sent(user.id)[-1]
                buttons = [label for label, data in user.buttons(message) if data]
                if buttons:
                    started, before = time.monotonic(), self.seen(user)
                    await user.press(buttons[0], message=message)
                    await self.first_reply(user, started, before, "a check's button")
            else:
                self.handoffs += 1
                await self.send(user, "/staff Can our project start a month later?")
                await self.send(user, "Load Test Ltd")
                return  # the ticket is open: what they write now goes to staff

    async def send(self, user: FakeUser, text: str) -> None:
        started, before = time.monotonic(), self.seen(user)
        await user.say(text)
        await self.first_reply(user, started, before, text if text.startswith("/") else "text")
        await asyncio.sleep(0.3)  # the rest of the reply (answer, offer) arrives

    async def flood(self, user: FakeUser) -> None:
        for n in range(60):
            await user.say(f"flood message {n}")
            await asyncio.sleep(20 / 60)


async def main(args: argparse.Namespace) -> int:
    rng = random.Random(20261130)
    questions = _questions()
    with tempfile.TemporaryDirectory() as workdir:
        async with FakeTelegram() as fake:
            bot = BotProcess(fake, Path(workdir), {})
            await bot.start()
            run = Run(fake)
            users = []
            for n in range(args.users):
                lang = rng.choice(list(LANG_CODES))
                user = fake.user(20_000 + n, f"User{n}", language_code=LANG_CODES[lang])
                moments = sorted(rng.uniform(0, args.seconds) for _ in range(args.messages))
                users.append((user, lang, moments))
            before = len(fake.errors)
            t0 = time.monotonic()
            tasks = [run.user(u, lang, m, rng, questions, t0) for u, lang, m in users]
            if args.flooder:
                tasks.append(run.flood(fake.user(29_999, "Flooder")))
            await asyncio.gather(*tasks)
            elapsed = time.monotonic() - t0
            bot_messages = sum(len(fake.sent(u.id)) for u, _, _ in users)
            errors = fake.errors[before:]
            await bot.stop()
            db = sqlite3.connect(Path(workdir) / "cppbot.db")
            tickets = db.execute("select count(*) from tickets").fetchone()[0]
            db.close()
    lat = sorted(run.latencies)
    p50 = statistics.median(lat) if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    print(f"users {args.users}, messages each {args.messages} over {args.seconds:.0f} s"
          f"{', with a flooder' if args.flooder else ''}")  # fmt: skip
    print(f"bot messages to users: {bot_messages} in {elapsed:.1f} s"
          f" ({bot_messages / elapsed:.1f}/s)")  # fmt: skip
    print(f"first reply: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms,"
          f" max {lat[-1] * 1000:.0f} ms over {len(lat)} messages; {run.timeouts} unanswered")  # fmt: skip
    if run.unanswered:
        print(f"unanswered: {run.unanswered}")
    print(f"errors answered by the fake: {len(errors)}")
    for method, _, description in errors[:5]:
        print(f"  {method}: {description[:100]}")
    print(f"tickets in the database: {tickets} (handoffs sent: {run.handoffs})")
    ok = run.timeouts == 0 and not errors and p99 < 2.0 and tickets == run.handoffs
    print("target met" if ok else "target NOT met (p99 < 2 s, no errors, every ticket stored)")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--flooder", action="store_true")
    sys.exit(asyncio.run(main(parser.parse_args())))
