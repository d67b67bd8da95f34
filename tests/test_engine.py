"""The engine's rules (flows/engine.py) hold the same way in every guided conversation.

Each flow is driven to its second question (and, where it asks for them, to personal answers),
then navigated, cancelled, handed over and sent input it cannot take. Finally every flow is
walked through every button it shows, a few typed answers and the outcomes the shell may send,
to check that its ``STEPS`` name exactly the steps it reaches and that no input at any reached
state raises or, when illegal, changes the state.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from flows import eligibility, estimate, handoff, recognition, seminar
from flows.buttons import BACK, CANCEL, PERSON, RESTART, Faq, FlowButton, Language
from flows.core import (
    Back,
    Cancel,
    Choice,
    Context,
    Event,
    FlowState,
    Handoff,
    PersonWanted,
    Restart,
    Result,
    Start,
    Text,
    press,
)
from flows.effects import (
    NoStaff,
    Outcome,
    Registered,
    RegistrationCancelled,
    RegistrationRef,
    RegistrationsListed,
    TicketAlreadyOpen,
    TicketOpened,
)
from flows.engine import START, Wait
from knowledge.loader import KnowledgeBase
from tests.conftest import TODAY
from tests.test_seminar_flow import WEBINAR, WORKSHOP

PERSONAL = frozenset({"name", "company", "email", "phone", "question", "case", "registrations"})
"""Answers that identify someone, in any flow: never kept once it ends, never handed over."""


@dataclass(frozen=True)
class Guided:
    """A flow and how to drive it: answers to its first question, to reach a question with
    personal answers in the state, and the answer key the first answer sets."""

    module: ModuleType
    first: tuple[Event, ...]
    key: str
    deep: tuple[Event, ...] = ()

    def __str__(self) -> str:
        return str(self.module.FLOW)


SEMINAR_DETAILS = (
    seminar.AGREE,
    "Chan Tai Man",
    "ABC Ltd",
    "tai.man@example.com",
    "2788 5588",
)
SEMINAR = Guided(
    seminar,
    (Choice(seminar.event_button(WORKSHOP.id)),),
    "event_id",
    tuple(Choice(d) if isinstance(d, FlowButton) else Text(d) for d in SEMINAR_DETAILS),
)
HANDOFF = Guided(handoff, (Text("ABC Ltd"),), "company")
FLOWS = [
    Guided(eligibility, (press("eligibility:company"),), "org_type", (Text("yes"),)),
    Guided(recognition, (press("recognition:manufacturer"),), "role", (Text("yes"),)),
    Guided(estimate, (press("estimate:new_technology_project"),), "scheme"),
    SEMINAR,
    HANDOFF,
]
ALL = pytest.mark.parametrize("flow", FLOWS, ids=str)

OUTCOMES: tuple[Outcome, ...] = (
    Registered("ok"),
    Registered("full", seats_left=1),
    Registered("full", seats_left=0),
    Registered("over_company_limit"),
    Registered("duplicate"),
    Registered("closed"),
    Registered("error"),
    RegistrationsListed(
        (RegistrationRef("r1", WORKSHOP.id, 2), RegistrationRef("r2", "gone", None))
    ),
    RegistrationsListed(()),
    RegistrationCancelled(True),
    RegistrationCancelled(False),
    TicketOpened(1),
    TicketAlreadyOpen(1),
    NoStaff("console"),
)
TYPED = (
    "1",
    "yes",
    "no",
    "Chan Tai Man",
    "tai.man@example.com",
    "2788 5588",
    "confirm",
    "60",
    "800000",
    "the mainland",
)
"""Typed answers that between them answer every question of every flow."""


@pytest.fixture(scope="module")
def ctx(kb: KnowledgeBase) -> Context:
    """The shipped knowledge base with the seminar tests' two future events."""
    return Context(dataclasses.replace(kb, events=(*kb.events, WORKSHOP, WEBINAR)), TODAY)


def run(flow: Guided, state: FlowState, event: Event, ctx: Context) -> Result:
    """One step, checking the state survives the shell's JSON storage and names a known step."""
    result: Result = flow.module.step(state, event, ctx)
    stored = json.loads(json.dumps(result.state.to_json(), ensure_ascii=False))
    assert result.state == FlowState.from_json(stored)
    assert result.state.step in flow.module.STEPS
    return result


