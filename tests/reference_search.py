"""A reference version of the search features, computed entry by entry the plain way.

The product computes them once for all entries through the postings (``FaqIndex.features``);
``tests/test_search.py`` checks that both give the same numbers, so a faster index can never
quietly change what the bot answers.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from knowledge.search import Bag, FaqDocument, FaqIndex, Weights, _blend, _strength, score


def _overlap(
    query: frozenset[str],
    other: frozenset[str],
    table: dict[str, float],
    weights: Weights,
    query_total: float,
) -> tuple[float, float]:
    """(share of the query's weight found in ``other``, share of ``other``'s weight matched);
    ``query_total`` is the query's weight, ``weights.total(query, table)``."""
    if not query or not other:
        return 0.0, 0.0
    shared = weights.total(query & other, table)
    if not shared:
        return 0.0, 0.0
    return shared / query_total, shared / weights.total(other, table)


def features(document: FaqDocument, query: Bag, weights: Weights) -> dict[str, float]:
    """The signals the scorer weighs, each from 0 (unrelated) to 1, for one entry."""
    q_words = weights.total(query.words, weights.words)
    q_grams = weights.total(query.grams, weights.grams)
    best = (0.0, 0.0, 0.0, 0.0)
    for phrasing in document.phrasings:
        bag = phrasing.bag
        word_sim = _blend(*_overlap(query.words, bag.words, weights.words, weights, q_words))
        gram_sim = _blend(*_overlap(query.grams, bag.grams, weights.grams, weights, q_grams))
        if word_sim == 0.0 and gram_sim == 0.0:
            continue
        combined = _strength(word_sim, gram_sim)
        if combined > best[0]:
            best = (combined, word_sim, gram_sim, fuzz.ratio(query.folded, bag.folded) / 100)
    words, grams, table = query.words, query.grams, weights.words
    entry_words, _ = _overlap(words, document.all_words, table, weights, q_words)
    entry_grams, _ = _overlap(grams, document.all_grams, weights.grams, weights, q_grams)
    answer_words, _ = _overlap(words, document.answer_words, table, weights, q_words)
    return {
        "phrase_words": best[1],
        "phrase_grams": best[2],
        "fuzzy": best[3],
        "entry_words": entry_words,
        "entry_grams": entry_grams,
        "answer_words": answer_words,
    }


def ranking(index: FaqIndex, text: str, limit: int = 5) -> list[tuple[str, float]]:
    """The ``limit`` best entries for ``text`` as (id, score), best first, computed the plain
    way: the reference features of every entry, the one scorer, ties (to 9 places) to the
    entry listed first, entries scoring 0 left out."""
    query = index.query(text)
    if not query.words and not query.grams:
        return []
    scored = []
    for number, document in enumerate(index.documents):
        words = document.all_words | document.answer_words
        if not (query.words & words or query.grams & document.all_grams):
            continue  # every feature 0
        value = score(features(document, query, index.weights))
        if value > 0:
            scored.append((-round(value, 9), number, value))
    scored.sort()
    return [(index.documents[number].id, value) for _, number, value in scored[:limit]]
