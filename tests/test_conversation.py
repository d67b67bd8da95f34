"""The conversation layer shared by the console and Telegram: commands, buttons, misses."""

from __future__ import annotations

import json

import pytest

from flows.buttons import unpack
from flows.conversation import MISSES_BEFORE_PERSON, Session, Turn, handle
from flows.core import Choice, Context, Text, press
from flows.effects import CancelRegistration, Forget, OpenTicket, Registered
from knowledge.answer import Assistant
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def ctx(assistant: Assistant) -> Context:
    return Context(assistant.kb, TODAY)


def say(session: Session, text: str, ctx: Context, assistant: Assistant) -> Turn:
    turn = handle(session, Text(text), ctx, assistant)
    assert turn.session == Session.from_json(json.loads(json.dumps(turn.session.to_json())))
    return turn


def test_deep_link_starts_a_flow(ctx: Context, assistant: Assistant) -> None:
    turn = say(Session(lang="zh"), "/start eligibility", ctx, assistant)
    assert turn.session.active is not None and "eligibility" == turn.session.active.flow
    assert "公司" in turn.replies[-1].text


def test_third_miss_in_a_row_offers_a_person(ctx: Context, assistant: Assistant) -> None:
    session = Session(lang="en")
    for _ in range(MISSES_BEFORE_PERSON - 1):
        turn = say(session, "blorp quux zarf", ctx, assistant)
        session = turn.session
        assert "couldn't find" in turn.replies[0].text
    turn = say(session, "blorp quux zarf", ctx, assistant)
    assert "Rather than ask you again" in turn.replies[0].text
    assert "nav:person" == turn.replies[0].all_buttons()[0].data.pack()
    assert 0 == turn.session.misses


def test_a_match_resets_the_miss_count(ctx: Context, assistant: Assistant) -> None:
    turn = say(Session(misses=2), "How do I contact you?", ctx, assistant)
    assert 0 == turn.session.misses


@pytest.mark.parametrize(
    "value",
    [
        "eligibility:company",
        "seminar:cancel:999",
        "faq:nope",
        "'; DROP TABLE x",
        "nav:back",
        "lang:fr",
        "x" * 64,
    ],
)
def test_forged_or_stale_buttons_are_declined_politely(
    ctx: Context, assistant: Assistant, value: str
) -> None:
    data = unpack(value)
    if data is None:  # no button of this bot carries it: the shell says it has expired
        return
    turn = handle(Session(lang="yue"), Choice(data), ctx, assistant)
    if turn.effects:  # the shell checks the id against the user's own registrations
        assert [CancelRegistration("999")] == list(turn.effects)
    else:
        assert turn.replies, value


def test_handoff_carries_the_case(ctx: Context, assistant: Assistant) -> None:
    session = Session(lang="yue", recent_misses=(("blorp fizzle", 0.05),))
    session = say(session, "/eligibility", ctx, assistant).session
    session = say(session, "公司", ctx, assistant).session
    turn = say(session, "/staff", ctx, assistant)
    assert not turn.effects  # first the collection statement and the company
    turn = handle(turn.session, press("handoff:skip"), ctx, assistant)
    turn = say(turn.session, "我想問點樣申請", ctx, assistant)
    (effect,) = turn.effects
    assert isinstance(effect, OpenTicket)
    case = effect.case
    assert {"org_type": "company"} == case.answers
    assert "我想問點樣申請" == case.question and "" == case.company
    assert "eligibility" == case.flow and "yue" == case.lang
    assert (("blorp fizzle", 0.05),) == case.recent_misses


def test_a_question_inside_a_flow_is_answered_and_the_flow_goes_on(
    ctx: Context, assistant: Assistant
) -> None:
    session = say(Session(lang="en"), "/estimate", ctx, assistant).session
    turn = say(session, "What is the hotline number?", ctx, assistant)
    assert "2788 5588" in turn.replies[0].text
    assert turn.session.active is not None and "scheme" == turn.session.active.step


def test_forget_asks_the_shell_to_delete(ctx: Context, assistant: Assistant) -> None:
    turn = say(Session(lang="zh", last_question="x"), "/forget", ctx, assistant)
    assert [Forget()] == list(turn.effects)
    assert "" == turn.session.last_question


def test_outcome_without_a_flow_is_harmless(ctx: Context, assistant: Assistant) -> None:
    turn = handle(Session(), Registered("ok"), ctx, assistant)
    assert turn.replies and not turn.effects


@pytest.mark.parametrize(
    ("command", "lang"),
    [("/language 廣東話", "yue"), ("/language zh", "zh"), ("/language English", "en")],
)
def test_language_command(ctx: Context, assistant: Assistant, command: str, lang: str) -> None:
    assert lang == say(Session(), command, ctx, assistant).session.lang


def test_a_forged_seminar_button_is_said_to_have_expired(
    ctx: Context, assistant: Assistant
) -> None:
    session = Session(lang="en")
    turn = handle(session, press("seminar:event:gone"), ctx, assistant)
    assert [ctx.say("button_expired", "en")] == [r.text for r in turn.replies]
    assert session == turn.session
