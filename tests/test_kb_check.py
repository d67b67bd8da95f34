"""`cppbot kb check`: the data ships only when every figure is grounded in its source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from knowledge.check import SourceFacts, run_check, unsupported


def _edit_contact(data: Path, **answer: str) -> None:
    path = data / "faq" / "contact.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["answer"].update(answer)
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


def test_shipped_knowledge_passes() -> None:
    assert [] == run_check()


def test_invented_phone_number_is_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, en="Call the Secretariat on (852) 2788 5599.")
    problems = run_check(data_copy)
    assert any("'5599'" in p and "contact_secretariat" in p for p in problems), problems


def test_invented_email_is_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, zh="请发电邮至 help@cleanerproduction.hk。")
    problems = run_check(data_copy)
    assert any("help@cleanerproduction.hk" in p for p in problems), problems


def test_ten_thousands_are_understood() -> None:
    facts = SourceFacts.of("每個項目的資助上限為45,000元；示範項目(I)上限為45萬元")
    assert [] == unsupported("上限4.5萬港元，即45,000港元；DP(I) 450,000港元", facts)
    assert ["46,000"] == unsupported("上限46,000港元", facts)


def test_simplified_characters_in_cantonese_answer_are_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, yue="请致电秘书处 (852) 2788 5588。")
    problems = run_check(data_copy)
    assert any("yue text has Simplified" in p for p in problems), problems


def test_chinese_in_english_answer_is_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, en="Call 秘書處 on (852) 2788 5588.")
    problems = run_check(data_copy)
    assert any("en text contains Chinese" in p for p in problems), problems


def test_missing_language_is_reported(data_copy: Path) -> None:
    path = data_copy / "faq" / "contact.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    del entries[0]["answer"]["zh"]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    problems = run_check(data_copy)
    assert len(problems) == 1
    assert "contact_secretariat" in problems[0] and "answer.zh" in problems[0]


def test_duplicate_id_is_reported(data_copy: Path) -> None:
    source = (data_copy / "faq" / "contact.yaml").read_text(encoding="utf-8")
    (data_copy / "faq" / "zz_copy.yaml").write_text(source, encoding="utf-8")
    problems = run_check(data_copy)
    assert any("duplicate id 'contact_secretariat'" in p for p in problems), problems


def test_unknown_source_document_is_reported(data_copy: Path) -> None:
    path = data_copy / "faq" / "contact.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["sources"][0]["doc"] = "brochure-2030.txt"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    problems = run_check(data_copy)
    assert any("brochure-2030.txt" in p for p in problems), problems


def test_command_exits_non_zero_with_a_clear_message(data_copy: Path) -> None:
    _edit_contact(data_copy, en="Call the Secretariat on (852) 2788 5599.")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "check", "--data", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 1 == result.returncode
    assert "5599" in result.stderr and "not found in its sources" in result.stderr


def test_command_reports_counts_when_all_is_well() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == result.returncode, result.stderr
    assert "knowledge base OK" in result.stdout
