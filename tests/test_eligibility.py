"""Eligibility: every branch of the documents' rules, and the dialogue that collects them."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from flows import eligibility
from flows.core import AnswerError, Back, Cancel, Choice, Context, FlowState, Handoff, Start, Text
from knowledge.loader import KnowledgeBase
from tests.conftest import TODAY

COMPANY = {"org_type": "company", "hk_registered": True}
OWNER = {**COMPANY, "site": "gd_factory", "gd_relation": "hk_resident_owner"}


@pytest.fixture(scope="module")
def ctx(kb: KnowledgeBase) -> Context:
    return Context(kb, TODAY)


def verdicts(ctx: Context, answers: dict[str, Any]) -> dict[str, bool | None]:
    checked = eligibility.validate_answers(answers)
    return {v.scheme: v.eligible for v in eligibility.evaluate(checked, ctx)}


# onsite, DP, new technology project, Organisation Support Initiative
TABLE = [
    ({**COMPANY, "site": "hk_factory"}, (True, True, True, False)),
    ({**COMPANY, "site": "gd_factory", "gd_relation": "joint_venture"}, (True, True, True, False)),
    ({**COMPANY, "site": "gd_factory", "gd_relation": "wholly_owned"}, (True, True, True, False)),
    (
        {**COMPANY, "site": "gd_factory", "gd_relation": "processing_trade"},
        (True, True, True, False),
    ),
    ({**COMPANY, "site": "gd_factory", "gd_relation": "none"}, (False, False, False, False)),
    ({**COMPANY, "site": "gd_factory"}, (None, None, None, False)),
    ({**OWNER, "mainland_share_pct": 51, "applicant_share_pct": 30}, (True, True, True, False)),
    ({**OWNER, "mainland_share_pct": 50, "applicant_share_pct": 30}, (False, False, False, False)),
    (
        {**OWNER, "mainland_share_pct": 50.5, "applicant_share_pct": 29.9},
        (False, False, False, False),
    ),
    ({**OWNER, "mainland_share_pct": 100, "applicant_share_pct": 100}, (True, True, True, False)),
    ({**OWNER, "mainland_share_pct": 60}, (None, None, None, False)),
    ({**COMPANY, "site": "hk_workshop", "polluting_process": True}, (False, True, None, False)),
    ({**COMPANY, "site": "hk_workshop", "polluting_process": False}, (False, False, False, False)),
    ({**COMPANY, "site": "hk_workshop"}, (None, None, None, False)),
    ({**COMPANY, "site": "none"}, (False, False, False, False)),
    (
        {"org_type": "company", "hk_registered": False, "site": "hk_factory"},
        (False, False, False, False),
    ),
    ({"org_type": "company", "site": "hk_factory"}, (None, None, None, False)),
    ({"org_type": "trade_association", "hk_registered": True}, (False, False, False, True)),
    ({"org_type": "trade_association", "hk_registered": False}, (False, False, False, None)),
    ({"org_type": "trade_association"}, (False, False, False, None)),
    ({}, (None, None, None, None)),
]


@pytest.mark.parametrize(("answers", "expected"), TABLE)
def test_rule_table(ctx: Context, answers: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert dict(zip(eligibility.SCHEMES, expected, strict=True)) == verdicts(ctx, answers)


def test_shareholding_edges_are_explained_with_the_numbers_given(ctx: Context) -> None:
    answers = {**OWNER, "mainland_share_pct": 50, "applicant_share_pct": 30}
    result = eligibility.verdicts_json(eligibility.evaluate(answers, ctx), ctx, "en")
    reason = result["schemes"][0]["reason"]
    assert (
        "more than 50%" in reason and "at least 30%" in reason and "you gave 50% and 30%" in reason
    )
    assert "1.3.1 (i)(d)" in result["schemes"][0]["source"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"site": "moon"}, "site must be one of"),
        ({"hk_registered": "yes"}, "hk_registered must be true or false"),
        ({"mainland_share_pct": 150}, "between 0 and 100"),
    ],
)
def test_bad_answers_are_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        eligibility.validate_answers(raw)


def test_command_prints_the_json_shape() -> None:
    answers = json.dumps({**COMPANY, "site": "hk_factory"})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "eligibility",
            "--answers",
            answers,
            "--json",
            "--lang",
            "zh",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    assert list(eligibility.SCHEMES) == [s["id"] for s in data["schemes"]]
    assert [True, True, True, False] == [s["eligible"] for s in data["schemes"]]
    assert all(set(s) == {"id", "eligible", "reason", "source"} for s in data["schemes"])


def test_command_rejects_unknown_keys() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "eligibility", "--answers", '{"size": 3}'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 2 == result.returncode and "unknown key 'size'" in result.stderr


# ------------------------------------------------------------------------------------ dialogue


def play(ctx: Context, lang: str, *events: Any) -> eligibility.Result:  # type: ignore[name-defined]
    result = eligibility.step(None, Start(), ctx, lang)  # type: ignore[arg-type]
    for event in events:
        result = eligibility.step(result.state, event, ctx)
        assert result.state == FlowState.from_json(json.loads(json.dumps(result.state.to_json())))
    return result


def test_typed_cantonese_answers_reach_a_verdict(ctx: Context) -> None:
    result = play(ctx, "yue", Text("公司"), Text("係"), Text("喺東莞"), Text("三來一補"))
    assert result.state.done
    assert "processing_trade" == result.state.answers["gd_relation"]
    assert "✅ 符合資格" in result.replies[-1].text


def test_buttons_in_putonghua_with_shareholdings(ctx: Context) -> None:
    result = play(
        ctx,
        "zh",
        Choice("eligibility:company"),
        Choice("eligibility:yes"),
        Choice("eligibility:gd_factory"),
        Choice("eligibility:hk_resident_owner"),
        Text("百分之六十"),
        Text("三成"),
    )
    assert {
        "mainland_share_pct": 60.0,
        "applicant_share_pct": 30.0,
    }.items() <= result.state.answers.items()
    assert "多于50%" in result.replies[-1].text


def test_association_is_asked_only_what_matters(ctx: Context) -> None:
    result = play(ctx, "en", Choice("eligibility:trade_association"), Text("yes"))
    assert result.state.done
    assert ["org_type", "hk_registered"] == list(result.state.answers)


def test_invalid_answer_reprompts_without_losing_answers(ctx: Context) -> None:
    before = play(ctx, "en", Text("company"), Text("yes"))
    after = eligibility.step(before.state, Text("on the moon"), ctx)
    assert before.state == after.state
    assert "didn't catch that" in after.replies[0].text
    bad_pct = play(
        ctx,
        "en",
        Text("company"),
        Text("yes"),
        Text("Guangdong"),
        Text("hong kong resident"),
        Text("a lot"),
    )
    assert "mainland_share_pct" == bad_pct.state.step
    assert "between 0 and 100" in bad_pct.replies[0].text


def test_back_returns_to_the_previous_question_keeping_earlier_answers(ctx: Context) -> None:
    result = play(ctx, "en", Text("company"), Text("yes"), Text("guangdong"), Back())
    assert "site" == result.state.step
    assert {"org_type": "company", "hk_registered": True} == result.state.answers
    result = eligibility.step(result.state, Text("hong kong factory"), ctx)
    assert result.state.done


def test_cancel_and_handoff_end_the_flow(ctx: Context) -> None:
    cancelled = play(ctx, "en", Text("company"), Cancel())
    assert cancelled.state.done and not cancelled.effects
    handed = play(ctx, "yue", Text("公司"), Handoff())
    assert "handoff" == handed.effects[0].kind
    assert {"org_type": "company"} == handed.effects[0].data["answers"]
