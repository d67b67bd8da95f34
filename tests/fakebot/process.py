"""The real ``cppbot run`` as a child process, pointed at a ``FakeTelegram`` server.

The end-to-end tests start the bot exactly as an operator would (settings from the environment,
a SQLite file, polling), so they exercise configuration, start-up, the command menus, state
kept across a restart and the log output too. The working directory is a temporary one, so a
developer's own ``.env`` is never read.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.fakebot.server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
# The bot's own settings (see .env.example): a developer's shell must not leak into the tests.
SETTING_PREFIXES = (
    "TELEGRAM_", "STAFF_", "WEBHOOK_", "OFFICE_", "TIME_ZONE", "KNOWLEDGE_DIR", "DATABASE_PATH",
)  # fmt: skip


STARTED: list[BotProcess] = []  # every process a test started; conftest kills leftovers

STAFF_CHAT = -1001234567890  # the staff supergroup (with topics) every bot process is given
STAFF_MEMBER = 5550001  # a staff member's user id (STAFF_USER_IDS)


class BotProcess:
    """``python -m bot.cli run`` with the fake server's URL and token, and a staff supergroup
    with topics (``STAFF_CHAT``) on the fake server.

    ``start()`` waits until ``ready()`` grows; by default it counts the bot's ``getUpdates``
    calls (polling has begun). A bot in webhook mode never polls: give it a counter of its
    ``setWebhook`` calls instead: ``ready=lambda: [m for m, _ in fake.calls].count("setWebhook")``.
    """

    def __init__(
        self,
        fake: FakeTelegram,
        workdir: Path,
        env: Mapping[str, str],
        ready: Callable[[], int] | None = None,
    ) -> None:
        self.fake = fake
        fake.supergroup(STAFF_CHAT, "CPPP secretariat", is_forum=True)
        self._ready = ready if ready is not None else self._polls
        self.workdir = workdir
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)},
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_BASE_URL": fake.base_url,
            "DATABASE_PATH": str(workdir / "cppbot.db"),
            "PYTHONPATH": str(ROOT),
            "STAFF_CHAT_ID": str(STAFF_CHAT),
            "STAFF_USER_IDS": str(STAFF_MEMBER),
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "bot.log"
        self.starts = 0

    async def start(self) -> None:
        """Start the bot and wait until it polls for updates (its command menus are set), or
        until ``ready()`` grows when the process was given another readiness counter."""
        self.starts += 1
        STARTED.append(self)
        ready_before = self._ready()
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while self._ready() <= ready_before:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"cppbot run exited with {self.proc.returncode}:\n{self.output}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"cppbot run did not get ready:\n{self.output}")
            await asyncio.sleep(0.05)

    def _polls(self) -> int:
        return sum(1 for method, _ in self.fake.calls if method == "getUpdates")

    def kill_if_running(self) -> None:
        """After a failed test: no bot process outlives it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    async def stop(self) -> int:
        """Stop the bot as an operator would (SIGTERM) and return its exit code."""
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while self.proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        return code

    async def stop_cleanly(self, *secrets: str) -> str:
        """Stop the bot and check what every test expects of a run: exit code 0, no secret (the
        token, and any given) in the log, no Bot API method the fake doesn't know. The log."""
        code = await self.stop()
        output = self.output
        for secret in (self.fake.token, *secrets):
            assert secret not in output, "a secret reached the log"
        assert 0 == code, output
        assert [] == self.fake.unknown_methods
        return output

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def output(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )
