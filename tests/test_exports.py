"""Staff exports: each kind's rows, CSV and Excel files read back, formula injection, the
printable attendance list."""

from __future__ import annotations

import csv
import datetime as dt
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import exports
from bot.exports import Table, attendance_list, default_name, table, write
from bot.storage import Storage
from knowledge.loader import KnowledgeBase
from knowledge.models import Seminar
from tests.clock import FakeClock
from tests.test_storage import EVENT, details

NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
HYPERLINK = '=HYPERLINK("x")'


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(clock: FakeClock) -> Storage:
    return Storage.open(":memory:", clock=clock)


@pytest.fixture
def real(kb: KnowledgeBase) -> Seminar:
    """The seminar in the packaged knowledge base."""
    return kb.events[0]


# ---------------------------------------------------------------------- reading files back


@dataclass(frozen=True)
class Xlsx:
    """What a test needs of an .xlsx file: the first sheet's name, cells and raw XML."""

    sheet_name: str
    rows: list[list[object]]
    sheet_xml: str
    workbook_xml: str


def read_xlsx(path: Path) -> Xlsx:
    """The first worksheet's cells, row by row: text for strings (shared or inline), float
    for numbers, "" for an empty cell."""
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        workbook_xml = archive.read("xl/workbook.xml").decode("utf-8")
        names = archive.namelist()
        shared_xml = (
            archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
        )
    shared: list[str] = []
    if shared_xml:
        for item in ET.fromstring(shared_xml).findall("x:si", NS):
            shared.append("".join(t.text or "" for t in item.iter(f"{{{NS['x']}}}t")))
    rows: list[list[object]] = []
    for row in ET.fromstring(sheet_xml).iterfind("x:sheetData/x:row", NS):
        cells: dict[int, object] = {}
        for cell in row.findall("x:c", NS):
            column = _column_index(cell.attrib["r"])
            value = cell.find("x:v", NS)
            kind = cell.attrib.get("t")
            if kind == "s" and value is not None:
                cells[column] = shared[int(value.text or "0")]
            elif kind == "inlineStr":
                cells[column] = "".join(t.text or "" for t in cell.iter(f"{{{NS['x']}}}t"))
            elif value is not None:
                cells[column] = float(value.text or "0")
        width = max(cells, default=-1) + 1
        rows.append([cells.get(i, "") for i in range(width)])
    found = re.search(r'<sheet name="([^"]*)"', workbook_xml)
    assert found is not None
    return Xlsx(_unescape(found.group(1)), rows, sheet_xml, workbook_xml)


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    assert letters is not None
    index = 0
    for letter in letters.group(0):
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def read_back(path: Path, fmt: str) -> list[list[object]]:
    """The file's rows, heading first; Excel's empty trailing cells padded to the heading."""
    if fmt == "csv":
        return [list(row) for row in read_csv(path)]
    rows = read_xlsx(path).rows
    width = len(rows[0])
    return [row + [""] * (width - len(row)) for row in rows]


def as_written(fmt: str, row: tuple[object, ...]) -> list[object]:
    """How a table row is expected to read back: blanks as "", CSV all text, with a quote
    before text a spreadsheet would take for a formula."""
    cells: list[object] = []
    for value in row:
        if value is None:
            cells.append("")
        elif fmt == "xlsx":
            cells.append(value)
        elif isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
            cells.append("'" + value)
        else:
            cells.append(str(value))
    return cells


def exported(tmp_path: Path, result: Table, fmt: str) -> list[list[object]]:
    path = write(result, fmt, tmp_path / f"export.{fmt}")
    rows = read_back(path, fmt)
    assert [list(result.columns)] + [as_written(fmt, row) for row in result.rows] == rows
    return rows


# ------------------------------------------------------------------------------- seeding


