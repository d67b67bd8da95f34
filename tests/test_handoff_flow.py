"""Handing a case to a person: what the user is told and asked, and what the staff receive."""

from __future__ import annotations

import datetime as dt

import pytest

from flows import estimate, handoff
from flows.core import Back, Context, Event, Handoff, Restart, Result, Start, Text, press
from flows.effects import (
    AfterHours,
    Case,
    NoStaff,
    OfficeSchedule,
    OpenTicket,
    Registered,
    TicketAlreadyOpen,
    TicketOpened,
)
from knowledge.answer import Assistant
from knowledge.models import HONG_KONG, Lang
from tests.conftest import TODAY

WEEKDAYS = OfficeSchedule(days=(0, 1, 2, 3, 4), opens="09:00", closes="18:00")
SKIP = press("handoff:skip")
CANCEL = press("nav:cancel")


@pytest.fixture(scope="module")
def ctx(assistant: Assistant) -> Context:
    return Context(assistant.kb, TODAY)


def play(ctx: Context, case: Case, *events: Event) -> Result:
    result = handoff.begin(case, ctx)
    for event in events:
        result = handoff.step(result.state, event, ctx)
    return result


def opening(ctx: Context, lang: Lang = "en") -> Result:
    """Company skipped and the question known: waiting for the ticket."""
    result = play(ctx, Case(lang=lang, question="Can we extend?"), SKIP)
    assert "opening" == result.state.step
    return result


def ticket(result: Result) -> OpenTicket:
    (effect,) = result.effects
    assert isinstance(effect, OpenTicket)
    return effect


def test_staff_command_states_what_staff_will_see_before_asking_anything(ctx: Context) -> None:
    result = handoff.begin(Case(lang="en"), ctx)
    (reply,) = result.replies
    assert ctx.say("handoff_notice", "en") in reply.text
    assert ["handoff:skip", "nav:cancel"] == [b.data.pack() for b in reply.all_buttons()]
    assert () == result.effects


def test_a_new_state_started_asks_with_an_empty_case(ctx: Context) -> None:
    result = handoff.step(handoff.new_state("yue"), Start(), ctx)
    assert "company" == result.state.step
    assert ctx.say("handoff_notice", "yue") in result.replies[0].text


def test_company_then_question_opens_a_ticket_with_both(ctx: Context) -> None:
    result = play(ctx, Case(lang="zh"), Text("  ABC  塑胶 有限公司 "))
    assert ctx.say("handoff_ask_question", "zh") == result.replies[-1].text
    case = ticket(handoff.step(result.state, Text("我们的项目可以延期吗？"), ctx)).case
    assert "ABC 塑胶 有限公司" == case.company
    assert "我们的项目可以延期吗？" == case.question
    assert "zh" == case.lang


def test_the_question_already_asked_is_not_asked_again(ctx: Context) -> None:
    result = play(ctx, Case(lang="en", question="Can I claim for my cat's food?"), SKIP)
    assert "Can I claim for my cat's food?" == ticket(result).case.question


def test_opened_ticket_is_announced_with_its_number_and_after_hours_note(ctx: Context) -> None:
    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=HONG_KONG)
    outcome = TicketOpened(7, AfterHours(opens_at=monday, schedule=WEEKDAYS))
    result = handoff.step(opening(ctx, "yue").state, outcome, ctx)
    (reply,) = result.replies
    assert "#7" in reply.text
    assert "星期一至五 09:00–18:00" in reply.text
    assert "2026年11月23日（星期一） 09:00" in reply.text
    assert ["ticket:end:7"] == [b.data.pack() for b in reply.all_buttons()]
    assert result.state.done
    notice = ctx.kb.statement_version(handoff.NOTICE)  # which notice they went on from
    assert {"ticket": 7, "consent": notice} == result.state.answers  # nothing typed is kept


def test_office_opening_time_is_said_in_hong_kong_time(ctx: Context) -> None:
    utc = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    note = handoff.after_hours(AfterHours(opens_at=utc, schedule=WEEKDAYS), ctx, "en")
    assert note is not None and "Mon 23 Nov 2026 09:00" in note
    assert None is handoff.after_hours(None, ctx, "en")
    assert "" == handoff.office_hours_text(OfficeSchedule((), "09:00", "18:00"), ctx, "en")


def test_opened_in_office_hours_has_no_after_hours_note(ctx: Context) -> None:
    result = handoff.step(opening(ctx).state, TicketOpened(3), ctx)
    assert "out of the office" not in result.replies[0].text


@pytest.mark.parametrize(
    ("where", "key"),
    [("unavailable", "handoff_unavailable"), ("console", "console_handoff")],
)
def test_no_staff_reachable_gives_the_secretariat_contacts(
    ctx: Context, where: str, key: str
) -> None:
    result = handoff.step(opening(ctx).state, NoStaff(where), ctx)  # type: ignore[arg-type]
    assert [ctx.say(key, "en")] == [r.text for r in result.replies]
    assert "2788 5588" in result.replies[0].text
    assert result.state.done


