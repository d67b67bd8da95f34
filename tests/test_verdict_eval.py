"""Verdict and estimate cases written blind from the five documents (tests/eval/checks/verdicts.jsonl,
tests/eval/checks/estimates.jsonl) by someone who had not read the code: every one must hold.

Each case names the date it is judged on, so the set keeps its meaning as time passes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from flows import eligibility, recognition
from flows.core import Context
from knowledge import estimates
from knowledge.amounts import parse_amount
from knowledge.loader import KnowledgeBase

EVAL = Path(__file__).parent / "eval" / "checks"
CHECKS: dict[str, Any] = {"eligibility": eligibility, "recognition": recognition}


def _cases(name: str) -> list[dict[str, Any]]:
    lines = (EVAL / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


VERDICTS = _cases("verdicts.jsonl")
ESTIMATES = _cases("estimates.jsonl")


def test_the_sets_cover_both_checks_every_scheme_and_several_dates() -> None:
    assert {"eligibility", "recognition"} == {case["check"] for case in VERDICTS}
    schemes = {scheme for case in VERDICTS for scheme in case["expect"]}
    assert set(eligibility.SCHEMES) | set(recognition.CATEGORIES) == schemes
    assert 6 <= len({case["scheme"] for case in ESTIMATES})
    assert 5 <= len({case["today"] for case in VERDICTS + ESTIMATES})


@pytest.mark.parametrize("case", VERDICTS, ids=[case["id"] for case in VERDICTS])
def test_verdict_case(kb: KnowledgeBase, case: dict[str, Any]) -> None:
    check = CHECKS[case["check"]]
    ctx = Context(kb, dt.date.fromisoformat(case["today"]))
    found = {
        v.scheme: v.eligible for v in check.evaluate(check.validate_answers(case["answers"]), ctx)
    }
    got = {scheme: found[scheme] for scheme in case["expect"]}
    assert case["expect"] == got, case["why"]


@pytest.mark.parametrize("case", ESTIMATES, ids=[case["id"] for case in ESTIMATES])
def test_estimate_case(kb: KnowledgeBase, case: dict[str, Any]) -> None:
    ctx = Context(kb, dt.date.fromisoformat(case["today"]))
    result = estimates.estimate(
        ctx.kb.programme, case["scheme"], parse_amount(case["cost"]).value, ctx.today
    )
    data = result.to_json(kb.programme.procurement)
    if data["quotations"] is not None:
        data["quotations"] = "per_" + data["quotations"]["per"]
    got = {key: data[key] for key in case["expect"]}
    assert case["expect"] == got, case["why"]
