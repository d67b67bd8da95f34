"""Eligibility: every branch of the documents' rules, and the dialogue that collects them."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest

from flows import eligibility
from flows.core import (
    AnswerError,
    Back,
    Cancel,
    Context,
    FlowState,
    Handoff,
    PersonWanted,
    Start,
    Text,
    press,
)
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


def rules(ctx: Context, answers: dict[str, Any]) -> dict[str, bool | None]:
    """What each scheme's own document says, before today's date is considered."""
    checked = eligibility.validate_answers(answers)
    found = eligibility.outcomes(checked, ctx.kb.programme.shareholding)
    return {scheme: found[scheme][0] for scheme in eligibility.SCHEMES}


# onsite, DP, new technology project, Organisation Support Initiative: what the documents' rules
# say (the 2022 guide, the 2025–2027 leaflet, the SME page), whatever the date.
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
    ({**COMPANY, "site": "elsewhere"}, (False, False, False, False)),
    ({**OWNER, "mainland_share_pct": 51, "applicant_share_pct": 30}, (True, True, True, False)),
    ({**OWNER, "mainland_share_pct": 50, "applicant_share_pct": 30}, (False, False, False, False)),
    (
        {**OWNER, "mainland_share_pct": 50.5, "applicant_share_pct": 29.9},
        (False, False, False, False),
    ),
    ({**OWNER, "mainland_share_pct": 100, "applicant_share_pct": 100}, (True, True, True, False)),
    ({**OWNER, "mainland_share_pct": 60}, (None, None, None, False)),
    ({**OWNER, "mainland_share_pct": 40}, (False, False, False, False)),
    ({**COMPANY, "site": "hk_workshop", "polluting_process": True}, (False, True, None, False)),
    ({**COMPANY, "site": "hk_workshop", "polluting_process": False}, (False, False, False, False)),
    ({**COMPANY, "site": "hk_workshop"}, (False, None, None, False)),
    ({**COMPANY, "site": "none"}, (False, False, False, False)),
    ({"org_type": "company", "site": "none"}, (False, False, False, False)),
    (
        {"org_type": "company", "hk_registered": False, "site": "hk_factory"},
        (False, False, False, False),
    ),
    ({"org_type": "company", "site": "hk_factory"}, (None, None, None, False)),
    ({"org_type": "trade_association", "hk_registered": True}, (False, False, False, True)),
    ({"org_type": "trade_association", "hk_registered": False}, (False, False, False, False)),
    ({"org_type": "trade_association"}, (False, False, False, None)),
    ({}, (None, None, None, None)),
]


@pytest.mark.parametrize(("answers", "expected"), TABLE)
def test_rule_table(ctx: Context, answers: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert dict(zip(eligibility.SCHEMES, expected, strict=True)) == rules(ctx, answers)


# Today's verdicts: ✅ only where a document covering today says so.
DATED = [
    # in the 2020–2025 phase: the guide's schemes are in force, the leaflet's has not begun
    ("2024-06-01", {**COMPANY, "site": "hk_factory"}, (True, True, None, False)),
    # between the phases: nothing is in force
    ("2025-04-20", {**COMPANY, "site": "hk_factory"}, (None, None, None, False)),
    # in the 2025–2027 phase: only the New Technology Project is ✅
    ("2026-11-30", {**COMPANY, "site": "hk_factory"}, (None, None, True, False)),
    (
        "2026-11-30",
        {**COMPANY, "site": "hk_workshop", "polluting_process": True},
        (False, None, None, False),
    ),
    # after it: nothing the documents describe is in force
    ("2027-08-01", {**COMPANY, "site": "hk_factory"}, (None, None, None, False)),
    # OSI rests only on the undated SME page: never ✅, whatever the date
    (
        "2024-06-01",
        {"org_type": "trade_association", "hk_registered": True},
        (False, False, False, None),
    ),
    (
        "2026-11-30",
        {"org_type": "trade_association", "hk_registered": True},
        (False, False, False, None),
    ),
]


@pytest.mark.parametrize(("today", "answers", "expected"), DATED)
def test_a_met_rule_is_eligible_only_in_its_own_phase(
    kb: KnowledgeBase, today: str, answers: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    at = Context(kb, dt.date.fromisoformat(today))
    assert dict(zip(eligibility.SCHEMES, expected, strict=True)) == verdicts(at, answers)


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_an_ended_phase_verdict_says_which_phase_and_to_ask_the_secretariat(
    ctx: Context, lang: str
) -> None:
    result = eligibility.evaluate(
        eligibility.validate_answers({**COMPANY, "site": "hk_factory"}), ctx
    )
    onsite = result[0]
    assert (None, "phase_2020_2025", "ended") == (
        onsite.eligible,
        onsite.phase,
        onsite.phase_status,
    )
    text = eligibility.render_verdicts(result, ctx, lang)  # type: ignore[arg-type]
    block = text.split("•")[1]
    phase = ctx.kb.programme.phase("phase_2020_2025").name.get(lang)  # type: ignore[arg-type]
    new_tech = ctx.say("scheme_new_technology_project", lang)  # type: ignore[arg-type]
    assert (
        phase in block
        and new_tech in block
        and ("Secretariat" in block or "秘書處" in block or "秘书处" in block)
    )
    assert "✅" not in block


@pytest.mark.parametrize(
    ("answers", "scheme", "section"),
    [
        ({**COMPANY, "site": "hk_factory"}, "onsite_assessment", "1.3.1 (ii)"),
        (
            {**COMPANY, "site": "gd_factory", "gd_relation": "joint_venture"},
            "demonstration_project",
            "1.3.1 (i) (a)",
        ),
        (
            {**COMPANY, "site": "gd_factory", "gd_relation": "wholly_owned"},
            "demonstration_project",
            "1.3.1 (i) (b)",
        ),
        (
            {**COMPANY, "site": "gd_factory", "gd_relation": "processing_trade"},
            "onsite_assessment",
            "1.3.1 (i) (c)",
        ),
        (
            {**OWNER, "mainland_share_pct": 60, "applicant_share_pct": 40},
            "demonstration_project",
            "1.3.1 (i) (d)",
        ),
        (
            {**COMPANY, "site": "hk_workshop", "polluting_process": True},
            "demonstration_project",
            "1.3.1 (iii)",
        ),
        ({**COMPANY, "site": "hk_factory"}, "new_technology_project", "申請資格 Eligibility; i)"),
        (
            {**COMPANY, "site": "gd_factory", "gd_relation": "joint_venture"},
            "new_technology_project",
            "申請資格 Eligibility; ii)",
        ),
        (
            {**OWNER, "mainland_share_pct": 60, "applicant_share_pct": 40},
            "new_technology_project",
            "申請資格 Eligibility; iii)",
        ),
    ],
)
def test_each_verdict_cites_the_clause_it_rests_on(
    ctx: Context, answers: dict[str, Any], scheme: str, section: str
) -> None:
    found = {v.scheme: v for v in eligibility.evaluate(eligibility.validate_answers(answers), ctx)}
    assert section == found[scheme].clause.section


def test_the_shareholder_route_of_the_leaflet_says_the_thresholds_are_the_guides(
    ctx: Context,
) -> None:
    answers = {**OWNER, "mainland_share_pct": 60, "applicant_share_pct": 40}
    result = eligibility.verdicts_json(eligibility.evaluate(answers, ctx), ctx, "en")
    new_tech = result["schemes"][2]
    assert True is new_tech["eligible"]
    assert "2022 guide" in new_tech["reason"] and "more than 50%" in new_tech["reason"]


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
    assert [None, None, True, False] == [s["eligible"] for s in data["schemes"]]
    assert ["needs_confirmation", "needs_confirmation", "eligible", "not_eligible"] == [
        s["status"] for s in data["schemes"]
    ]
    keys = {"id", "eligible", "status", "reason", "source", "section", "phase", "phase_status"}
    assert all(keys == set(s) for s in data["schemes"])


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
        press("eligibility:company"),
        press("eligibility:yes"),
        press("eligibility:gd_factory"),
        press("eligibility:hk_resident_owner"),
        Text("百分之六十"),
        Text("三成"),
    )
    assert {
        "mainland_share_pct": 60.0,
        "applicant_share_pct": 30.0,
    }.items() <= result.state.answers.items()
    assert "多于50%" in result.replies[-1].text


def test_association_is_asked_only_what_matters(ctx: Context) -> None:
    result = play(ctx, "en", press("eligibility:trade_association"), Text("yes"))
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
    assert {"org_type": "company", "hk_registered": True, "site": "gd_factory"} == (
        result.state.answers
    )
    result = eligibility.step(result.state, Text("hong kong factory"), ctx)
    assert result.state.done
    assert "hk_factory" == result.state.answers["site"]


def test_a_new_answer_after_back_forgets_the_answers_that_came_after_it(ctx: Context) -> None:
    site = play(ctx, "en", Text("company"), Text("yes"), Text("guangdong"), Text("hk resident"))
    assert "mainland_share_pct" == site.state.step
    for _ in range(2):
        site = eligibility.step(site.state, Back(), ctx)
    assert "site" == site.state.step and "gd_relation" in site.state.answers
    workshop = eligibility.step(site.state, press("eligibility:hk_workshop"), ctx)
    assert "polluting_process" == workshop.state.step
    assert {"org_type": "company", "hk_registered": True, "site": "hk_workshop"} == (
        workshop.state.answers
    )


def test_cancel_and_handoff_end_the_flow(ctx: Context) -> None:
    cancelled = play(ctx, "en", Text("company"), Cancel())
    assert cancelled.state.done and not cancelled.effects
    handed = play(ctx, "yue", Text("公司"), Handoff())
    assert PersonWanted("eligibility", {"org_type": "company"}) == handed.person
    assert handed.state.done and () == handed.effects


@pytest.mark.parametrize(
    ("lang", "where"),
    [
        ("yue", "我哋間廠喺內地"),
        ("yue", "大陸"),
        ("zh", "在国内"),
        ("zh", "中国大陆"),
        ("en", "mainland"),
        ("en", "China"),
    ],
)
def test_a_vague_mainland_is_asked_which_city_or_province(
    ctx: Context, lang: str, where: str
) -> None:
    asked = play(ctx, lang, Text("company"), Text("yes"))
    result = eligibility.step(asked.state, Text(where), ctx)
    assert "site_place" == result.state.step and "site" not in result.state.answers
    question = ctx.say("elig_which_place", lang)  # type: ignore[arg-type]
    assert question == result.replies[0].text
    assert "site" == eligibility.step(result.state, Back(), ctx).state.step
    guangdong = eligibility.step(result.state, Text("東莞" if lang != "en" else "Dongguan"), ctx)
    assert "gd_factory" == guangdong.state.answers["site"]


@pytest.mark.parametrize(
    ("lang", "where"),
    [
        ("yue", "我哋間廠喺內地江蘇"),
        ("yue", "廣西梧州"),
        ("yue", "澳門"),
        ("zh", "工厂在浙江宁波"),
        ("zh", "越南"),
        ("en", "our plant is in Suzhou, mainland China"),
        ("en", "Macau"),
    ],
)
def test_a_factory_outside_hong_kong_and_guangdong_is_not_covered(
    ctx: Context, lang: str, where: str
) -> None:
    asked = play(ctx, lang, Text("company"), Text("yes"))
    result = eligibility.step(asked.state, Text(where), ctx)
    assert result.state.done and "elsewhere" == result.state.answers["site"]
    text = result.replies[-1].text
    assert "✅" not in text and 4 == text.count("❌")
    assert "1.1.2; 1.3.1" in text
