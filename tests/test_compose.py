"""One composition root: the settings are read and checked once, and every command honours
them (an edited knowledge copy in KNOWLEDGE_DIR, the database in DATABASE_PATH)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import cppbot as run_cppbot

EDITED = "EDITED-IN-KNOWLEDGE-DIR"


def cppbot(cwd: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``cppbot`` run in ``cwd`` (no .env of the developer's), with only these settings."""
    settings = ("TELEGRAM_", "STAFF_", "KNOWLEDGE_DIR", "DATABASE_PATH")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(settings)}
    return run_cppbot(*args, stdin=stdin, cwd=cwd, env={**clean, **env})


@pytest.fixture
def edited(data_copy: Path) -> Path:
    """A knowledge copy whose welcome text and contact answer staff have edited."""
    messages = data_copy / "messages.yaml"
    text = messages.read_text(encoding="utf-8")
    messages.write_text(text.replace("Hello! I'm the enquiry", f"{EDITED} I'm the enquiry", 1))
    faq = data_copy / "faq" / "contact.yaml"
    text = faq.read_text(encoding="utf-8")
    head, answer, rest = text.partition('  answer:\n    en: "')
    faq.write_text(f"{head}{answer}{EDITED} {rest}", encoding="utf-8")
    return data_copy


def test_ask_reads_the_knowledge_dir(tmp_path: Path, edited: Path) -> None:
    result = cppbot(
        tmp_path, "ask", "--json", "How can I contact the programme?", KNOWLEDGE_DIR=str(edited)
    )
    assert 0 == result.returncode, result.stderr
    assert EDITED in json.loads(result.stdout)["answer"]
    packaged = cppbot(tmp_path, "ask", "--json", "How can I contact the programme?")
    assert EDITED not in json.loads(packaged.stdout)["answer"]


def test_chat_reads_the_knowledge_dir_and_the_database_path(tmp_path: Path, edited: Path) -> None:
    database = tmp_path / "somewhere" / "chat.db"
    database.parent.mkdir()
    result = cppbot(
        tmp_path, "chat", stdin="/quit\n", KNOWLEDGE_DIR=str(edited), DATABASE_PATH=str(database)
    )
    assert 0 == result.returncode, result.stderr
    assert EDITED in result.stdout
    assert database.exists() and not (tmp_path / "cppbot.db").exists()


def test_the_checks_read_the_knowledge_dir(tmp_path: Path, data_copy: Path) -> None:
    messages = data_copy / "messages" / "eligibility.yaml"
    text = messages.read_text(encoding="utf-8")
    answers = json.dumps({"org_type": "company", "hk_registered": False})
    before = cppbot(tmp_path, "eligibility", "--answers", answers)
    after_edit = text.replace('en: "', f'en: "{EDITED} ')
    messages.write_text(after_edit, encoding="utf-8")
    after = cppbot(tmp_path, "eligibility", "--answers", answers, KNOWLEDGE_DIR=str(data_copy))
    assert 0 == before.returncode == after.returncode, after.stderr
    assert EDITED not in before.stdout and EDITED in after.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["ask", "hi"],
        ["chat"],
        ["kb", "check"],
        ["estimate", "--scheme", "onsite_assessment", "--cost", "1"],
    ],
)
def test_every_command_refuses_bad_settings_with_the_problem_named(
    tmp_path: Path, command: list[str]
) -> None:
    result = cppbot(tmp_path, *command, stdin="/quit\n", STAFF_LANGUAGE="klingon")
    assert 2 == result.returncode
    assert "STAFF_LANGUAGE" in result.stderr and "Traceback" not in result.stderr


def test_console_and_offline_commands_need_no_token(tmp_path: Path) -> None:
    result = cppbot(tmp_path, "ask", "--json", "How can I contact the programme?")
    assert 0 == result.returncode, result.stderr
