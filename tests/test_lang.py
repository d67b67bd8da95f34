"""Language detection: the reply must come back in the language the user writes in."""

from __future__ import annotations

import pytest

from knowledge.lang import detect_language


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("en", "How much funding can I get?"),
        ("en", "what is DP(II)"),
        ("yue", "實地評估資助幾多錢？"),
        ("yue", "有冇熱線可以打？"),
        ("yue", "使唔使交申請費"),
        ("yue", "几多钱资助"),  # Cantonese words in Simplified script are still Cantonese
        ("yue", "DP(II) 上限係幾多?"),
        ("yue", "申請表格喺邊度下載"),
        ("zh", "实地评估最高资助多少钱？"),
        ("zh", "后天会下雨吗"),
        ("zh", "OSI 资助比例是多少"),
        ("en", "What does 三來一補 mean?"),
        ("en", "What are the 4 categories of the 粤港清洁生产伙伴 Recognition Scheme?"),
        ("yue", "seminar 會唔會 cancel？"),
        ("zh", "DP 的 interim report 什么时候交？"),
        ("yue", "ＤＰ１ 最高資助"),
    ],
)
def test_detects_language(expected: str, text: str) -> None:
    assert expected == detect_language(text)


@pytest.mark.parametrize("fallback", ["en", "yue", "zh"])
def test_no_letters_keeps_the_current_language(fallback: str) -> None:
    assert fallback == detect_language("👍 123 ？", fallback=fallback)  # type: ignore[arg-type]


def test_characters_shared_by_both_scripts_keep_the_chinese_fallback() -> None:
    assert "yue" == detect_language("上限", fallback="yue")
    assert "zh" == detect_language("上限", fallback="en")
