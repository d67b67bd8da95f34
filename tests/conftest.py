"""Shared fixtures: the real knowledge base and assistant, loaded once per test session."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage import Storage
from knowledge.answer import Assistant
from knowledge.loader import DATA_DIR, KnowledgeBase, default_knowledge
from tests.fakebot import FakeTelegram

# The tests never read or write the user's search-index cache.
os.environ.setdefault("CPPBOT_CACHE_DIR", tempfile.mkdtemp(prefix="cppbot-test-cache-"))

_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    """The tests never reach the real Telegram (or anything else) over the network: a
    connection to anything but this machine fails the test at once."""
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str) and host != "localhost":
        try:
            loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise RuntimeError(f"test tried to reach {host} over the network")
    _connect(self, address)  # type: ignore[arg-type]


socket.socket.connect = _loopback_only  # type: ignore[method-assign,assignment]

EVAL_DIR = Path(__file__).parent / "eval"
TODAY = dt.date(2026, 11, 21)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """Our fake Telegram Bot API server on 127.0.0.1, with no chats yet."""
    async with FakeTelegram() as server:
        yield server


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


@pytest.fixture(autouse=True)
def _no_bot_process_outlives_its_test() -> Iterator[None]:
    """A test that fails half-way leaves no ``cppbot run`` child running."""
    from tests.fakebot.process import STARTED

    yield
    while STARTED:
        STARTED.pop().kill_if_running()
