"""Handing a case to a person: what the user is told and asked, and what the staff receive."""

from __future__ import annotations

import pytest

from flows import handoff
from flows.conversation import Session, Turn, handle
from flows.core import Choice, Context, Outcome, Text
from knowledge.answer import Assistant
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def ctx(assistant: Assistant) -> Context:
    return Context(assistant.kb, TODAY)


def send(
    session: Session, message: Text | Choice | Outcome, ctx: Context, assistant: Assistant
) -> Turn:
    return handle(session, message, ctx, assistant)


def test_staff_command_states_what_staff_will_see_before_asking_anything(
    ctx: Context, assistant: Assistant
) -> None:
    turn = send(Session(lang="en"), Text("/staff"), ctx, assistant)
    (reply,) = turn.replies
    assert ctx.say("handoff_notice", "en") in reply.text
    assert ["handoff:skip", "nav:cancel"] == [b.value for b in reply.all_buttons()]
    assert () == turn.effects


def test_company_then_question_opens_a_ticket_with_both(ctx: Context, assistant: Assistant) -> None:
    session = send(Session(lang="zh"), Text("/staff"), ctx, assistant).session
    turn = send(session, Text("  ABC  塑胶 有限公司 "), ctx, assistant)
    assert ctx.say("handoff_ask_question", "zh") == turn.replies[-1].text
    turn = send(turn.session, Text("我们的项目可以延期吗？"), ctx, assistant)
    (effect,) = turn.effects
    assert "ABC 塑胶 有限公司" == effect.data["company"]
    assert "我们的项目可以延期吗？" == effect.data["question"]
    assert "zh" == effect.data["lang"]


def test_the_question_already_asked_is_not_asked_again(ctx: Context, assistant: Assistant) -> None:
    session = send(
        Session(lang="en"), Text("Can I claim for my cat's food?"), ctx, assistant
    ).session
    session = send(session, Text("/staff"), ctx, assistant).session
    turn = send(session, Choice("handoff:skip"), ctx, assistant)
    (effect,) = turn.effects
    assert "Can I claim for my cat's food?" == effect.data["question"]


def test_opened_ticket_is_announced_with_its_number_and_after_hours_note(
    ctx: Context, assistant: Assistant
) -> None:
    session = send(Session(lang="yue"), Text("/staff 想問下延期"), ctx, assistant).session
    session = send(session, Choice("handoff:skip"), ctx, assistant).session
    office = {"days": [0, 1, 2, 3, 4], "opens": "09:00", "closes": "18:00"}
    outcome = Outcome(
        "opened", {"ticket": 7, "office_opens": "2026-11-23T09:00:00+08:00", "office": office}
    )
    turn = send(session, outcome, ctx, assistant)
    (reply,) = turn.replies
    assert "#7" in reply.text
    assert "星期一至五 09:00–18:00" in reply.text
    assert "2026年11月23日（星期一） 09:00" in reply.text
    assert ["ticket:end:7"] == [b.value for b in reply.all_buttons()]
    assert turn.session.active is None


def test_opened_in_office_hours_has_no_after_hours_note(ctx: Context, assistant: Assistant) -> None:
    session = send(Session(lang="en"), Text("/staff help"), ctx, assistant).session
    session = send(session, Choice("handoff:skip"), ctx, assistant).session
    turn = send(session, Outcome("opened", {"ticket": 3, "office_opens": None}), ctx, assistant)
    assert "out of the office" not in turn.replies[0].text


@pytest.mark.parametrize(
    ("result", "key"),
    [("unavailable", "handoff_unavailable"), ("console", "console_handoff")],
)
def test_no_staff_reachable_gives_the_secretariat_contacts(
    ctx: Context, assistant: Assistant, result: str, key: str
) -> None:
    session = send(Session(lang="en"), Text("/staff x"), ctx, assistant).session
    session = send(session, Choice("handoff:skip"), ctx, assistant).session
    turn = send(session, Outcome(result), ctx, assistant)
    assert [ctx.say(key, "en")] == [r.text for r in turn.replies]
    assert "2788 5588" in turn.replies[0].text


