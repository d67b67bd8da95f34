"""What a question-by-question check (eligibility, the Recognition Scheme) declares, and how that
becomes a flow of the engine (``flows.engine``).

A check asks only the questions whose answers change a verdict (``next_question``), reads a
pressed button or a typed answer (yes/no words, an option's name, a number) and ends with the
verdicts (``result``). What differs between checks (their questions, the order, the labels, how
a number is read, the result) is declared by a subclass; the turn (navigation, re-asking) is the
engine's. An answer given again after going back forgets the answers that came after it, so the
check asks again only what the new answer makes necessary.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from flows.buttons import FlowButton
from flows.core import Button, Choice, Context, FlowState, Reply, Result, nav_buttons
from flows.engine import Ask, Flow, Invalid, UserInput, pressed
from flows.typed import negators, typed_option
from knowledge.models import Lang
from knowledge.words import read_yes_no

YES_NO = ("yes", "no")
YES_NO_UNSURE = ("yes", "no", "unsure")
"""A yes/no question that also offers "not sure": that answer is recorded as unknown (None)."""
Needed = Callable[[Mapping[str, Any]], bool]  # is this question needed, given these answers?


def first_needed(order: Sequence[tuple[str, Needed]], answers: Mapping[str, Any]) -> str | None:
    """The first question in ``order`` not answered yet and needed; None when all are known."""
    for key, needed in order:
        if key not in answers and needed(answers):
            return key
    return None


@dataclass(frozen=True)
class Question:
    """One question of a check: the answer's key, the prompt's message key and the options (None:
    the answer is a number the user types or, where the check offers them, picks from buttons)."""

    key: str
    prompt: str
    options: tuple[str, ...] | None


class Questionnaire(ABC):
    """A check's questions and rules; ``flow`` is the engine's table for them."""

    name: ClassVar[str]
    first: ClassVar[str]  # the first question's step
    questions: ClassVar[Mapping[str, Question]]  # by step (a key may be asked by two steps)
    bad_number: ClassVar[str]  # message key: a typed number that could not be read

    def __init__(self) -> None:
        self.flow = Flow(
            self.name,
            begin=self.begin,
            steps={step: Ask(self.ask, self.read) for step in self.questions},
        )

    # ------------------------------------------------------------------ what a check declares

    @abstractmethod
    def intro(self, lang: Lang, ctx: Context) -> Reply:
        """The message before the first question."""

    @abstractmethod
    def next_question(self, answers: Mapping[str, Any], ctx: Context) -> str | None:
        """The first question still needed for a verdict; None when all are known."""

    @abstractmethod
    def result(self, state: FlowState, ctx: Context) -> Reply:
        """The verdicts, once every needed answer is in."""

    @abstractmethod
    def option_label(self, question: Question, value: str, ctx: Context, lang: Lang) -> str:
        """An option's button label."""

    @abstractmethod
    def read_number(self, text: str, ctx: Context) -> float | int | None:
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

    # ---------------------------------------------------------------- the check as engine steps

    def begin(self, state: FlowState, ctx: Context) -> Result:
        return self.flow.first(state, ctx, self.first, self.intro(state.lang, ctx))

    def ask(self, state: FlowState, ctx: Context) -> Reply:
        """The current question with its buttons and the navigation row."""
        question = self.questions[state.step]
        lang = state.lang
        if question.options is None:
            rows = self.number_buttons(question, ctx, lang)
        else:
            rows = [
                (Button(self.option_label(question, v, ctx, lang), FlowButton(self.name, v)),)
                for v in question.options
            ]
        rows.append(nav_buttons(ctx, lang, back=bool(state.history)))
        typed = question.options is None  # a number: typed digits are the answer, not a button
        return Reply(self.prompt(question, state, ctx), tuple(rows), typed=typed)

    def read(self, state: FlowState, answer: UserInput, ctx: Context) -> Result:
        """Read the answer to the current question and go on, or raise ``Invalid``."""
        question = self.questions[state.step]
        return self.advance(state, ctx, question.key, self.value(question, answer, ctx))

    def value(self, question: Question, answer: UserInput, ctx: Context) -> Any:
        value: Any
        if isinstance(answer, Choice):
            button = pressed(answer, self.name)
            value = None if button is None else self.pressed(question, button, ctx)
        elif question.options is None:
            value = self.read_number(answer.text, ctx)
            if value is None:
                raise Invalid(self.bad_number)
        elif question.options in (YES_NO, YES_NO_UNSURE):
            said = read_yes_no(answer.text, ctx.kb.words)  # 冇問題 is a yes, 唔知 unsure
            value = said if said in question.options else None  # unsure only where offered
        else:
            value = typed_option(answer.text, question.options, ctx.kb.typed_answers, negators(ctx))
        if value is None:
            raise Invalid()
        if question.options in (YES_NO, YES_NO_UNSURE):
            return {"yes": True, "no": False}.get(value)  # "unsure": unknown, None
        return value

    def advance(self, state: FlowState, ctx: Context, key: str, value: Any) -> Result:
        """Record the answer (forgetting any given after this question before going back) and ask
        the next needed question, or give the verdicts."""
        before = {self.questions[step].key for step in state.history if step in self.questions}
        answers = {k: v for k, v in state.answers.items() if k in before}
        answered = replace(state, answers={**answers, key: value})
        upcoming = self.next_question(answered.answers, ctx)
        if upcoming is None:
            return self.flow.finish(answered, self.result(answered, ctx))
        return self.flow.go(answered, ctx, upcoming)