def seed_registrations(db: Storage, clock: FakeClock, real: Seminar) -> dict[str, str]:
    """Four registrations for the real seminar (one cancelled), one for the test seminar;
    returns each user's registration id."""
    people = [
        ("1", "2026-11-20T03:00:00+00:00", real, "陳大文", "ABC Ltd", "+852 2788 5588", 2, "yue"),
        ("2", "2026-11-20T03:05:00+00:00", real, "Lee Siu Ming", HYPERLINK, "9123 4567", 1, "en"),
        ("3", "2026-11-20T03:10:00+00:00", real, "Wong", "abc  ltd", "2345 6789", 1, "en"),
        ("4", "2026-11-20T03:20:00+00:00", EVENT, "Ho", "Zeta", "3456 7890", 1, "en"),
        ("5", "2026-11-20T03:30:00+00:00", real, "Au Yeung", "ABC Ltd", "4567 8901", 1, "zh"),
    ]
    ids: dict[str, str] = {}
    for user, when, event, name, company, phone, attendees, lang in people:
        clock.at(when)
        registration = details(
            event,
            name=name,
            company=company,
            email=f"user{user}@example.hk",
            phone=phone,
            attendees=attendees,
            lang=lang,
        )
        assert "ok" == db.register(user, registration, event)
        [summary] = db.registrations(user)
        ids[user] = summary["id"]
    clock.at("2026-11-20T04:00:00+00:00")
    assert db.cancel_registration("3", ids["3"])
    return ids


# ---------------------------------------------------------------------------- each kind


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_registrations_round_trip(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path, fmt: str
) -> None:
    ids = seed_registrations(db, clock, real)
    title = real.title.en
    result = table(db, "registrations", kb=kb)
    expected = [
        (ids["1"], real.id, title, "陳大文", "ABC Ltd", "user1@example.hk", "+852 2788 5588",
         2, "yue", "2026-11-20 11:00", None),
        (ids["2"], real.id, title, "Lee Siu Ming", HYPERLINK, "user2@example.hk", "9123 4567",
         1, "en", "2026-11-20 11:05", None),
        (ids["3"], real.id, title, "Wong", "abc  ltd", "user3@example.hk", "2345 6789",
         1, "en", "2026-11-20 11:10", "2026-11-20 12:00"),
        (ids["4"], EVENT.id, None, "Ho", "Zeta", "user4@example.hk", "3456 7890",
         1, "en", "2026-11-20 11:20", None),
        (ids["5"], real.id, title, "Au Yeung", "ABC Ltd", "user5@example.hk", "4567 8901",
         1, "zh", "2026-11-20 11:30", None),
    ]  # fmt: skip
    assert expected == result.rows
    assert "reference" == result.columns[0]
    exported(tmp_path, result, fmt)


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_the_event_filter(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path, fmt: str
) -> None:
    ids = seed_registrations(db, clock, real)
    only_real = table(db, "registrations", event_id=real.id, kb=kb)
    assert [ids[u] for u in ("1", "2", "3", "5")] == [row[0] for row in only_real.rows]
    assert {real.id} == {row[1] for row in only_real.rows}
    exported(tmp_path, only_real, fmt)
    # An event not in the knowledge base is still known by its registrations (no title).
    [test_row] = table(db, "registrations", event_id=EVENT.id, kb=kb).rows
    assert (ids["4"], EVENT.id, None) == test_row[:3]


def test_an_event_in_the_knowledge_base_without_registrations_is_empty(
    db: Storage, kb: KnowledgeBase, real: Seminar
) -> None:
    assert [] == table(db, "registrations", event_id=real.id, kb=kb).rows
    assert [] == attendance_list(db, real.id, kb).rows