def test_already_open_ticket_is_named(ctx: Context, assistant: Assistant) -> None:
    session = send(Session(lang="en"), Text("/staff x"), ctx, assistant).session
    session = send(session, Choice("handoff:skip"), ctx, assistant).session
    turn = send(session, Outcome("already_open", {"ticket": 12}), ctx, assistant)
    assert "#12" in turn.replies[0].text


def test_cancel_passes_nothing(ctx: Context, assistant: Assistant) -> None:
    session = send(Session(lang="en"), Text("/staff"), ctx, assistant).session
    turn = send(session, Choice("nav:cancel"), ctx, assistant)
    assert () == turn.effects
    assert ctx.say("handoff_cancelled", "en") == turn.replies[0].text
    assert turn.session.active is None


def test_empty_company_is_asked_again(ctx: Context, assistant: Assistant) -> None:
    session = send(Session(lang="en"), Text("/staff"), ctx, assistant).session
    turn = send(session, Text("   "), ctx, assistant)
    assert session.flow == turn.session.flow
    assert ctx.say("flow_not_understood", "en") == turn.replies[0].text


def test_a_flows_person_button_hands_over_its_answers(ctx: Context, assistant: Assistant) -> None:
    session = send(Session(lang="en"), Text("/estimate"), ctx, assistant).session
    turn = send(session, Choice("nav:person"), ctx, assistant)
    assert turn.session.active is not None and "handoff" == turn.session.active.flow
    turn = send(turn.session, Text("Plastics Ltd"), ctx, assistant)
    turn = send(turn.session, Text("Is a chiller covered?"), ctx, assistant)
    (effect,) = turn.effects
    assert "estimate" == effect.data["flow"] and "Plastics Ltd" == effect.data["company"]


def test_a_lost_outcome_is_asked_for_again(ctx: Context, assistant: Assistant) -> None:
    session = send(Session(lang="en"), Text("/staff q"), ctx, assistant).session
    session = send(session, Choice("handoff:skip"), ctx, assistant).session
    turn = send(session, Text("hello?"), ctx, assistant)
    assert ["handoff"] == [e.kind for e in turn.effects]


def test_summary_shows_verdicts_estimate_and_misses(ctx: Context) -> None:
    case = {
        "lang": "yue",
        "company": "ABC Ltd",
        "question": "點樣申請？",
        "flow": "eligibility",
        "answers": {"hk_registered": True, "org_type": "company", "site": "hk_factory"},
        "recent_misses": [["blorp", 0.04]],
    }
    text = handoff.summary(case, ctx, "en")
    assert "Language: Cantonese" in text and "Company: ABC Ltd" in text
    assert "Question: 點樣申請？" in text
    assert "hk_registered=True" in text
    assert "• blorp (0.04)" in text
    estimate_case = {
        "lang": "en",
        "flow": "estimate",
        "answers": {
            "scheme": "x",
            "estimate": {
                "scheme": "demonstration_project",
                "cost_hkd": 800000,
                "subsidy_hkd": 400000,
            },
        },
    }
    line = handoff.summary(estimate_case, ctx, "en")
    assert "HK$800,000" in line and "HK$400,000" in line


@pytest.mark.parametrize(
    ("no_staff", "key"), [("console", "console_handoff"), ("unavailable", "handoff_unavailable")]
)
def test_without_staff_the_contacts_come_at_once(
    ctx: Context, assistant: Assistant, no_staff: str, key: str
) -> None:
    alone = Context(ctx.kb, ctx.today, no_staff=no_staff)
    turn = send(Session(lang="yue"), Text("/staff"), alone, assistant)
    assert [ctx.say(key, "yue")] == [r.text for r in turn.replies]
    assert () == turn.effects and turn.session.active is None
