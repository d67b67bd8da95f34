"""Read money amounts the way people type them in chat.

Applicants tell the bot what their project costs in English, Cantonese and Putonghua, and
they write one figure in many ways: ``800000``, ``800,000``, ``800 000``, ``HK$800k``,
``$1.2m``, ``120w``, ``80萬``, ``八十萬``, ``四萬五``, ``1.2百萬``, ``ＨＫ＄８００，０００``...
The bot works out funding and shares from the answer, so a wrong figure is the worst bug it
can have: far worse than asking again. This module therefore reads a generous set of forms
exactly (``Decimal`` throughout, never ``float``) and raises :class:`AmountError` whenever a
text could mean more than one figure: two different numbers, a range, words it does not know
("幾十萬", "over 80萬", "80萬以上"), or a European-looking "1.500".

The figures themselves (Arabic and Chinese numerals, 四萬五, 1萬2千) are read by
:mod:`knowledge.numerals`, the bot's one numeral reader; this module adds the money words around
them (currencies, "about", 左右) and the multipliers after digits ("800k", "1.2m", "120w").

Pure standard library, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final, Literal

from knowledge.numerals import CONTEXT, NumeralError, scan

__all__ = ["MAX_AMOUNT", "REASONS", "Amount", "AmountError", "Currency", "parse_amount"]

Currency = Literal["HKD", "RMB", "USD", "OTHER"]

REASONS: Final[frozenset[str]] = frozenset(
    {"empty", "no_number", "ambiguous", "negative", "too_large", "zero"}
)
MAX_AMOUNT: Final = Decimal(10) ** 12
"""Largest amount accepted (one trillion); anything above is a typo, not a project."""


@dataclass(frozen=True)
class Amount:
    """A figure read from the user's text."""

    value: Decimal
    """Exact value, e.g. ``Decimal("1200000")``; always > 0 with at most two decimals."""
    currency: Currency | None
    """``None`` when no currency was written (``$`` or ``元`` alone count as none)."""


