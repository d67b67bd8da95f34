"""The console chat: what a new user gets from ``make run`` when no Telegram token is set.

The turn is ``bot.runtime`` (the same as on Telegram, against the same SQLite storage); this
shell only prints replies and shows buttons as numbered options. A typed number picks an
option only where the question does not itself take a typed answer: at "how many attendees?"
``3`` means three people, and an option is picked with ``#3`` instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.runtime import Runtime, hong_kong_now
from bot.storage import Storage
from flows.core import Button, Choice, Reply, Retention, Text
from knowledge.answer import Assistant
from knowledge.models import Lang
from knowledge.text import clean

CONSOLE_USER = "console"
OPTION_MARK = "#"


def option_number(text: str, marked: bool) -> int | None:
    """The option a typed line picks: ``3`` (or ``#3`` where numbers are answers); None for
    anything else (any Unicode digit that is not a plain 0-9 number is text, never a crash)."""
    if marked:
        if not text.startswith(OPTION_MARK):
            return None
        text = text[len(OPTION_MARK) :].strip()
    elif text.startswith(OPTION_MARK):
        text = text[len(OPTION_MARK) :].strip()
    if text.isascii() and text.isdigit() and len(text) <= 3:
        return int(text)
    return None


class ConsoleChat:
    """One console conversation."""

    def __init__(
        self,
        assistant: Assistant,
        storage: Storage,
        lang: Lang = "en",
        user_id: str = CONSOLE_USER,
        clock: Callable[[], dt.datetime] = hong_kong_now,
        retention: Retention | None = None,
    ) -> None:
        self.kb = assistant.kb
        self.runtime = Runtime(
            assistant, storage, no_staff="console", clock=clock, retention=retention
        )
        self.user_id = user_id
        self.default_lang = lang
        self.buttons: list[Button] = []
        self.typed = False  # the last question takes typed answers: options need "#"

    @property
    def lang(self) -> Lang:
        return self.runtime.session(self.user_id, self.default_lang).lang

    def text(self, key: str, **values: object) -> str:
        return self.kb.say(key, self.lang, **values)

    def welcome(self) -> list[str]:
        return [self.text("welcome"), self.text("console_help")]

    def reply(self, raw: str) -> list[str]:
        """The bot's replies to one line typed by the user."""
        text = clean(raw)
        if not text:
            return [self.text("empty_input")]
        number = option_number(text, self.typed) if self.buttons else None
        if number is not None:
            if not 1 <= number <= len(self.buttons):
                return [self.text("choice_out_of_range", count=len(self.buttons))]
            message: Text | Choice = Choice(self.buttons[number - 1].data)
        else:
            message = Text(text)
        done = asyncio.run(self.runtime.turn(self.user_id, message, self.default_lang))
        files = [f"[{d.filename}]\n{d.content.decode('utf-8')}" for d in done.documents]
        return self._render(done.replies) + files

    def _render(self, replies: Iterable[Reply]) -> list[str]:
        out: list[str] = []
        shown: list[Button] = []
        typed = False
        for reply in replies:
            typed = reply.typed
            lines = [reply.text]
            mark = OPTION_MARK if reply.typed else ""
            for button in reply.all_buttons():
                shown.append(button)
                lines.append(f"  {mark}{len(shown)}. {button.label}")
            out.append("\n".join(lines))
        if shown:
            out[-1] += "\n" + self.text("choose_option_mark" if typed else "choose_number")
        self.buttons, self.typed = shown, typed
        return out


def run(chat: ConsoleChat, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Read lines until end of input or /quit, printing the bot's replies."""

    def say(messages: Iterable[str]) -> None:
        for message in messages:
            print(f"\n🤖 {message}\n", file=stdout, flush=True)

    say(chat.welcome())
    while True:
        print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip().lower() in ("/quit", "/exit", "quit", "exit"):
            say([chat.text("goodbye")])
            return
        say(chat.reply(line))
