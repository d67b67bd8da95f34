"""Read money amounts the way people type them in chat.

Applicants tell the bot what their project costs in English, Cantonese and Putonghua, and
they write one figure in many ways: ``800000``, ``800,000``, ``800 000``, ``HK$800k``,
``$1.2m``, ``120w``, ``80萬``, ``八十萬``, ``四萬五``, ``1.2百萬``, ``ＨＫ＄８００，０００``...
The bot works out funding and shares from the answer, so a wrong figure is the worst bug it
can have: far worse than asking again. This module therefore reads a generous set of forms
exactly (``Decimal`` throughout, never ``float``) and raises :class:`AmountError` whenever a
text could mean more than one figure: two different numbers, a range, words it does not know
("幾十萬", "over 80萬", "80萬以上"), or a European-looking "1.500".

Pure standard library, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from typing import Final, Literal

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
_SUFFIX_LENGTHS: Final[tuple[int, ...]] = tuple(sorted({len(s) for s in _SUFFIXES}, reverse=True))

_CN_DIGITS: Final[dict[str, int]] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "貳": 2,
    "贰": 2,
    "三": 3,
    "參": 3,
    "叁": 3,
    "参": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陸": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_TENS: Final[dict[str, int]] = {"廿": 2, "卅": 3, "卌": 4}  # 廿 = 二十, and so on
_CN_SMALL: Final[dict[str, int]] = {
    "十": 10,
    "拾": 10,
    "百": 100,
    "佰": 100,
    "千": 1000,
    "仟": 1000,
}
_CN_BIG: Final[dict[str, int]] = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8}
_CN_POINT: Final = "點点"

_DASHES: Final = "-‐‑‒–—―−﹣"
_PUNCTUATION: Final = ",.;:!?。、…()[]{}「」『』【】《》\"'“”‘’*~≈"  # not < > + / %
_ASCII_DIGITS: Final = "0123456789"
_ASCII_LETTERS: Final = "abcdefghijklmnopqrstuvwxyz"

# An Arabic numeral: grouped with commas or single spaces (first group 1-3 digits, not 0,
# then groups of exactly 3), or plain digits; optional decimals; or ".5".
_ARABIC: Final = re.compile(
    r"(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+(?!,?[0-9])"
    r"|[1-9][0-9]{0,2}(?: [0-9]{3})+(?! ?[0-9])"
    r"|[0-9]+)"
    r"(?:\.[0-9]+)?"
    r"|\.[0-9]+"
)
_EUROPEAN: Final = re.compile(r"[0-9]{1,3}\.[0-9]{3}")  # "1.500": 1.5 or 1500?
_MAX_DECIMALS: Final = 20

# Exact arithmetic: the figures we accept have at most ~35 significant digits; anything
# longer is far above MAX_AMOUNT, where rounding does not matter, and never overflows.
_CONTEXT: Final = Context(prec=100, Emax=MAX_EMAX, Emin=MIN_EMIN)


# ---------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class _Token:
    kind: Literal["number", "currency", "dash", "negative", "unknown"]
    value: Decimal = Decimal(0)
    currency: Currency | None = None
    source: str = ""  # how a number was written


@dataclass(frozen=True)
class _Atom:
    """One piece of a written number: a digit group, 零, a unit (十 百 萬...) or a suffix."""

    kind: Literal["num", "zero", "small", "big", "suffix"]
    value: Decimal
    arabic: bool = False
    digits: int = 0  # integer digits written, for an Arabic numeral ("0500" -> 4)
    fraction: bool = False  # written with a decimal point


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
    with localcontext(_CONTEXT):
        tokens = _scan(s, text)
        return _decide(tokens, text)


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


def _suffix_at(s: str, i: int) -> str | None:
    for length in _SUFFIX_LENGTHS:
        word = s[i : i + length]
        if len(word) == length and word in _SUFFIXES and _ends_word(s, i + length, word):
            return word
    return None


# ---------------------------------------------------------------------------------------
# Numbers


def _read_number(s: str, i: int, text: str) -> tuple[Decimal, int] | None:
    """Read the number starting at ``s[i]``: its value and where it ends; None if none."""
    atoms: list[_Atom] = []
    j, n = i, len(s)
    while j < n:
        c = s[j]
        if c in _ASCII_DIGITS or (c == "." and j + 1 < n and s[j + 1] in _ASCII_DIGITS):
            match = _ARABIC.match(s, j)
            assert match is not None  # the pattern accepts any digit or ".digit"
            atoms.append(_arabic_atom(match.group(), text))
            j = match.end()
        elif c in _CN_DIGITS:
            j = _read_cn_digit(s, j, atoms, text)
        elif c in _CN_TENS:
            atoms.append(_Atom("num", Decimal(_CN_TENS[c])))
            atoms.append(_Atom("small", Decimal(10)))
            j += 1
        elif c in _CN_SMALL:
            atoms.append(_Atom("small", Decimal(_CN_SMALL[c])))
            j += 1
        elif c in _CN_BIG:
            atoms.append(_Atom("big", Decimal(_CN_BIG[c])))
            j += 1
        elif atoms and atoms[-1].arabic:
            # After Arabic digits, a multiplier may follow a space: "80 萬", "1.2 million".
            k = j
            while k < n and s[k] == " ":
                k += 1
            suffix = _suffix_at(s, k) if len(atoms) == 1 else None
            if suffix is not None:
                atoms.append(_Atom("suffix", Decimal(_SUFFIXES[suffix])))
                j = k + len(suffix)
                break
            if k > j and k < n and (s[k] in _CN_SMALL or s[k] in _CN_BIG):
                j = k
                continue
            break
        else:
            break
    if not atoms:
        return None
    return _evaluate(atoms, text), j


def _arabic_atom(literal: str, text: str) -> _Atom:
    if _EUROPEAN.fullmatch(literal):
        raise AmountError("ambiguous", text)
    digits = literal.replace(",", "").replace(" ", "")
    whole, _, decimals = digits.partition(".")
    if len(decimals) > _MAX_DECIMALS:
        raise AmountError("ambiguous", text)
    return _Atom("num", Decimal(digits), arabic=True, digits=len(whole), fraction="." in digits)


def _read_cn_digit(s: str, j: int, atoms: list[_Atom], text: str) -> int:
    """Append the Chinese digit at ``s[j]`` (with any 點 decimals) and return where it ends."""
    value = _CN_DIGITS[s[j]]
    k = j + 1
    if k + 1 < len(s) and s[k] in _CN_POINT and s[k + 1] in _CN_DIGITS:  # 四點五萬
        k += 1
        decimals = ""
        while k < len(s) and s[k] in _CN_DIGITS:
            decimals += str(_CN_DIGITS[s[k]])
            k += 1
        if len(decimals) > _MAX_DECIMALS:
            raise AmountError("ambiguous", text)
        atoms.append(_Atom("num", Decimal(f"{value}.{decimals}"), fraction=True))
        return k
    if value == 0 and atoms:
        atoms.append(_Atom("zero", Decimal(0)))  # 零 as a place holder: 五十萬零五百
    else:
        atoms.append(_Atom("num", Decimal(value)))
    return k


def _evaluate(atoms: list[_Atom], text: str) -> Decimal:
    """The value of one written number, or AmountError("ambiguous") if it is malformed.

    Chinese numbers are read in sections: digits times 十/百/千 add up to a section, which
    萬/億 multiply. Units must come in decreasing order. A digit after a unit at the end
    is colloquial shorthand for the next place down (四萬五 = 45,000, 三千五 = 3,500), unless
    零 separates them (五十萬零五 = 500,005). Arabic digits mix in: 4.5萬, 1億2000萬, 4萬5.
    """
    bad = AmountError("ambiguous", text)
    if atoms[-1].kind == "suffix":
        if len(atoms) != 2 or not atoms[0].arabic:
            raise bad
        return atoms[0].value * atoms[1].value

    total = Decimal(0)  # sum of the sections closed by 萬/億
    section = Decimal(0)  # the current section's 千/百/十 terms
    pending: _Atom | None = None  # digits not yet multiplied by a unit
    before_pending: _Atom | None = None  # the atom before them
    previous: _Atom | None = None
    last_small: Decimal | None = None
    last_big: Decimal | None = None

    for atom in atoms:
        if atom.kind == "num":
            if pending is not None:  # 一二, 五5: digit by digit, not a figure
                raise bad
            if atom.fraction and previous is not None:
                ones_place = previous.kind == "zero" or (
                    previous.kind == "small" and previous.value == 10
                )
                if atom.arabic or not ones_place:  # 1萬2.5, 一百二點五
                    raise bad
            pending, before_pending = atom, previous
        elif atom.kind == "zero":
            if pending is not None:  # 五零, 二〇二四
                raise bad
        elif atom.kind == "small":
            if pending is not None:
                multiplier = pending.value
            elif previous is None or (previous.kind == "zero" and atom.value == 10):
                multiplier = Decimal(1)  # 百萬, 十二萬, 零十
            else:
                raise bad  # 千百, 一萬千
            term = multiplier * atom.value
            if last_small is not None and (atom.value >= last_small or term >= last_small):
                raise bad  # 一百一千, 3百25十
            section += term
            last_small, pending = atom.value, None
        elif atom.kind == "big":
            if pending is None and last_small is None:
                raise bad  # 萬 alone, 萬萬, 萬億
            term = section + _trailing(pending, before_pending, bad, closing_big=True)
            if last_big is not None and (atom.value >= last_big or term * atom.value >= last_big):
                raise bad  # 一萬二萬, 1億20000萬
            total += term * atom.value
            section, last_small, last_big, pending = Decimal(0), None, atom.value, None
        else:  # a suffix anywhere but right after one Arabic numeral: 1萬5k
            raise bad
        previous = atom

    if previous is not None and previous.kind == "zero":
        raise bad  # 一百零: a dangling 零
    term = section + _trailing(pending, before_pending, bad, closing_big=False)
    if last_big is not None and term >= last_big:
        raise bad
    return total + term


def _trailing(
    pending: _Atom | None, before: _Atom | None, bad: AmountError, *, closing_big: bool
) -> Decimal:
    """The value of digits closing a section with no unit of their own."""
    if pending is None:
        return Decimal(0)
    if before is None or before.kind == "zero" or (closing_big and before.kind == "big"):
        return pending.value  # 80, 五十萬零五, 1億5萬
    unit = int(before.value)
    places = len(str(unit)) - 1
    if pending.arabic:
        if pending.digits == 1 and not pending.fraction and pending.value != 0:
            return pending.value * (unit // 10)  # 4萬5 = 45,000
        if pending.digits == places and not pending.fraction:
            return pending.value  # 1萬2000 = 12,000
        raise bad  # 4萬500, 1萬2.5
    if pending.fraction and unit != 10:
        raise bad
    return pending.value * (unit // 10)  # 四萬五 = 45,000, 十二 = 12
