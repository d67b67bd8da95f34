"""``cppbot kb check``: the knowledge base must be provably grounded in the programme's documents.

A wrong figure from a government enquiry bot is the worst bug we can ship, so:

- every number, e-mail address and web address in an answer must occur in one of the documents
  the entry cites;
- every citation (FAQ sources, ``programme.yaml``, ``clauses.yaml``) must name a section its
  document has (``section_problems`` gives the grammar of a ``section``);
- the en, yue and zh versions of every answer and message must state the same figures, dates,
  times, e-mails, web addresses, phone numbers and placeholders, and lists of the same length
  (``disagreements``);
- an FAQ entry whose sources all belong to one phase (or are all undated) must say so with
  ``phase:``, so the bot labels its figures (``expected_phase``);
- a saved reply (``saved_replies.yaml``, sent by staff with ``/reply``) is held to the same rules,
  its {phone}/{email}/{website}/{address} filled in first; every phone number in it must also
  occur in a document it cites, and one that states amounts must name the phase they belong to
  (``saved_reply_problems``).

Each problem names the file and entry and says what to change.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from knowledge.loader import SOURCES_DIR, KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.models import (
    HONG_KONG,
    LANGS,
    UNDATED,
    FaqEntry,
    Lang,
    Programme,
    SavedReply,
    Source,
    Trilingual,
)
from knowledge.text import CJK, is_simplified_only, is_traditional_only

_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _halfwidth(text: str) -> str:
    """Full-width ASCII forms and the ideographic space to half-width (as ``text.to_halfwidth``,
    but fast enough to run on every answer of every entry)."""
    return text.translate(_HALFWIDTH)


_MULTIPLIERS = {
    "萬": 10_000,
    "万": 10_000,
    "億": 100_000_000,
    "亿": 100_000_000,
    "k": 1_000,
    "m": 1_000_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}
_NUMBER = re.compile(
    r"(?<![0-9.])(\d+(?:[,，]\d{3})*(?:\.\d+)?)\s*(萬|万|億|亿|million\b|billion\b|k\b|m\b)?",
    re.IGNORECASE,
)
# "3億1千1百萬" (311 million) as the 2022 guide writes it.
_COMPOUND = re.compile(r"(\d+)[億亿]((?:\d+[千百十])+)[萬万]")
_UNITS = {"千": 1000, "百": 100, "十": 10}
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"(?:https?://)?(?:www\.)[\w.-]+(?:/[\w./-]*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge data, said so a staff member can fix it."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _value(digits: str, unit: str | None) -> Decimal | None:
    try:
        value = Decimal(digits.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if unit:
        value *= _MULTIPLIERS[unit.lower()]
    return value.normalize()


def figures(text: str) -> Iterator[tuple[str, Decimal | None]]:
    """Yield each number written in ``text`` as (as written, value with any 萬/million applied)."""
    text = _halfwidth(text)
    for match in _COMPOUND.finditer(text):
        tens_of_thousands = sum(
            int(digits) * _UNITS[unit] for digits, unit in re.findall(r"(\d+)([千百十])", match[2])
        )
        value = Decimal(match[1]) * 100_000_000 + Decimal(tens_of_thousands) * 10_000
        yield match.group(0), value.normalize()
    for match in _NUMBER.finditer(text):
        yield match.group(0).strip(), _value(match.group(1), match.group(2))


@dataclass(frozen=True)
class SourceFacts:
    """What a document states: its numbers (as written and as values), e-mails and web addresses."""

    raw: frozenset[str]
    values: frozenset[Decimal]
    emails: frozenset[str]
    urls: frozenset[str]

    @classmethod
    def of(cls, text: str) -> SourceFacts:
        text = _halfwidth(text).replace("\\$", "$")
        found = list(figures(text))
        # "25 Jun 2025" in an English source supports "6月25日" in a Chinese answer.
        months = {
            str(number)
            for number, name in enumerate(_MONTHS, 1)
            if re.search(rf"\b{name[:3]}", text, re.IGNORECASE)
        }
        return cls(
            raw=frozenset(re.sub(r"[,，\s]", "", written) for written, _ in found) | months,
            values=frozenset(v for _, v in found if v is not None),
            emails=frozenset(e.lower() for e in _EMAIL.findall(text)),
            urls=frozenset(_bare_url(u) for u in _URL.findall(text)),
        )

    def __or__(self, other: SourceFacts) -> SourceFacts:
        return SourceFacts(
            self.raw | other.raw,
            self.values | other.values,
            self.emails | other.emails,
            self.urls | other.urls,
        )


def _bare_url(url: str) -> str:
    return re.sub(r"^https?://", "", url.lower()).rstrip("/.")


def unsupported(text: str, facts: SourceFacts) -> list[str]:
    """The figures, e-mails and web addresses in ``text`` that the sources do not state."""
    text = _halfwidth(text)
    missing: list[str] = []
    for email in _EMAIL.findall(text):
        if email.lower() not in facts.emails:
            missing.append(email)
    without_emails = _EMAIL.sub(" ", text)
    for url in _URL.findall(without_emails):
        if not any(_bare_url(url).startswith(known) for known in facts.urls):
            missing.append(url)
    for written, value in figures(_URL.sub(" ", without_emails)):
        raw = re.sub(r"[,，\s]", "", written)
        if raw in facts.raw or (value is not None and value in facts.values):
            continue
        missing.append(written)
    return missing


def date_stated(text: str, day: dt.date) -> bool:
    """Whether ``text`` writes ``day``, as 2020 年 5 月 14 日 or 14 May 2020."""
    text = _halfwidth(text)
    if f"{day.year}年{day.month}月{day.day}日" in re.sub(r"\s+", "", text):
        return True
    month = _MONTHS[day.month - 1][:3]
    return bool(re.search(rf"(?<!\d)0?{day.day}\s+{month}[a-z]*\.?,?\s+{day.year}", text, re.I))


# ------------------------------------------------------------------------- cited sections
#
# A citation's ``section`` is checked against the document it names, so a reader who looks it
# up finds it. The grammar (``section_problems`` documents it in full):
#
#   section    = reference *( ";" part )
#   part       = reference | marker+            ; a part of markers only nests into the one before
#   reference  = [heading | range] *( marker | words | "(" group ")" | footnote )
#   heading    = "1.3.1" | "4.1" | "12."        ; a numbered heading of the document
#   range      = "5.2–5.5"                      ; headings 5.2 to 5.5
#   marker     = "(i)" | "(a)" | "(4)" | "i)" | "a)" | "一" | "二." | "1." | "a."
#   footnote   = "注4" | "註1"
#   group      = headings, ranges or footnotes separated by "," ("(4.1.2-4.1.4)", "(注9, 注10)"),
#                or else words ("(Cap. 310)", "(表二)")

_HEADING_NUMBER = r"\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\."
_DOC_HEADING = re.compile(rf"^[ \t\-•·*]*({_HEADING_NUMBER})(?=[ \t]|[^\x00-\x7f])", re.MULTILINE)
_TOC_LEADER = re.compile(r"\.{4,}")
_CJK_NUMERALS = "一二三四五六七八九十"
_ROMAN = {numeral: n for n, numeral in enumerate("i ii iii iv v vi vii viii ix x".split(), 1)}
# A marker as the data writes it: (i) (a) (4) · i) a) 4) · 一 二. 三、 · 1. a.
_MARKER = re.compile(
    r"\((?P<paren>[ivx]+|[a-z]|\d{1,2})\)"
    r"|(?P<close>[ivx]+|[a-z]|\d{1,2})\)"
    rf"|(?P<cjk>[{_CJK_NUMERALS}]{{1,3}})[.、]?"
    r"|(?P<dot>\d{1,2}|[a-z])\.",
    re.IGNORECASE,
)
# The same markers at the start of a document line (after spaces, "- " or "•"); a Chinese
# numeral needs its "." or "、" there, so that 一般 is not item 一.
_LINE_START = r"^[ \t\-•·*]*"
_DOC_MARKER = {
    "paren": r"\(({v})\)",
    "close": r"(?<!\()({v})\)",
    "cjk": r"({v})[.、]",
    "dot": r"({v})\.(?!\d)",
}
_DOC_MARKER_ANY = {
    "paren": r"[ivx]+|[a-z]|\d{1,2}",
    "close": r"[ivx]+|[a-z]|\d{1,2}",
    "cjk": rf"[{_CJK_NUMERALS}]{{1,3}}",
    "dot": r"\d{1,2}|[a-z]",
}
_FOOTNOTE = re.compile(r"[注註](\d{1,2})")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_DOC_FOOTNOTE = re.compile(r"^[ \t]*(\d{1,2})(?:[ \t]|$)|^[ \t]*([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})", re.MULTILINE)
_RANGE = re.compile(r"(\d{1,2}(?:\.\d{1,2})*)\.?\s*[-–~至]\s*(\d{1,2}(?:\.\d{1,2})*)\.?")
_TOKEN = re.compile(r"\([^()]*\)|\S+")


def _number(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.strip(".").split("."))


def _dotted(number: tuple[int, ...]) -> str:
    return ".".join(map(str, number)) + ("." if len(number) == 1 else "")


def _ordinal(value: str, kind: str) -> int:
    """1 for i/a/1/一, 2 for ii/b/2/二...: where a marker stands in a list of ``kind``."""
    value = value.lower()
    if kind == "digit":
        return int(value)
    if kind == "roman":
        return _ROMAN[value]
    if kind == "letter":
        return ord(value) - ord("a") + 1
    if "十" not in value:
        return _CJK_NUMERALS.index(value) + 1
    tens, _, units = value.partition("十")  # 十二 = 12, 二十 = 20
    return (_CJK_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
        _CJK_NUMERALS.index(units) + 1 if units else 0
    )


def _fold_char(ch: str) -> str:
    return "" if ch.isspace() or ch == "\\" else ch.lower()


class SourceDocument:
    """One programme document as a citation sees it: numbered headings with their extent,
    list markers at the start of lines, footnotes, and its words (folded for searching)."""

    def __init__(self, text: str) -> None:
        self.text = _halfwidth(text)
        self.headings = self._headings()
        folded: list[str] = []
        positions: list[int] = []
        for index, ch in enumerate(self.text):
            for out in _fold_char(ch):
                folded.append(out)
                positions.append(index)
        self._folded = "".join(folded)
        self._positions = positions
        self.footnotes = {
            int(m[1] or m[2].translate(_SUPERSCRIPTS)) for m in _DOC_FOOTNOTE.finditer(self.text)
        }

    def _headings(self) -> dict[tuple[int, ...], tuple[int, int]]:
        """Numbered headings and paragraphs (1.3.1, 4.1, 12.) with the text each governs. A table
        of contents line (dot leaders) is not a heading, nor is a number that does not follow on
        from the heading before it ("1." in a list under 4.1)."""
        found: list[tuple[tuple[int, ...], int]] = []
        for match in _DOC_HEADING.finditer(self.text):
            line_end = self.text.find("\n", match.start())
            if _TOC_LEADER.search(self.text[match.start() : line_end if line_end > 0 else None]):
                continue
            number = _number(match[1])
            if found and number <= found[-1][0]:
                continue
            found.append((number, match.start()))
        extents: dict[tuple[int, ...], tuple[int, int]] = {}
        for index, (number, start) in enumerate(found):
            end = next(
                (s for n, s in found[index + 1 :] if n[: len(number)] != number), len(self.text)
            )
            extents[number] = (start, end)
        return extents

    def find_words(self, words: str, start: int, end: int) -> tuple[int, int] | None:
        """Where ``words`` occur in text[start:end], ignoring spaces, case and full/half width."""
        needle = "".join(_fold_char(ch) for ch in _halfwidth(words))
        if not needle:
            return start, start
        low = bisect.bisect_left(self._positions, start)
        high = bisect.bisect_left(self._positions, end)
        found = self._folded.find(needle, low, high)
        if found < 0:
            return None
        return self._positions[found], self._positions[found + len(needle) - 1] + 1

    def find_marker(self, kind: str, value: str, start: int, end: int) -> tuple[int, int] | None:
        """The item ``value`` (a list marker of ``kind``) at the start of a line in
        text[start:end], and its extent: up to the next item of the same list."""
        pattern = re.compile(
            _LINE_START + _DOC_MARKER[kind].format(v=re.escape(value)), re.MULTILINE | re.I
        )
        match = pattern.search(self.text, start, end)
        if match is None:
            return None
        siblings = re.compile(
            _LINE_START + _DOC_MARKER[kind].format(v=_DOC_MARKER_ANY[kind]), re.MULTILINE | re.I
        )
        for sibling in siblings.finditer(self.text, match.end(), end):
            if _ends_item(value, sibling[1]):
                return match.start(), sibling.start()
        return match.start(), end


def _list_kinds(value: str) -> set[str]:
    """Which lists a marker can belong to: "i" is roman or a letter, "ii" only roman."""
    value = value.lower()
    if value.isdigit():
        return {"digit"}
    if not value.isascii():
        return {"cjk"}
    kinds = {"roman"} if value in _ROMAN else set()
    return kinds | {"letter"} if len(value) == 1 else kinds


def _ends_item(value: str, other: str) -> bool:
    """Whether marker ``other`` (later in the text) is a following item of ``value``'s list."""
    for kind in _list_kinds(value) & _list_kinds(other):
        if _ordinal(other, kind) > _ordinal(value, kind):
            return True
    return False