def test_an_unknown_event_says_which_exist(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar
) -> None:
    seed_registrations(db, clock, real)
    with pytest.raises(ValueError, match="nope") as raised:
        table(db, "registrations", event_id="nope", kb=kb)
    assert f"{real.id}, {EVENT.id}" in str(raised.value)
    with pytest.raises(ValueError, match="nope"):
        attendance_list(db, "nope", kb)
    with pytest.raises(ValueError, match="none"):
        table(Storage.open(":memory:"), "registrations", event_id="nope")


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_tickets_with_first_reply_and_no_case(
    db: Storage, clock: FakeClock, tmp_path: Path, fmt: str
) -> None:
    first = db.open_ticket(1, 1001, "yue", "ABC Ltd", {"question": "a secret question"})
    clock.at("2026-11-20T03:01:00+00:00")
    db.record_relay(first.id, "to_staff", 1001, 5, -100, 50)
    clock.at("2026-11-20T03:12:30+00:00")
    db.record_relay(first.id, "to_user", -100, 51, 1001, 6)  # the first reply: 12.5 minutes
    clock.at("2026-11-20T03:20:00+00:00")
    db.record_relay(first.id, "to_user", -100, 52, 1001, 7)
    clock.at("2026-11-20T04:00:00+00:00")
    assert db.close_ticket(first.id, "staff")
    assert db.rate_ticket(first.id, 1, 5)
    second = db.open_ticket(2, 1002, "en", "", {"question": "another"})
    result = table(db, "tickets")
    expected = [
        (first.id, "2026-11-20 11:00", "closed", "2026-11-20 12:00", "staff", "yue", "ABC Ltd",
         5, 12.5, 3),
        (second.id, "2026-11-20 12:00", "open", None, None, "en", "", None, None, 0),
    ]  # fmt: skip
    assert expected == result.rows
    rows = exported(tmp_path, result, fmt)
    assert "secret" not in repr(rows)
    assert not any("case" in column for column in result.columns)


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_enquiries_carry_no_user(db: Storage, clock: FakeClock, tmp_path: Path, fmt: str) -> None:
    db.log_enquiry("yue", True, "app_how_to_apply", 0.91)
    clock.at("2026-11-20T16:30:00+00:00")  # past midnight in Hong Kong
    db.log_enquiry("en", False, None, 0.12)
    result = table(db, "enquiries")
    assert ("time", "language", "matched", "faq_id", "score") == result.columns
    expected = [
        ("2026-11-20 11:00", "yue", "yes", "app_how_to_apply", 0.91),
        ("2026-11-21 00:30", "en", "no", None, 0.12),
    ]
    assert expected == result.rows
    exported(tmp_path, result, fmt)


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_subscriptions(db: Storage, clock: FakeClock, tmp_path: Path, fmt: str) -> None:
    db.subscribe(7, "zh")
    clock.at("2026-11-20T05:00:00+00:00")
    db.subscribe(8, "en")
    db.subscribe(7, "yue")  # again: the language changes, "since" stays
    result = table(db, "subscriptions")
    assert ("user id", "language", "since") == result.columns
    assert [("7", "yue", "2026-11-20 11:00"), ("8", "en", "2026-11-20 13:00")] == result.rows
    exported(tmp_path, result, fmt)


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_feedback_without_voters(db: Storage, clock: FakeClock, tmp_path: Path, fmt: str) -> None:
    db.record_feedback(12345, "app_how_to_apply", 1, "en")
    clock.at("2026-11-20T03:05:00+00:00")
    db.record_feedback(67890, "app_how_to_apply", -1, "yue")
    result = table(db, "feedback")
    assert ("faq_id", "vote", "language", "time") == result.columns
    expected = [
        ("app_how_to_apply", "👍", "en", "2026-11-20 11:00"),
        ("app_how_to_apply", "👎", "yue", "2026-11-20 11:05"),
    ]
    assert expected == result.rows
    rows = exported(tmp_path, result, fmt)
    assert "12345" not in repr(rows)


@pytest.mark.parametrize("kind", exports.KINDS)
@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_an_empty_database_exports_just_the_heading(
    fresh_db: Storage, tmp_path: Path, kind: str, fmt: str
) -> None:
    result = table(fresh_db, kind)
    assert [] == result.rows
    assert [list(result.columns)] == exported(tmp_path, result, fmt)


# ----------------------------------------------------------------------- wrong requests


def test_an_unknown_kind_raises(fresh_db: Storage) -> None:
    with pytest.raises(ValueError, match="'misses'.*enquiries, tickets, registrations"):
        table(fresh_db, "misses")


@pytest.mark.parametrize("kind", ["enquiries", "tickets", "subscriptions", "feedback"])
def test_an_event_only_goes_with_registrations(
    fresh_db: Storage, kb: KnowledgeBase, real: Seminar, kind: str
) -> None:
    with pytest.raises(ValueError, match="registrations"):
        table(fresh_db, kind, event_id=real.id, kb=kb)


