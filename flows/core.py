"""The shape every guided conversation shares: events in, a new state and replies out.

A flow is a pure state machine, in the manner of h11's ``_state.py``: ``step(state, event, ctx)``
takes a JSON-serialisable ``FlowState`` and a frozen-dataclass event and returns the next state,
the replies to show, and the effects the shell must carry out (store a registration, open a
ticket). Flows never do I/O: the shell performs effects and feeds their outcome back as events,
so capacity checks happen atomically in the database, and every flow is testable by replaying
events.

Illegal input never changes the state: the flow re-asks the current question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from knowledge.loader import KnowledgeBase
from knowledge.models import Lang

# ---------------------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Start:
    """Begin a flow (from a command, a deep link or a button)."""


@dataclass(frozen=True)
class Text:
    """The user typed something while the flow is waiting for an answer."""

    text: str


@dataclass(frozen=True)
class Choice:
    """The user pressed a button (or typed its number in the console)."""

    value: str


@dataclass(frozen=True)
class Back:
    """Go back one question, keeping the earlier answers."""


@dataclass(frozen=True)
class Restart:
    """Start the flow again from the first question."""


@dataclass(frozen=True)
class Cancel:
    """Leave the flow; nothing is stored."""


@dataclass(frozen=True)
class Handoff:
    """The user wants a person: the flow ends and hands its case over."""


@dataclass(frozen=True)
class Outcome:
    """The result of an effect the shell carried out (``ok`` or a reason such as ``full``)."""

    result: str
    data: dict[str, Any] = field(default_factory=dict)


Event = Start | Text | Choice | Back | Restart | Cancel | Handoff | Outcome

# --------------------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class Button:
    """An answer the user can press; ``value`` comes back as ``Choice(value)``."""

    label: str
    value: str


@dataclass(frozen=True)
class Reply:
    """One message to show, with buttons (rows of one or more)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    feedback: str | None = None  # the FAQ id this reply answers: shells that can, ask 👍/👎

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class Effect:
    """Something only the shell can do; it answers with an ``Outcome`` event when relevant."""

    kind: Literal[
        "register", "cancel_registration", "subscribe", "handoff", "list_registrations", "forget"
    ]
    data: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class FlowState:
    """Where a conversation is: the flow, its current step, the answers so far, the path taken.

    Everything is plain JSON so the shell can keep it in SQLite and resume after a restart.
    ``step == "done"`` means the flow has ended.
    """

    flow: str
    step: str
    lang: Lang
    answers: dict[str, Any] = field(default_factory=dict)
    history: tuple[str, ...] = ()

    @property
    def done(self) -> bool:
        return self.step == DONE

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "lang": self.lang,
            "answers": dict(self.answers),
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FlowState:
        return cls(
            flow=str(data["flow"]),
            step=str(data["step"]),
            lang=data["lang"],
            answers=dict(data.get("answers", {})),
            history=tuple(data.get("history", ())),
        )

    def ask(self, step: str, **answers: Any) -> FlowState:
        """Move to ``step``, remembering where we came from (for Back) and new answers."""
        return replace(
            self,
            step=step,
            answers={**self.answers, **answers},
            history=(*self.history, self.step),
        )

    def back(self) -> FlowState:
        if not self.history:
            return self
        return replace(self, step=self.history[-1], history=self.history[:-1])

    def reask_previous(self) -> FlowState:
        """Back one question, forgetting the answer given to it so it is asked afresh."""
        previous = self.back()
        answers = {k: v for k, v in previous.answers.items() if k != previous.step}
        return replace(previous, answers=answers)

    def finish(self, **answers: Any) -> FlowState:
        return replace(self, step=DONE, answers={**self.answers, **answers})


DONE = "done"


@dataclass(frozen=True)
class Context:
    """What a flow may read: the knowledge base, today's date in Hong Kong, and whether the shell
    can reach staff (``no_staff``: "console" or "unavailable" when it can't, so a handoff gives
    the Secretariat's contacts at once instead of asking questions for nobody)."""

    kb: KnowledgeBase
    today: dt.date
    no_staff: str | None = None

    def say(self, key: str, lang: Lang, **values: Any) -> str:
        return self.kb.say(key, lang, **values)