def play(flow: Guided, ctx: Context, *events: Event) -> Result:
    result = run(flow, flow.module.new_state("en"), Start(), ctx)
    for event in events:
        result = run(flow, result.state, event, ctx)
    return result


def question(result: Result) -> Any:
    """The question a result asks: its last reply."""
    return result.replies[-1]


def asks_again(asked: Result, result: Result) -> bool:
    """``result`` leaves ``asked``'s state as it was and asks its question again (after a
    reason, in the same message)."""
    again = question(result)
    return (
        asked.state == result.state
        and question(asked).text in again.text
        and question(asked).buttons == again.buttons
    )


# ------------------------------------------------------------------------------ navigation


@ALL
@pytest.mark.parametrize("back", [Back(), Choice(BACK)])
def test_back_goes_to_the_previous_question_keeping_its_answer(
    flow: Guided, back: Event, ctx: Context
) -> None:
    start = play(flow, ctx)
    second = play(flow, ctx, *flow.first)
    assert flow.key in second.state.answers and start.state.step != second.state.step
    result = run(flow, second.state, back, ctx)
    assert start.state.step == result.state.step
    assert second.state.answers == result.state.answers
    assert () == result.state.history


@ALL
def test_back_at_the_first_question_asks_it_again(flow: Guided, ctx: Context) -> None:
    start = play(flow, ctx)
    result = run(flow, start.state, Back(), ctx)
    assert start.state == result.state
    assert question(start) == question(result)


@ALL
@pytest.mark.parametrize("restart", [Restart(), Choice(RESTART), Start()])
def test_restart_begins_again_with_nothing_kept(flow: Guided, restart: Event, ctx: Context) -> None:
    start = play(flow, ctx)
    result = run(flow, play(flow, ctx, *flow.first, *flow.deep).state, restart, ctx)
    assert start.state == result.state
    assert start.replies == result.replies


@ALL
@pytest.mark.parametrize("cancel", [Cancel(), Choice(CANCEL)])
def test_cancel_ends_keeping_no_personal_answer(flow: Guided, cancel: Event, ctx: Context) -> None:
    asked = play(flow, ctx, *flow.first, *flow.deep)
    result = run(flow, asked.state, cancel, ctx)
    key = "handoff_cancelled" if flow.module is handoff else "flow_cancelled"
    assert [ctx.say(key, "en")] == [reply.text for reply in result.replies]
    assert result.state.done
    assert () == result.effects and None is result.person
    assert set() == PERSONAL & set(result.state.answers)


@ALL
@pytest.mark.parametrize("person", [Handoff(), Choice(PERSON)])
def test_a_person_is_wanted_with_no_personal_answer(
    flow: Guided, person: Event, ctx: Context
) -> None:
    asked = play(flow, ctx, *flow.first, *flow.deep)
    result = run(flow, asked.state, person, ctx)
    if flow.module is handoff:  # already on the way to a person: the question again
        assert asked.state == result.state and None is result.person
        assert question(asked) == question(result)
        return
    public = {k: v for k, v in asked.state.answers.items() if k not in PERSONAL}
    assert PersonWanted(flow.module.FLOW, public) == result.person
    assert set() == PERSONAL & set(result.person.answers)
    assert [ctx.say("flow_handoff", "en")] == [reply.text for reply in result.replies]
    assert result.state.done and () == result.effects
    assert set() == PERSONAL & set(result.state.answers)


# ------------------------------------------------------------------------------ illegal input


def forged(flow: Guided) -> list[Choice]:
    """Buttons the flow never showed at its second question."""
    other = "estimate" if flow.module is not estimate else "eligibility"
    return [
        Choice(FlowButton(flow.module.FLOW, "forged:1")),
        Choice(FlowButton(other, "yes")),
        Choice(Faq("app_how_to_apply")),
        Choice(Language("fr")),
    ]


@ALL
def test_a_forged_button_changes_nothing_and_asks_again(flow: Guided, ctx: Context) -> None:
    asked = play(flow, ctx, *flow.first)
    for choice in forged(flow):
        result = run(flow, asked.state, choice, ctx)
        assert asks_again(asked, result), choice
        assert () == result.effects and None is result.person


@ALL
@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: type(o).__name__)
def test_a_stray_outcome_changes_nothing_and_asks_again(
    flow: Guided, outcome: Outcome, ctx: Context
) -> None:
    asked = play(flow, ctx, *flow.first)
    result = run(flow, asked.state, outcome, ctx)
    assert asked.state == result.state
    assert question(asked) == question(result)
    assert () == result.effects


