"""The words the bot reads from users (``words.yaml``), and the readers that need only them.

Every word the bot *reads* lives in ``knowledge/data/words.yaml``, once per kind: yes / no /
unsure, navigation (back, restart, cancel, a person), the names of its languages, and the words
around a count. This module validates that file (``load_knowledge`` fails on a word listed under
two kinds that would contradict each other) and reads typed text with it:

- :func:`read_yes_no`: "yes", "no", "unsure" or None, reading negation: 冇問題 and "no problem"
  are yes, 唔係唔得 is yes, 唔係好肯定 is unsure, and a question (係咪, 有冇) is no answer;
- :func:`read_navigation`: "back", "restart", "cancel", "person" or None (the whole text);
- :func:`read_language`: a language code or None (the whole text).

Numbers are read by ``knowledge.numerals`` (a writing system, not vocabulary); the count readers
that combine numbers with these words live in the flows that ask for counts.

All matching happens on a folded form (half width, lower case, Simplified), so a phrase is
written once per language (``yue`` in Traditional, ``zh`` in Simplified characters) and typed
full-width letters, Traditional or Simplified characters all match it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import BeforeValidator, Field, model_validator

from knowledge.models import LANGS, Frozen, Lang, PerLanguage
from knowledge.text import CJK, clean, to_simplified

YesNo = Literal["yes", "no", "unsure"]
Navigation = Literal["back", "restart", "cancel", "person"]
NAVIGATION: tuple[Navigation, ...] = ("back", "restart", "cancel", "person")


@functools.lru_cache(maxsize=4096)  # one question is read by several word lists in a row
def fold(text: str) -> str:
    """Lower-case, half-width, Simplified: the form typed words are compared in."""
    return to_simplified(clean(text).lower())


def _phrase(value: object) -> object:
    if isinstance(value, bool):  # YAML reads a bare yes/no/on/off/true/false as a boolean
        raise ValueError(
            f"YAML read a bare word as {value}: quote yes, no, on, off, true and false"
        )
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and not fold(value).strip():
        raise ValueError("a phrase must not be blank")
    return value.strip() if isinstance(value, str) else value


Phrase = Annotated[str, BeforeValidator(_phrase)]


class Phrases(PerLanguage):
    """Phrases of one kind in each of the bot's languages (any list may be empty)."""

    en: tuple[Phrase, ...] = ()
    yue: tuple[Phrase, ...] = ()
    zh: tuple[Phrase, ...] = ()


class AnswerWords(Frozen):
    """How people answer a yes/no question (the checks, seminar consent and confirmation)."""

    yes: Phrases
    no: Phrases
    unsure: Phrases
    sure: Phrases = Field(description="certainty: alone a yes, negated unsure (not sure, 唔肯定)")
    negators: Phrases = Field(
        description="negate the answer right after them (唔係唔得 = yes); alone they mean no"
    )
    intensifiers: Phrases = Field(
        description="change nothing before an answer (唔係好肯定 = 唔肯定); may also be yes or sure"
    )
    questions: Phrases = Field(description="the user is asking, not answering (係咪, 有冇)")
    ignore: Phrases = Field(
        description="read as nothing: particles, pronouns, and compounds whose characters would "
        "otherwise read as an answer (有限公司, 關係)"
    )

    @model_validator(mode="after")
    def _one_kind_each(self) -> AnswerWords:
        kinds = ("yes", "no", "unsure", "sure", "negators", "questions", "ignore")
        _no_word_in_two(self, kinds, "answers")
        overlap: dict[str, set[str]] = {}
        for kind in kinds:
            for phrase in getattr(self, kind).all():
                overlap.setdefault(_normalise(phrase), set()).add(kind)
        for phrase in self.intensifiers.all():
            clash = overlap.get(_normalise(phrase), set()) - {"yes", "sure"}
            if clash:
                raise ValueError(
                    f"intensifier {phrase!r} is also listed under {sorted(clash)}; "
                    "an intensifier may only also be a yes or sure word"
                )
        return self


class NavigationWords(Frozen):
    """Typed alone, these move through a guided flow like its navigation buttons."""

    back: Phrases
    restart: Phrases
    cancel: Phrases
    person: Phrases

    @model_validator(mode="after")
    def _one_kind_each(self) -> NavigationWords:
        _no_word_in_two(self, NAVIGATION, "navigation")
        return self


