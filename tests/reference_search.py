"""A reference version of the search features, computed entry by entry the plain way.

The product computes them once for all entries through the postings (``FaqIndex.features``);
``tests/test_search.py`` checks that both give the same numbers, so a faster index can never
quietly change what the bot answers.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from knowledge.search import Bag, FaqDocument, Weights, _blend, _strength


def _overlap(
    query: frozenset[str], other: frozenset[str], table: dict[str, float], weights: Weights
) -> tuple[float, float]:
    """(share of the query's weight found in ``other``, share of ``other``'s weight matched)."""
    if not query or not other:
        return 0.0, 0.0
    shared = weights.total(query & other, table)
    if not shared:
        return 0.0, 0.0
    return shared / weights.total(query, table), shared / weights.total(other, table)


def features(document: FaqDocument, query: Bag, weights: Weights) -> dict[str, float]:
    """The signals the scorer weighs, each from 0 (unrelated) to 1, for one entry."""
    best = (0.0, 0.0, 0.0, 0.0)
    for phrasing in document.phrasings:
        bag = phrasing.bag
        word_sim = _blend(*_overlap(query.words, bag.words, weights.words, weights))
        gram_sim = _blend(*_overlap(query.grams, bag.grams, weights.grams, weights))
        if word_sim == 0.0 and gram_sim == 0.0:
            continue
        combined = _strength(word_sim, gram_sim)
        if combined > best[0]:
            best = (combined, word_sim, gram_sim, fuzz.ratio(query.folded, bag.folded) / 100)
    entry_words, _ = _overlap(query.words, document.all_words, weights.words, weights)
    entry_grams, _ = _overlap(query.grams, document.all_grams, weights.grams, weights)
    answer_words, _ = _overlap(query.words, document.answer_words, weights.words, weights)
    return {
        "phrase_words": best[1],
        "phrase_grams": best[2],
        "fuzzy": best[3],
        "entry_words": entry_words,
        "entry_grams": entry_grams,
        "answer_words": answer_words,
    }
