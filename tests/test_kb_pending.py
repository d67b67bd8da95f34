"""`cppbot kb pending`: staff review "add as alternate question" suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import Storage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database with three pending suggestions for two entries and one already accepted."""
    path = tmp_path / "bot.db"
    storage = Storage.open(path)
    for user, question, lang, faq_id in [
        (1, "How to apply for the subsidy?", "en", "app_how_to_apply"),
        (2, "表格喺邊度攞？", "yue", "app_forms_submission"),
        (3, "怎么申请？", "zh", "app_how_to_apply"),
        (4, "Already reviewed", "en", "app_how_to_apply"),
    ]:
        miss_id = storage.record_miss(user, question, lang, 0.3, [faq_id])
        assert "ok" == storage.suggest_alternate(miss_id, faq_id, 99)
    assert storage.resolve_suggestion(4, "accepted")
    storage.close()
    return path


def pending(path: Path) -> list[int]:
    storage = Storage.open(path)
    try:
        return [suggestion.id for suggestion in storage.pending_suggestions()]
    finally:
        storage.close()


def test_lists_pending_suggestions_grouped_by_entry(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 0 == main(["kb", "pending", "--db", str(db_path)])
    out = capsys.readouterr().out
    lines = out.splitlines()
    first = lines.index("app_how_to_apply: How do I apply?")
    assert ["  #1 [en] How to apply for the subsidy?", "  #3 [zh] 怎么申请？"] == lines[
        first + 1 : first + 3
    ]
    assert "knowledge/data/faq/application.yaml" in lines[first + 3]
    second = lines.index("app_forms_submission: Where can I get the application form?")
    assert "  #2 [yue] 表格喺邊度攞？" == lines[second + 1]
    assert "Already reviewed" not in out
    assert "cppbot kb pending --accept ID" in out
    assert "--reject ID" in out
    assert [1, 2, 3] == pending(db_path)  # listing changes nothing


def test_accept_and_reject_are_repeatable(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["kb", "pending", "--db", str(db_path), "--accept", "1", "--accept", "#2"]
    assert 0 == main([*argv, "--reject", "3"])
    out = capsys.readouterr().out
    assert ["#1 accepted", "#2 accepted", "#3 rejected"] == out.splitlines()[:3]
    assert "No pending suggestions." == out.splitlines()[-1]
    assert [] == pending(db_path)


def test_resolving_an_unknown_or_resolved_suggestion_fails(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 1 == main(["kb", "pending", "--db", str(db_path), "--reject", "4", "--accept", "9"])
    captured = capsys.readouterr()
    assert "no pending suggestion #4" in captured.err
    assert "no pending suggestion #9" in captured.err
    assert "app_how_to_apply: How do I apply?" in captured.out  # still lists what is pending
    assert [1, 2, 3] == pending(db_path)


def test_a_suggestion_id_must_be_a_number(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["kb", "pending", "--db", str(db_path), "--accept", "one"])
    assert "not a suggestion id" in capsys.readouterr().err


def test_no_pending_suggestions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["kb", "pending", "--db", str(tmp_path / "empty.db")])
    assert "No pending suggestions.\n" == capsys.readouterr().out


def test_an_entry_no_longer_in_the_knowledge_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.db"
    storage = Storage.open(path)
    storage.suggest_alternate(storage.record_miss(1, "Old question", "en", 0.2, []), "gone", 9)
    storage.close()
    assert 0 == main(["kb", "pending", "--db", str(path)])
    out = capsys.readouterr().out
    assert "gone: (no longer in the knowledge base)\n  #1 [en] Old question\n" in out
