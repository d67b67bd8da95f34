"""Rank FAQ entries against a question; below a confidence threshold, admit it.

Each entry is a searchable document with a ``compare(query) -> float`` score in [0, 1], ranked
with ``heapq.nlargest`` (the shape of python-telegram-bot's rules-bot search). The score mixes
four signals, all computed on the folded form (see ``normalise``):

- how much of the question's weight (IDF over entries) the best-matching phrasing explains, and
  how much of that phrasing the question covers;
- the same over character bigrams, which survive segmentation differences and typos;
- rapidfuzz similarity of the folded strings;
- how much of the question the entry's keywords and phrasings explain taken together.

Words the FAQ never uses carry the highest weight, so "will it rain tomorrow" explains nothing
and scores near zero instead of matching the entry with the most common words.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge.models import LANGS, FaqEntry, Lang
from knowledge.normalise import Normaliser

MATCH_THRESHOLD = 0.42
SUGGEST_THRESHOLD = 0.16

_WEIGHTS = {"words": 0.40, "grams": 0.20, "fuzzy": 0.15, "entry": 0.25}


@dataclass(frozen=True)
class Query:
    """A question as the index sees it."""

    text: str
    folded: str
    words: frozenset[str]
    grams: frozenset[str]


@dataclass(frozen=True)
class Phrasing:
    """One way of asking an entry's question, pre-folded."""

    text: str
    lang: Lang
    folded: str
    words: frozenset[str]
    grams: frozenset[str]


@dataclass(frozen=True)
class Weights:
    """Inverse document frequencies over entries; unseen features weigh the most."""

    words: dict[str, float]
    grams: dict[str, float]
    unseen: float

    def word(self, token: str) -> float:
        return self.words.get(token, self.unseen)

    def gram(self, token: str) -> float:
        return self.grams.get(token, self.unseen)


def _overlap(query: frozenset[str], other: frozenset[str], weight: dict[str, float],
             unseen: float) -> tuple[float, float]:
    """(share of the query's weight found in ``other``, share of ``other``'s weight matched)."""
    if not query or not other:
        return 0.0, 0.0
    shared = sum(weight.get(t, unseen) for t in query & other)
    if not shared:
        return 0.0, 0.0
    total_q = sum(weight.get(t, unseen) for t in query)
    total_o = sum(weight.get(t, unseen) for t in other)
    return shared / total_q, shared / total_o


def _blend(recall: float, precision: float) -> float:
    """Weighted towards recall: a short question inside a long phrasing is still a good match."""
    return 0.65 * recall + 0.35 * precision


@dataclass
class FaqDocument:
    """An FAQ entry as a searchable document."""

    entry: FaqEntry
    phrasings: tuple[Phrasing, ...]
    keywords: frozenset[str]
    all_words: frozenset[str] = field(init=False)
    all_grams: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        words: set[str] = set(self.keywords)
        grams: set[str] = set()
        for phrasing in self.phrasings:
            words |= phrasing.words
            grams |= phrasing.grams
        self.all_words = frozenset(words)
        self.all_grams = frozenset(grams)

    def compare(self, query: Query, weights: Weights) -> float:
        """How well this entry answers ``query``, from 0 (unrelated) to 1."""
        best = 0.0
        for phrasing in self.phrasings:
            word_sim = _blend(*_overlap(query.words, phrasing.words, weights.words, weights.unseen))
            gram_sim = _blend(*_overlap(query.grams, phrasing.grams, weights.grams, weights.unseen))
            if word_sim == 0.0 and gram_sim == 0.0:
                continue
            fuzzy = fuzz.ratio(query.folded, phrasing.folded) / 100.0
            score = (
                _WEIGHTS["words"] * word_sim
                + _WEIGHTS["grams"] * gram_sim
                + _WEIGHTS["fuzzy"] * fuzzy
            )
            best = max(best, score)
        if best == 0.0:
            return 0.0
        entry_recall, _ = _overlap(query.words, self.all_words, weights.words, weights.unseen)
        gram_recall, _ = _overlap(query.grams, self.all_grams, weights.grams, weights.unseen)
        coverage = max(entry_recall, gram_recall) if not query.words else entry_recall
        return best + _WEIGHTS["entry"] * coverage

    def question(self, lang: Lang) -> str:
        return self.entry.questions.get(lang)[0]


@dataclass(frozen=True)
class Hit:
    """A ranked search result."""

    document: FaqDocument
    score: float

    @property
    def entry(self) -> FaqEntry:
        return self.document.entry


class FaqIndex:
    """All FAQ entries, folded once at start-up, searchable many times."""

    def __init__(self, entries: Sequence[FaqEntry], normaliser: Normaliser) -> None:
        self.normaliser = normaliser
        english: list[str] = []
        self.documents: list[FaqDocument] = []
        for entry in entries:
            phrasings = []
            for lang in LANGS:
                for text in entry.questions.get(lang):
                    folded = normaliser.fold(text)
                    words = normaliser.words(folded)
                    english.extend(words)
                    phrasings.append(
                        Phrasing(text, lang, folded, frozenset(words),
                                 frozenset(normaliser.bigrams(folded)))
                    )
            keywords: set[str] = set()
            for keyword in entry.keywords:
                folded = normaliser.fold(keyword)
                keywords.update(normaliser.words(folded))
                english.extend(normaliser.words(folded))
            self.documents.append(FaqDocument(entry, tuple(phrasings), frozenset(keywords)))
        self.vocabulary = frozenset(w for w in english if w.isascii() and w.isalpha() and len(w) >= 4)
        self.weights = self._weights(self.documents)

    @staticmethod
    def _weights(documents: Iterable[FaqDocument]) -> Weights:
        documents = list(documents)
        total = len(documents)
        word_df: Counter[str] = Counter()
        gram_df: Counter[str] = Counter()
        for document in documents:
            word_df.update(document.all_words)
            gram_df.update(document.all_grams)

        def idf(df: int) -> float:
            return math.log((total + 1) / (df + 0.5))

        return Weights(
            words={t: idf(df) for t, df in word_df.items()},
            grams={t: idf(df) for t, df in gram_df.items()},
            unseen=idf(0),
        )

    def correct(self, words: list[str]) -> list[str]:
        """Replace unknown English words by the closest FAQ word (typos: 'quotaton', 'fundng')."""
        fixed = []
        for word in words:
            if len(word) >= 4 and word.isascii() and word.isalpha() and word not in self.vocabulary:
                best = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80)
                if best is not None:
                    word = best[0]
            fixed.append(word)
        return fixed

    def query(self, text: str) -> Query:
        folded = self.normaliser.fold(text)
        words = self.correct(self.normaliser.words(folded))
        return Query(text, folded, frozenset(words), frozenset(self.normaliser.bigrams(folded)))

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        """The ``limit`` best entries for ``text``, best first (entries scoring 0 left out)."""
        query = self.query(text)
        if not query.words and not query.grams:
            return []
        scored = (Hit(doc, doc.compare(query, self.weights)) for doc in self.documents)
        return [hit for hit in heapq.nlargest(limit, scored, key=lambda h: h.score) if hit.score > 0]
