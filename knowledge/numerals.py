"""Read numbers written in Arabic or Chinese numerals, or both: the one numeral reader.

``knowledge.amounts`` reads money with it, ``flows.typed`` percentages (百分之六十, 六成半), and the
count readers (Recognition Scheme projects, seminar attendees) whole numbers. It reads::

    一 十二 二十五 一百零五 兩/两 廿 卅 〇/零 ２ 1萬2千 四萬五 (45,000) 三千五 (3,500)
    一千〇五 四點五萬 壹佰貳拾萬 1,200 1 200 0.5

A numeral that is not well formed is *refused*, never guessed: 「一二」 (one two), 「兩三」 (two or
three), 「二〇二四」 (a year read digit by digit), 「一百零」, 「千百」, 「一萬二萬」, or a
European-looking "1.500". :func:`read_numeral` returns None for them and :func:`scan` raises
:class:`NumeralError`, so a flow asks again and ``parse_amount`` calls them "ambiguous". The
Chinese numerals are the writing system (a closed set of characters), not vocabulary, so they
are here rather than in ``words.yaml``.

Pure standard library, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from typing import Final, Literal

__all__ = [
    "CONTEXT",
    "EVERYDAY",
    "NumeralError",
    "numbers_in",
    "read_numeral",
    "read_whole_number",
    "scan",
]


class NumeralError(ValueError):
    """A numeral that is not well formed (一二, 二〇二四, 一百零, "1.500"): not guessed."""


DIGITS: Final[dict[str, int]] = {
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
TENS: Final[dict[str, int]] = {"廿": 2, "卅": 3, "卌": 4}  # 廿 = 二十, and so on
SMALL_UNITS: Final[dict[str, int]] = {
    "十": 10,
    "拾": 10,
    "百": 100,
    "佰": 100,
    "千": 1000,
    "仟": 1000,
}
BIG_UNITS: Final[dict[str, int]] = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8}
POINT: Final = "點点"

EVERYDAY: Final = frozenset("零〇一二兩两三四五六七八九十廿卅百千萬万億亿")
"""The characters a number found inside a sentence may begin with: not the financial forms
(參 in 參加, 伍 in 隊伍 are words, not numbers)."""

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

CONTEXT: Final = Context(prec=100, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""Exact arithmetic: the figures read have at most ~35 significant digits; anything longer is
far above any amount, where rounding does not matter, and never overflows."""


@dataclass(frozen=True)
class _Atom:
    """One piece of a written number: a digit group, 零, a unit (十 百 萬...) or a suffix."""

    kind: Literal["num", "zero", "small", "big", "suffix"]
    value: Decimal
    arabic: bool = False
    digits: int = 0  # integer digits written, for an Arabic numeral ("0500" -> 4)
    fraction: bool = False  # written with a decimal point


# ---------------------------------------------------------------------------------- readers


def read_numeral(text: str) -> Decimal | None:
    """The number ``text`` is, when all of it is one well-formed numeral; else None.

    >>> [read_numeral(t) for t in ("十二", "一百零五", "1萬2千", "２５", "一二")]
    [Decimal('12'), Decimal('105'), Decimal('12000'), Decimal('25'), None]
    """
    s = unicodedata.normalize("NFKC", text).lower().strip()
    if not s:
        return None
    try:
        found = scan(s, 0)
    except NumeralError:
        return None
    if found is None or found[1] != len(s):
        return None
    return found[0]