class LanguageWords(Frozen):
    """What people type to choose each of the bot's languages (/language 廣東話)."""

    en: Phrases
    yue: Phrases
    zh: Phrases

    @model_validator(mode="after")
    def _one_language_each(self) -> LanguageWords:
        _no_word_in_two(self, LANGS, "languages")
        return self


class CountWords(Frozen):
    """Words around a typed count ("3 or more", 唔夠五個, 兩位)."""

    fewer: Phrases = Field(description="a bound below, not a count: ask again")
    more: Phrases = Field(description='"more than N": read as N + 1')
    vague: Phrases = Field(description="an amount without a number (幾個, some): ask again")
    none: Phrases = Field(description="phrases meaning zero that contain a number (一個都冇)")
    zero: Phrases = Field(description="words meaning zero (besides a no answer and 零)")
    numbers: dict[str, int] = Field(description="number words read as numbers (five)")
    people: Phrases = Field(description="what may follow a number of attendees (人, 位, people)")

    @model_validator(mode="after")
    def _one_kind_each(self) -> CountWords:
        _no_word_in_two(self, ("fewer", "more", "vague", "none", "zero"), "counts")
        negative = sorted(word for word, value in self.numbers.items() if value < 0)
        if negative:
            raise ValueError(f"counts.numbers must not be negative: {negative}")
        return self


class FollowUpWords(Frozen):
    """Words by which a short message points back to the question answered before it."""

    refer: Phrases = Field(description="the same subject: the question before decides")
    switch: Phrases = Field(description="another subject: alone if the FAQ knows it")


class RequestWords(Frozen):
    """Requests made inside a sentence: for a person, or to switch language."""

    person: Phrases
    language: Phrases = Field(description="with a language's name, asks to switch to it")


class Words(Frozen):
    """``words.yaml``: every word the bot reads, one place per kind."""

    answers: AnswerWords
    navigation: NavigationWords
    requests: RequestWords
    joins: Phrases = Field(description="start a second question in the same message")
    amount_asked: Phrases = Field(description="ask how much a project would get")
    this_programme: Phrases = Field(description="name this programme or one of its schemes")
    combining: Phrases = Field(description="ask how another fund combines with this one")
    follow_ups: FollowUpWords
    languages: LanguageWords
    counts: CountWords

    @model_validator(mode="after")
    def _navigation_is_no_answer(self) -> Words:
        answers = _kinds(self.answers, ("yes", "no", "unsure", "sure", "negators"))
        for kind in NAVIGATION:
            for phrase in getattr(self.navigation, kind).all():
                if _normalise(phrase) in answers:
                    raise ValueError(
                        f"navigation.{kind} {phrase!r} is also an answer "
                        f"({answers[_normalise(phrase)]}): typed alone it would mean both"
                    )
        return self


_M = TypeVar("_M", bound=Frozen)
_R = TypeVar("_R")


def _kinds(model: Frozen, kinds: Iterable[str]) -> dict[str, str]:
    """Normalised phrase → the (first) kind it is listed under."""
    found: dict[str, str] = {}
    for kind in kinds:
        for phrase in getattr(model, kind).all():
            found.setdefault(_normalise(phrase), kind)
    return found


def _no_word_in_two(model: Frozen, kinds: Iterable[str], section: str) -> None:
    """A phrase (as folded) may be listed under one kind only: otherwise it means two things."""
    seen: dict[str, tuple[str, str]] = {}
    for kind in kinds:
        for phrase in getattr(model, kind).all():
            key = _normalise(phrase)
            if key in seen and seen[key][0] != kind:
                other_kind, other = seen[key]
                raise ValueError(
                    f"{section}: {phrase!r} ({kind}) and {other!r} ({other_kind}) are the same "
                    "word once folded; a word may be listed under one kind only"
                )
            seen.setdefault(key, (kind, phrase))


# ----------------------------------------------------------------------------- phrase matching