def test_already_open_ticket_is_named(ctx: Context) -> None:
    result = handoff.step(opening(ctx).state, TicketAlreadyOpen(12), ctx)
    assert "#12" in result.replies[0].text


def test_cancel_passes_nothing(ctx: Context) -> None:
    result = play(ctx, Case(lang="en"), Text("ABC Ltd"), CANCEL)
    assert () == result.effects and None is result.person
    assert ctx.say("handoff_cancelled", "en") == result.replies[0].text
    assert result.state.done and {} == result.state.answers  # nothing personal kept


def test_empty_company_is_asked_again(ctx: Context) -> None:
    asked = handoff.begin(Case(lang="en"), ctx)
    result = handoff.step(asked.state, Text("   "), ctx)
    assert asked.state == result.state
    assert result.replies[0].text.startswith(ctx.say("flow_not_understood", "en"))
    assert asked.replies[0].buttons == result.replies[0].buttons


def test_back_keeps_the_company_and_restart_keeps_the_case(ctx: Context) -> None:
    asked = play(ctx, Case(lang="en", flow="estimate"), Text("ABC Ltd"))
    assert "question" == asked.state.step
    back = handoff.step(asked.state, Back(), ctx)
    assert "company" == back.state.step and "ABC Ltd" == back.state.answers["company"]
    again = handoff.step(asked.state, Restart(), ctx)
    assert "company" == again.state.step and "company" not in again.state.answers
    skipped = handoff.step(again.state, SKIP, ctx)
    sent = ticket(handoff.step(skipped.state, Text("Is a chiller covered?"), ctx)).case
    assert "estimate" == sent.flow and "" == sent.company


@pytest.mark.parametrize("person", [Handoff(), press("nav:person"), Text("真人")])
def test_asking_for_a_person_here_asks_again(ctx: Context, person: Event) -> None:
    asked = handoff.begin(Case(lang="en"), ctx)
    result = handoff.step(asked.state, person, ctx)
    assert asked.state == result.state and None is result.person
    assert ctx.say("handoff_ask_company", "en") in result.replies[-1].text


def test_a_flows_person_button_hands_over_its_answers(ctx: Context) -> None:
    started = estimate.step(estimate.new_state("en"), Start(), ctx)
    left = estimate.step(started.state, press("estimate:new_technology_project"), ctx)
    wanted = estimate.step(left.state, press("nav:person"), ctx).person
    assert wanted is not None
    case = Case(lang="en", flow=wanted.flow, answers=wanted.answers)
    result = play(ctx, case, Text("Plastics Ltd"), Text("Is a chiller covered?"))
    sent = ticket(result).case
    assert "estimate" == sent.flow and "Plastics Ltd" == sent.company
    assert {"scheme": "new_technology_project"} == dict(sent.answers)


@pytest.mark.parametrize("event", [Text("hello?"), Back(), CANCEL, Registered("ok")])
def test_a_lost_outcome_is_asked_for_again(ctx: Context, event: Event) -> None:
    """Waiting for the ticket, anything but its outcome asks the shell again (a crash may
    have lost the effect)."""
    waiting = opening(ctx)
    result = handoff.step(waiting.state, event, ctx)
    assert waiting.state == result.state
    assert waiting.effects == result.effects


def test_summary_shows_verdicts_estimate_and_misses(ctx: Context) -> None:
    case = Case(
        lang="yue",
        company="ABC Ltd",
        question="點樣申請？",
        flow="eligibility",
        answers={"hk_registered": True, "org_type": "company", "site": "hk_factory"},
        recent_misses=(("blorp", 0.04),),
    )
    text = handoff.summary(case, ctx, "en")
    assert "Language: Cantonese" in text and "Company: ABC Ltd" in text
    assert "Question: 點樣申請？" in text
    assert "hk_registered=True" in text
    assert "• blorp (0.04)" in text
    estimate_case = Case(
        lang="en",
        flow="estimate",
        answers={
            "scheme": "x",
            "estimate": {
                "scheme": "demonstration_project",
                "cost_hkd": 800000,
                "subsidy_hkd": 400000,
            },
        },
    )
    line = handoff.summary(estimate_case, ctx, "en")
    assert "HK$800,000" in line and "HK$400,000" in line


@pytest.mark.parametrize(
    ("no_staff", "key"), [("console", "console_handoff"), ("unavailable", "handoff_unavailable")]
)
def test_without_staff_the_contacts_come_at_once(ctx: Context, no_staff: str, key: str) -> None:
    alone = Context(ctx.kb, ctx.today, no_staff=no_staff)
    result = handoff.begin(Case(lang="yue"), alone)
    assert [ctx.say(key, "yue")] == [r.text for r in result.replies]
    assert () == result.effects and result.state.done


def test_nothing_personal_is_kept_once_ended(ctx: Context) -> None:
    ended = handoff.step(opening(ctx).state, TicketAlreadyOpen(4), ctx)
    assert {"ticket": 4, "consent": ctx.kb.statement_version(handoff.NOTICE)} == ended.state.answers
