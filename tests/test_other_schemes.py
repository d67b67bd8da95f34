"""Questions about other funds and schemes are declined, naming the one asked about, and never
answered with this programme's figures; how they combine with this programme is answered."""

from __future__ import annotations

import re

import pytest

from knowledge.answer import Assistant
from knowledge.loader import KnowledgeBase
from knowledge.models import Lang, OtherScheme
from tests.conftest import TODAY


def _schemes() -> list[OtherScheme]:
    from knowledge.loader import default_knowledge

    return list(default_knowledge().other_schemes)


@pytest.mark.parametrize("scheme", _schemes(), ids=lambda s: s.id)
def test_each_other_scheme_is_named_and_declined(assistant: Assistant, scheme: OtherScheme) -> None:
    for alias in scheme.aliases:
        answer = assistant.ask(
            f"how do I apply for {alias}? how much can we get", lang="en", today=TODAY
        )
        assert not answer.matched and "out_of_scope" == answer.intent, alias
        assert scheme.name.get("en") in answer.answer, alias
        figures = re.findall(r"\d[\d,]{3,}", answer.answer.replace("2788 5588", ""))
        assert [] == figures, alias  # nothing about it is invented


@pytest.mark.parametrize(
    ("lang", "question", "name"),
    [
        (
            "en",
            "is the TVP still 3:1 funding? want to buy an ERP system for our factory",
            "Technology Voucher Programme",
        ),
        ("yue", "我想申請高才通，點樣入表？", "人才入境計劃"),
        ("zh", "出口市场推广基金参展能资助多少？", "市场推广基金"),
    ],
)
def test_declined_in_the_users_language(
    assistant: Assistant, lang: Lang, question: str, name: str
) -> None:
    answer = assistant.ask(question, today=TODAY)
    assert lang == answer.lang and "out_of_scope" == answer.intent
    assert name in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "我哋已經攞咗BUD資助買部機，仲可唔可以再申請？",
        "can I also get BUD Fund funding for this project",
        "We got TVP for this machine already, can we still apply?",
        "我们用过科技券，还能申请清洁生产伙伴计划吗？",
    ],
)
def test_combining_with_this_programme_is_answered(
    assistant: Assistant, kb: KnowledgeBase, question: str
) -> None:
    answer = assistant.ask(question, today=TODAY)
    assert answer.intent is None
    assert answer.matched, answer.answer
