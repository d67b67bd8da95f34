"""The search index: the fast postings path computes exactly what each entry's compare does."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from knowledge import search
from knowledge.answer import Assistant
from knowledge.evaluate import Enquiry, load_enquiries
from knowledge.loader import KnowledgeBase
from knowledge.models import LANGS, FaqEntry, Questions
from knowledge.search import FaqIndex
from tests.conftest import EVAL_DIR
from tests.reference_search import features, ranking

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "實地評估資助幾多錢？",
    "DP(II) 上限幾多?",
    "How many quotations for HK$60,000?",
    "采购金额在5万港元以内需要几份报价？",
    "what's the weather tomorrow",
    "OSI 可以 fund 幾多%",
    "標志計劃幾時截止",
    "報介",
    "a",
]
# Inputs at the edges: nothing left after folding, one character, emoji, 500 characters.
ODD_QUESTIONS = [
    "",
    "   ",
    "？！。……",
    "報",
    "x",
    "😀",
    "👍🏻🙏",
    "quotaton fundng",  # typos, corrected to FAQ words
    ("實地評估資助幾多錢？" * 50)[:500],
    ("how much funding for an on-site assessment " * 12)[:500],
    ("OSI 可以 fund 幾多% DP(II) 上限 " * 20)[:500],
]


def _eval_enquiries() -> list[Enquiry]:
    enquiries: list[Enquiry] = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        enquiries.extend(load_enquiries(path))
    return enquiries


def _sample(enquiries: list[Enquiry], count: int) -> list[str]:
    """About ``count`` questions spread evenly over the sets, in every language."""
    sample: list[str] = []
    for lang in LANGS:
        questions = [e.q for e in enquiries if e.lang == lang]
        step = max(1, len(questions) * len(LANGS) // count)
        sample.extend(questions[::step][: count // len(LANGS) + 1])
    return sample


EVAL_QUESTIONS = [e.q for e in _eval_enquiries()]
SAMPLE = _sample(_eval_enquiries(), 40)


@pytest.mark.parametrize("question", QUESTIONS + SAMPLE + ODD_QUESTIONS)
def test_postings_path_equals_the_reference(assistant: Assistant, question: str) -> None:
    index = assistant.index
    query = index.query(question)
    fast = index.features(query)
    for number, document in enumerate(index.documents):
        reference = features(document, query, index.weights)
        got = fast.get(number, dict.fromkeys(reference, 0.0))
        # The same arithmetic but for the order the shared weights add up in (the reference
        # sums them exactly): equal but for the last bits.
        assert reference == pytest.approx(got, rel=1e-12, abs=1e-15), document.id


def test_the_sample_covers_every_language() -> None:
    langs = {e.lang for e in _eval_enquiries() if e.q in SAMPLE}
    assert set(LANGS) == langs and len(SAMPLE) >= 40


def test_search_ranks_every_eval_question_as_the_reference(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hits (ids, and scores to 9 places) are those of the plain computation entry by entry,
    for every question of the evaluation sets, whether fuzzy is computed for every matching
    entry or only for those whose bound can still make the top."""
    index, default, default_batch = assistant.index, search._ALL_FUZZY, search._FIRST_BATCH
    differ = []
    for question in EVAL_QUESTIONS + ODD_QUESTIONS:
        expected = [(id_, round(value, 9)) for id_, value in ranking(index, question)]
        monkeypatch.setattr(search, "_ALL_FUZZY", default)
        hits = [(hit.document.id, round(hit.score, 9)) for hit in index.search(question)]
        # Bound every score, compute fuzzy a document at a time (then 4, 16...), best first.
        monkeypatch.setattr(search, "_ALL_FUZZY", 0)
        monkeypatch.setattr(search, "_FIRST_BATCH", 1)
        bounded = [(hit.document.id, round(hit.score, 9)) for hit in index._search(question, 5)]
        monkeypatch.setattr(search, "_FIRST_BATCH", default_batch)
        if not hits == bounded == expected:
            differ.append(f"{question!r}: {hits} / {bounded} != {expected}")
    assert [] == differ
    assert len(EVAL_QUESTIONS) > 400


# fuzzy for every document with a matching phrasing, or bounded: 64 documents first, or 1.
FUZZY_PATHS = [(10**6, 64), (0, 64), (0, 1)]


@pytest.mark.parametrize(("all_fuzzy", "first_batch"), FUZZY_PATHS)
@pytest.mark.parametrize("limit", [1, 2, 10, 200])
def test_other_limits_rank_as_the_reference(
    assistant: Assistant,
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
    all_fuzzy: int,
    first_batch: int,
) -> None:
    monkeypatch.setattr(search, "_ALL_FUZZY", all_fuzzy)
    monkeypatch.setattr(search, "_FIRST_BATCH", first_batch)
    index = assistant.index
    for question in SAMPLE[::4] + QUESTIONS:
        hits = [(hit.document.id, round(hit.score, 9)) for hit in index._search(question, limit)]
        expected = [(id_, round(v, 9)) for id_, v in ranking(index, question, limit)]
        assert expected == hits, question


