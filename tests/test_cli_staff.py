"""The staff's `cppbot` commands on the server: report, export, announce."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import Storage
from tests.fakebot import FakeTelegram
from tests.fakebot.process import SETTING_PREFIXES
from tests.test_exports import read_xlsx
from tests.test_storage import EVENT, details
from tests.test_telegram_e2e import _knowledge_with_a_seminar

ROOT = Path(__file__).resolve().parents[1]


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    moment = [at(23, 2)]
    storage = Storage.open(path, clock=lambda: moment[0])
    for lang, matched in (("en", True), ("yue", True), ("zh", False)):
        storage.log_enquiry(lang, matched, "app_how_to_apply" if matched else None, 0.5)
    moment[0] = at(24, 2)
    storage.register(7, details(name="陳大文", company="=HYPERLINK(1)", attendees=2), EVENT)
    storage.register(8, details(email="lee@x.hk", name="Lee", company="Beta Ltd"), EVENT)
    storage.close()
    return path


def test_report_writes_the_page_charts_and_figures(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    args = ["report", "--since", "2026-11-23", "--until", "2026-11-29", "--out", str(out)]
    assert 0 == main([*args, "--db", str(db_path)])
    printed = capsys.readouterr().out
    assert "2026-11-23" in printed and "report.html" in printed
    assert (out / "report.html").is_file() and (out / "enquiries.csv").is_file()
    rows = (out / "enquiries.csv").read_text(encoding="utf-8-sig").splitlines()
    assert 1 + 3 == len(rows)
    assert 2 == main(["report", "--since", "2026-11-29", "--until", "2026-11-23", "--out",
                      str(out), "--db", str(db_path)])  # fmt: skip


def test_export_an_attendance_list_to_print(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "attendance.xlsx"
    args = ["export", "registrations", "--format", "xlsx", "--event", EVENT.id, "--attendance"]
    assert 0 == main([*args, "--out", str(out), "--db", str(db_path)])
    sheet = read_xlsx(out)
    names = [row[1] for row in sheet.rows[1:]]
    assert ["陳大文", "Lee"] == names  # by company: "=HYPERLINK(1)" sorts before "Beta Ltd"
    assert "=HYPERLINK(1)" == sheet.rows[1][2] and "<f>" not in sheet.sheet_xml  # text, inert


def test_export_refuses_what_it_cannot_do(db_path: Path, tmp_path: Path) -> None:
    assert 2 == main(["export", "visitors", "--db", str(db_path), "--out", str(tmp_path / "x")])
    assert 2 == main(["export", "tickets", "--attendance", "--db", str(db_path)])
    assert 2 == main(["export", "tickets", "--format", "pdf", "--db", str(db_path),
                      "--out", str(tmp_path / "t.pdf")])  # fmt: skip


async def test_announce_from_the_command_line(fake: FakeTelegram, tmp_path: Path) -> None:
    knowledge = _knowledge_with_a_seminar(tmp_path / "knowledge")  # e2e_webinar is open
    db = tmp_path / "bot.db"
    storage = Storage.open(db)
    users = [fake.user(900 + n, f"U{n}") for n in range(3)]
    for user, lang in zip(users, ("en", "yue", "zh"), strict=True):
        storage.subscribe(user.id, lang)
    storage.close()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)},
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db),
        "KNOWLEDGE_DIR": str(knowledge),
        "PYTHONPATH": str(ROOT),
    }

    async def announce() -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "announce", "e2e_webinar", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode()

    code, out = await announce()
    assert 0 == code, out
    assert "sent 3, skipped 0" in out
    assert "E2E webinar" in str(fake.sent(users[0].id)[0]["text"])
    assert "測試講座" in str(fake.sent(users[1].id)[0]["text"])
    code, out = await announce()  # again: nobody is told twice
    assert "sent 3" in out
    assert [1, 1, 1] == [len(fake.sent(user.id)) for user in users]