@functools.lru_cache(maxsize=512)
def _folded(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases of a word list as compared: folded once, not on every message (folding
    runs OpenCC, and a list such as the requests for a person holds about 80 phrases)."""
    return tuple(fold(phrase) for phrase in phrases)


def longest_match(text: str, phrases: Iterable[str]) -> int:
    """Length of the longest phrase found in ``text`` (0 when none is); Latin phrases match
    whole words only ("no" is not found in "know")."""
    folded = fold(text)
    return max((len(t) for t in _folded(tuple(phrases)) if _found(folded, t)), default=0)


def subject(text: str, words: Words) -> str | None:
    """The programme or scheme a question is about, as named in it (the longest name of
    ``this_programme`` found: "OSI", 「實地評估」, "Partners logo"), or None."""
    folded = fold(text)
    found = [t for t in _folded(tuple(words.this_programme.all())) if _found(folded, t)]
    return max(found, key=len) if found else None


def mentions(text: str, phrases: Iterable[str]) -> bool:
    """Whether any of ``phrases`` is found in ``text`` (Latin phrases as whole words)."""
    folded = fold(text)
    return any(_found(folded, target) for target in _folded(tuple(phrases)))


def _found(folded: str, target: str) -> bool:
    if not target:
        return False
    if target.isascii() and (target[0].isalnum() or target[-1].isalnum()):
        before = r"(?<![a-z0-9])" if target[0].isalnum() else ""
        after = r"(?![a-z0-9])" if target[-1].isalnum() else ""
        return re.search(before + re.escape(target) + after, folded) is not None
    return target in folded


# ----------------------------------------------------------------------------------- yes / no

_SEPARATORS = frozenset(',.!?;:，。！？；：、…~\n\t()[]{}<>「」『』【】《》"“”*/\\|=+-_#@&')
_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\u200d]")
_LATIN_REPEAT = re.compile(r"([a-z])\1{2,}")  # "yesss", "nooo" → "yes", "no"
_WORD = re.compile(r"[a-z0-9']+")


def _normalise(text: str) -> str:
    """The form the yes/no reader compares in: folded, with curly apostrophes, emoji variation
    selectors and skin tones, and a letter typed three or more times in a row, reduced."""
    folded = fold(text).replace("’", "'").replace("‘", "'")
    return _LATIN_REPEAT.sub(r"\1", _MODIFIERS.sub("", folded))


@dataclass(frozen=True)
class _Entry:
    """What one listed phrase does when read."""

    reading: str | None = None  # "yes", "no", "unsure", "sure"; None: nothing alone
    negates: bool = False
    intensifies: bool = False
    asks: bool = False


@dataclass(frozen=True)
class _Token:
    text: str
    entry: _Entry


_BREAK = None  # between tokens: anything that is not a listed word, or punctuation

_FLIP = {"yes": "no", "no": "yes", "sure": "unsure", "unsure": "ambiguous"}


class _Lexicon:
    """The answer words of one ``words.yaml``, compiled for reading."""

    def __init__(self, words: AnswerWords) -> None:
        entries: dict[str, _Entry] = {}

        def add(kind: str, **flags: Any) -> None:
            for phrase in getattr(words, kind).all():
                key = _normalise(phrase)
                entries[key] = replace(entries.get(key, _Entry()), **flags)

        for reading in ("yes", "no", "unsure", "sure"):
            add(reading, reading=reading)
        add("negators", reading="no", negates=True)
        add("intensifiers", intensifies=True)  # may also be a yes or sure word (好, 肯定)
        add("questions", asks=True)
        add("ignore")
        self.entries = entries
        self.lengths = sorted({len(key) for key in entries}, reverse=True)

    def tokens(self, text: str) -> list[_Token | None]:
        """The listed words in ``text``, leftmost-longest first, with ``_BREAK`` wherever
        something else (an unknown word, punctuation) stands between two of them.

        A single Chinese character is read only where a word may begin (at the start, after a
        space, punctuation or another listed word): 有 in 所有 or 係 in 關係 is not an answer.
        """
        s = _normalise(text)
        out: list[_Token | None] = []
        i, n = 0, len(s)
        may_begin = True
        while i < n:
            c = s[i]
            if c.isspace():
                i += 1
                may_begin = True
                continue
            if c in _SEPARATORS:
                out.append(_BREAK)
                i += 1
                may_begin = True
                continue
            found = self._word_at(s, i, may_begin)
            if found is not None:
                out.append(_Token(found, self.entries[found]))
                i += len(found)
                may_begin = True
                continue
            out.append(_BREAK)
            word = _WORD.match(s, i)
            i = word.end() if word else i + 1
            may_begin = False
        return out

    def _word_at(self, s: str, i: int, may_begin: bool) -> str | None:
        for length in self.lengths:
            candidate = s[i : i + length]
            if len(candidate) != length or candidate not in self.entries:
                continue
            end = i + length
            if _latin(candidate[0]) and i and _latin(s[i - 1]):
                continue  # Latin words match whole words only: not "no" in "know"
            if _latin(candidate[-1]) and end < len(s) and _latin(s[end]):
                continue
            if length == 1 and CJK.match(candidate) and not may_begin:
                continue
            return candidate
        return None

    def read(self, text: str) -> YesNo | None:
        readings: list[str] = []
        for run in _runs(self.tokens(text)):
            pending: str | None = None  # the answer read so far to the right, in this run
            right = ""  # the text of the token right after the current one
            for token in reversed(run):
                entry = token.entry
                if entry.asks:
                    return None
                if pending is not None and entry.negates:
                    if not _restated(token.text, right, pending):  # 唔係唔得 = yes
                        pending = _FLIP[pending]
                elif pending is not None and entry.intensifies:
                    pass  # 好肯定, 當然唔係, of course not
                else:
                    if pending is not None:
                        readings.append(pending)
                    pending = entry.reading
                right = token.text
            if pending is not None:
                readings.append(pending)
        if "ambiguous" in readings:
            return None
        kinds = {"yes" if reading == "sure" else reading for reading in readings}
        if "unsure" in kinds:
            return "unsure"  # a hedged answer ("yes but not sure") is not a yes
        if kinds == {"yes"}:
            return "yes"
        if kinds == {"no"}:
            return "no"
        return None  # nothing read, or yes and no at once


def _restated(negator: str, right: str, reading: str) -> bool:
    """Whether a negator before ``right`` says the same no again rather than negating it:
    唔係唔係 ("no, no"), or a no in the other script (唔係 no, not 冇)."""
    return negator == right or (reading == "no" and _latin(negator[0]) != _latin(right[0]))


def _latin(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _runs(tokens: list[_Token | None]) -> list[list[_Token]]:
    """Tokens split where something else stands between them: negation reaches only across
    adjacent words (唔係唔得), not across a comma (唔係，唔得 is two noes)."""
    runs: list[list[_Token]] = [[]]
    for token in tokens:
        if token is None:
            runs.append([])
        else:
            runs[-1].append(token)
    return [run for run in runs if run]


_COMPILED: dict[int, tuple[object, object]] = {}


def _compiled(model: _M, build: Callable[[_M], _R]) -> _R:
    """``build(model)``, built once per loaded model (the models are immutable)."""
    hit = _COMPILED.get(id(model))
    if hit is not None and hit[0] is model:
        return cast(_R, hit[1])
    if len(_COMPILED) > 64:  # test suites load many copies of the data
        _COMPILED.clear()
    value = build(model)
    _COMPILED[id(model)] = (model, value)
    return value


def read_yes_no(text: str, words: Words) -> YesNo | None:
    """What a typed answer to a yes/no question means: "yes", "no", "unsure", or None when it is
    not an answer (unrelated text, a question back, or yes and no at once): ask again.

    >>> from knowledge.loader import default_knowledge
    >>> words = default_knowledge().words
    >>> [read_yes_no(t, words) for t in ("冇問題", "唔係唔得", "唔係好肯定", "no", "係咪?")]
    ['yes', 'yes', 'unsure', 'no', None]
    """
    return _compiled(words.answers, _Lexicon).read(text)


# ------------------------------------------------------------------ whole-text words: exact


def _exact(text: str) -> str:
    """The whole typed text as a word: normalised, without outer spaces, punctuation or a "/"."""
    return _normalise(text).strip(" " + "".join(_SEPARATORS)).lstrip("/").strip()


def _table(phrases: Mapping[str, Phrases]) -> dict[str, str]:
    return {_exact(phrase): key for key, kind in phrases.items() for phrase in kind.all()}


def _navigation_table(words: NavigationWords) -> dict[str, str]:
    return _table({kind: getattr(words, kind) for kind in NAVIGATION})


def _language_table(words: LanguageWords) -> dict[str, str]:
    return _table({lang: getattr(words, lang) for lang in LANGS})


def read_navigation(text: str, words: Words) -> Navigation | None:
    """The navigation the whole text asks for: back, restart, cancel or person (返回, /cancel,
    真人); None otherwise (navigation words inside a longer answer are part of the answer)."""
    found = _compiled(words.navigation, _navigation_table).get(_exact(text))
    return next((kind for kind in NAVIGATION if kind == found), None)


def read_language(text: str, words: Words) -> Lang | None:
    """The language the whole text names (廣東話, English, zh, 普通話); None if it names none."""
    found = _compiled(words.languages, _language_table).get(_exact(text))
    return next((lang for lang in LANGS if lang == found), None)


# ------------------------------------------------------------------------ requests in a sentence

LANGUAGE_REQUEST_LENGTH = 40
"""A switch request is short ("講返廣東話得唔得", "can you reply in English please"); a longer
message naming a language is a question (does the guide come in English?)."""


def asks_for_person(text: str, words: Words) -> bool:
    """Whether the message asks for a person ("can I speak to someone", 搵真人, 转人工), wherever
    in the sentence; a word alone (真人, staff) is read by ``read_navigation``."""
    return read_navigation(text, words) == "person" or mentions(text, words.requests.person.all())


def language_request(text: str, words: Words) -> Lang | None:
    """The language a short message asks the bot to switch to (「講返廣東話得唔得」, "English
    please", 「可以用普通话吗」), or None; the whole text naming one (廣東話) counts too."""
    named = read_language(text, words)
    if named is not None:
        return named
    if len(fold(text)) > LANGUAGE_REQUEST_LENGTH or not mentions(
        text, words.requests.language.all()
    ):
        return None
    found = [lang for lang in LANGS if mentions(text, getattr(words.languages, lang).all())]
    return found[0] if len(found) == 1 else None


# ------------------------------------------------------------------ two questions in one message

MAX_PARTS = 3
_SENTENCE_END = re.compile(r"(?<=[?？!！。;；\n])|(?<=[A-Za-z]\.)(?=\s)")


def _substantial(part: str) -> bool:
    """Long enough to be a question of its own: four Chinese characters or three words."""
    return (
        len(re.findall(r"[\u3400-\u9fff]", part)) >= 4 or len(re.findall(r"[A-Za-z]+", part)) >= 3
    )


def question_parts(text: str, words: Words) -> list[str]:
    """The questions in one message: split at question marks and full stops, and before the
    words that start another question (also, 另外, 还有); parts too short to stand alone
    join the part before them. One part when there is nothing to split."""
    pieces = [p for p in _SENTENCE_END.split(text) if p.strip()]
    joins = sorted({w for w in words.joins.all() if w.strip()}, key=len, reverse=True)
    if joins:
        pattern = re.compile(
            "("
            + "|".join(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in joins)
            + ")",
            re.IGNORECASE,
        )
        pieces = [q for piece in pieces for q in _split_before(pattern, piece)]
    parts: list[str] = []
    for piece in pieces:
        if parts and not _substantial(piece):
            parts[-1] += piece
        else:
            parts.append(piece)
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) > 1 and not _substantial(parts[0]):
        parts[1] = parts[0] + parts[1]
        parts = parts[1:]
    return parts[:MAX_PARTS] if len(parts) > 1 else [text]


def _split_before(pattern: re.Pattern[str], piece: str) -> list[str]:
    starts = [m.start() for m in pattern.finditer(piece) if m.start() > 0 and _starts(m, piece)]
    bounds = [0, *starts, len(piece)]
    return [piece[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if piece[a:b].strip()]


def _starts(match: re.Match[str], piece: str) -> bool:
    """Whether a join word found in ``piece`` starts a question: an English word alone ("also",
    "plus") does so only after a comma or the like ("…, also how many quotations?"), not inside
    one ("can we also apply for BUD?")."""
    word = match.group(0)
    if not (word.isascii() and word.isalpha()):
        return True
    before = piece[: match.start()].rstrip()
    return not before or not before[-1].isalnum()


# ------------------------------------------------------------------------------ follow-ups

FollowUp = Literal["refer", "switch"]
FOLLOW_UP_CHINESE, FOLLOW_UP_WORDS = 15, 8
"""A message short enough to lean on the question before it: Chinese characters, Latin words."""


def follow_up(text: str, words: Words, answered: bool) -> FollowUp | None:
    """How ``text`` leans on the question answered before it: "refer" (a short message that
    points back to the same subject: "is it open now?", 「佢要幾耐？」), "switch" (another subject
    in the same question: "what about OSI?", 「咁DP(II)呢？」, or a short message the FAQ cannot
    answer alone), or None (a question of its own)."""
    chinese = len(re.findall(r"[\u3400-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]+", text))
    if chinese > FOLLOW_UP_CHINESE or latin > FOLLOW_UP_WORDS:
        return None
    if mentions(text, words.follow_ups.refer.all()):
        return "refer"
    if not answered or mentions(text, words.follow_ups.switch.all()):
        return "switch"
    return None
