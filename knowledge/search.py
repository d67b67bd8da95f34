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

import heapq
import math
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.models import LANGS, FaqEntry, Intent, Lang, Questions
from knowledge.normalise import Normaliser
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
        """Token → where it occurs, as arrays, so a query touches only what shares a token and
        the per-phrasing arithmetic runs over whole arrays at once."""
        w = self.weights
        phrasings: list[Phrasing] = []
        owner: list[int] = []
        word_post: dict[str, list[int]] = defaultdict(list)
        gram_post: dict[str, list[int]] = defaultdict(list)
        entry_post: dict[str, list[int]] = defaultdict(list)
        entry_gram_post: dict[str, list[int]] = defaultdict(list)
        answer_post: dict[str, list[int]] = defaultdict(list)
        for d, document in enumerate(self.documents):
            for phrasing in document.phrasings:
                for token in phrasing.bag.words:
                    word_post[token].append(len(phrasings))
                for token in phrasing.bag.grams:
                    gram_post[token].append(len(phrasings))
                phrasings.append(phrasing)
                owner.append(d)
            for token in document.all_words:
                entry_post[token].append(d)
            for token in document.all_grams:
                entry_gram_post[token].append(d)
            for token in document.answer_words:
                answer_post[token].append(d)

        def arrays(post: dict[str, list[int]]) -> dict[str, np.ndarray]:
            return {token: np.asarray(where, dtype=np.intp) for token, where in post.items()}

        self._flat = tuple(phrasings)
        self._owner = np.asarray(owner, dtype=np.intp)
        self._folded = np.asarray([p.bag.folded for p in phrasings], dtype=object)
        if len(set(owner)) != len(self.documents):
            raise ValueError("every FAQ entry and intent needs at least one phrasing")
        # Phrasings are stored document by document: where each document's run starts.
        self._starts = np.searchsorted(self._owner, np.arange(len(self.documents)))
        self._p_words = np.asarray([w.total(p.bag.words, w.words) for p in phrasings])
        self._p_grams = np.asarray([w.total(p.bag.grams, w.grams) for p in phrasings])
        self._word_post = arrays(word_post)
        self._gram_post = arrays(gram_post)
        self._entry_post = arrays(entry_post)
        self._entry_gram_post = arrays(entry_gram_post)
        self._answer_post = arrays(answer_post)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the normaliser (a jieba tokenizer): the loader plugs the live one in."""
        state = self.__dict__.copy()
        state["normaliser"] = None
        state.pop("_recent", None)
        return state

    def bag(self, text: str) -> Bag:
        folded = self.normaliser.fold(text)
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
        """Replace unknown English words by the closest FAQ word (typos: 'quotaton', 'fundng')."""
        fixed = []
        for word in words:
            if len(word) >= 4 and word.isascii() and word.isalpha() and word not in self.vocabulary:
                best = process.extractOne(word, self._spellings, scorer=fuzz.ratio, score_cutoff=80)
                if best is not None:
                    word = best[0]
            fixed.append(word)
        return fixed

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

    def _accumulate(
        self, tokens: frozenset[str], table: dict[str, float], post: dict[str, np.ndarray], size: int
    ) -> tuple[float, np.ndarray]:
        """(the query's total weight, the weight each place shares with it)."""
        shared = np.zeros(size)
        for token in tokens:
            where = post.get(token)
            if where is not None:
                shared[where] += table.get(token, self.weights.unseen)
        return self.weights.total(tokens, table), shared

    def _feature_arrays(self, query: Bag) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Every feature for every document (arrays over documents), and the index of each
        document's best phrasing (-1 where none shares a token)."""
        w = self.weights
        n_docs, n_phrasings = len(self.documents), len(self._flat)
        q_words, shared_words = self._accumulate(query.words, w.words, self._word_post, n_phrasings)
        q_grams, shared_grams = self._accumulate(query.grams, w.grams, self._gram_post, n_phrasings)
        _, entry = self._accumulate(query.words, w.words, self._entry_post, n_docs)
        _, entry_grams = self._accumulate(query.grams, w.grams, self._entry_gram_post, n_docs)
        _, answer = self._accumulate(query.words, w.words, self._answer_post, n_docs)
        with np.errstate(divide="ignore", invalid="ignore"):
            word_sim = np.where(
                shared_words > 0, _blend(shared_words / q_words, shared_words / self._p_words), 0.0
            )
            gram_sim = np.where(
                shared_grams > 0, _blend(shared_grams / q_grams, shared_grams / self._p_grams), 0.0
            )
        combined = np.round(word_sim + 0.5 * gram_sim, 9)  # as _strength: ties stay ties
        # Each document's best phrasing; on a tie the first (the reference does the same).
        doc_best = np.maximum.reduceat(combined, self._starts)
        is_best = (combined > 0) & (combined == doc_best[self._owner])
        positions = np.where(is_best, np.arange(n_phrasings), n_phrasings)
        best = np.minimum.reduceat(positions, self._starts)
        found = best < n_phrasings
        best = np.where(found, best, -1)
        fuzzy = np.zeros(n_docs)
        if found.any():
            choices = self._folded[best[found]].tolist()
            fuzzy[found] = process.cdist([query.folded], choices, scorer=fuzz.ratio)[0] / 100
        at = np.where(found, best, 0)
        features = {
            "phrase_words": np.where(found, word_sim[at], 0.0),
            "phrase_grams": np.where(found, gram_sim[at], 0.0),
            "fuzzy": fuzzy,
            "entry_words": entry / q_words if q_words else np.zeros(n_docs),
            "entry_grams": entry_grams / q_grams if q_grams else np.zeros(n_docs),
            "answer_words": answer / q_words if q_words else np.zeros(n_docs),
        }
        return features, best

    def features(self, query: Bag) -> dict[int, dict[str, float]]:
        """The features of every document sharing a token with ``query``, each from 0
        (unrelated) to 1 (``tests/reference_search.py`` computes the same entry by entry)."""
        features, best = self._feature_arrays(query)
        touched = (best >= 0) | (features["entry_words"] > 0) | (features["answer_words"] > 0)
        return {
            int(d): {name: float(values[d]) for name, values in features.items()}
            for d in np.flatnonzero(touched)
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
        if not query.words and not query.grams:
            return []
        features, _ = self._feature_arrays(query)
        scores = score(features)
        candidates = np.flatnonzero(scores > 0)
        # Ties (to 9 places) go to the entry listed first, whatever order the floats summed in.
        best = heapq.nlargest(
            limit, candidates, key=lambda d: (round(float(scores[d]), 9), -int(d))
        )
        return [Hit(self.documents[d], float(scores[d])) for d in best]
