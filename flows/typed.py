"""Reading typed option answers and percentages: "东莞", "三來一補", "六成" mean what the buttons mean.

Buttons are the easy path; typing must work as well in any of the three languages, and a typed
answer that could mean two things is not guessed: the question is asked again. Yes/no answers
are read by ``knowledge.words.read_yes_no`` (the words are in ``words.yaml``), numerals by
``knowledge.numerals``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flows.core import Context
from knowledge.numerals import read_numeral
from knowledge.words import fold, longest_match

__all__ = ["fold", "negators", "parse_percentage", "typed_option"]


def negators(ctx: Context) -> tuple[str, ...]:
    """The words that deny what follows them (``words.yaml``)."""
    return ctx.kb.words.answers.negators.all()


def typed_option(
    text: str,
    options: Iterable[str],
    phrases: Mapping[str, tuple[str, ...]],
    negators: Iterable[str] = (),
) -> str | None:
    """The option whose phrase matches ``text`` best; None when none or two match equally.

    An option the text denies is not chosen: 「唔係三來一補，係股東」 means the shareholder
    option, "not a joint venture, wholly owned" the wholly-owned one (the words that negate are
    ``words.yaml``'s ``negators``)."""
    kept = _without_denials(text, negators)
    scored = [
        (longest_match(kept, phrases.get(option, ()) + (option,)), option) for option in options
    ]
    scored.sort(reverse=True)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def parse_percentage(text: str) -> float | None:
    """60, 60%, 60.5 %, 百分之六十, 六成, 六成半, "sixty percent" is not read → None (nor is
    a malformed numeral: 百分之五五)."""
    folded = fold(text).replace(" ", "").replace("percent", "%").rstrip("%").rstrip("%")
    folded = folded.removesuffix("的股份").removesuffix("股份").removesuffix("股")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)%?", folded)
    if match:
        value = float(match.group(1))
    elif folded.startswith("百分之"):
        number = read_numeral(folded[3:])
        value = float(number) if number is not None else -1
    elif re.fullmatch(r".+成半?", folded):
        head, half = folded.split("成")[0], folded.endswith("半")
        number = read_numeral(head)
        value = float(number * 10 + (5 if half else 0)) if number is not None else -1
    else:
        return None
    return value if 0 <= value <= 100 else None


def _without_denials(text: str, negators: Iterable[str]) -> str:
    """``text`` with what each negator denies blanked out, up to the next punctuation or
    "but"/但/係 (「唔係三來一補，係股東」 keeps 「係股東」)."""
    folded = fold(text)
    # One Chinese character alone (唔, 無, 不) starts too many other words (唔該, 無錫, 不同).
    words = sorted({fold(n) for n in negators if len(n.strip()) > 1}, key=len, reverse=True)
    if not words:
        return folded
    pattern = re.compile(
        "(?:"
        + "|".join((rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w)) for w in words)
        + r")[^,.;!?，。；！？、]*?(?=[,.;!?，。；！？、]|\bbut\b|\bit'?s\b|\bwe'?re\b|但|而係|係|是|$)"
    )
    return pattern.sub(" ", folded)
