"""The search index: the fast postings path computes exactly what each entry's compare does."""

from __future__ import annotations

import pytest

from knowledge.answer import Assistant
from knowledge.search import WEIGHTS

QUESTIONS = [
    "實地評估資助幾多錢？",
    "DP(II) 上限幾多?",
    "How many quotations for HK$60,000?",
    "采购金额在5万港元以内需要几份报价？",
    "what's the weather tomorrow",
    "OSI 可以 fund 幾多%",
    "標志計劃幾時截止",
    "報介",
    "a",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_postings_path_equals_the_reference(assistant: Assistant, question: str) -> None:
    index = assistant.index
    query = index.query(question)
    fast = index.features(query)
    for number, document in enumerate(index.documents):
        reference = document.features(query, index.weights)
        got = fast.get(number, dict.fromkeys(reference, 0.0))
        assert reference == pytest.approx(got), document.id
        if number in fast:
            assert document.compare(query, index.weights) == pytest.approx(
                sum(WEIGHTS[k] * v for k, v in got.items())
            )


def test_results_are_ranked_best_first(assistant: Assistant) -> None:
    hits = assistant.index.search("實地評估資助幾多錢？", limit=5)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True) and len(hits) == 5
