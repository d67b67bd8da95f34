"""A question that states a cost and asks how much gets the arithmetic, not only an FAQ text.

"Our DP costs 600k, how much would we get?" is answered with the share of that cost up to the
scheme's ceiling, for the scheme named (or those of the phase in force), with the rule's phase;
the figures are read from programme.yaml here too, never written into the test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from knowledge.answer import Assistant
from knowledge.estimates import money
from knowledge.loader import KnowledgeBase
from knowledge.models import Lang
from tests.conftest import TODAY


def most(kb: KnowledgeBase, scheme: str, cost: int, today: dt.date = TODAY) -> str:
    """The most ``scheme`` pays for ``cost`` by its rule on ``today``, as the bot writes it."""
    rule = kb.programme.funding_rule(scheme, today)
    subsidy = Decimal(cost) * Decimal(str(rule.share))
    if rule.ceiling_hkd is not None:
        subsidy = min(subsidy, Decimal(rule.ceiling_hkd))
    return money(subsidy)


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        (
            "en",
            "we're planning a DP(I) to switch our boilers, budget around 1.2M HKD. how much can we get at most",
        ),
        ("yue", "我哋想做示範項目(I)，換鍋爐，成個project大概120萬，最多資助幾多？"),
        ("zh", "我们打算做示范项目(I)，总预算大约120万，最多能资助多少？"),
    ],
)
def test_a_named_scheme_is_worked_out_with_its_ceiling_and_phase(
    assistant: Assistant, kb: KnowledgeBase, lang: Lang, question: str
) -> None:
    answer = assistant.ask(question, today=TODAY)
    assert answer.matched and answer.lang == lang
    assert most(kb, "demonstration_project_i", 1_200_000) in answer.answer
    assert "1,200,000" in answer.answer
    phase = kb.programme.phase("phase_2020_2025").name.get(lang)
    assert phase in answer.answer  # the rule is the ended phase's, and says so
    assert kb.say("est_disclaimer", lang) in answer.answer
    assert "3.2.1" in (answer.source or "")


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        (
            "en",
            "we want to replace our air compressors, about 800k all in. how much funding could we get?",
        ),
        ("yue", "我哋想換成套空壓機，連安裝大概八十幾萬，政府最多資助幾多？"),
        ("zh", "我们想更换空压机，连安装大约80万，最多能拿多少补贴？"),
    ],
)
def test_a_project_described_without_a_scheme_gets_the_schemes_in_force(
    assistant: Assistant, kb: KnowledgeBase, lang: Lang, question: str
) -> None:
    answer = assistant.ask(question, today=TODAY)
    assert answer.matched
    in_force = kb.programme.phase_in_force(TODAY)
    assert in_force is not None
    schemes = [s for s in kb.programme.schemes if any(r.phase == in_force.id for r in s.funding)]
    assert schemes
    for scheme in schemes:
        assert scheme.name.get(lang) in answer.answer
        assert most(kb, scheme.id, 800_000) in answer.answer
    assert in_force.name.get(lang) in answer.answer
    ended = kb.programme.phase("phase_2020_2025").name.get(lang)
    assert ended not in answer.answer  # no scheme of the ended phase offered unasked


def test_after_the_phase_ends_the_rule_is_said_to_be_ended(
    assistant: Assistant, kb: KnowledgeBase
) -> None:
    later = dt.date(2027, 8, 1)  # no phase in force: nothing named, nothing to work out
    answer = assistant.ask(
        "our new boiler project is about 800k, how much can we get?", today=later
    )
    assert "Worked out" not in answer.answer
    named = assistant.ask(
        "New Technology Project costing 800k, how much can we get at most?", today=later
    )
    assert "ended on 30 June 2027" in named.answer


@pytest.mark.parametrize(
    "question",
    [
        "our Huizhou plant has 1200 workers, how much funding can we get?",  # a headcount
        "our DP costs RMB 800,000, how much would we get?",  # another currency: not converted
        "we got 300k approved last year, when will it be paid?",  # not asking how much
        "DP is 450k max and our project is 1.2M, is that right?",  # two different amounts
    ],
)
def test_no_arithmetic_without_one_cost_in_hong_kong_dollars_asked_about(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question, today=TODAY)
    assert "Worked out" not in answer.answer


def test_a_cost_in_one_sentence_and_the_question_in_the_next_is_worked_out(
    assistant: Assistant, kb: KnowledgeBase
) -> None:
    answer = assistant.ask(
        "We're planning a DP(I) to replace our boilers, budget about 1.2M. How much can we get?",
        today=TODAY,
    )
    assert most(kb, "demonstration_project_i", 1_200_000) in answer.answer


def test_one_purchase_after_a_question_is_not_taken_for_the_project_cost(
    assistant: Assistant,
) -> None:
    answer = assistant.ask(
        "DP(II) ceiling? also we need a 200k dryer for it, how many quotations do we need",
        today=TODAY,
    )
    assert "Worked out" not in answer.answer
    assert "quotation" in answer.answer.lower()  # both questions answered
