"""The evaluation sets in tests/eval, replayed: the accuracy bar of issue 2 is a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.answer import Assistant
from knowledge.evaluate import Enquiry, Report, evaluate, load_enquiries
from knowledge.models import LANGS
from tests.conftest import EVAL_DIR

MAIN_SET = EVAL_DIR / "enquiries.jsonl"


@pytest.fixture(scope="module")
def report(assistant: Assistant) -> Report:
    enquiries: list[Enquiry] = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        enquiries.extend(load_enquiries(path))
    return evaluate(assistant, enquiries)


def test_main_set_is_big_and_varied() -> None:
    enquiries = load_enquiries(MAIN_SET)
    assert len(enquiries) >= 200
    assert sum(e.oos for e in enquiries) >= 30
    for lang in LANGS:
        assert sum(1 for e in enquiries if e.lang == lang and not e.oos) >= 50, lang
    assert len({e.id for e in enquiries}) == len(enquiries)


@pytest.mark.parametrize("lang", LANGS)
def test_top1_accuracy_per_language(report: Report, lang: str) -> None:
    misses = "\n".join(m for m in report.miss_lines() if f"[{lang}]" in m)
    assert report.accuracy(lang) >= 0.92, f"{report.summary()}\n{misses}"  # type: ignore[arg-type]


def test_out_of_scope_rejection(report: Report) -> None:
    misses = "\n".join(m for m in report.miss_lines() if m.startswith("MISS oos"))
    assert report.rejection() >= 0.90, f"{report.summary()}\n{misses}"


def test_the_format_samples_pass(assistant: Assistant) -> None:
    """The few enquiries that illustrate the format (tests/eval/README.md) all pass."""
    sample = Path(__file__).parent / "eval" / "format" / "sample.jsonl"
    report = evaluate(assistant, load_enquiries(sample))
    assert 5 <= len(report.outcomes)
    assert [] == list(report.miss_lines())