@ALL
def test_a_flow_not_begun_or_ended_takes_nothing_but_start(flow: Guided, ctx: Context) -> None:
    fresh = flow.module.new_state("en")
    ended = run(flow, play(flow, ctx, *flow.first).state, Cancel(), ctx).state
    events: tuple[Event, ...] = (Text("yes"), Back(), Cancel(), Handoff(), TicketOpened(1))
    for state in (fresh, ended):
        for event in (*events, *forged(flow)):
            assert Result(state) == run(flow, state, event, ctx)


def test_waiting_for_the_shell_any_input_is_asked_to_wait(ctx: Context) -> None:
    flow = SEMINAR
    confirm = play(flow, ctx, *flow.first, *flow.deep, Text("2"))
    saving = run(flow, confirm.state, Choice(seminar.CONFIRM_VALUE), ctx)
    assert seminar.SAVING == saving.state.step
    events: tuple[Event, ...] = (Text("2"), Back(), Restart(), Cancel(), Handoff(), TicketOpened(1))
    for event in (*events, *forged(flow)):
        result = run(flow, saving.state, event, ctx)
        assert saving.state == result.state
        assert [ctx.say("seminar_wait", "en")] == [reply.text for reply in result.replies]
        assert () == result.effects and None is result.person


def test_waiting_for_a_ticket_any_input_asks_the_shell_again(ctx: Context) -> None:
    flow = HANDOFF
    opening = play(flow, ctx, *flow.first, Text("Is a chiller covered?"))
    assert "opening" == opening.state.step and opening.effects
    for event in (Text("hello?"), Back(), Restart(), Cancel(), Handoff(), Registered("ok")):
        result = run(flow, opening.state, event, ctx)
        assert opening.state == result.state
        assert opening.effects == result.effects and () == result.replies


# ------------------------------------------------------------------------------ every step


def _key(result: Result) -> str:
    """Two states at the same step, with the same answer keys and buttons, lead to the same
    steps."""
    buttons = sorted(b.data.pack() for reply in result.replies for b in reply.all_buttons())
    return f"{result.state.step}:{sorted(result.state.answers)}:{buttons}"


def _moves(flow: Guided, result: Result) -> Iterator[Event]:
    """What the user (buttons shown, typed answers) or the shell (outcomes) may send next."""
    for reply in result.replies:
        for button in reply.all_buttons():
            if not isinstance(button.data, FlowButton) or button.data.flow == flow.module.FLOW:
                yield Choice(button.data)
    yield from (Text(typed) for typed in TYPED)
    yield from OUTCOMES


_WALKS: dict[str, dict[str, Result]] = {}


def walk(flow: Guided, ctx: Context) -> dict[str, Result]:
    """Every state the flow reaches from ``Start``, one per step and set of answer keys."""
    if str(flow) in _WALKS:
        return _WALKS[str(flow)]
    fresh = flow.module.new_state("en")
    first = play(flow, ctx)
    seen = {_key(Result(fresh)): Result(fresh), _key(first): first}
    todo = [first]
    while todo:
        result = todo.pop()
        for event in _moves(flow, result):
            reached = run(flow, result.state, event, ctx)
            if _key(reached) not in seen:
                seen[_key(reached)] = reached
                todo.append(reached)
        assert len(seen) < 2000, "the walk does not end"
    _WALKS[str(flow)] = seen
    return seen


@ALL
def test_steps_name_exactly_the_steps_the_flow_reaches(flow: Guided, ctx: Context) -> None:
    reached = {result.state.step for result in walk(flow, ctx).values()}
    assert flow.module.STEPS == reached
    assert {START, "done"} <= reached


@ALL
def test_at_every_reachable_state_illegal_input_changes_nothing(flow: Guided, ctx: Context) -> None:
    table = flow.module.DIALOGUE
    for result in walk(flow, ctx).values():
        state = result.state
        current = table.steps.get(state.step)
        waits = current.on if isinstance(current, Wait) else {}
        stray = next(o for o in OUTCOMES if type(o) not in waits)
        for event in (*forged(flow), stray):
            after = run(flow, state, event, ctx)
            assert state == after.state, (state, event)
            if current is not None:  # a question or a wait: asked again
                assert after.replies or after.effects, (state, event)
