"""The `cppbot` command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from knowledge.evaluate import script_ok


def cppbot(
    *args: str, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def test_ask_json_answers_every_stdin_line_in_order() -> None:
    questions = ["有冇熱線可以打？", "What's the weather tomorrow?", "怎么联系秘书处？"] * 30
    result = cppbot("ask", "--json", stdin="\n".join(questions) + "\n")
    assert 0 == result.returncode, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(questions) == len(lines)
    assert ["yue", "en", "zh"] * 30 == [line["lang"] for line in lines]
    assert [True, False, True] * 30 == [line["matched"] for line in lines]
    keys = {"lang", "matched", "faq_id", "score", "answer", "source", "suggestions"}
    assert all(keys == set(line) for line in lines)


def test_ask_json_accepts_enquiry_objects_with_a_language() -> None:
    enquiry = json.dumps({"id": "x", "lang": "zh", "q": "How can I contact the programme?"})
    result = cppbot("ask", "--json", stdin=enquiry + "\n")
    answer = json.loads(result.stdout)
    assert "zh" == answer["lang"]
    assert script_ok(answer["answer"], "zh")


def test_ask_with_lang_forces_the_reply_language() -> None:
    result = cppbot("ask", "--json", "--lang", "en", "有冇熱線可以打？")
    answer = json.loads(result.stdout)
    assert "en" == answer["lang"] and "2788 5588" in answer["answer"]
    assert script_ok(answer["answer"], "en")


def test_ask_in_plain_text_shows_the_answer_and_its_source() -> None:
    result = cppbot("ask", "How", "can", "I", "contact", "the", "programme?")
    assert 0 == result.returncode
    assert "2788 5588" in result.stdout
    assert "[Source: Guide to Application for Funding Support" in result.stdout


def test_unknown_subcommand_is_a_usage_error() -> None:
    result = cppbot("frobnicate")
    assert 2 == result.returncode and "usage: cppbot" in result.stderr
