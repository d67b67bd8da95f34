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
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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


def score(features: dict[str, float]) -> float:
    """How well an entry answers a query: the fitted weighted sum of its features (the one
    scorer; ``tests/reference_search.py`` recomputes the features entry by entry to check it)."""
    return sum(WEIGHTS[name] * value for name, value in features.items())


def _blend(recall: float, precision: float) -> float:
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
        """Token → where it occurs, so a query only touches the phrasings that share a token."""
        w = self.weights
        self._flat: list[tuple[int, Phrasing, float, float]] = []
        self._word_post: dict[str, list[int]] = defaultdict(list)
        self._gram_post: dict[str, list[int]] = defaultdict(list)
        self._entry_post: dict[str, list[int]] = defaultdict(list)
        self._answer_post: dict[str, list[int]] = defaultdict(list)
        for d, document in enumerate(self.documents):
            for phrasing in document.phrasings:
                p = len(self._flat)
                self._flat.append(
                    (
                        d,
                        phrasing,
                        w.total(phrasing.bag.words, w.words),
                        w.total(phrasing.bag.grams, w.grams),
                    )
                )
                for token in phrasing.bag.words:
                    self._word_post[token].append(p)
                for token in phrasing.bag.grams:
                    self._gram_post[token].append(p)
            for token in document.all_words:
                self._entry_post[token].append(d)
            for token in document.answer_words:
                self._answer_post[token].append(d)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the normaliser (a jieba tokenizer): the loader plugs the live one in."""
        state = self.__dict__.copy()
        state["normaliser"] = None
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

    def features(self, query: Bag) -> dict[int, dict[str, float]]:
        """``FaqDocument.features`` for every document sharing a token with ``query``, computed
        through the postings (same numbers, a fraction of the work)."""
        w = self.weights
        q_words = w.total(query.words, w.words)
        q_grams = w.total(query.grams, w.grams)
        shared_words: dict[int, float] = defaultdict(float)
        shared_grams: dict[int, float] = defaultdict(float)
        entry: dict[int, float] = defaultdict(float)
        answer: dict[int, float] = defaultdict(float)
        for token in query.words:
            weight = w.words.get(token, w.unseen)
            for p in self._word_post.get(token, ()):
                shared_words[p] += weight
            for d in self._entry_post.get(token, ()):
                entry[d] += weight
            for d in self._answer_post.get(token, ()):
                answer[d] += weight
        for token in query.grams:
            weight = w.grams.get(token, w.unseen)
            for p in self._gram_post.get(token, ()):
                shared_grams[p] += weight
        best: dict[int, tuple[float, float, float, Phrasing]] = {}
        for p in sorted(shared_words.keys() | shared_grams.keys()):
            d, phrasing, p_words, p_grams = self._flat[p]
            sw, sg = shared_words.get(p, 0.0), shared_grams.get(p, 0.0)
            word_sim = _blend(sw / q_words, sw / p_words) if sw else 0.0
            gram_sim = _blend(sg / q_grams, sg / p_grams) if sg else 0.0
            combined = _strength(word_sim, gram_sim)
            if d not in best or combined > best[d][0]:
                best[d] = (combined, word_sim, gram_sim, phrasing)
        out: dict[int, dict[str, float]] = {}
        for d in best.keys() | entry.keys() | answer.keys():
            found = best.get(d)
            document = self.documents[d]
            shared = w.total(query.grams & document.all_grams, w.grams) if query.grams else 0.0
            out[d] = {
                "phrase_words": found[1] if found else 0.0,
                "phrase_grams": found[2] if found else 0.0,
                "fuzzy": fuzz.ratio(query.folded, found[3].bag.folded) / 100 if found else 0.0,
                "entry_words": entry.get(d, 0.0) / q_words if q_words else 0.0,
                "entry_grams": shared / q_grams if q_grams else 0.0,
                "answer_words": answer.get(d, 0.0) / q_words if q_words else 0.0,
            }
        return out

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        """The ``limit`` best entries for ``text``, best first (entries scoring 0 left out)."""
        query = self.query(text)
        if not query.words and not query.grams:
            return []
        scored = ((d, score(features)) for d, features in self.features(query).items())
        # Ties (to 9 places) go to the entry listed first, whatever order the floats summed in.
        best = heapq.nlargest(limit, scored, key=lambda hit: (round(hit[1], 9), -hit[0]))
        return [Hit(self.documents[d], score) for d, score in best if score > 0]
