"""Rank FAQ entries against a question; below a confidence threshold, admit it.

Each entry is a searchable document with a ``compare(query) -> float`` score, ranked with
``heapq.nlargest`` (the shape of python-telegram-bot's rules-bot search). The score is a weighted
sum of features computed on the folded form (see ``normalise``), each in [0, 1]:

- ``phrase_words`` / ``phrase_grams``: IDF-weighted overlap of the question with the entry's
  best-matching phrasing, on words and on Chinese character bigrams (which survive segmentation
  differences and one-character typos);
- ``fuzzy``: rapidfuzz similarity of the folded question and that phrasing;
- ``entry_words`` / ``entry_grams``: how much of the question's weight the entry's phrasings and
  keywords explain taken together;
- ``answer_words``: how much of it the entry's answer explains (people ask with the answer's words).

Words the FAQ never uses weigh the most, so "will it rain tomorrow" explains nothing and scores
near zero instead of matching the entry with the most common words. The weights and the threshold
are fitted on the evaluation sets in ``tests/eval`` (see ``benchmarks/fit_search.py``).
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz, process
from spellchecker import SpellChecker

from knowledge.models import LANGS, FaqEntry, Intent, Lang, Questions
from knowledge.normalise import ENGLISH_STOPWORDS, Normaliser
from knowledge.text import CJK

FEATURES = ("phrase_words", "phrase_grams", "fuzzy", "entry_words", "entry_grams", "answer_words")
WEIGHTS: dict[str, float] = {
    "phrase_words": 0.299,
    "phrase_grams": 0.043,
    "fuzzy": 0.162,
    "entry_words": 0.361,
    "entry_grams": 0.023,
    "answer_words": 0.112,
}
# Confidence thresholds per language: English phrasing varies more, so good English matches
# score lower, while off-topic English is mostly caught by the intents (see fit_search.py).
MATCH_THRESHOLDS: dict[str, float] = {"en": 0.25, "yue": 0.29, "zh": 0.29}
SUGGEST_THRESHOLD = 0.10
RECENT_QUESTIONS = 2048  # questions whose hits are remembered
_RECALL_SHARE = 0.65  # phrase overlap favours covering the question over covering the phrasing
_SHARED = tuple(name for name in FEATURES if name != "fuzzy")  # what the postings give
_LATIN_WORD = re.compile(r"[a-z]+")  # English words, for spelling (ASCII letters only)
_SPELLING_MIN = 4  # shorter words are left as typed: too many are one letter from another
_RESPELL_CUTOFF = 85  # fuzz.ratio: one letter dropped or doubled in a word of 7 or more
_RESPELLINGS_KEPT = 50_000  # words whose respelling is remembered


@functools.cache
def english_words() -> frozenset[str]:
    """English words spelt right (pyspellchecker's dictionary, about 160,000): a word among
    them is never respelt ("sorry" is not a typo of "story"). Loaded once, in about 0.25 s."""
    return frozenset(SpellChecker(language="en").word_frequency.dictionary)


@dataclass(frozen=True)
class Bag:
    """Words and bigrams of one folded text."""

    folded: str
    words: frozenset[str]
    grams: frozenset[str]


@dataclass(frozen=True)
class Phrasing:
    """One way of asking an entry's question, pre-folded."""

    text: str
    lang: Lang
    bag: Bag


@dataclass(frozen=True)
class Weights:
    """Inverse document frequencies over entries; unseen features weigh the most."""

    words: dict[str, float]
    grams: dict[str, float]
    unseen: float

    def total(self, tokens: Iterable[str], table: dict[str, float]) -> float:
        # fsum: exact, so the result does not depend on the order a set yields its tokens in
        return math.fsum(table.get(t, self.unseen) for t in tokens)


Score = TypeVar("Score", float, np.ndarray)


def score(features: Mapping[str, Score]) -> Score:
    """How well an entry answers a query: the fitted weighted sum of its features (the one
    scorer, for one entry's numbers or for arrays over all entries at once)."""
    total: Score = sum(WEIGHTS[name] * features[name] for name in FEATURES)  # type: ignore[assignment]
    return total


Number = TypeVar("Number", float, np.ndarray)


def _blend(recall: Number, precision: Number) -> Number:
    return _RECALL_SHARE * recall + (1 - _RECALL_SHARE) * precision


def _strength(word_sim: float, gram_sim: float) -> float:
    """How well one phrasing matches, for picking an entry's best phrasing. Rounded, so that two
    phrasings that tie exactly do not swap places with the order floats were summed in (set order
    changes with the hash seed); on a tie the first phrasing wins, in both search paths."""
    return round(word_sim + 0.5 * gram_sim, 9)


# rapidfuzz may compute a ratio in another order than the length bound below: a margin for that.
_FUZZY_SLACK = 1e-9
# A score this far below another stays below it rounded to 9 places (the ranking's key).
_SCORE_SLACK = 2e-9
# Up to this many documents with a matching phrasing, rapidfuzz for each of them costs less than
# bounding their scores to skip some (see FaqIndex._fuzzy_for_the_top)...
_ALL_FUZZY = 400
_FIRST_BATCH = 64  # ... and beyond, how many it computes first (then 4 times more each time)
_POSITION_BITS = 32  # a phrasing's place among the touched ones, in the low bits of its key
# The index's places are its phrasings, then its documents, three numbers each: what a query
# shares with a phrasing in words and in grams (and 0), or with a document in the words and
# grams of its phrasings and keywords, and in the words of its answer. A token's postings are
# "codes": place · 4 + column.
_COLUMNS = 3
_COLUMN_BITS = 2


@dataclass(frozen=True)
class _Touched:
    """The documents a query shares a token with (ascending), each feature but ``fuzzy`` over
    them, and each one's best phrasing (-1 where no phrasing shares a token)."""

    docs: np.ndarray
    features: dict[str, np.ndarray]
    best: np.ndarray


def _fuzzy_bound(length: int, lengths: np.ndarray) -> np.ndarray:
    """The most ``fuzz.ratio / 100`` can be between a text of ``length`` characters and texts of
    ``lengths``: it is 1 - (indel distance) / (sum of the lengths), and the indel distance is at
    least the difference of the lengths."""
    return np.asarray(2 * np.minimum(length, lengths) / (length + lengths), dtype=np.float64)


def _letter_counts(word: str) -> np.ndarray:
    """How many of each letter a-z ``word`` has, and (last) how many other characters."""
    counts = np.zeros(27, dtype=np.int16)
    for char in word:
        place = ord(char) - 97
        counts[place if 0 <= place < 26 else 26] += 1
    return counts


@dataclass
class FaqDocument:
    """An FAQ entry, or an intent (greeting, out of scope...), as a searchable document."""

    id: str
    kind: str  # "faq", or the intent's kind
    phrasings: tuple[Phrasing, ...]
    keywords: frozenset[str]
    answer_words: frozenset[str]
    entry: FaqEntry | None = None
    all_words: frozenset[str] = field(init=False)
    all_grams: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        words: set[str] = set(self.keywords)
        grams: set[str] = set()
        for phrasing in self.phrasings:
            words |= phrasing.bag.words
            grams |= phrasing.bag.grams
        self.all_words = frozenset(words)
        self.all_grams = frozenset(grams)


@dataclass(frozen=True)
class Hit:
    """A ranked search result."""

    document: FaqDocument
    score: float

    @property
    def is_faq(self) -> bool:
        return self.document.entry is not None

    @property
    def entry(self) -> FaqEntry:
        if self.document.entry is None:
            raise ValueError(f"{self.document.id} is an intent, not an FAQ entry")
        return self.document.entry


class FaqIndex:
    """All FAQ entries, folded once at start-up, searchable many times."""

    def __init__(
        self, entries: Sequence[FaqEntry], normaliser: Normaliser, intents: Sequence[Intent] = ()
    ) -> None:
        self.normaliser = normaliser
        self._concept_words, self._well_spelt = self._spelling_tables(entries, normaliser)
        self.documents = [self._document(entry) for entry in entries]
        self.documents += [self._intent(intent) for intent in intents]
        english: set[str] = set()
        for document in self.documents:
            english |= document.all_words | document.answer_words
        self.vocabulary = frozenset(
            w for w in english if w.isascii() and w.isalpha() and len(w) >= 4
        )
        # Sorted for spelling correction: on a tie the same word wins in every process.
        self._spellings = tuple(sorted(self.vocabulary))
        self.weights = self._weights(self.documents)
        self._build_postings()

    def _build_postings(self) -> None:
        """Token → the places it occurs at (see ``_COLUMNS``), so that a query's work is
        proportional to what shares a token with it, never to the size of the FAQ."""
        w = self.weights
        phrasings: list[Phrasing] = []
        owner: list[int] = []
        for d, document in enumerate(self.documents):
            phrasings.extend(document.phrasings)
            owner.extend([d] * len(document.phrasings))
        if len(set(owner)) != len(self.documents):
            raise ValueError("every FAQ entry and intent needs at least one phrasing")
        word_codes: dict[str, list[int]] = defaultdict(list)
        gram_codes: dict[str, list[int]] = defaultdict(list)
        for p, phrasing in enumerate(phrasings):
            for token in phrasing.bag.words:
                word_codes[token].append(p << _COLUMN_BITS)
            for token in phrasing.bag.grams:
                gram_codes[token].append((p << _COLUMN_BITS) + 1)
        for d, document in enumerate(self.documents, start=len(phrasings)):
            for token in document.all_words:
                word_codes[token].append(d << _COLUMN_BITS)
            for token in document.all_grams:
                gram_codes[token].append((d << _COLUMN_BITS) + 1)
            for token in document.answer_words:
                word_codes[token].append((d << _COLUMN_BITS) + 2)
        places = len(phrasings) + len(self.documents)
        code_type = np.int32 if places << _COLUMN_BITS < 2**31 else np.int64

        def arrays(codes: dict[str, list[int]]) -> dict[str, np.ndarray]:
            return {token: np.asarray(c, dtype=code_type) for token, c in codes.items()}

        self._flat = tuple(phrasings)
        # Phrasings are stored document by document: the owners ascend with the phrasings.
        self._owner = np.asarray(owner, dtype=np.intp)
        self._folded = np.asarray([p.bag.folded for p in phrasings], dtype=object)
        self._lengths = np.asarray([len(p.bag.folded) for p in phrasings], dtype=np.float64)
        # Each phrasing's total word and gram weight; 1 where it has none (it then shares none,
        # and 0 / 1 is the 0 that the overlap of nothing is).
        self._p_words = np.asarray([w.total(p.bag.words, w.words) or 1.0 for p in phrasings])
        self._p_grams = np.asarray([w.total(p.bag.grams, w.grams) or 1.0 for p in phrasings])
        self._word_codes = arrays(word_codes)
        self._gram_codes = arrays(gram_codes)
        # Letter counts of the spellings: a bound that skips most of them in ``correct``.
        letters = np.zeros((len(self._spellings), 27), dtype=np.int16)
        for number, spelling in enumerate(self._spellings):
            letters[number] = _letter_counts(spelling)
        self._letters = letters
        self._spelling_lengths = np.asarray([len(s) for s in self._spellings], dtype=np.int64)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the normaliser (a jieba tokenizer): the loader plugs the live one in."""
        state = self.__dict__.copy()
        state["normaliser"] = None
        state.pop("_recent", None)
        return state

    @staticmethod
    def _spelling_tables(
        entries: Sequence[FaqEntry], normaliser: Normaliser
    ) -> tuple[tuple[str, ...], frozenset[str]]:
        """The English words of the synonyms (the concepts' names), and every word known to be
        spelt right: those, the stop words, the FAQ's keywords and English answers (its
        phrasings hold typos on purpose, to be met as people type them)."""
        concept_words: set[str] = set()
        for concept, phrases in normaliser.tables.synonyms.items():
            for phrase in (concept, *phrases):
                concept_words.update(_LATIN_WORD.findall(phrase.lower()))
        known = set(concept_words) | set(ENGLISH_STOPWORDS)
        for entry in entries:
            for text in (*entry.keywords, entry.answer.get("en")):
                known.update(_LATIN_WORD.findall(text.lower()))
        targets = tuple(sorted(w for w in concept_words if len(w) >= _SPELLING_MIN))
        return targets, frozenset(known)

    def respell(self, text: str) -> str:
        """``text`` with misspelt concept words put right before folding, so that "on site
        assesment" meets the on-site assessment concept as "on site assessment" does. Only
        words that are neither English nor used by an FAQ answer or keyword are touched, and
        only towards a synonym's word."""
        return _LATIN_WORD.sub(lambda m: self._respelt(m.group(0)), text.lower())

    def _respelt(self, word: str) -> str:
        if len(word) < _SPELLING_MIN or word in self._well_spelt or word in english_words():
            return word
        known = self.__dict__.setdefault("_respellings", {})
        if word not in known:
            if len(known) >= _RESPELLINGS_KEPT:  # people's unknown words are endless
                known.clear()
            best = process.extractOne(
                word, self._concept_words, scorer=fuzz.ratio, score_cutoff=_RESPELL_CUTOFF
            )
            known[word] = str(best[0]) if best is not None else word
        return str(known[word])

    def bag(self, text: str) -> Bag:
        """The words and bigrams of ``text`` (a user's question or an FAQ phrasing alike)."""
        folded = self.normaliser.fold(self.respell(text))
        words = frozenset(self.normaliser.words(folded))
        return Bag(folded, words, frozenset(self.normaliser.bigrams(folded)))

    def _phrasings(self, questions: Questions) -> tuple[Phrasing, ...]:
        return tuple(
            Phrasing(text, lang, self.bag(text)) for lang in LANGS for text in questions.get(lang)
        )

    def _intent(self, intent: Intent) -> FaqDocument:
        # An intent has no answer text: its phrasings stand in, so it competes on equal terms.
        phrasings = self._phrasings(intent.questions)
        words = frozenset(w for p in phrasings for w in p.bag.words)
        return FaqDocument(intent.id, intent.kind, phrasings, frozenset(), words)

    def _document(self, entry: FaqEntry) -> FaqDocument:
        phrasings = self._phrasings(entry.questions)
        keywords: set[str] = set()
        for keyword in entry.keywords:
            keywords |= self.bag(keyword).words
        answer: set[str] = set()
        for lang in ("en", "zh"):
            answer |= self.bag(entry.answer.get(lang)).words
        return FaqDocument(
            entry.id, "faq", phrasings, frozenset(keywords), frozenset(answer), entry
        )

    @staticmethod
    def _weights(documents: Iterable[FaqDocument]) -> Weights:
        documents = list(documents)
        total = len(documents)
        word_df: Counter[str] = Counter()
        gram_df: Counter[str] = Counter()
        for document in documents:
            word_df.update(document.all_words | document.answer_words)
            gram_df.update(document.all_grams)

        def idf(df: int) -> float:
            return math.log((total + 1) / (df + 0.5))

        return Weights(
            words={t: idf(df) for t, df in word_df.items()},
            grams={t: idf(df) for t, df in gram_df.items()},
            unseen=idf(0),
        )

    def correct(self, words: Iterable[str]) -> list[str]:
        """Replace misspelt English words by the closest FAQ word (typos: 'quotaton', 'fundng');
        a real English word is left alone ("sorry" is not "story", "bother" not "other")."""
        fixed = []
        for word in words:
            if (
                len(word) >= 4
                and word.isascii()
                and word.isalpha()
                and word not in self.vocabulary
                and word not in english_words()
            ):
                best = process.extractOne(
                    word, self._close_spellings(word), scorer=fuzz.ratio, score_cutoff=80
                )
                if best is not None:
                    word = best[0]
            fixed.append(word)
        return fixed

    def _close_spellings(self, word: str) -> list[str]:
        """The spellings that may score 80 against ``word``, in their order (so the same one
        wins a tie): fuzz.ratio is 2·(longest common subsequence) / (sum of the lengths), and a
        common subsequence has no more of a letter than either word."""
        common = np.minimum(self._letters, _letter_counts(word)).sum(axis=1, dtype=np.int64)
        close = 5 * common >= 2 * (self._spelling_lengths + len(word))
        return [self._spellings[i] for i in np.flatnonzero(close)]

    def query(self, text: str) -> Bag:
        """A user's question as a bag; single Chinese characters count only if the FAQ uses them
        (片 in 條片 does; stray characters of a typo or an unknown name do not)."""
        bag = self.bag(text)
        words = {
            w
            for w in self.correct(bag.words)
            if not (len(w) == 1 and CJK.match(w)) or w in self.weights.words
        }
        return Bag(bag.folded, frozenset(words), bag.grams)

    def _touched(self, query: Bag) -> _Touched:
        """Every document sharing a token with ``query``, with all its features but ``fuzzy``,
        and its best phrasing. The work is proportional to the postings of the query's tokens
        (plus a byte per place, to mark the touched ones): only the phrasings and documents
        they touch are looked at."""
        w = self.weights
        # Sorted, so each place adds its shared weights up in the same order in every process.
        words, grams = sorted(query.words), sorted(query.grams)
        q_words, q_grams = w.total(words, w.words), w.total(grams, w.grams)
        arrays, weights = [], []
        for tokens, table, postings in (
            (words, w.words, self._word_codes),
            (grams, w.grams, self._gram_codes),
        ):
            for token in tokens:
                codes = postings.get(token)
                if codes is not None:
                    arrays.append(codes)
                    weights.append(table[token])
        if not arrays:
            nothing = np.zeros(0, dtype=np.intp)
            return _Touched(nothing, {name: np.zeros(0) for name in _SHARED}, nothing)
        codes = np.concatenate(arrays)
        places, columns = codes >> _COLUMN_BITS, codes & ((1 << _COLUMN_BITS) - 1)
        marked = np.zeros(len(self._flat) + len(self.documents), dtype=bool)
        marked[places] = True
        touched = np.flatnonzero(marked)
        size = len(touched)
        rank = np.empty(len(marked), dtype=codes.dtype)  # read only where just written
        rank[touched] = np.arange(size)
        # Column after column, so that each is one contiguous array.
        shared = np.bincount(
            columns * size + rank[places],
            weights=np.repeat(weights, [len(a) for a in arrays]),
            minlength=_COLUMNS * size,
        ).reshape(_COLUMNS, size)
        count = int(np.searchsorted(touched, len(self._flat)))  # touched phrasings come first
        phrasings, docs = touched[:count], touched[count:] - len(self._flat)
        # Divided by 1 where the query has no words (or grams): it then shares none either.
        q_words, q_grams = q_words or 1.0, q_grams or 1.0
        # Each touched phrasing's word and gram similarity, the reference's arithmetic.
        words_shared, grams_shared = shared[0, :count], shared[1, :count]
        word_sim = _blend(words_shared / q_words, words_shared / self._p_words[phrasings])
        gram_sim = _blend(grams_shared / q_grams, grams_shared / self._p_grams[phrasings])
        # _strength as integers: np.round(x, 9) is rint(x·1e9) / 1e9, so these tie exactly
        # when the rounded strengths do. A phrasing's key subtracts its place, so that the
        # largest key of a document is its best phrasing and, on a tie, its first.
        strength = np.rint((word_sim + 0.5 * gram_sim) * 1e9).astype(np.int64)
        keys = (strength << _POSITION_BITS) - np.arange(count)
        # The touched phrasings ascend, so each document's are one run.
        owner = self._owner[phrasings]
        starts = np.flatnonzero(owner[1:] != owner[:-1]) + 1
        best_keys = np.maximum.reduceat(keys, np.concatenate(([0], starts))) if count else keys
        first = -best_keys[best_keys > 0] & ((1 << _POSITION_BITS) - 1)  # a positive strength
        # Every document with a touched phrasing is touched itself (its words and grams
        # include the phrasing's).
        at = np.searchsorted(docs, owner[first])
        best = np.full(len(docs), -1, dtype=np.intp)
        best[at] = phrasings[first]
        phrase_words, phrase_grams = np.zeros(len(docs)), np.zeros(len(docs))
        phrase_words[at] = word_sim[first]
        phrase_grams[at] = gram_sim[first]
        features = {
            "phrase_words": phrase_words,
            "phrase_grams": phrase_grams,
            "entry_words": shared[0, count:] / q_words,
            "entry_grams": shared[1, count:] / q_grams,
            "answer_words": shared[2, count:] / q_words,
        }
        return _Touched(docs, features, best)

    def _fuzzy(self, folded: str, phrasings: np.ndarray) -> np.ndarray:
        """rapidfuzz similarity of ``folded`` and each of ``phrasings``, from 0 to 1, in double
        precision as ``fuzz.ratio`` gives it."""
        if not len(phrasings):
            return np.zeros(0)
        choices = self._folded[phrasings].tolist()
        ratios = process.cdist([folded], choices, scorer=fuzz.ratio, dtype=np.float64)[0]
        return np.asarray(ratios, dtype=np.float64) / 100

    def features(self, query: Bag) -> dict[int, dict[str, float]]:
        """The features of every document sharing a token with ``query``, each from 0
        (unrelated) to 1 (``tests/reference_search.py`` computes the same entry by entry)."""
        touched = self._touched(query)
        found = touched.best >= 0
        fuzzy = np.zeros(len(touched.docs))
        fuzzy[found] = self._fuzzy(query.folded, touched.best[found])
        values = {**touched.features, "fuzzy": fuzzy}
        keep = found | (values["entry_words"] > 0) | (values["answer_words"] > 0)
        return {
            int(touched.docs[i]): {name: float(values[name][i]) for name in FEATURES}
            for i in np.flatnonzero(keep)
        }

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        """The ``limit`` best entries for ``text``, best first (entries scoring 0 left out).

        The index never changes once built, so the same question gets the same hits: the most
        recent questions are remembered (people press the same suggested questions, and ask
        the same few things, many times a day)."""
        key = (text, limit)
        recent = self.__dict__.setdefault("_recent", OrderedDict())
        if key in recent:
            recent.move_to_end(key)
            return list(recent[key])
        hits = self._search(text, limit)
        recent[key] = tuple(hits)
        if len(recent) > RECENT_QUESTIONS:
            recent.popitem(last=False)
        return hits

    def _search(self, text: str, limit: int) -> list[Hit]:
        query = self.query(text)
        if limit < 1 or (not query.words and not query.grams):
            return []
        touched = self._touched(query)
        docs, features, best = touched.docs, touched.features, touched.best
        count = len(docs)
        fuzzy = np.zeros(count)
        pending = np.flatnonzero(best >= 0)  # the documents whose fuzzy is still to compute
        if len(pending) > _ALL_FUZZY:
            self._fuzzy_for_the_top(query.folded, touched, fuzzy, pending, limit)
        else:
            fuzzy[pending] = self._fuzzy(query.folded, best[pending])
        scores = score({**features, "fuzzy": fuzzy})
        # Documents left with fuzzy 0 scored below the limit-th: the top is among the scores
        # within rounding of it.
        floor = np.partition(scores, count - limit)[count - limit] if limit <= count else 0.0
        candidates = np.flatnonzero((scores > 0) & (scores >= floor - _SCORE_SLACK))
        # Ties (to 9 places) go to the entry listed first, whatever order the floats summed in.
        top = heapq.nlargest(
            limit, candidates, key=lambda i: (round(float(scores[i]), 9), -int(docs[i]))
        )
        return [Hit(self.documents[int(docs[i])], float(scores[i])) for i in top]

    def _fuzzy_for_the_top(
        self, folded: str, touched: _Touched, fuzzy: np.ndarray, pending: np.ndarray, limit: int
    ) -> None:
        """Fill in ``fuzzy`` for the ``pending`` documents that can make the top ``limit``.

        The scorer's sum only grows with a feature, in floating point too, so each score lies
        between its score with fuzzy 0 and its score with fuzzy at its bound (``_fuzzy_bound``).
        Fuzzy is computed best bound first, until no document left can reach the limit-th
        score, even rounded to 9 places; the others keep fuzzy 0 and score below it."""
        features, best, count = touched.features, touched.best, len(touched.docs)
        scores = score({**features, "fuzzy": fuzzy})  # exact where no phrasing matched
        bound = _fuzzy_bound(len(folded), self._lengths[best[pending]])
        upper = scores[pending] + WEIGHTS["fuzzy"] * (bound + _FUZZY_SLACK)
        batch_size = _FIRST_BATCH
        while len(pending):
            if limit <= count:
                kth = np.partition(scores, count - limit)[count - limit]
                keep = upper >= kth - _SCORE_SLACK
                pending, upper = pending[keep], upper[keep]
            if len(pending) > batch_size:  # the most promising first
                order = np.argpartition(-upper, batch_size)
                batch, later = order[:batch_size], order[batch_size:]
                batch, pending, upper = pending[batch], pending[later], upper[later]
            else:
                batch, pending = pending, pending[:0]
            fuzzy[batch] = self._fuzzy(folded, best[batch])
            scores[batch] = score(
                {name: features[name][batch] for name in _SHARED} | {"fuzzy": fuzzy[batch]}
            )
            batch_size *= 4
