"""The shape every guided conversation shares: events in, a new state and replies out.

A flow is a pure state machine, in the manner of h11's ``_state.py``: ``step(state, event, ctx)``
takes a JSON-serialisable ``FlowState`` and a frozen-dataclass event and returns the next state,
the replies to show, and the effects the shell must carry out (store a registration, open a
ticket). Flows never do I/O: the shell performs effects and feeds their outcome back as events,
so capacity checks happen atomically in the database, and every flow is testable by replaying
events. Every flow's turn is taken by one engine, ``flows.engine``.

Illegal input never changes the state: the flow re-asks the current question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flows.buttons import BACK, CANCEL, PERSON, RESTART, ButtonData, unpack
from flows.effects import Effect, Outcome
from knowledge.loader import KnowledgeBase
from knowledge.models import Lang
from knowledge.words import read_navigation

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
    """The user pressed a button (or typed its number in the console): its unpacked data."""

    data: ButtonData


def press(packed: str) -> Choice:
    """The press of a button whose data is ``packed`` (for shells and tests that hold the
    string); raises ValueError for data no button of this bot carries."""
    data = unpack(packed)
    if data is None:
        raise ValueError(f"no button carries {packed!r}")
    return Choice(data)


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


Event = Start | Text | Choice | Back | Restart | Cancel | Handoff | Outcome
"""What a flow's ``step`` takes: the user's input, navigation, or the outcome of an effect."""

# --------------------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class Button:
    """An answer the user can press; ``data`` comes back as ``Choice(data)``."""

    label: str
    data: ButtonData

    def __post_init__(self) -> None:
        self.data.pack()  # Telegram's limits are checked when the button is made


@dataclass(frozen=True)
class Reply:
    """One message to show, with buttons (rows of one or more)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    feedback: str | None = None  # the FAQ id this reply answers: shells that can, ask 👍/👎
    typed: bool = False
    """The question takes a typed answer (a name, a number): a shell that lets users pick a
    button by typing its number (the console) must not read a typed number as a button here."""

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class PersonWanted:
    """A guided conversation was left for a person: the conversation hands the case over
    (never seen by a shell, which only ever gets ``OpenTicket``)."""

    flow: str
    answers: Mapping[str, Any] = field(default_factory=dict)


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

    def finish(self, **answers: Any) -> FlowState:
        return replace(self, step=DONE, answers={**self.answers, **answers})


DONE = "done"


@dataclass(frozen=True)
class Retention:
    """How long the shell keeps personal data (PDPO), in months: ``records`` (registrations,
    subscriptions, closed tickets), ``conversations`` (conversation state, unanswered
    questions, votes, notices). Set by RETENTION_*_MONTHS; the privacy notice says them."""

    records_months: int = 24
    conversations_months: int = 6


@dataclass(frozen=True)
class Context:
    """What a flow may read: the knowledge base, today's date in Hong Kong, whether the shell
        can reach staff (``no_staff``: "console" or "unavailable" when it can't, so a handoff gives
        the Secretariat's contacts at once instead of asking questions for nobody), and how long
        the shell keeps personal data, and which events staff have postponed or cancelled (no longer
    open for registration whatever events.yaml says, until it gives them a new date)."""

    kb: KnowledgeBase
    today: dt.date
    no_staff: str | None = None
    retention: Retention = Retention()
    withdrawn: frozenset[str] = frozenset()  # events staff postponed or cancelled

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
    """What one step produces: the new state, the replies, the effects for the shell and,
    when the user asked for a person, the case to hand over."""

    state: FlowState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    person: PersonWanted | None = None


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


def nav_buttons(ctx: Context, lang: Lang, back: bool = True) -> tuple[Button, ...]:
    """The buttons every question carries: back, restart, cancel, talk to a person."""
    buttons = []
    if back:
        buttons.append(Button(ctx.say("button_back", lang), BACK))
    buttons += [
        Button(ctx.say("button_restart", lang), RESTART),
        Button(ctx.say("button_cancel", lang), CANCEL),
        Button(ctx.say("button_person", lang), PERSON),
    ]
    return tuple(buttons)


NAVIGATION: dict[ButtonData, Event] = {
    BACK: Back(),
    RESTART: Restart(),
    CANCEL: Cancel(),
    PERSON: Handoff(),
}


def navigation_event(event: Event, ctx: Context) -> Event:
    """Turn navigation button presses, and navigation words typed alone (返回, /cancel, 真人:
    ``navigation`` in ``words.yaml``), into their events."""
    if isinstance(event, Choice) and event.data in NAVIGATION:
        return NAVIGATION[event.data]
    if isinstance(event, Text):
        typed = read_navigation(event.text, ctx.kb.words)
        if typed is not None:
            return TYPED_NAVIGATION[typed]
    return event


TYPED_NAVIGATION: dict[str, Event] = {
    "back": Back(),
    "restart": Restart(),
    "cancel": Cancel(),
    "person": Handoff(),
}
