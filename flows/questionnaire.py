"""The engine of a question-by-question check (eligibility, the Recognition Scheme).

A check asks only the questions whose answers change a verdict (``next_question``), reads a
pressed button or a typed answer (yes/no words, an option's name, a number), re-asks what it
cannot read without losing earlier answers, and ends with the verdicts (``finish``). What differs
between checks (their questions, the order, the labels, how a number is read, the result) is
declared by a subclass; how a turn goes is written once, here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from flows.core import (
    Button,
    Choice,
    Context,
    Event,
    FlowState,
    Reply,
    Result,
    Text,
    guided_step,
    nav_buttons,
)
from flows.typed import parse_yes_no, typed_option
from knowledge.models import Lang

YES_NO = ("yes", "no")
Needed = Callable[[Mapping[str, Any]], bool]  # is this question needed, given these answers?


def first_needed(order: Sequence[tuple[str, Needed]], answers: Mapping[str, Any]) -> str | None:
    """The first question in ``order`` not answered yet and needed; None when all are known."""
    for key, needed in order:
        if key not in answers and needed(answers):
            return key
    return None


@dataclass(frozen=True)
class Question:
    """One question: its message key and options (None: the answer is a number the user types
    or, where the check offers them, picks from buttons)."""

    key: str
    prompt: str
    options: tuple[str, ...] | None


class Questionnaire(ABC):
    """A check's questions and rules; the shared engine turns them into a dialogue."""

    flow: ClassVar[str]
    first: ClassVar[str]  # the first question's key
    questions: ClassVar[Mapping[str, Question]]
    bad_number: ClassVar[str]  # message key: a typed number that could not be read

    # ------------------------------------------------------------------ what a check declares

    @abstractmethod
    def intro(self, lang: Lang, ctx: Context) -> Reply:
        """The message before the first question."""

    @abstractmethod
    def next_question(self, answers: Mapping[str, Any], ctx: Context) -> str | None:
        """The first question still needed for a verdict; None when all are known."""

    @abstractmethod
    def finish(self, state: FlowState, ctx: Context) -> Result:
        """The verdicts, once every needed answer is in."""

    @abstractmethod
    def option_label(self, question: Question, value: str, ctx: Context, lang: Lang) -> str:
        """An option's button label."""

    @abstractmethod
    def read_number(self, text: str) -> float | int | None:
        """A typed answer to a number question, or None."""

    def prompt(self, question: Question, state: FlowState, ctx: Context) -> str:
        """The question's text (a check may vary it with earlier answers)."""
        return ctx.say(question.prompt, state.lang)

    def number_buttons(
        self, question: Question, ctx: Context, lang: Lang
    ) -> list[tuple[Button, ...]]:
        """Buttons for a number question; none by default (the user types it)."""
        return []

    def pressed(self, question: Question, value: str, ctx: Context) -> Any:
        """The answer a pressed button means, or None for a button this question doesn't have."""
        return value if question.options and value in question.options else None

    # --------------------------------------------------------------------------- the engine

    def new_state(self, lang: Lang) -> FlowState:
        """The state a shell creates before sending ``Start``."""
        return FlowState(flow=self.flow, step="start", lang=lang)

    def start(self, lang: Lang, ctx: Context) -> Result:
        state = FlowState(flow=self.flow, step=self.first, lang=lang)
        return self.ask(state, ctx, (self.intro(lang, ctx),))

    def ask(self, state: FlowState, ctx: Context, prefix: tuple[Reply, ...] = ()) -> Result:
        """Show the current question with its buttons and the navigation row."""
        question = self.questions[state.step]
        lang = state.lang
        if question.options is None:
            rows = self.number_buttons(question, ctx, lang)
        else:
            rows = [
                (Button(self.option_label(question, v, ctx, lang), f"{self.flow}:{v}"),)
                for v in question.options
            ]
        rows.append(nav_buttons(ctx, lang, back=bool(state.history)))
        reply = Reply(self.prompt(question, state, ctx), tuple(rows))
        return Result(state, (*prefix, reply))

    def answer(self, state: FlowState, event: Event, ctx: Context) -> Result:
        """Read the user's answer to the current question, or re-ask."""
        question = self.questions[state.step]
        value: Any = None
        if isinstance(event, Choice) and event.value.startswith(f"{self.flow}:"):
            value = self.pressed(question, event.value.split(":", 1)[1], ctx)
        elif isinstance(event, Text):
            if question.options is None:
                value = self.read_number(event.text)
                if value is None:
                    return self.ask(state, ctx, (Reply(ctx.say(self.bad_number, state.lang)),))
            elif question.options == YES_NO:
                yes = parse_yes_no(event.text)
                value = None if yes is None else ("yes" if yes else "no")
            else:
                value = typed_option(event.text, question.options, ctx.kb.typed_answers)
        if value is None:
            return self.ask(state, ctx, (Reply(ctx.say("flow_not_understood", state.lang)),))
        if question.options == YES_NO:
            value = value == "yes"
        return self.advance(state, ctx, **{question.key: value})

    def advance(self, state: FlowState, ctx: Context, **answer: Any) -> Result:
        """Record the answer and ask the next needed question, or finish."""
        upcoming = self.next_question({**state.answers, **answer}, ctx)
        if upcoming is None:
            return self.finish(state.finish(**answer), ctx)
        return self.ask(state.ask(upcoming, **answer), ctx)

    def step(
        self, state: FlowState | None, event: Event, ctx: Context, lang: Lang = "en"
    ) -> Result:
        """One turn of the check."""
        return guided_step(
            state, event, ctx, lang, start=self.start, ask=self.ask, answer=self.answer
        )
