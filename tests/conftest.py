"""Shared fixtures: the real knowledge base and assistant, loaded once per test session."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import Storage
from knowledge.answer import Assistant
from knowledge.loader import DATA_DIR, KnowledgeBase, default_knowledge

# The tests never read or write the user's search-index cache.
os.environ.setdefault("CPPBOT_CACHE_DIR", tempfile.mkdtemp(prefix="cppbot-test-cache-"))

EVAL_DIR = Path(__file__).parent / "eval"
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture(scope="session")
def assistant(kb: KnowledgeBase) -> Assistant:
    return Assistant(kb)


@pytest.fixture
def fresh_db() -> Iterator[Storage]:
    """An empty in-memory database, as the bot's storage sees it."""
    storage = Storage.open(":memory:")
    yield storage
    storage.close()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge data, for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
