"""Funding estimate: share of the cost up to the ceiling of the phase in force, quotations."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from flows import estimate
from flows.core import Context, Start, Text
from knowledge import estimates
from knowledge.loader import KnowledgeBase
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def ctx(kb: KnowledgeBase) -> Context:
    return Context(kb, TODAY)


def compute(ctx: Context, scheme: str, cost: Decimal) -> estimates.Estimate:
    return estimates.estimate(ctx.kb.programme, scheme, cost, ctx.today)


def rule(ctx: Context, scheme: str) -> tuple[float, int | None]:
    funding = ctx.kb.programme.scheme(scheme).funding[0]
    return funding.share, funding.ceiling_hkd


@pytest.mark.parametrize("scheme", ["new_technology_project", "new_technology_project_hk"])
def test_half_the_cost_below_the_ceiling(ctx: Context, scheme: str) -> None:
    share, ceiling = rule(ctx, scheme)
    assert ceiling is not None
    cost = Decimal(ceiling)  # well below the point where the cap bites
    result = compute(ctx, scheme, cost)
    assert cost * Decimal(str(share)) == result.subsidy_hkd
    assert cost - result.subsidy_hkd == result.applicant_pays_hkd
    assert "phase_2025_2027" == result.phase


def test_the_ceiling_caps_the_subsidy(ctx: Context) -> None:
    _, ceiling = rule(ctx, "new_technology_project")
    result = compute(ctx, "new_technology_project", Decimal(10_000_000))
    assert Decimal(ceiling or 0) == result.subsidy_hkd
    assert Decimal(10_000_000) - Decimal(ceiling or 0) == result.applicant_pays_hkd


def test_old_phase_schemes_say_their_phase_ended(ctx: Context) -> None:
    result = compute(ctx, "onsite_assessment", Decimal(60_000))
    assert ("phase_2020_2025", "ended") == (result.phase, result.phase_status)
    text = estimate.render(result, ctx, "en")
    assert "ended on 31 March 2025" in text and "Secretariat must confirm" in text


def test_before_the_old_phase_ended_it_was_in_force(kb: KnowledgeBase) -> None:
    result = compute(Context(kb, dt.date(2024, 1, 1)), "onsite_assessment", Decimal(60_000))
    assert "in_force" == result.phase_status


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_a_phase_that_has_not_begun_is_not_called_ended(kb: KnowledgeBase, lang: str) -> None:
    before = Context(kb, dt.date(2025, 4, 20))
    result = compute(before, "new_technology_project", Decimal(800_000))
    assert "not_started" == result.phase_status
    text = estimate.render(result, before, lang)  # type: ignore[arg-type]
    assert ("14 May 2025" if lang == "en" else "2025年5月14日") in text
    assert not any(word in text for word in ("ended", "結束", "结束"))


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_the_subsidy_is_a_maximum_in_every_language(ctx: Context, lang: str) -> None:
    result = compute(ctx, "new_technology_project", Decimal(800_000))
    text = estimate.render(result, ctx, lang)  # type: ignore[arg-type]
    maximum = {"en": "up to HK$400,000", "yue": "最多 400,000 港元", "zh": "最多 400,000 港元"}
    share = {"en": "not more than 50%", "yue": "不多於費用嘅50%", "zh": "不超过费用的50%"}
    assert maximum[lang] in text and share[lang] in text
    osi = estimate.render(compute(ctx, "organisation_support", Decimal(100_000)), ctx, "en")
    assert "up to HK$90,000" in osi and "not more than 90%" in osi


@pytest.mark.parametrize(
    ("scheme", "quotations"),
    [
        ("demonstration_project_i", "per_purchase"),
        ("demonstration_project_ii", "per_purchase"),
        ("new_technology_project", "silent"),
        ("new_technology_project_hk", "silent"),
        ("onsite_assessment", "none"),  # a consultancy fee, not a purchase of equipment
        ("organisation_support", "none"),
    ],
)
def test_quotation_rules_only_where_they_belong(ctx: Context, scheme: str, quotations: str) -> None:
    result = compute(ctx, scheme, Decimal(2_000_000))
    assert quotations == result.quotations
    text = estimate.render(result, ctx, "en")
    assert ("Quotations" in text) == (quotations != "none")
    assert ("EACH purchase" in text) == (quotations == "per_purchase")
    assert ("says nothing about procurement" in text) == (quotations == "silent")


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_the_quotation_tiers_are_per_purchase_and_labelled_with_their_phase(
    ctx: Context, lang: str
) -> None:
    result = compute(ctx, "demonstration_project_i", Decimal(300_000))
    text = estimate.render(result, ctx, lang)  # type: ignore[arg-type]
    phase = ctx.kb.programme.phase("phase_2020_2025").name.get(lang)  # type: ignore[arg-type]
    assert phase in text and "3.3.3" in text
    for amount in ("10,000", "50,000", "1,400,000"):
        assert amount in text
    # a HK$300,000 project is not told it needs five quotations for the whole project
    assert 4 == text.count("\n  – ")


def test_unknown_scheme_and_zero_cost_are_errors(ctx: Context) -> None:
    with pytest.raises(estimates.EstimateError, match="unknown scheme"):
        compute(ctx, "moon_base", Decimal(1))
    with pytest.raises(estimates.EstimateError, match="more than zero"):
        compute(ctx, "new_technology_project", Decimal(0))


def test_dialogue_reads_chinese_amounts_and_refuses_rmb(ctx: Context) -> None:
    result = estimate.step(None, Start(), ctx, "yue")
    result = estimate.step(result.state, Text("新技術項目"), ctx)
    assert "cost" == result.state.step
    refused = estimate.step(result.state, Text("人民幣80萬"), ctx)
    assert result.state == refused.state and "港元" in refused.replies[0].text
    unreadable = estimate.step(result.state, Text("好多錢"), ctx)
    assert result.state == unreadable.state
    done = estimate.step(result.state, Text("八十萬"), ctx)
    assert done.state.done
    assert "400,000 港元" in done.replies[-1].text


def cppbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, check=False
    )


def test_command_json_shape() -> None:
    result = cppbot("estimate", "--scheme", "new_technology_project", "--cost", "HK$800k", "--json")
    data = json.loads(result.stdout)
    assert [
        "scheme",
        "phase",
        "phase_status",
        "cost_hkd",
        "subsidy_hkd",
        "subsidy_is_maximum",
        "applicant_pays_hkd",
        "ceiling_hkd",
        "share",
        "quotations",
        "quotations_documented",
    ] == list(data)
    assert 800000 == data["cost_hkd"] and 400000 == data["subsidy_hkd"]
    assert None is data["quotations"] and False is data["quotations_documented"]
    dp = json.loads(
        cppbot("estimate", "--scheme", "demonstration_project_i", "--cost", "1m", "--json").stdout
    )
    assert "purchase" == dp["quotations"]["per"] and "phase_2020_2025" == dp["quotations"]["phase"]
    assert [10000, 50000, 1400000, None] == [t["up_to_hkd"] for t in dp["quotations"]["tiers"]]


def test_command_refuses_an_unreadable_cost_instead_of_zero() -> None:
    result = cppbot("estimate", "--scheme", "new_technology_project", "--cost", "lots")
    assert 2 == result.returncode and "cannot read 'lots'" in result.stderr
    assert "" == result.stdout