def _words_pieces(words: str) -> list[str]:
    """A phrase split at every space that touches a Chinese character: the pieces must occur
    in order, so "申請資格 Eligibility" finds 申請資格* Eligibility*."""
    pieces = re.split(rf"(?<={CJK.pattern})\s+|\s+(?={CJK.pattern})", words.strip())
    return [piece for piece in pieces if piece]


def _group_items(inner: str) -> list[str] | None:
    """The headings, ranges and footnotes in a bracketed group, or None if it is words."""
    items = [item.strip() for item in re.split(r"[,、]|\band\b|及", inner) if item.strip()]
    ok = all(
        _FOOTNOTE.fullmatch(item) or _RANGE.fullmatch(item) or re.fullmatch(_HEADING_NUMBER, item)
        for item in items
    )
    return items if items and ok else None


@dataclass
class _Cursor:
    """Where the reference being read points: the text it may still search, and its label."""

    start: int
    end: int
    label: str
    heading: tuple[int, ...] | None = None


def section_problems(doc_text: str | SourceDocument, section: str) -> list[str]:
    """What in ``section`` the document does not have (empty when every part is there).

    ``section`` is one or more references separated by ";". A reference is one of:

    - a numbered heading or paragraph the document has at the start of a line ("1.3.1", "4.1",
      "12."), or a range of them ("5.2–5.5"), optionally followed by words of its heading or
      text ("1.2 表一", "5.3 查詢", "4.1 评审准则") which must occur in that section's own text
      (up to the next heading at the same or a higher level);
    - words that occur in the document ("申請資格 Eligibility", "Organisation Support
      Initiative", "表一", "查詢"); spaces, case and full/half width are ignored, and a space
      next to a Chinese character may stand for other text between the two pieces, which must
      come in that order ("詞彙表 三來一補", "附件一 「有费改善方案」例子").

    After the heading or the words, a reference may name list markers: "(i)", "(a)", "(4)",
    "i)", "a)", "一", "二.", "1.", "a.". Each must start a line of the section (after spaces,
    "- " or "•"), and each further marker must be inside the item before it, which runs up to
    the next item of its own list: "1.3.1 (i) (a)" is (a) inside (i) of 1.3.1. Markers may also
    be parts of their own: a part made only of markers continues the reference before it, so
    "4.1; 一; 2." is heading 4.1, its item 一, and item 2. inside that, and "申請資格 Eligibility;
    ii)" is the item ii) after the words "申請資格 Eligibility". Any other part starts a new
    reference ("1.1.2; 1.2 表一; 3.2.1" is three).

    A reference may also name footnotes ("注4", "註1": a line of the document starting with that
    number) and, in brackets, subsections of its heading ("3.3 示範項目所需的設備採購及擁有權
    (3.3.3)", "4.1 資助款項發放的相關條件 (4.1.2-4.1.4)", "(注9, 注10)"). Other bracketed
    words ("(Cap. 310)", "(表二)") are words, looked for without their brackets.
    """
    doc = doc_text if isinstance(doc_text, SourceDocument) else SourceDocument(doc_text)
    problems: list[str] = []
    cursor: _Cursor | None = None
    parts = [part.strip() for part in re.split(r"[;；]", _halfwidth(section)) if part.strip()]
    if not parts:
        return ["no section is named"]
    failed = False
    for part in parts:
        tokens = _TOKEN.findall(part)
        continues = all(_MARKER.fullmatch(token) for token in tokens)
        if continues and failed:
            continue  # inside a reference already reported
        if cursor is None or not continues:
            cursor = _Cursor(0, len(doc.text), "the document")
            if re.fullmatch(_HEADING_NUMBER + r"|\d{1,2}", tokens[0]) or _RANGE.fullmatch(
                tokens[0]
            ):
                found = _heading_cursor(doc, tokens.pop(0))
                if isinstance(found, str):
                    problems.append(found)
                    cursor, failed = None, True
                    continue
                cursor = found
        missing = _read_reference(doc, tokens, cursor)
        problems.extend(missing)
        failed = bool(missing)
    return problems


