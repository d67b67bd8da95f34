"""The search-index cache: same answers as a fresh build, and never a reason to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.answer import Assistant
from knowledge.cache import cache_dir, index_key
from knowledge.loader import KnowledgeBase

QUESTIONS = ["實地評估資助幾多錢？", "How many quotations for HK$60,000?", "明天会下雨吗"]


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CPPBOT_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_cached_index_answers_like_a_fresh_build(
    kb: KnowledgeBase, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Assistant(kb)  # builds and stores
    assert [own_cache / f"index-{index_key(kb)}.pickle"] == list(own_cache.iterdir())
    second = Assistant(kb)  # loads
    monkeypatch.setenv("CPPBOT_NO_CACHE", "1")
    fresh = Assistant(kb)
    for question in QUESTIONS:
        expected = fresh.ask(question).to_dict()
        assert expected == first.ask(question).to_dict() == second.ask(question).to_dict()


def test_corrupt_cache_is_rebuilt(kb: KnowledgeBase, own_cache: Path) -> None:
    (own_cache / f"index-{index_key(kb)}.pickle").write_bytes(b"not a pickle")
    assistant = Assistant(kb)
    assert assistant.ask("有冇熱線可以打？").matched


def test_unwritable_cache_directory_is_harmless(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CPPBOT_CACHE_DIR", str(blocker / "sub"))
    assert blocker / "sub" == cache_dir()
    assert Assistant(kb).ask("有冇熱線可以打？").matched


def test_editing_the_data_changes_the_key(kb: KnowledgeBase, data_copy: Path) -> None:
    from knowledge.loader import load_knowledge

    (data_copy / "faq" / "contact.yaml").write_text(
        (data_copy / "faq" / "contact.yaml").read_text(encoding="utf-8") + "\n# edited\n",
        encoding="utf-8",
    )
    assert index_key(kb) != index_key(load_knowledge(data_copy))
