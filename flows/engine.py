"""The one engine every guided conversation runs on, in the manner of h11's ``_state.py``.

A flow is declared as a table (``Flow``): its steps by name, each either a question (``Ask``:
how to ask it, how to read an answer) or a wait for the outcome of an effect (``Wait``: which
outcome types it takes and what each does), how it begins, and the buttons that work at any
step. The engine alone takes every turn, the same way for every flow:

- ``Start`` (and Restart) begins again; a flow that has not begun or has ended ignores anything
  but ``Start`` and its flow-level buttons (the conversation reads "no reply" as "expired");
- while a step waits for an outcome, that outcome moves it on and anything else (the user's
  input, navigation, a stray outcome) gets the step's "please wait";
- Back goes to the previous question keeping every answer (the question may offer to keep it),
  and at the first question asks it again; Cancel ends the flow keeping no personal answer;
  Talk to a person ends it with ``Result.person`` (answers without personal data), or, in a flow
  that is itself the way to a person, asks again;
- an answer a question cannot take (``Invalid``), a button it does not have, or a stray outcome
  leaves the state exactly as it was and asks again. Nothing a user sends makes ``step`` raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flows.buttons import FlowButton
from flows.core import (
    DONE,
    Back,
    Cancel,
    Choice,
    Context,
    Event,
    FlowState,
    Handoff,
    PersonWanted,
    Reply,
    Restart,
    Result,
    Start,
    Text,
    navigation_event,
)
from flows.effects import Effect
from knowledge.models import Lang

START = "start"
"""The step of a state a shell creates before sending ``Start``."""

UserInput = Text | Choice
"""What a question reads: a typed answer or a pressed button."""


class Invalid(Exception):
    """An answer a question cannot take: the message ``key`` (with ``values``) says why, and the
    question is asked again with the state unchanged."""

    def __init__(self, key: str = "flow_not_understood", **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Ask:
    """A question: ``ask`` shows it for a state; ``read`` takes a typed answer or a pressed button
    and returns the next ``Result``, or raises ``Invalid``."""

    ask: Callable[[FlowState, Context], Reply]
    read: Callable[[FlowState, UserInput, Context], Result]


@dataclass(frozen=True)
class Wait:
    """Waiting for the outcome of an effect: ``on`` maps each outcome type the step takes to what
    it does; ``waiting`` answers anything else (say "please wait", or ask for the effect again)."""

    on: Mapping[type[Any], Callable[[FlowState, Any, Context], Result]]
    waiting: Callable[[FlowState, Context], Result]


ButtonHandler = Callable[[FlowState, str, Context], Result]


@dataclass(frozen=True)
class Flow:
    """A guided conversation as a table; ``step`` is its one transition.

    ``begin`` gets a state at ``START`` (holding only the answers in ``kept_on_restart``) and asks
    the first question. ``anywhere`` maps the first part of a flow button's value (``mine`` in
    ``seminar:mine``, ``cancel`` in ``seminar:cancel:<id>``) to what it does at any step but a
    wait; the handler gets the rest of the value. ``personal`` answers are never kept in an ended
    state nor handed to a person.
    """

    name: str
    begin: Callable[[FlowState, Context], Result]
    steps: Mapping[str, Ask | Wait]
    anywhere: Mapping[str, ButtonHandler] = field(default_factory=dict)
    personal: frozenset[str] = frozenset()
    kept_on_restart: frozenset[str] = frozenset()
    cancelled: str = "flow_cancelled"
    hands_off: bool = True

    @property
    def step_names(self) -> frozenset[str]:
        """Every step a stored state of this flow may name."""
        return frozenset({START, DONE, *self.steps})

    def new_state(self, lang: Lang) -> FlowState:
        """The state a shell creates before sending ``Start``."""
        return FlowState(flow=self.name, step=START, lang=lang)

    # ------------------------------------------------------------------------------ the turn

    def step(
        self, state: FlowState | None, event: Event, ctx: Context, lang: Lang = "en"
    ) -> Result:
        """One turn: ``state`` and ``event`` in, the next ``Result`` out (None: a new state)."""
        state = state or self.new_state(lang)
        if isinstance(event, Start):
            return self.restart(state, ctx)
        current = self.steps.get(state.step)
        if isinstance(current, Wait):
            handler = current.on.get(type(event))
            return handler(state, event, ctx) if handler else current.waiting(state, ctx)
        try:
            anywhere = self._anywhere(state, event, ctx)
            if anywhere is not None:
                return anywhere
            if current is None:  # not begun, ended, or a step this flow does not have
                return Result(state)
            return self._navigate(state, navigation_event(event, ctx), current, ctx)
        except Invalid as invalid:
            return self.reask(state, ctx, invalid.key, **invalid.values)

    def _anywhere(self, state: FlowState, event: Event, ctx: Context) -> Result | None:
        value = pressed(event, self.name)
        if value is None:
            return None
        head, _, rest = value.partition(":")
        handler = self.anywhere.get(head)
        return handler(state, rest, ctx) if handler else None

    def _navigate(self, state: FlowState, event: Event, current: Ask, ctx: Context) -> Result:
        if isinstance(event, Back):
            return self.back(state, ctx)
        if isinstance(event, Restart):
            return self.restart(state, ctx)
        if isinstance(event, Cancel):
            return self.finish(state, Reply(ctx.say(self.cancelled, state.lang)))
        if isinstance(event, Handoff):
            if not self.hands_off:
                return self.ask(state, ctx)
            person = PersonWanted(self.name, self.public(state.answers))
            ended = self.finish(state, Reply(ctx.say("flow_handoff", state.lang)))
            return replace(ended, person=person)
        if isinstance(event, Text | Choice):
            return current.read(state, event, ctx)
        return self.ask(state, ctx)  # an outcome nothing was waiting for

    # ------------------------------------------------------------- what flows build results with

    def restart(self, state: FlowState, ctx: Context) -> Result:
        """Begin again, keeping only the answers the flow keeps on restart."""
        kept = {k: v for k, v in state.answers.items() if k in self.kept_on_restart}
        return self.begin(FlowState(flow=self.name, step=START, lang=state.lang, answers=kept), ctx)

    def question(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        """The current question (nothing if the state is not at a question)."""
        current = self.steps.get(state.step)
        return (current.ask(state, ctx),) if isinstance(current, Ask) else ()

    def ask(self, state: FlowState, ctx: Context, *before: Reply) -> Result:
        """Ask the current question, after ``before``."""
        return Result(state, (*before, *self.question(state, ctx)))

    def reask(self, state: FlowState, ctx: Context, key: str, **values: Any) -> Result:
        """The state unchanged and one message: why the answer was not taken, then the question
        again with its buttons."""
        reason = ctx.say(key, state.lang, **values)
        question = self.question(state, ctx)
        if not question:
            return Result(state, (Reply(reason),))
        return Result(state, (replace(question[0], text=f"{reason}\n\n{question[0].text}"),))

    def first(self, state: FlowState, ctx: Context, step: str, *before: Reply) -> Result:
        """Ask ``step`` as the first question (nothing to go back to)."""
        return self.ask(replace(state, step=step, history=()), ctx, *before)

    def go(self, state: FlowState, ctx: Context, step: str, **answers: Any) -> Result:
        """Record ``answers`` and ask ``step``, remembering the way back."""
        return self.ask(state.ask(step, **answers), ctx)

    def back(self, state: FlowState, ctx: Context) -> Result:
        """The previous question, every answer kept; the same question if there is none."""
        previous = state
        while previous.history:
            previous = previous.back()
            if isinstance(self.steps.get(previous.step), Ask):
                return self.ask(previous, ctx)
        return self.ask(state, ctx)

    def finish(
        self, state: FlowState, *replies: Reply, effects: tuple[Effect, ...] = (), **answers: Any
    ) -> Result:
        """End the flow with ``replies``, keeping no personal answer."""
        ended = state.finish(**answers)
        return Result(replace(ended, answers=self.public(ended.answers)), replies, effects)

    def public(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers that identify nobody: what an ended state and a handoff may keep."""
        return {k: v for k, v in answers.items() if k not in self.personal}


def pressed(event: Event, flow: str) -> str | None:
    """The value of ``flow``'s button that ``event`` pressed (``yes`` for ``eligibility:yes``),
    or None for anything else."""
    if isinstance(event, Choice) and isinstance(event.data, FlowButton):
        return event.data.value if event.data.flow == flow else None
    return None