def _read_reference(doc: SourceDocument, tokens: list[str], cursor: _Cursor) -> list[str]:
    """Follow a reference's words, markers, footnotes and groups from ``cursor`` (moving it);
    returns what the document lacks."""
    problems: list[str] = []
    words: list[str] = []
    pieces: list[str] = []
    for token in [*tokens, ""]:
        marker = _MARKER.fullmatch(token)
        footnote = _FOOTNOTE.fullmatch(token)
        bracketed = len(token) > 2 and token[0] == "(" and token[-1] == ")"
        group = _group_items(token[1:-1]) if bracketed else None
        if token and not bracketed and not (marker or footnote):
            words.append(token)
            continue
        pieces += _words_pieces(" ".join(words))
        words.clear()
        if bracketed and not (marker or footnote or group is not None):
            pieces.append(token[1:-1])  # bracketed words: a piece of their own
            continue
        for piece in pieces:
            where = doc.find_words(piece, cursor.start, cursor.end)
            if where is None:
                return [*problems, f"{piece!r} does not occur in {cursor.label}"]
            cursor.start = where[1]
            if cursor.label == "the document" or cursor.label.startswith("the text after"):
                cursor.label = f"the text after {piece!r}"
        pieces.clear()
        if marker:
            kind = next(k for k in ("paren", "close", "cjk", "dot") if marker[k])
            item = doc.find_marker(kind, marker[kind], cursor.start, cursor.end)
            if item is None:
                return [*problems, f"no item {token!r} in {cursor.label}"]
            cursor.start, cursor.end = item
            cursor.label = f"{cursor.label} {token}"
        elif footnote and int(footnote[1]) not in doc.footnotes:
            problems.append(f"the document has no footnote {footnote[1]}")
        elif group is not None:
            problems.extend(_group_problems(doc, group, cursor))
    return problems