class AmountError(ValueError):
    """Cannot read an amount.

    ``.reason`` is one of: "empty", "no_number", "ambiguous", "negative", "too_large", "zero".
    """

    def __init__(self, reason: str, text: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown AmountError reason: {reason!r}")
        super().__init__(reason, text)  # both in args, so the error pickles
        self.reason = reason
        self.text = text

    def __str__(self) -> str:
        return f"cannot read an amount ({self.reason}): {self.text!r}"


# ---------------------------------------------------------------------------------------
# Vocabulary. Everything is matched after NFKC (full width -> half width) and lower-casing.


def _words(spec: str) -> list[str]:
    """Split a ``|``-separated list of words (some words contain spaces)."""
    return [w for w in spec.split("|") if w]


def _currency(currency: Currency | None, spec: str) -> dict[str, Currency | None]:
    return dict.fromkeys(_words(spec), currency)


_CURRENCY_WORDS: Final[dict[str, Currency | None]] = {
    # Hong Kong dollars. 蚊 is Cantonese for "dollars" and means HKD in Hong Kong.
    **_currency(
        "HKD",
        "hk$|hkd|hk|hk dollar|hk dollars|hong kong dollar|hong kong dollars|"
        "港元|港幣|港币|港紙|港纸|蚊",
    ),
    **_currency("RMB", "rmb|cny|rmb¥|cn¥|yuan|renminbi|¥|人民幣|人民币|元人民幣|元人民币"),
    **_currency("USD", "us$|usd|us dollar|us dollars|美元|美金|美圓|美圆"),
    **_currency(
        "OTHER",
        "eur|euro|euros|€|歐元|欧元|gbp|£|英鎊|英镑|jpy|yen|円|日元|日圓|日圆|"
        "mop|mop$|澳門幣|澳门币|twd|nt$|新台幣|新台币|sgd|s$|新加坡元|aud|a$|澳元|"
        "cad|c$|加元|chf|krw|韓元|韩元",
    ),
    # Written but not telling which currency: in Hong Kong usually HKD, but not assumed.
    **_currency(None, "$|dollar|dollars|bucks|元|圓|圆|块|塊"),
}

# Words that may surround a figure without changing it. Anything not listed here (or above)
# makes the text "ambiguous": "唔係80萬", "80萬以上", "over 800k" must not read as 800000.
_FILLER_WORDS: Final[frozenset[str]] = frozenset(
    _words(
        "about|around|approx|approximately|roughly|circa|some|total|in total|totally|"
        "budget|budgeted|cost|costs|amount|price|is|of|my|our|the|it|we|need|needs|only|"
        "just|exactly|estimated|est|maybe|probably|ok|okay|thanks|thank you|please|pls|"
        "左右|上下|大約|大约|約|约|大概|差不多|估計|估计|預計|预计|預算|预算|總額|总额|"
        "總數|总数|總共|总共|合共|一共|共|成本|費用|费用|金額|金额|項目|项目|係|是|為|为|"
        "要|需要|我哋|我們|我们|我|嘅|的|啦|呀|吖|喇|囉|啰|咯|吧|啊|呢|喎|㗎|整|正|"
        "謝謝|谢谢|唔該|唔该"
    )
)

_NEGATIVE_WORDS: Final[frozenset[str]] = frozenset({"負", "负", "minus", "negative"})

_Kind = Literal["currency", "filler", "negative"]

_LEXICON: Final[dict[str, tuple[_Kind, Currency | None]]] = {
    **{w: ("filler", None) for w in _FILLER_WORDS},
    **{w: ("negative", None) for w in _NEGATIVE_WORDS},
    **{w: ("currency", c) for w, c in _CURRENCY_WORDS.items()},
}
_LEXICON_LENGTHS: Final[tuple[int, ...]] = tuple(sorted({len(w) for w in _LEXICON}, reverse=True))

# Multipliers written in Latin letters right after Arabic digits ("800k", "1.2 million").
_SUFFIXES: Final[dict[str, int]] = {
    "k": 10**3,
    "thousand": 10**3,
    "thousands": 10**3,
    "w": 10**4,  # 萬, from its pinyin "wan"
    "m": 10**6,
    "mn": 10**6,
    "mil": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "bn": 10**9,
    "billion": 10**9,
    "billions": 10**9,
}

_DASHES: Final = "-‐‑‒–—―−﹣"
_PUNCTUATION: Final = ",.;:!?。、…()[]{}「」『』【】《》\"'“”‘’*~≈"  # not < > + / %
_ASCII_LETTERS: Final = "abcdefghijklmnopqrstuvwxyz"

# ---------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class _Token:
    kind: Literal["number", "currency", "dash", "negative", "unknown"]
    value: Decimal = Decimal(0)
    currency: Currency | None = None
    source: str = ""  # how a number was written


def parse_amount(text: str) -> Amount:
    """Read one money amount from ``text``, or raise :class:`AmountError`.

    >>> parse_amount("HK$1.2m")
    Amount(value=Decimal('1200000'), currency='HKD')
    >>> parse_amount("四萬五").value
    Decimal('45000')
    """
    s = unicodedata.normalize("NFKC", text).lower()
    if all(c.isspace() or _invisible(c) for c in s):
        raise AmountError("empty", text)
    with localcontext(CONTEXT):
        tokens = _scan(s, text)
        return _decide(tokens, text)


_ROUGHLY = re.compile("([十百千])[幾几]")
MIN_PROJECT_COST = 1000
"""A sum in a sentence below this is not a project's cost (a count, a percentage, a day)."""


def amount_in(text: str) -> Amount | None:
    """The one money amount a sentence mentions ("we want to replace our air compressors,
    about 800k", 「成套連安裝大概要八十幾萬」), or None: none, or several different ones. A bare
    four-digit year (2025) is not a sum."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = _ROUGHLY.sub(r"\1", s)  # 八十幾萬, 八十几万: "eighty-odd ten-thousands", read as 80萬
    try:
        with localcontext(CONTEXT):
            tokens = _scan(s, text)
    except AmountError:
        return None
    sums = {
        t.value
        for t in tokens
        if t.kind == "number"
        and t.value >= MIN_PROJECT_COST
        and t.value <= MAX_AMOUNT
        and not (t.source.isdigit() and len(t.source) == 4 and 1900 <= t.value <= 2100)
    }
    currencies = {t.currency for t in tokens if t.kind == "currency" and t.currency is not None}
    if len(sums) != 1 or len(currencies) > 1:
        return None
    value = sums.pop()
    tidy = Decimal(int(value)) if value == value.to_integral_value() else value.normalize()
    return Amount(tidy, currencies.pop() if currencies else None)


def _decide(tokens: list[_Token], text: str) -> Amount:
    numbers = [i for i, t in enumerate(tokens) if t.kind == "number"]
    if not numbers:
        raise AmountError("no_number", text)
    if any(t.kind == "unknown" for t in tokens):
        raise AmountError("ambiguous", text)
    if len({tokens[i].value for i in numbers}) > 1:  # "50萬 or 80萬", "50-80萬"
        raise AmountError("ambiguous", text)
    # One figure may be restated in another form ("HK$1,200,000 (120萬)"), but the same
    # spelling twice ("5 5") is more likely a slip than a restatement.
    if len({tokens[i].source for i in numbers}) < len(numbers):
        raise AmountError("ambiguous", text)
    currencies = {t.currency for t in tokens if t.kind == "currency" and t.currency is not None}
    if len(currencies) > 1:  # "US$800 港元"
        raise AmountError("ambiguous", text)
    negative = False
    for i, t in enumerate(tokens):
        if t.kind in ("dash", "negative"):
            if i > numbers[0]:  # "800-", "80萬 - 80萬": not a sign
                raise AmountError("ambiguous", text)
            negative = True
    if negative:
        raise AmountError("negative", text)
    value = tokens[numbers[0]].value
    if value == 0:
        raise AmountError("zero", text)
    if value > MAX_AMOUNT:
        raise AmountError("too_large", text)
    cents = value * 100
    if cents != cents.to_integral_value():  # "800000.505": not money
        raise AmountError("ambiguous", text)
    tidy = Decimal(int(value)) if value == value.to_integral_value() else value.normalize()
    return Amount(tidy, currencies.pop() if currencies else None)


def _invisible(c: str) -> bool:
    """Zero-width characters, joiners, variation selectors: nothing the user meant to type."""
    return unicodedata.category(c) == "Cf" or "\ufe00" <= c <= "\ufe0f"


def _scan(s: str, text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c.isspace() or _invisible(c):
            i += 1
            continue
        word = _lexicon_at(s, i)
        if word is not None:
            kind, currency = _LEXICON[word]
            if kind != "filler":
                tokens.append(_Token(kind, currency=currency))
            i += len(word)
            continue
        if c in _DASHES:
            tokens.append(_Token("dash"))
            i += 1
            continue
        number = _read_number(s, i, text)
        if number is not None:
            value, end = number
            tokens.append(_Token("number", value, source=s[i:end].replace(" ", "")))
            i = end
            continue
        if c in _PUNCTUATION:
            i += 1
            continue
        if c in _ASCII_LETTERS:
            while i < n and s[i] in _ASCII_LETTERS:
                i += 1
            tokens.append(_Token("unknown"))
            continue
        if unicodedata.category(c) == "Sc" and c != "¢":  # some other currency sign
            tokens.append(_Token("currency", currency="OTHER"))
        else:
            tokens.append(_Token("unknown"))
        i += 1
    return tokens


def _lexicon_at(s: str, i: int) -> str | None:
    """The longest known word at ``s[i]``; Latin words must end at a word boundary."""
    for length in _LEXICON_LENGTHS:
        word = s[i : i + length]
        if len(word) == length and word in _LEXICON and _ends_word(s, i + length, word):
            return word
    return None


def _ends_word(s: str, end: int, word: str) -> bool:
    return word[-1] not in _ASCII_LETTERS or end >= len(s) or s[end] not in _ASCII_LETTERS


def _read_number(s: str, i: int, text: str) -> tuple[Decimal, int] | None:
    """The number starting at ``s[i]`` (with a multiplier such as "k"): its value and where it
    ends; None if none starts there. A malformed numeral (一二, 二〇二四) is "ambiguous"."""
    try:
        return scan(s, i, _SUFFIXES)
    except NumeralError:
        raise AmountError("ambiguous", text) from None