def test_an_unknown_format_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'pdf'"):
        write(Table("t", ("a",), []), "pdf", tmp_path / "t.pdf")
    with pytest.raises(ValueError, match="'pdf'"):
        default_name("tickets", "pdf", None, dt.date(2026, 11, 30))
    assert [] == list(tmp_path.iterdir())


# ---------------------------------------------------------------------- formula injection


def test_formulas_are_neutralised_in_csv(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path
) -> None:
    seed_registrations(db, clock, real)
    rows = read_csv(write(table(db, "registrations", kb=kb), "csv", tmp_path / "r.csv"))
    companies = [row[4] for row in rows[1:]]
    assert ["ABC Ltd", "'" + HYPERLINK, "abc  ltd", "Zeta", "ABC Ltd"] == companies
    assert "'+852 2788 5588" == rows[1][6]  # a leading + is a formula too


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+852 1234 5678", "'+852 1234 5678"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("  =1", "'  =1"),
        ("a=1", "a=1"),
        ("陳大文", "陳大文"),
        ("", ""),
    ],
)
def test_neutralised(text: str, expected: str) -> None:
    assert expected == exports.neutralised(text)


def test_excel_holds_formula_text_as_text(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path
) -> None:
    seed_registrations(db, clock, real)
    book = read_xlsx(write(table(db, "registrations", kb=kb), "xlsx", tmp_path / "r.xlsx"))
    assert "<f>" not in book.sheet_xml  # no cell is a formula
    assert HYPERLINK == book.rows[2][4]  # shown exactly as typed
    assert 2.0 == book.rows[1][7]  # attendees: a number


def test_numbers_in_a_csv_are_not_quoted(tmp_path: Path) -> None:
    path = write(Table("t", ("n", "text"), [(-1, "-1")]), "csv", tmp_path / "t.csv")
    assert [["n", "text"], ["-1", "'-1"]] == read_csv(path)


# ----------------------------------------------------------------------- attendance list


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_attendance_list_leaves_out_the_cancelled_and_sorts(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path, fmt: str
) -> None:
    seed_registrations(db, clock, real)
    result = attendance_list(db, real.id, kb)
    assert ("No.", "name", "company", "phone", "email", "attendees", "signature") == result.columns
    expected = [
        (1, "Lee Siu Ming", HYPERLINK, "9123 4567", "user2@example.hk", 1, None),
        (2, "Au Yeung", "ABC Ltd", "4567 8901", "user5@example.hk", 1, None),
        (3, "陳大文", "ABC Ltd", "+852 2788 5588", "user1@example.hk", 2, None),
    ]
    assert expected == result.rows  # Wong cancelled; Ho is another event
    exported(tmp_path, result, fmt)


def test_attendance_list_is_set_up_to_print(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path
) -> None:
    seed_registrations(db, clock, real)
    result = attendance_list(db, real.id, kb)
    book = read_xlsx(write(result, "xlsx", tmp_path / "a.xlsx"))
    assert f"attendance {real.id}" == book.sheet_name
    assert 'orientation="landscape"' in book.sheet_xml
    assert re.search(r'<pageSetup[^>]*fitToHeight="0"', book.sheet_xml)
    assert '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' in book.sheet_xml
    assert '<printOptions horizontalCentered="1" gridLines="1"/>' in book.sheet_xml
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", book.sheet_xml)
    assert header is not None
    assert real.id in header.group(1)
    assert "&amp;P" in book.sheet_xml  # page numbers in the footer
    assert f"'attendance {real.id}'!$1:$1" in book.workbook_xml  # heading on every page


def test_the_registrations_sheet_is_not_set_up_to_print(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path
) -> None:
    seed_registrations(db, clock, real)
    book = read_xlsx(write(table(db, "registrations", kb=kb), "xlsx", tmp_path / "r.xlsx"))
    assert "<oddHeader>" not in book.sheet_xml
    assert "<autoFilter " in book.sheet_xml


# ----------------------------------------------------------------------- the Excel sheet