def _heading_cursor(doc: SourceDocument, written: str) -> _Cursor | str:
    """The text a heading or range governs, or why it is not in the document."""
    ends = _RANGE.fullmatch(written)
    numbers = [_number(ends[1]), _number(ends[2])] if ends else [_number(written)]
    for number in numbers:
        if number not in doc.headings:
            return f"the document has no numbered heading {_dotted(number)}"
    start = doc.headings[numbers[0]][0]
    end = doc.headings[numbers[-1]][1]
    if end <= start:
        return f"{written} is not a range of headings in order"
    return _Cursor(start, end, f"section {written}", numbers[0] if not ends else None)


def _group_problems(doc: SourceDocument, items: list[str], cursor: _Cursor) -> Iterator[str]:
    for item in items:
        footnote = _FOOTNOTE.fullmatch(item)
        if footnote:
            if int(footnote[1]) not in doc.footnotes:
                yield f"the document has no footnote {footnote[1]}"
            continue
        ends = _RANGE.fullmatch(item)
        for number in [_number(ends[1]), _number(ends[2])] if ends else [_number(item)]:
            if number not in doc.headings:
                yield f"the document has no numbered heading {_dotted(number)}"
            elif cursor.heading is not None and number[: len(cursor.heading)] != cursor.heading:
                yield f"{_dotted(number)} is not part of {_dotted(cursor.heading)}"


def section_exists(doc_text: str, section: str) -> bool:
    """Whether every reference in ``section`` is in the document (see ``section_problems``)."""
    return not section_problems(doc_text, section)


# ------------------------------------------------------------------ the three languages agree
#
# An answer says the same thing in en, yue and zh, so the figures, dates, e-mail and web
# addresses, phone numbers, placeholders and the number of list items must be the same in all
# three. Each is read in a form that does not depend on the language: 45,000 = 4.5萬 = 4.5万,
# HK$100 million = 1億, 14 May 2025 = 2025年5月14日, May 2025 = 2025年5月, (852) 2788 5588 =
# 2788-5588, 10:30 = 10時30分.
#
# Tolerated, so that natural writing is not a false alarm:
# - a small count (1 to 10) written in digits in one language and in words in another ("two
#   quotations" / "2份報價", "8號風球" / "No. 8"): it is missing from a language only if that
#   language's text has no word for it (two/twice/second, 二/兩/两...);
# - a date without its year ("14 May" / "5月14日") matches the same day with a year, and a year on
#   its own ("2025") matches any date in that year;
# - "DP(II)", "示範項目(I)" and "(852)" are not list items; a bracketed letter, roman or arabic
#   numeral counts as an inline list item only in a run of two or more in sequence ((a) (b) (c),
#   (h) (i) (j), (1) (2)): a lone "(d)" is a reference to an item, not a list.

_MONTH_NAMES = {
    **{name: number for number, name in enumerate(_MONTHS, 1)},
    **{name[:3]: number for number, name in enumerate(_MONTHS, 1)},
    "sept": 9,
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\b\.?"
_EN_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+(?P<year>\d{{4}})\b)?", re.I
)
_EN_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)(?:,?\s+(?P<year>\d{{4}})\b)?", re.I
)
_EN_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I)
# A month on its own only when written in full with a capital ("late August"), never "may".
_EN_MONTH_ALONE = re.compile(
    r"\b(?P<month>January|February|March|April|June|July|August|September|October|November"
    r"|December)\b"
)
_ZH_DATE = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*[日號号])?"
)
_ZH_MONTHS = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?(?P<first>\d{1,2})\s*(?:月\s*)?[-–至到]\s*(?P<last>\d{1,2})\s*月(?!\s*\d)"
)
_ZH_YEAR = re.compile(r"(?P<year>\d{4})\s*年(?:度)?")
_FISCAL_YEAR = re.compile(r"(?<!\d)(\d{4})\s*/\s*(\d{2})(?!\d)")
_BARE_YEAR = re.compile(
    r"(?<![\d.$])(?<!\d,)(?P<year>19\d\d|20\d\d)(?!\d|,\d|\s*(?:%|萬|万|億|亿|million|k\b))"
)
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
_ZH_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*[時时點点]\s*(?:(\d{1,2})\s*分|(半))?")
_PHONE = re.compile(
    r"(?<![\d.$])(?<!\d,)(?:(?:\(\s*\+?\s*(?:852|86)\s*\)|\+?(?:852|86))[\s-]*)?"
    r"(?!(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d(?!\d))"  # a span of years, not a phone
    r"(?:0\d{2,3}-)?\d{4}[\s-]?\d{4}(?!\d)"
)
_ANY_URL = re.compile(r"(?:https?://|www\.|t\.me/)[A-Za-z0-9./%#?=&+~:_<>-]+", re.I)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_DIGIT = re.compile(r"\d")
_SECTION_NUMBER = re.compile(r"(?<![\d.])\d{1,2}(?:\.\d{1,2}){2,}(?!\d)")
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b)", re.I)
_LIST_LINE = re.compile(
    r"^\s*(?:[•▪◦·*\-–]\s|\(?(?:[ivx]+|[a-z]|\d{1,2})\)\s|\d{1,2}\.\s|[①-⑩])", re.I
)
_ENUMERATOR = re.compile(
    r"^[ \t]*(?:\(?(?:[ivx]+|[a-z]|\d{1,2})\)|\d{1,2}\.)(?=\s)|(?<![\w(])\(\d{1,2}\)",
    re.MULTILINE | re.IGNORECASE,
)
# Lower-case only and not glued to a Latin letter or digit: "DP(II)", "示範項目(I)" are names.
_INLINE_ITEM = re.compile(
    r"(?<![A-Za-z0-9_(])\((?P<paren>[ivx]+|[a-z]|\d{1,2})\)"
    r"|(?<![\w(])(?P<bare>[ivx]+|[a-z]|\d{1,2})\)(?=\s)"
)
_SMALL_WORDS: dict[int, tuple[str, ...]] = {
    1: ("one", "once", "single", "first", "一"),
    2: ("two", "twice", "second", "both", "二", "兩", "两"),
    3: ("three", "third", "三"),
    4: ("four", "fourth", "四"),
    5: ("five", "fifth", "五"),
    6: ("six", "sixth", "六"),
    7: ("seven", "seventh", "七"),
    8: ("eight", "eighth", "八"),
    9: ("nine", "ninth", "九"),
    10: ("ten", "tenth", "十"),
}

