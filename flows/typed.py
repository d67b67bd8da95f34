"""Reading typed answers: "係", "冇", "yes", "东莞", "三來一補", "六成" mean what the buttons mean.

Buttons are the easy path; typing must work as well in any of the three languages, and a typed
answer that could mean two things is not guessed: the question is asked again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from knowledge.text import clean, to_simplified

_YES = (
    "yes",
    "y",
    "yeah",
    "yep",
    "sure",
    "ok",
    "okay",
    "correct",
    "right",
    "true",
    "係",
    "系",
    "是",
    "有",
    "對",
    "啱",
    "冇錯",
    "沒錯",
    "是的",
    "係呀",
    "有呀",
    "好",
    "對呀",
    "yes please",
)
_NO = (
    "no",
    "n",
    "nope",
    "not",
    "false",
    "唔係",
    "不是",
    "否",
    "冇",
    "沒有",
    "唔",
    "不",
    "沒",
    "未",
    "無",
    "唔有",
    "no thanks",
    "not really",
)
_UNSURE = (
    "not sure",
    "unsure",
    "don't know",
    "dont know",
    "no idea",
    "maybe",
    "唔肯定",
    "不確定",
    "唔知",
    "不知道",
    "唔清楚",
    "不清楚",
)


def fold(text: str) -> str:
    """Lower-case, half-width, Simplified: the form typed answers are compared in."""
    return to_simplified(clean(text).lower())


def _longest(text: str, phrases: Iterable[str]) -> int:
    """Length of the longest phrase found in ``text`` (0 when none is)."""
    folded = fold(text)
    best = 0
    for phrase in phrases:
        target = fold(phrase)
        if target.isascii():
            if re.search(rf"(?<![a-z0-9]){re.escape(target)}(?![a-z0-9])", folded):
                best = max(best, len(target))
        elif target in folded:
            best = max(best, len(target))
    return best


def parse_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when unclear (or "not sure")."""
    scores = {
        "unsure": _longest(text, _UNSURE),
        "yes": _longest(text, _YES),
        "no": _longest(text, _NO),
    }
    best = max(scores.values())
    winners = [k for k, v in scores.items() if v == best and v > 0]
    if len(winners) != 1 or winners[0] == "unsure":
        return None
    return winners[0] == "yes"


def typed_option(
    text: str, options: Iterable[str], phrases: Mapping[str, tuple[str, ...]]
) -> str | None:
    """The option whose phrase matches ``text`` best; None when none or two match equally."""
    scored = [(_longest(text, phrases.get(option, ()) + (option,)), option) for option in options]
    scored.sort(reverse=True)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_under_1000(text: str) -> int | None:
    """一百, 六十, 三十五, 十二, 廿 → the number; None if ``text`` is not such a numeral."""
    text = text.replace("廿", "二十").replace("卅", "三十")
    if not text or any(ch not in _DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            unit = 10 if ch == "十" else 100
            total += (current or 1) * unit
            current = 0
    return total + current


def parse_percentage(text: str) -> float | None:
    """60, 60%, 60.5 %, 百分之六十, 六成, 六成半, "sixty percent" is not read → None."""
    folded = fold(text).replace(" ", "").replace("percent", "%").rstrip("%").rstrip("%")
    folded = folded.removesuffix("的股份").removesuffix("股份").removesuffix("股")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)%?", folded)
    if match:
        value = float(match.group(1))
    elif folded.startswith("百分之"):
        number = chinese_under_1000(folded[3:])
        value = float(number) if number is not None else -1
    elif re.fullmatch(r".+成半?", folded):
        head, half = folded.split("成")[0], folded.endswith("半")
        number = chinese_under_1000(head) if not head.isdigit() else int(head)
        value = float(number * 10 + (5 if half else 0)) if number is not None else -1
    else:
        return None
    return value if 0 <= value <= 100 else None
