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
from knowledge.loader import KnowledgeBase
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def ctx(kb: KnowledgeBase) -> Context:
    return Context(kb, TODAY)


def rule(ctx: Context, scheme: str) -> tuple[float, int | None]:
    funding = ctx.kb.programme.scheme(scheme).funding[0]
    return funding.share, funding.ceiling_hkd


@pytest.mark.parametrize("scheme", ["new_technology_project", "new_technology_project_hk"])
def test_half_the_cost_below_the_ceiling(ctx: Context, scheme: str) -> None:
    share, ceiling = rule(ctx, scheme)
    assert ceiling is not None
    cost = Decimal(ceiling)  # well below the point where the cap bites
    result = estimate.estimate(scheme, cost, ctx)
    assert cost * Decimal(str(share)) == result.subsidy_hkd
    assert cost - result.subsidy_hkd == result.applicant_pays_hkd
    assert "phase_2025_2027" == result.phase


def test_the_ceiling_caps_the_subsidy(ctx: Context) -> None:
    _, ceiling = rule(ctx, "new_technology_project")
    result = estimate.estimate("new_technology_project", Decimal(10_000_000), ctx)
    assert Decimal(ceiling or 0) == result.subsidy_hkd
    assert Decimal(10_000_000) - Decimal(ceiling or 0) == result.applicant_pays_hkd


def test_old_phase_schemes_say_their_phase_ended(ctx: Context) -> None:
    result = estimate.estimate("onsite_assessment", Decimal(60_000), ctx)
    assert "phase_2020_2025" == result.phase and not result.phase_in_force
    text = estimate.render(result, ctx, "en")
    assert "ended on 31 March 2025" in text


def test_before_the_old_phase_ended_it_was_in_force(kb: KnowledgeBase) -> None:
    result = estimate.estimate(
        "onsite_assessment", Decimal(60_000), Context(kb, dt.date(2024, 1, 1))
    )
    assert result.phase_in_force


@pytest.mark.parametrize(
    ("cost", "kind", "count"),
    [
        (8_000, "oral_or_written", 2),
        (10_000, "oral_or_written", 2),
        (10_001, "written", 2),
        (50_000, "written", 2),
        (50_001, "written", 5),
        (1_400_000, "written", 5),
        (1_400_001, "open_tender", None),
    ],
)
def test_quotation_tiers(ctx: Context, cost: int, kind: str, count: int | None) -> None:
    result = estimate.estimate("new_technology_project", Decimal(cost), ctx)
    assert (kind, count) == (result.quotations.kind, result.quotations.count)


def test_unknown_scheme_and_zero_cost_are_errors(ctx: Context) -> None:
    with pytest.raises(estimate.EstimateError, match="unknown scheme"):
        estimate.estimate("moon_base", Decimal(1), ctx)
    with pytest.raises(estimate.EstimateError, match="more than zero"):
        estimate.estimate("new_technology_project", Decimal(0), ctx)


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
        "cost_hkd",
        "subsidy_hkd",
        "applicant_pays_hkd",
        "ceiling_hkd",
        "share",
        "quotations",
    ] == list(data)
    assert 800000 == data["cost_hkd"] and 400000 == data["subsidy_hkd"]


def test_command_refuses_an_unreadable_cost_instead_of_zero() -> None:
    result = cppbot("estimate", "--scheme", "new_technology_project", "--cost", "lots")
    assert 2 == result.returncode and "cannot read 'lots'" in result.stderr
    assert "" == result.stdout