Day = tuple[int | None, int | None, int | None]
"""A date as (year, month, day); a part the text does not give is None."""


@dataclass
class LanguageFacts:
    """What one language version of a text states, in a language-independent form."""

    figures: dict[str, str]  # value -> as written
    dates: dict[Day, str]
    times: dict[str, str]
    emails: set[str]
    urls: set[str]
    phones: dict[str, str]
    placeholders: set[str]
    list_items: int
    text: str


def _day_label(day: Day) -> str:
    year, month, number = day
    label = "-".join(
        [*([str(year)] if year else []), *([f"{month:02d}"] if month else [])]
        + ([f"{number:02d}"] if number else [])
    )
    return label if year else f"--{label}"


def _figure_key(written: str) -> str:
    """A number as a value that does not depend on how it is written (4.5萬 → 45000)."""
    value = next(figures(written))[1]
    return f"{value:f}" if value is not None else written


@functools.lru_cache(maxsize=8192)
def language_facts(text: str) -> LanguageFacts:
    """The figures, dates, times, e-mails, web addresses, phone numbers, placeholders and list
    items one language version of a text states (see the notes above for what is folded).
    Cached: a text is read once per process, so treat the result as read-only."""
    text = _halfwidth(text).replace("\\$", "$")
    items = _list_items(text)
    rest = text
    placeholders = set(_PLACEHOLDER.findall(rest))
    rest = _PLACEHOLDER.sub(" ", rest)
    emails = {email.lower() for email in _EMAIL.findall(rest)}
    rest = _EMAIL.sub(" ", rest)
    urls = {_bare_url(url).rstrip(".,;:!?") for url in _ANY_URL.findall(rest)}
    rest = _ANY_URL.sub(" ", rest)
    phones: dict[str, str] = {}
    for match in _PHONE.finditer(rest):
        digits = re.sub(r"\D", "", match[0])
        digits = re.sub(r"^852(?=\d{8}$)", "", digits)
        phones.setdefault(digits, match[0].strip())
    rest = _PHONE.sub(" ", rest)
    dates: dict[Day, str] = {}
    times: dict[str, str] = {}
    figures_found: dict[str, str] = {}

    def take(pattern: re.Pattern[str], found: Callable[[re.Match[str]], object]) -> None:
        """Record each match of ``pattern`` with ``found`` and blank it out of ``rest``."""
        nonlocal rest

        def blank(match: re.Match[str]) -> str:
            found(match)
            return " "

        rest = pattern.sub(blank, rest)

    def date(match: re.Match[str]) -> None:
        groups = match.groupdict()
        month = groups.get("month")
        number = (
            int(month) if month and month.isdigit() else _MONTH_NAMES.get((month or "").lower())
        )
        day: Day = (
            int(groups["year"]) if groups.get("year") else None,
            number,
            int(groups["day"]) if groups.get("day") else None,
        )
        dates.setdefault(day, match[0].strip(" .,"))

    def time(match: re.Match[str]) -> None:
        half = match.re.groups >= 3 and match[3]
        minutes = match[2] or ("30" if half else "00")
        times.setdefault(f"{int(match[1]) % 12}:{int(minutes):02d}", match[0].strip())

    def fiscal(match: re.Match[str]) -> None:
        dates.setdefault((int(match[1]), None, None), match[0])
        dates.setdefault((int(match[1][:2] + match[2]), None, None), match[0])

    def months(match: re.Match[str]) -> None:
        year = int(match["year"]) if match["year"] else None
        for month in (match["first"], match["last"]):
            dates.setdefault((year, int(month), None), match[0].strip())

    if _DIGIT.search(rest):  # most messages have no number at all
        take(_ENUMERATOR, lambda match: None)  # "(1)", "2." are list items, not figures
        take(_COMPOUND, lambda match: figures_found.setdefault(_figure_key(match[0]), match[0]))
        take(_FISCAL_YEAR, fiscal)
        take(_ZH_MONTHS, months)
        for pattern in (_EN_DAY_MONTH_YEAR, _EN_MONTH_DAY_YEAR, _EN_MONTH_YEAR, _ZH_DATE, _ZH_YEAR):
            take(pattern, date)
        take(_TIME, time)
        take(_ZH_TIME, time)
        take(_BARE_YEAR, lambda match: date(match))
        take(_SECTION_NUMBER, lambda match: figures_found.setdefault(match[0], match[0]))
        take(
            _PERCENT,
            lambda match: figures_found.setdefault(f"{Decimal(match[1]).normalize():f}%", match[0]),
        )
        for written, value in figures(rest):
            figures_found.setdefault(f"{value:f}" if value is not None else written, written)
    take(_EN_MONTH_ALONE, date)  # what is left of the month names: "late August"
    return LanguageFacts(
        figures=figures_found,
        dates=dates,
        times=times,
        emails=emails,
        urls=urls,
        phones=phones,
        placeholders=placeholders,
        list_items=items,
        text=text.lower(),
    )


