"""Golden conversations (tests/golden/console_*.yaml) replayed through the console shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.console import ConsoleChat
from bot.storage import Storage
from knowledge.answer import Assistant

GOLDEN = sorted((Path(__file__).parent / "golden").glob("console_*.yaml"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_conversation(assistant: Assistant, fresh_db: Storage, path: Path) -> None:
    script: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    chat = ConsoleChat(assistant, fresh_db, lang=script["lang"])
    for number, turn in enumerate(script["turns"], 1):
        said = "\n".join(chat.reply(str(turn["user"])))
        for expected in turn.get("expect", []):
            assert expected in said, f"{path.name} turn {number} ({turn['user']!r}):\n{said}"


def test_golden_files_cover_every_language() -> None:
    langs = {yaml.safe_load(p.read_text(encoding="utf-8"))["lang"] for p in GOLDEN}
    assert {"en", "yue", "zh"} == langs
