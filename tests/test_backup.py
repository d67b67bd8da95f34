"""`cppbot backup PATH`: a whole, integrity-checked copy of the database, taken while it is in
use; and deleted rows are overwritten (secure_delete), not left in free pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import Storage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    storage = Storage.open(path)
    storage.record_miss(1, "Where is the zebra crossing?", "en", 0.1, [])
    storage.save_session("1", {"lang": "en"})
    storage.close()
    return path


def test_the_copy_holds_every_row_and_passes_its_check(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "backups" / "bot-2026-11-30.db"
    copy.parent.mkdir()
    live = Storage.open(db_path)  # the bot still has it open
    try:
        assert 0 == main(["backup", str(copy), "--db", str(db_path)])
    finally:
        live.close()
    assert "integrity check ok" in capsys.readouterr().out
    restored = Storage.open(copy)
    try:
        assert restored.load_session("1") == {"lang": "en"}
        assert 1 == restored.db.execute("select count(*) from misses").fetchone()[0]
    finally:
        restored.close()
    assert not (copy.parent / (copy.name + ".partial")).exists()


def test_an_existing_file_is_never_overwritten(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "old.db"
    copy.write_bytes(b"yesterday's backup")
    assert 1 == main(["backup", str(copy), "--db", str(db_path)])
    assert "already exists" in capsys.readouterr().err
    assert b"yesterday's backup" == copy.read_bytes()


def test_deleted_personal_data_does_not_stay_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    storage = Storage.open(path)
    secret = "Chan Tai Man, 9123 4567, unique-marker-7f3a"
    assert 1 == storage.db.execute("PRAGMA secure_delete").fetchone()[0]
    storage.record_miss(4, "What is the DP(I) ceiling?", "en", 0.1, [])
    storage.record_miss(5, secret, "en", 0.1, [])
    storage.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the row is in the file itself
    assert b"unique-marker-7f3a" in path.read_bytes()
    storage.forget(5)
    storage.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    storage.close()
    assert b"unique-marker-7f3a" not in path.read_bytes()
    assert b"What is the DP(I) ceiling?" in path.read_bytes()  # the other row is kept