def _inline_runs(line: str) -> list[tuple[int, int]]:
    """Where each run of bracketed markers in sequence starts in ``line``, and its length."""
    runs: list[tuple[int, int]] = []
    state: dict[str, int] = {}
    for match in _INLINE_ITEM.finditer(line):
        value = match["paren"] or match["bare"]
        following = {
            kind: _ordinal(value, kind)
            for kind in _list_kinds(value)
            if kind in state and _ordinal(value, kind) == state[kind] + 1
        }
        if runs and following:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            state = following
        else:
            runs.append((match.start(), 1))
            state = {kind: _ordinal(value, kind) for kind in _list_kinds(value)}
    return runs


def _list_items(text: str) -> int:
    """How many list items ``text`` has: lines starting with •, -, (a), i), 1. ..., and inline
    items in runs of two or more in sequence ((a) (b) (c), (h) (i), (1) (2))."""
    count = 0
    for line in text.splitlines():
        runs = [(start, length) for start, length in _inline_runs(line) if length >= 2]
        count += sum(length for _, length in runs)
        head = _LIST_LINE.match(line)
        if head and not any(start < head.end() for start, _ in runs):
            count += 1
    return count


def _small_number_written(value: str, facts: LanguageFacts) -> bool:
    """Whether a count of 1 to 10 is written in words in ``facts``' text (two, 兩, 二...)."""
    if not value.isdigit() or not 1 <= int(value) <= 10:
        return False
    return any(
        re.search(rf"\b{word}\b", facts.text) if word.isascii() else word in facts.text
        for word in _SMALL_WORDS[int(value)]
    )


def _covers(other: Day, day: Day) -> bool:
    """Whether date ``other`` (in another language) says ``day``: a year alone is said by any
    date in that year; otherwise month and day must agree, and the year where both give one."""
    if day[1] is None:
        return day[0] == other[0]
    return other[1:] == day[1:] and (other[0] == day[0] or other[0] is None or day[0] is None)


def disagreements(text: Trilingual) -> list[str]:
    """How the en, yue and zh versions of ``text`` disagree (empty when they agree)."""
    words = {lang: text.get(lang).split() for lang in LANGS}
    if all(len(w) >= 3 and all(re.fullmatch(r"\w{1,4}", x) for x in w) for w in words.values()):
        # A word table the code splits ("Jan Feb Mar…" / "1 2 3…"): only its length matters.
        if len({len(w) for w in words.values()}) == 1:
            return []
        return [
            "the word lists have different lengths: "
            + ", ".join(f"{lang} {len(w)} words" for lang, w in words.items())
        ]
    facts = {lang: language_facts(text.get(lang)) for lang in LANGS}
    problems: list[str] = []

    def report(what: str, present: dict[str, list[Lang]]) -> None:
        differences = [
            f"{shown} in {'/'.join(langs)} but not {'/'.join(x for x in LANGS if x not in langs)}"
            for shown, langs in present.items()
            if len(langs) < len(LANGS)
        ]
        if differences:
            problems.append(f"the languages disagree on {what}: " + "; ".join(differences))

    keyed: list[tuple[str, Callable[[LanguageFacts], Mapping[str, str]]]] = [
        ("figures", lambda f: f.figures),
        ("times", lambda f: f.times),
        ("phone numbers", lambda f: f.phones),
        ("e-mail addresses", lambda f: {e: e for e in f.emails}),
        ("web addresses", lambda f: {u: u for u in f.urls}),
        ("placeholders", lambda f: {p: "{" + p + "}" for p in f.placeholders}),
    ]
    for what, get in keyed:
        present: dict[str, list[Lang]] = {}
        shown: dict[str, str] = {}
        for lang in LANGS:
            for key, written in get(facts[lang]).items():
                present.setdefault(key, []).append(lang)
                shown.setdefault(key, written)
        if what == "figures":
            for key, langs in present.items():
                langs.extend(
                    lang
                    for lang in LANGS
                    if lang not in langs and _small_number_written(key, facts[lang])
                )
        report(what, {shown[key]: sorted(langs, key=LANGS.index) for key, langs in present.items()})
    dates: dict[str, list[Lang]] = {}
    for lang in LANGS:
        for day, written in facts[lang].dates.items():
            label = _day_label(day)
            if not any(shown.endswith(f"({label})") for shown in dates):
                dates[f"{written} ({label})"] = [
                    other
                    for other in LANGS
                    if other == lang or any(_covers(d, day) for d in facts[other].dates)
                ]
    report("dates", dates)
    counts = {lang: facts[lang].list_items for lang in LANGS}
    if len(set(counts.values())) > 1:
        problems.append(
            "the languages have lists of different lengths: "
            + ", ".join(f"{lang} {count} items" for lang, count in counts.items())
        )
    return problems


def default_sources_dir() -> Path:
    """The project's own copies of the programme documents: the check never depends on files
    outside the repository (``cppbot kb check --sources DIR`` checks against another copy)."""
    return SOURCES_DIR


