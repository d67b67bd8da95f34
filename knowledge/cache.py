"""An on-disk cache of the built search index, so a restart does not re-fold every phrasing.

Folding ~6,000 phrasings through OpenCC and jieba takes half a second; ``cppbot ask`` must
answer 200 enquiries in under two, start-up included. The cache key is a hash of every data file
and of the code that shapes the index, so editing the FAQ or the matching code rebuilds it; any
problem reading the cache (missing, stale, corrupt, unwritable directory) just means building.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from knowledge import normalise, search, text
from knowledge.loader import KnowledgeBase
from knowledge.search import FaqIndex

log = logging.getLogger(__name__)
FORMAT = b"cppbot-index-1"


def cache_dir() -> Path:
    configured = os.environ.get("CPPBOT_CACHE_DIR", "").strip()
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "cppbot"


def index_key(kb: KnowledgeBase) -> str:
    """Hash of the data files and of the code whose output the cache holds."""
    digest = hashlib.sha256(FORMAT)
    digest.update(sys.version.encode())
    for module in (normalise, search, text):
        digest.update(Path(str(module.__file__)).read_bytes())
    for path in sorted(kb.data_dir.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(kb.data_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def cached_index(
    kb: KnowledgeBase, build: Callable[[], FaqIndex], normaliser: normalise.Normaliser
) -> FaqIndex:
    """The index for ``kb``, from the cache when it matches, else built and stored."""
    if os.environ.get("CPPBOT_NO_CACHE"):
        return build()
    path = cache_dir() / f"index-{index_key(kb)}.pickle"
    try:
        with path.open("rb") as stored:
            index = pickle.load(stored)  # noqa: S301 - our own file, keyed by content hash
        if isinstance(index, FaqIndex):
            index.normaliser = normaliser
            return index
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
        pass
    index = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as fresh:
            pickle.dump(index, fresh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fresh.name, path)
        for stale in path.parent.glob("index-*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.info("search index cache not written: %s", exc)
    return index