@pytest.fixture(scope="module")
def copied_index(kb: KnowledgeBase, assistant: Assistant) -> FaqIndex:
    """40 FAQ entries, each also copied twice with a word of its own added to its phrasings:
    many documents that tie, or nearly, as in a large FAQ."""
    entries: list[FaqEntry] = list(kb.faq[:40])
    for word in ("zqb", "zqc"):
        for entry in kb.faq[:40]:
            questions = Questions(
                **{lang: tuple(f"{q} {word}" for q in entry.questions.get(lang)) for lang in LANGS}
            )
            entries.append(
                entry.model_copy(update={"id": f"{entry.id}_{word}", "questions": questions})
            )
    return FaqIndex(entries, assistant.index.normaliser, kb.intents)


@pytest.mark.parametrize(("all_fuzzy", "first_batch"), FUZZY_PATHS)
def test_near_copies_rank_as_the_reference(
    copied_index: FaqIndex, monkeypatch: pytest.MonkeyPatch, all_fuzzy: int, first_batch: int
) -> None:
    monkeypatch.setattr(search, "_ALL_FUZZY", all_fuzzy)
    monkeypatch.setattr(search, "_FIRST_BATCH", first_batch)
    for question in SAMPLE[::2] + QUESTIONS[:4]:
        for limit in (1, 5, 12):
            hits = [
                (h.document.id, round(h.score, 9)) for h in copied_index._search(question, limit)
            ]
            expected = [(id_, round(v, 9)) for id_, v in ranking(copied_index, question, limit)]
            assert expected == hits, (question, limit)


TEXTS = st.text(alphabet=st.sampled_from("abcdeé申請資助 ?😀"), max_size=30)


@settings(max_examples=300, deadline=None)
@given(TEXTS.filter(bool), st.lists(TEXTS.filter(bool), min_size=1, max_size=5))
def test_fuzzy_never_exceeds_its_bound(text: str, others: list[str]) -> None:
    bound = search._fuzzy_bound(len(text), np.asarray([len(o) for o in others], dtype=float))
    for other, most in zip(others, bound, strict=True):
        assert fuzz.ratio(text, other) / 100 <= most + 1e-12


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_spelling_correction_looks_at_every_close_spelling(
    assistant: Assistant, data: st.DataObject
) -> None:
    """Typos of FAQ words (and other words) find the spelling that a search through every
    spelling finds."""
    index = assistant.index
    word = data.draw(st.sampled_from(index._spellings))
    at = data.draw(st.integers(0, len(word)))
    cut = data.draw(st.integers(0, 2))
    typo = word[:at] + data.draw(st.text(alphabet="aeilnorstuéz", max_size=3)) + word[at + cut :]
    every = process.extractOne(typo, index._spellings, scorer=fuzz.ratio, score_cutoff=80)
    close = process.extractOne(
        typo, index._close_spellings(typo), scorer=fuzz.ratio, score_cutoff=80
    )
    assert (every and every[:2]) == (close and close[:2])


def test_a_pickled_index_searches_alike(assistant: Assistant) -> None:
    """The index is cached as a pickle (knowledge/cache.py), without its normaliser."""
    index = assistant.index
    loaded = pickle.loads(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
    assert loaded.normaliser is None
    loaded.normaliser = index.normaliser
    for question in QUESTIONS:
        expected = [(hit.document.id, hit.score) for hit in index._search(question, 5)]
        assert expected == [(hit.document.id, hit.score) for hit in loaded._search(question, 5)]


def test_results_are_ranked_best_first(assistant: Assistant) -> None:
    hits = assistant.index.search("實地評估資助幾多錢？", limit=5)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True) and len(hits) == 5


def test_search_remembers_recent_questions(assistant: Assistant) -> None:
    index = assistant.index
    first = index.search("DP(II) 上限幾多?")
    assert first == index.search("DP(II) 上限幾多?")
    assert [(h.document.id, h.score) for h in first] == [
        (h.document.id, h.score) for h in index._search("DP(II) 上限幾多?", 5)
    ]


def test_nothing_to_search_finds_nothing(assistant: Assistant) -> None:
    for question in ("", "   ", "？！。……", "😀"):
        assert [] == assistant.index.search(question)
    assert [] == assistant.index._search("實地評估資助幾多錢？", 0)


_RANKINGS = """
import json, pathlib, sys
from knowledge.answer import Assistant
from knowledge.evaluate import load_enquiries
from knowledge.loader import default_knowledge
assistant = Assistant(default_knowledge())
out = {}
for path in sorted(pathlib.Path("tests/eval").glob("*.jsonl")):
    for enquiry in load_enquiries(path):
        hits = assistant.index.search(enquiry.q)
        out[enquiry.q] = {
            "ranking": [[h.document.id, h.score] for h in hits],  # to the last bit
            "answer": assistant.ask(enquiry.q).to_dict(),
        }
json.dump(out, sys.stdout)
"""


def test_rankings_do_not_change_with_the_hash_seed(tmp_path: Path) -> None:
    """A restarted bot gives the same answer to the same question: string hashing changes the
    order sets yield tokens in, which must not reorder tied entries or pick another phrasing."""
    runs = []
    for seed in ("0", "31"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "CPPBOT_CACHE_DIR": str(tmp_path / seed)}
        done = subprocess.run(
            [sys.executable, "-c", _RANKINGS], env=env, cwd=ROOT, capture_output=True, check=True
        )
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    assert len(runs[0]) > 400