def test_excel_sheet_heading_is_bold_and_frozen(
    db: Storage, clock: FakeClock, kb: KnowledgeBase, real: Seminar, tmp_path: Path
) -> None:
    seed_registrations(db, clock, real)
    path = write(table(db, "registrations", event_id=real.id, kb=kb), "xlsx", tmp_path / "r.xlsx")
    book = read_xlsx(path)
    assert real.id == book.sheet_name
    assert re.search(r'<pane ySplit="1" topLeftCell="A2" [^>]*state="frozen"', book.sheet_xml)
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode("utf-8")
    heading_style = re.search(r'<c r="A1" s="(\d+)"', book.sheet_xml)
    assert heading_style is not None
    formats = re.findall(r"<xf [^>]*/>|<xf [^>]*>.*?</xf>", styles.split("<cellXfs")[1])
    font_id = re.search(r'fontId="(\d+)"', formats[int(heading_style.group(1))])
    assert font_id is not None
    fonts = re.findall(r"<font>.*?</font>", styles, flags=re.S)
    assert "<b/>" in fonts[int(font_id.group(1))]


def test_column_widths_follow_the_content() -> None:
    result = Table(
        "t", ("name", "n", "blank"), [("陳大文陳大文陳大文", 1, None), ("Chan Tai Man", 22, None)]
    )
    # CJK counts double (18 > 12), then 2 to spare; never narrower than 4.
    assert [20, 4, 7] == exports._widths(result)
    printed = Table("t", ("name", "signature"), [("Chan", None)], print_title="x")
    assert [6, 28] == exports._widths(printed)  # room to sign
    assert 6 == exports.display_width("陳大文")
    assert 60 == exports._widths(Table("t", ("x" * 100,), []))[0]


def test_column_widths_are_written(tmp_path: Path) -> None:
    result = Table("t", ("name",), [("陳大文陳大文陳大文",)])
    book = read_xlsx(write(result, "xlsx", tmp_path / "t.xlsx"))
    assert re.search(r'<col min="1" max="1" width="20\.7', book.sheet_xml)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("registrations", "registrations"),
        ("attendance " + "x" * 40, "attendance " + "x" * 20),
        ("a/b[c]:d*e?f\\g", "a_b_c__d_e_f_g"),
        ("'quoted'", "quoted"),
        ("", "export"),
    ],
)
def test_sheet_names_are_ones_excel_accepts(title: str, expected: str) -> None:
    assert expected == exports.sheet_name(title)


def test_a_long_event_id_still_makes_a_sheet(tmp_path: Path) -> None:
    result = Table("attendance " + "e" * 60, ("No.",), [(1,)], print_title="& " + "t" * 300)
    book = read_xlsx(write(result, "xlsx", tmp_path / "t.xlsx"))
    assert 31 == len(book.sheet_name)
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", book.sheet_xml)
    assert header is not None
    assert _unescape(header.group(1)).startswith("&C&& ttt")
    assert 255 == len(_unescape(header.group(1)))


# ------------------------------------------------------------------------------ the file


def test_csv_keeps_chinese_for_excel(tmp_path: Path) -> None:
    path = write(Table("t", ("name",), [("陳大文",)]), "csv", tmp_path / "t.csv")
    assert "\ufeffname\r\n陳大文\r\n".encode() == path.read_bytes()


def test_write_returns_the_path_and_leaves_no_partial_file(tmp_path: Path) -> None:
    for fmt in exports.FORMATS:
        out = tmp_path / f"t.{fmt}"
        assert out == write(Table("t", ("a",), [(1,)]), fmt, out)
    assert ["t.csv", "t.xlsx"] == sorted(p.name for p in tmp_path.iterdir())


def test_default_name() -> None:
    today = dt.date(2026, 11, 30)
    assert "registrations-EV1-2026-11-30.xlsx" == default_name(
        "registrations", "xlsx", "EV1", today
    )
    assert "tickets-2026-11-30.csv" == default_name("tickets", "csv", None, today)
    assert "registrations-.._x_y-2026-11-30.csv" == default_name(
        "registrations", "csv", "../x/y", today
    )
