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


FIELD_SET = EVAL_DIR / "field" / "realistic.jsonl"
# Measured on 2026-11-30 (issue 10 in progress). The bar of issue 10 is 95% in every language;
# until it is reached these floors keep what was won from slipping back.
FIELD_FLOORS = {"en": 0.82, "yue": 0.94, "zh": 0.94}


@pytest.fixture(scope="module")
def field(assistant: Assistant) -> Report:
    return evaluate(assistant, load_enquiries(FIELD_SET))


def test_field_set_is_realistic_and_big() -> None:
    enquiries = load_enquiries(FIELD_SET)
    assert sum(1 for e in enquiries if not e.oos) >= 200
    assert sum(1 for e in enquiries if e.id.startswith("two.")) >= 20
    assert sum(1 for e in enquiries if e.id.startswith("oos.")) >= 50


@pytest.mark.parametrize("lang", LANGS)
def test_field_set_accuracy_does_not_slip(field: Report, lang: str) -> None:
    misses = "\n".join(m for m in field.miss_lines() if f"[{lang}]" in m)
    assert field.accuracy(lang) >= FIELD_FLOORS[lang], f"{field.summary()}\n{misses}"  # type: ignore[arg-type]


def test_field_set_out_of_scope_and_requests_for_a_person_are_declined(field: Report) -> None:
    misses = "\n".join(m for m in field.miss_lines() if m.startswith(("MISS oos", "MISS person")))
    assert field.rejection() >= 0.95, f"{field.summary()}\n{misses}"