def read_whole_number(text: str) -> int | None:
    """:func:`read_numeral` for whole numbers only ("2.5" is None)."""
    value = read_numeral(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def numbers_in(text: str) -> list[Decimal]:
    """Every number written in ``text`` ("做咗2個", "三個或以上"), in order.

    Raises :class:`NumeralError` if one is malformed (兩三個, 二零二零): the text cannot be
    read as one count, and the caller must not pick a number out of it. A Chinese number must
    begin with an everyday numeral character (:data:`EVERYDAY`).
    """
    s = unicodedata.normalize("NFKC", text).lower()
    found: list[Decimal] = []
    i = 0
    while i < len(s):
        c = s[i]
        starts = c in EVERYDAY or c in _ASCII_DIGITS
        starts = starts or (c == "." and i + 1 < len(s) and s[i + 1] in _ASCII_DIGITS)
        if starts and not (c in _ASCII_DIGITS and i and s[i - 1] in _ASCII_LETTERS):
            number = scan(s, i)
            if number is not None:
                found.append(number[0])
                i = number[1]
                continue
        i += 1
    return found


def scan(s: str, i: int, suffixes: Mapping[str, int] | None = None) -> tuple[Decimal, int] | None:
    """Read the number starting at ``s[i]``: its value and where it ends; None if none starts
    there. ``s`` must be NFKC-normalised and lower case. ``suffixes`` are multipliers that may
    follow Arabic digits ("k", "million" for amounts). Raises :class:`NumeralError` if the
    number is malformed."""
    with localcontext(CONTEXT):
        atoms, end = _atoms(s, i, suffixes or {})
        if not atoms:
            return None
        return _evaluate(atoms), end


# ------------------------------------------------------------------------------- the grammar


def _atoms(s: str, i: int, suffixes: Mapping[str, int]) -> tuple[list[_Atom], int]:
    atoms: list[_Atom] = []
    j, n = i, len(s)
    while j < n:
        c = s[j]
        if c in _ASCII_DIGITS or (c == "." and j + 1 < n and s[j + 1] in _ASCII_DIGITS):
            match = _ARABIC.match(s, j)
            assert match is not None  # the pattern accepts any digit or ".digit"
            atoms.append(_arabic_atom(match.group()))
            j = match.end()
        elif c in DIGITS:
            j = _read_cn_digit(s, j, atoms)
        elif c in TENS:
            atoms.append(_Atom("num", Decimal(TENS[c])))
            atoms.append(_Atom("small", Decimal(10)))
            j += 1
        elif c in SMALL_UNITS:
            atoms.append(_Atom("small", Decimal(SMALL_UNITS[c])))
            j += 1
        elif c in BIG_UNITS:
            atoms.append(_Atom("big", Decimal(BIG_UNITS[c])))
            j += 1
        elif atoms and atoms[-1].arabic:
            # After Arabic digits, a multiplier may follow a space: "80 萬", "1.2 million".
            k = j
            while k < n and s[k] == " ":
                k += 1
            suffix = _suffix_at(s, k, suffixes) if len(atoms) == 1 else None
            if suffix is not None:
                atoms.append(_Atom("suffix", Decimal(suffixes[suffix])))
                j = k + len(suffix)
                break
            if k > j and k < n and (s[k] in SMALL_UNITS or s[k] in BIG_UNITS):
                j = k
                continue
            break
        else:
            break
    return atoms, j


def _suffix_at(s: str, i: int, suffixes: Mapping[str, int]) -> str | None:
    """The longest suffix at ``s[i]`` that ends a word ("k" in "800k", not in "800kg")."""
    for length in sorted({len(w) for w in suffixes}, reverse=True):
        word = s[i : i + length]
        if len(word) == length and word in suffixes:
            end = i + length
            if word[-1] not in _ASCII_LETTERS or end >= len(s) or s[end] not in _ASCII_LETTERS:
                return word
    return None


def _arabic_atom(literal: str) -> _Atom:
    if _EUROPEAN.fullmatch(literal):
        raise NumeralError(literal)
    digits = literal.replace(",", "").replace(" ", "")
    whole, _, decimals = digits.partition(".")
    if len(decimals) > _MAX_DECIMALS:
        raise NumeralError(literal)
    return _Atom("num", Decimal(digits), arabic=True, digits=len(whole), fraction="." in digits)


def _read_cn_digit(s: str, j: int, atoms: list[_Atom]) -> int:
    """Append the Chinese digit at ``s[j]`` (with any 點 decimals) and return where it ends."""
    value = DIGITS[s[j]]
    k = j + 1
    if k + 1 < len(s) and s[k] in POINT and s[k + 1] in DIGITS:  # 四點五萬
        k += 1
        decimals = ""
        while k < len(s) and s[k] in DIGITS:
            decimals += str(DIGITS[s[k]])
            k += 1
        if len(decimals) > _MAX_DECIMALS:
            raise NumeralError(s[j:k])
        atoms.append(_Atom("num", Decimal(f"{value}.{decimals}"), fraction=True))
        return k
    if value == 0 and atoms:
        atoms.append(_Atom("zero", Decimal(0)))  # 零 as a place holder: 五十萬零五百
    else:
        atoms.append(_Atom("num", Decimal(value)))
    return k


def _evaluate(atoms: list[_Atom]) -> Decimal:
    """The value of one written number, or NumeralError if it is malformed.

    Chinese numbers are read in sections: digits times 十/百/千 add up to a section, which
    萬/億 multiply. Units must come in decreasing order. A digit after a unit at the end
    is colloquial shorthand for the next place down (四萬五 = 45,000, 三千五 = 3,500), unless
    零 separates them (五十萬零五 = 500,005). Arabic digits mix in: 4.5萬, 1億2000萬, 4萬5.
    Two digits in a row (一二, 五5, 二〇二四) are refused: digit by digit is not a figure.
    """
    bad = NumeralError("".join(str(a.value) for a in atoms))
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
    pending: _Atom | None, before: _Atom | None, bad: NumeralError, *, closing_big: bool
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