def say_date(day: dt.date, ctx: Context, lang: Lang) -> str:
    """A date as users read it, with its weekday: "Mon 23 Nov 2026", "2026年11月23日（星期一）"."""
    weekdays = ctx.say("seminar_weekdays", lang).split()
    months = ctx.say("seminar_months", lang).split()
    return ctx.say(
        "seminar_date",
        lang,
        weekday=weekdays[day.weekday()],
        day=day.day,
        month=months[day.month - 1],
        year=day.year,
    )


@dataclass(frozen=True)
class Result:
    """What one step produces."""

    state: FlowState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()


class AnswerError(ValueError):
    """Answers that cannot be evaluated: an unknown key or a value of the wrong kind."""


def validate_answers(raw: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """Check answers given as JSON against ``schema`` (key → ``bool``, ``float`` for a percentage,
    ``int`` for a count, or a tuple of choices): unknown keys and wrong values are errors, missing
    keys (and nulls) mean "not answered"."""
    answers: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in schema:
            raise AnswerError(f"unknown key {key!r}; expected one of {', '.join(schema)}")
        kind = schema[key]
        if value is None:
            continue
        if kind is bool:
            if not isinstance(value, bool):
                raise AnswerError(f"{key} must be true or false")
        elif kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AnswerError(f"{key} must be a number")
            if not 0 <= value <= 100:
                raise AnswerError(f"{key} must be between 0 and 100")
            value = float(value)
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise AnswerError(f"{key} must be a whole number, 0 or more")
        elif value not in kind:
            raise AnswerError(f"{key} must be one of {', '.join(kind)}")
        answers[key] = value
    return answers


def leave(state: FlowState, event: Event, ctx: Context) -> Result | None:
    """Cancel and Handoff end every flow the same way; None for any other event."""
    if isinstance(event, Cancel):
        return Result(state.finish(), (Reply(ctx.say("flow_cancelled", state.lang)),))
    if isinstance(event, Handoff):
        return Result(
            state.finish(),
            (Reply(ctx.say("flow_handoff", state.lang)),),
            (Effect("handoff", {"flow": state.flow, "answers": dict(state.answers)}),),
        )
    return None


def guided_step(
    state: FlowState | None,
    event: Event,
    ctx: Context,
    lang: Lang,
    *,
    start: Callable[[Lang, Context], Result],
    ask: Callable[[FlowState, Context], Result],
    answer: Callable[[FlowState, Event, Context], Result],
) -> Result:
    """The turn every question-by-question flow takes: start, navigation, then the answer."""
    if state is None or isinstance(event, Start) or state.step == "start":
        return start(state.lang if state else lang, ctx)
    event = navigation_event(event)
    if state.step == DONE:
        return Result(state)
    if isinstance(event, Back):
        return ask(state.reask_previous(), ctx)
    if isinstance(event, Restart):
        return start(state.lang, ctx)
    return leave(state, event, ctx) or answer(state, event, ctx)


def nav_buttons(ctx: Context, lang: Lang, back: bool = True) -> tuple[Button, ...]:
    """The buttons every question carries: back, restart, cancel, talk to a person."""
    buttons = []
    if back:
        buttons.append(Button(ctx.say("button_back", lang), "nav:back"))
    buttons += [
        Button(ctx.say("button_restart", lang), "nav:restart"),
        Button(ctx.say("button_cancel", lang), "nav:cancel"),
        Button(ctx.say("button_person", lang), "nav:person"),
    ]
    return tuple(buttons)


NAVIGATION: dict[str, Event] = {
    "nav:back": Back(),
    "nav:restart": Restart(),
    "nav:cancel": Cancel(),
    "nav:person": Handoff(),
}


def navigation_event(event: Event) -> Event:
    """Turn navigation button presses and typed navigation words into their events."""
    if isinstance(event, Choice) and event.value in NAVIGATION:
        return NAVIGATION[event.value]
    if isinstance(event, Text):
        word = event.text.strip().lower().lstrip("/")
        typed = NAVIGATION_WORDS.get(word)
        if typed is not None:
            return typed
    return event


NAVIGATION_WORDS: dict[str, Event] = {
    **dict.fromkeys(["back", "返回", "上一步", "返上一步", "返轉頭"], Back()),
    **dict.fromkeys(["restart", "重新開始", "重新开始", "重新嚟過", "再嚟過"], Restart()),
    **dict.fromkeys(["cancel", "取消", "唔做喇", "不做了", "quit", "stop"], Cancel()),
    **dict.fromkeys(
        ["staff", "person", "human", "真人", "職員", "职员", "人工", "搵人"], Handoff()
    ),
}
