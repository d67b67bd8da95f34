"""The console chat: what a new user gets from ``make run`` when no Telegram token is set.

The conversation itself is ``flows.conversation``; this shell only prints replies, shows
buttons as numbered options, turns a typed number into that button, and carries out effects
against the same SQLite storage the Telegram bot uses.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import TextIO

from bot.effects import execute
from bot.storage import Storage
from flows.conversation import Session, Turn, handle
from flows.core import Button, Choice, Context, Reply, Text
from knowledge.answer import Assistant, today_hk
from knowledge.models import Lang
from knowledge.text import clean

CONSOLE_USER = "console"


class ConsoleChat:
    """One console conversation on top of ``flows.conversation``."""

    def __init__(
        self, assistant: Assistant, storage: Storage, lang: Lang = "en", user_id: str = CONSOLE_USER
    ) -> None:
        self.assistant = assistant
        self.storage = storage
        self.user_id = user_id
        self.session = Session(lang=lang)
        self.buttons: list[Button] = []

    @property
    def lang(self) -> Lang:
        return self.session.lang

    def context(self) -> Context:
        return Context(self.assistant.kb, today_hk(), no_staff="console")

    def text(self, key: str, **values: object) -> str:
        return self.assistant.kb.say(key, self.lang, **values)

    def welcome(self) -> list[str]:
        return [self.text("welcome"), self.text("console_help")]

    def reply(self, raw: str) -> list[str]:
        """The bot's replies to one line typed by the user."""
        text = clean(raw)
        if not text:
            return [self.text("empty_input")]
        if text.isdigit() and self.buttons:
            number = int(text)
            if not 1 <= number <= len(self.buttons):
                return [self.text("choice_out_of_range", count=len(self.buttons))]
            return self._apply(self._handle(Choice(self.buttons[number - 1].value)))
        return self._apply(self._handle(Text(text)))

    def _handle(self, message: Text | Choice) -> Turn:
        return handle(self.session, message, self.context(), self.assistant)

    def _apply(self, turn: Turn) -> list[str]:
        replies = list(turn.replies)
        self.session = turn.session
        for effect in turn.effects:
            outcome = execute(effect, self.storage, self.user_id, self.context())
            if outcome is not None:
                follow = handle(self.session, outcome, self.context(), self.assistant)
                self.session = follow.session
                replies.extend(follow.replies)
        if self.session.flow is not None and self.session.flow.done:
            self.session = replace(self.session, flow=None)
        return self._render(replies)

    def _render(self, replies: Iterable[Reply]) -> list[str]:
        out: list[str] = []
        shown: list[Button] = []
        for reply in replies:
            lines = [reply.text]
            for button in reply.all_buttons():
                shown.append(button)
                lines.append(f"  {len(shown)}. {button.label}")
            out.append("\n".join(lines))
        if shown:
            out[-1] += "\n" + self.text("choose_number")
            self.buttons = shown
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