class SourceLibrary:
    """The programme documents, read once, with the facts each states."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._facts: dict[str, SourceFacts] = {}
        self._texts: dict[str, str] = {}
        self._documents: dict[str, SourceDocument] = {}
        self._names: list[str] | None = None

    def names(self) -> list[str]:
        if self._names is None:
            self._names = sorted(path.name for path in self.directory.glob("*.txt"))
        return self._names

    def text(self, doc: str) -> str:
        if doc not in self._texts:
            self._texts[doc] = (self.directory / doc).read_text(encoding="utf-8")
        return self._texts[doc]

    def document(self, doc: str) -> SourceDocument:
        if doc not in self._documents:
            self._documents[doc] = SourceDocument(self.text(doc))
        return self._documents[doc]

    def citation_problems(self, where: str, source: Source) -> Iterator[Problem]:
        """The citation's document must be one of the programme's, and its section in it."""
        if source.doc not in self.names():
            yield Problem(where, f"source {source.doc!r} is not one of the programme documents")
            return
        missing = section_problems(self.document(source.doc), source.section)
        if missing:
            yield Problem(
                where,
                f"section {source.section!r} of {source.doc}: "
                + "; ".join(missing)
                + ' (cite a numbered heading the document has, e.g. "1.3.1 (i)", or its'
                ' own words, e.g. "申請資格 Eligibility")',
            )

    def facts(self, sources: Iterable[Source]) -> SourceFacts:
        merged = SourceFacts(frozenset(), frozenset(), frozenset(), frozenset())
        for source in sources:
            if source.doc not in self._facts:
                self._facts[source.doc] = SourceFacts.of(self.text(source.doc))
            merged = merged | self._facts[source.doc]
        return merged


def _script_problems(where: str, text: Trilingual) -> Iterator[Problem]:
    if CJK.search(text.en):
        yield Problem(where, "en text contains Chinese characters (write it all in English)")
    if any(is_simplified_only(ch) for ch in text.yue):
        bad = "".join(sorted({ch for ch in text.yue if is_simplified_only(ch)}))
        yield Problem(where, f"yue text has Simplified characters {bad!r}")
    if any(is_traditional_only(ch) for ch in text.zh):
        bad = "".join(sorted({ch for ch in text.zh if is_traditional_only(ch)}))
        yield Problem(where, f"zh text has Traditional characters {bad!r}")


def _entry_problems(entry: FaqEntry, where: str, library: SourceLibrary) -> Iterator[Problem]:
    known = set(library.names())
    cited = list(
        itertools.chain.from_iterable(
            library.citation_problems(where, source) for source in entry.sources
        )
    )
    yield from cited
    if any(source.doc not in known for source in entry.sources):
        return
    facts = library.facts(entry.sources)
    for lang in LANGS:
        for figure in unsupported(entry.answer.get(lang), facts):
            yield Problem(where, f"{lang} answer states {figure!r}, not found in its sources")
    yield from _script_problems(where + " answer", entry.answer)
    for disagreement in disagreements(entry.answer):
        yield Problem(where + " answer", disagreement)
    for lang, texts in (("yue", entry.questions.yue), ("zh", entry.questions.zh)):
        for question in texts:
            checker = is_simplified_only if lang == "yue" else is_traditional_only
            if any(checker(ch) for ch in question):
                yield Problem(where, f"{lang} question {question!r} is in the wrong script")


def _states_amount(facts: LanguageFacts) -> bool:
    """Whether a text states a share or a sum (a percentage, or a figure of 1,000 or more):
    what differs between the phases, unlike a count or a street number."""
    for key in facts.figures:
        if key.endswith("%"):
            return True
        try:
            if Decimal(key) >= 1000:
                return True
        except InvalidOperation:
            continue
    return False


def saved_reply_problems(
    kb: KnowledgeBase, reply: SavedReply, library: SourceLibrary
) -> Iterator[Problem]:
    """What is wrong with one saved reply: its citations, any figure, e-mail, web address or
    phone number its sources do not state (placeholders filled in), scripts, languages that
    disagree, and amounts not labelled with their phase."""
    where = f"saved_replies.yaml {reply.key}"
    for source in reply.source:
        yield from library.citation_problems(where, source)
    if any(source.doc not in library.names() for source in reply.source):
        return
    facts = library.facts(reply.source)
    phones = {
        phone
        for source in reply.source
        for phone in language_facts(library.text(source.doc)).phones
    }
    filled = {lang: kb.saved_reply_text(reply, lang) for lang in LANGS}
    for lang in LANGS:
        for figure in unsupported(filled[lang], facts):
            yield Problem(where, f"{lang} text states {figure!r}, not found in its sources")
        for figure in unsupported(reply.title.get(lang), facts):
            yield Problem(where, f"{lang} title states {figure!r}, not found in its sources")
        for digits, written in language_facts(filled[lang]).phones.items():
            if digits not in phones:
                yield Problem(where, f"{lang} text states phone {written!r}, not in its sources")
    for part, text in (("text", reply.text), ("title", reply.title)):
        yield from _script_problems(f"{where} {part}", text)
        yield from (Problem(f"{where} {part}", what) for what in disagreements(text))
    if not any(_states_amount(language_facts(filled[lang])) for lang in LANGS):
        return
    programme = kb.programme
    for doc in dict.fromkeys(source.doc for source in reply.source):
        phase_id = programme.document_phase(doc)
        if phase_id is None or phase_id == UNDATED:
            continue
        phase = programme.phase(phase_id)
        for lang in LANGS:
            dates = language_facts(filled[lang]).dates
            if not any(day[:2] == (phase.ends.year, phase.ends.month) for day in dates):
                yield Problem(
                    where,
                    f"{lang} text states amounts and cites {doc} but does not name its phase:"
                    f" say {phase.name.get(lang)!r}",
                )


def expected_phase(docs: Iterable[str], programme: Programme, today: dt.date) -> str | None:
    """The ``phase`` an FAQ entry citing ``docs`` must carry, or None when it need not carry one.

    Sources all of one phase give that phase; all undated (the SME page) give ``undated``; a
    phase that has ended plus undated documents give the ended phase (its figures may be out of
    date, so they are labelled). A document of no phase (the Recognition Scheme guide, a seminar
    notice), or documents of two phases, or a phase in force plus undated ones, need no label.
    """
    kinds = {programme.document_phase(doc) for doc in docs}
    if None in kinds:
        return None
    dated = kinds - {UNDATED}
    if not dated:
        return UNDATED
    if len(dated) > 1:
        return None
    (phase,) = dated
    if kinds == {phase} or programme.phase_status(phase, today) == "ended":
        return phase
    return None


def accepted_phases(expected: str, docs: list[str], programme: Programme) -> set[str]:
    """An ended phase's documents cited beside undated ones: the figures may be the undated
    page's (OSI's 90%), so ``undated`` is an honest label too."""
    if expected != UNDATED and any(programme.document_phase(d) == UNDATED for d in docs):
        return {expected, UNDATED}
    return {expected}


def _phase_problems(entry: FaqEntry, programme: Programme, today: dt.date) -> Iterator[str]:
    docs = list(dict.fromkeys(source.doc for source in entry.sources))
    expected = expected_phase(docs, programme, today)
    listed = ", ".join(docs)
    if expected is not None and entry.phase is None:
        if expected == UNDATED:
            what = "are all undated documents"
        elif all(programme.document_phase(doc) == expected for doc in docs):
            what = f"are all documents of {expected}"
        else:
            what = f"are documents of {expected}, which has ended, and undated ones"
        yield (
            f"its sources ({listed}) {what}: add `phase: {expected}` so the bot labels its"
            " figures with the phase they belong to"
        )
    elif expected is not None and entry.phase not in accepted_phases(expected, docs, programme):
        yield f"`phase: {entry.phase}`, but its sources ({listed}) give {expected}"
    elif entry.phase is not None and entry.phase != UNDATED:
        if not any(programme.document_phase(doc) == entry.phase for doc in docs):
            yield f"`phase: {entry.phase}`, but none of its sources ({listed}) is of that phase"
    elif entry.phase == UNDATED and expected is None:
        dated = [doc for doc in docs if programme.document_phase(doc) not in (None, UNDATED)]
        if dated:
            yield f"`phase: undated`, but it cites {', '.join(dated)}, which is dated"


def _programme_sources(programme: Programme) -> Iterator[tuple[str, Source]]:
    for phase in programme.phases:
        yield f"programme.yaml phases {phase.id}", phase.source
    for scheme in programme.schemes:
        for rule in scheme.funding:
            yield f"programme.yaml schemes {scheme.id} ({rule.phase or UNDATED})", rule.source
    yield "programme.yaml shareholding", programme.shareholding.source
    yield "programme.yaml procurement", programme.procurement.source
    yield "programme.yaml recognition", programme.recognition.source
    for contact in programme.contacts:
        yield f"programme.yaml contacts {contact.id}", contact.source


def _message_files(data_dir: Path) -> dict[str, str]:
    """Which file under ``data_dir`` defines each message key (for saying where to fix it)."""
    files: dict[str, str] = {}
    for path in [data_dir / "messages.yaml", *sorted((data_dir / "messages").glob("*.yaml"))]:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                key = re.match(r"([A-Za-z0-9_]+):\s*$", line)
                if key:
                    files.setdefault(key[1], str(path.relative_to(data_dir)))
    return files


def check_knowledge(
    kb: KnowledgeBase, sources_dir: Path | None = None, today: dt.date | None = None
) -> list[Problem]:
    """Every problem in the loaded knowledge base; empty when it is fit to ship. ``today`` (Hong
    Kong; default the real date) decides which phases have ended."""
    library = SourceLibrary(sources_dir or default_sources_dir())
    today = today or dt.datetime.now(HONG_KONG).date()
    programme = kb.programme
    problems: list[Problem] = []
    for entry in kb.faq:
        where = f"faq/{kb.faq_files[entry.id]} {entry.id}"
        problems.extend(_entry_problems(entry, where, library))
        problems.extend(Problem(where, what) for what in _phase_problems(entry, programme, today))
        if entry.period is not None:
            problems.extend(
                Problem(where + " period label", what) for what in disagreements(entry.period.label)
            )
    for where, source in _programme_sources(programme):
        problems.extend(library.citation_problems(where, source))
    for clause_id, clause in kb.clauses.items():
        problems.extend(library.citation_problems(f"clauses.yaml {clause_id}", clause.source))
    for scheme in programme.schemes:
        for rule in scheme.funding:
            facts = library.facts([rule.source])
            for figure in (rule.ceiling_hkd, round(rule.share * 100), rule.duration_months):
                if figure is not None and unsupported(str(figure), facts):
                    problems.append(
                        Problem(f"programme.yaml {scheme.id}", f"{figure} not in {rule.source.doc}")
                    )
    recognition = programme.recognition
    rules: list[tuple[Source, float | None]] = [
        (programme.shareholding.source, programme.shareholding.mainland_more_than_pct),
        (programme.shareholding.source, programme.shareholding.applicant_at_least_pct),
        *((programme.procurement.source, t.up_to_hkd) for t in programme.procurement.tiers),
        *((programme.procurement.source, t.count) for t in programme.procurement.tiers),
        *(
            (recognition.source, count)
            for count in (
                recognition.year,
                recognition.cost_options,
                recognition.cost_options_with_voc_nox,
                recognition.manufacturing_demonstration_projects,
                recognition.excel_demonstration_projects,
                recognition.excel_logos,
                recognition.supply_chain_factories,
                recognition.technology_service_projects,
            )
        ),
    ]
    for source, limit in rules:
        if limit is not None and unsupported(f"{limit:g}", library.facts([source])):
            problems.append(Problem("programme.yaml", f"{limit:g} not in {source.doc}"))
    for name in ("opens", "closes", "since", "compliance_since"):
        day: dt.date = getattr(recognition, name)
        if not date_stated(library.text(recognition.source.doc), day):
            problems.append(
                Problem(
                    f"programme.yaml recognition.{name}", f"{day} not in {recognition.source.doc}"
                )
            )
    for contact in programme.contacts:
        facts = library.facts([contact.source])
        for value in (contact.phone, contact.fax, contact.email, contact.website):
            if value and unsupported(value, facts):
                problems.append(Problem(f"programme.yaml {contact.id}", f"{value} not in source"))
    files = _message_files(kb.data_dir)
    for key, text in kb.messages.items():
        where = f"{files.get(key, 'messages.yaml')} {key}"
        problems.extend(_script_problems(where, text))
        problems.extend(Problem(where, what) for what in disagreements(text))
    for reply in kb.saved_replies:
        problems.extend(saved_reply_problems(kb, reply, library))
    return problems


def run_check(data_dir: Path | None = None, sources_dir: Path | None = None) -> list[str]:
    """Load and check; returns the problems as lines (empty list means all good)."""
    try:
        kb = load_knowledge(data_dir)
    except KnowledgeError as exc:
        return [str(exc)]
    return [str(problem) for problem in check_knowledge(kb, sources_dir)]


if __name__ == "__main__":  # pragma: no cover - convenience for content editors
    import sys

    lines = run_check()
    print("\n".join(lines) or "knowledge base OK")
    sys.exit(1 if lines else 0)
