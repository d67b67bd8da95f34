"""The console chat: what a new user gets from ``make run`` when no Telegram token is set.

``ConsoleChat.reply`` is the whole conversation logic and does no I/O, so tests drive it
directly; ``run`` only moves lines between the terminal and it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from knowledge.answer import Answer, Assistant
from knowledge.lang import detect_language
from knowledge.models import LANGS, Lang
from knowledge.text import clean

LANGUAGE_NAMES = {"en": "English", "yue": "廣東話", "zh": "普通话"}
_LANGUAGE_WORDS: dict[str, Lang] = {
    "en": "en",
    "english": "en",
    "英文": "en",
    "yue": "yue",
    "cantonese": "yue",
    "廣東話": "yue",
    "广东话": "yue",
    "粵語": "yue",
    "粤语": "yue",
    "廣東": "yue",
    "zh": "zh",
    "putonghua": "zh",
    "mandarin": "zh",
    "普通話": "zh",
    "普通话": "zh",
    "國語": "zh",
    "国语": "zh",
    "中文": "zh",
}


class ConsoleChat:
    """One console conversation: language, the last suggestions offered, and the answers."""

    def __init__(self, assistant: Assistant, lang: Lang = "en") -> None:
        self.assistant = assistant
        self.lang: Lang = lang
        self.choices: list[str] = []

    def text(self, key: str, **values: object) -> str:
        return self.assistant.kb.say(key, self.lang, **values)

    def welcome(self) -> list[str]:
        return [self.text("welcome"), self.text("console_help")]

    def reply(self, raw: str) -> list[str]:
        """The bot's replies to one line typed by the user."""
        text = clean(raw)
        if not text:
            return [self.text("empty_input")]
        command, _, argument = text.partition(" ")
        if command.lower() in ("/help", "/start"):
            return self.welcome()
        if command.lower() == "/language":
            return self._language(argument)
        if text.isdigit() and self.choices:
            return self._choose(int(text))
        self.lang = detect_language(text, fallback=self.lang)
        return self._render(self.assistant.ask(text, lang=self.lang))

    def _language(self, argument: str) -> list[str]:
        wanted = _LANGUAGE_WORDS.get(argument.strip().lower())
        if wanted is None:
            options = ", ".join(f"/language {code} ({LANGUAGE_NAMES[code]})" for code in LANGS)
            return [self.text("language_prompt", options=options)]
        self.lang = wanted
        return [self.text("language_set", language=LANGUAGE_NAMES[wanted])]

    def _choose(self, number: int) -> list[str]:
        if not 1 <= number <= len(self.choices):
            return [self.text("choice_out_of_range", count=len(self.choices))]
        entry = self.assistant.kb.entry(self.choices[number - 1])
        question = entry.questions.get(self.lang)[0]
        return self._render(self.assistant.ask(question, lang=self.lang))

    def _render(self, answer: Answer) -> list[str]:
        lines = [answer.answer]
        if answer.source:
            lines.append(f"({self.text('source_label')}: {answer.source})")
        self.choices = [s.faq_id for s in answer.suggestions]
        if answer.matched and answer.suggestions:
            lines.append(self.text("related_header"))
        if answer.suggestions:
            lines.extend(f"  {i}. {s.question}" for i, s in enumerate(answer.suggestions, 1))
            lines.append(self.text("choose_number"))
        return ["\n".join(lines)]


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
