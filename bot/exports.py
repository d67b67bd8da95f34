"""Staff's exports of the bot's data, as CSV or Excel files (``cppbot export ...``).

Staff work in spreadsheets: seminar organisers want the registrations and a printed
attendance list to sign, the Secretariat wants ticket response times and votes per FAQ entry.
Each export is first a ``Table`` (plain rows, the same for both formats) and then a file.

Choices, and why:

* Times are shown in Hong Kong time as "YYYY-MM-DD HH:MM" (text): the database keeps UTC,
  which nobody in the office reads, and seconds are noise in a spreadsheet.
* Only what the export is for leaves the database: enquiries have no user ids to leak,
  feedback is exported without them, and a ticket's case (the user's own words) stays out.
* CSV is written as UTF-8 with a byte-order mark: without it Excel reads the file as the
  local code page and Chinese names come out garbled.
* Text typed by users (names, companies) is never taken as a formula: a name such as
  ``=HYPERLINK("http://evil","click")`` would otherwise run when staff open the file (CSV
  injection). Excel cells are always written as strings; CSV cells that start like a formula
  get a leading apostrophe, which Excel shows instead of evaluating.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from bot.storage import Storage
from knowledge.loader import KnowledgeBase
from knowledge.models import HONG_KONG

log = logging.getLogger(__name__)

KINDS = ("enquiries", "tickets", "registrations", "subscriptions", "feedback")
FORMATS = ("csv", "xlsx")

TIME_FORMAT = "%Y-%m-%d %H:%M"

# What makes a spreadsheet treat a cell as a formula (OWASP "CSV injection"): the four
# operators, and tab / carriage return, which some programs skip before looking.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_MAX = 255  # Excel's limit for a page header or footer, codes included
_WIDTH_MIN, _WIDTH_MAX = 4, 60  # column widths, in characters
_BLANK_COLUMN_WIDTH = 28  # room to write by hand (the attendance list's signatures)
_PRINT_ROW_HEIGHT = 24  # points: room to sign on paper
_A4 = 9  # xlsxwriter's paper code


@dataclass(frozen=True)
class Table:
    """One export: a title (the worksheet's name), the column headings, the rows.

    Cells are text, numbers or None (blank). ``print_title`` marks a table meant to be
    printed (the attendance list): the Excel file then carries page setup and this title in
    each page's header.
    """

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    print_title: str | None = None


# ------------------------------------------------------------------------------- tables


def table(
    storage: Storage, kind: str, event_id: str | None = None, kb: KnowledgeBase | None = None
) -> Table:
    """The rows of one export ``kind`` (one of ``KINDS``).

    ``event_id`` narrows registrations to one event (it means nothing for other kinds, so
    passing it with them is an error rather than silently ignored). ``kb`` supplies event
    titles; without it the title column is blank.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown export {kind!r}: choose one of {', '.join(KINDS)}")
    if event_id is not None and kind != "registrations":
        raise ValueError(f"an event (--event) can only be chosen for registrations, not {kind}")
    if kind == "enquiries":
        return _enquiries(storage)
    if kind == "tickets":
        return _tickets(storage)
    if kind == "registrations":
        return _registrations(storage, event_id, kb)
    if kind == "subscriptions":
        return _subscriptions(storage)
    return _feedback(storage)


def _enquiries(storage: Storage) -> Table:
    rows = storage.db.execute(
        "select created_at, lang, matched, faq_id, score from enquiries order by id"
    ).fetchall()
    return Table(
        title="enquiries",
        columns=("time", "language", "matched", "faq_id", "score"),
        rows=[
            (_local(created), lang, "yes" if matched else "no", faq_id, round(score, 3))
            for created, lang, matched, faq_id, score in rows
        ],
    )


def _tickets(storage: Storage) -> Table:
    """One row per ticket, with how long staff took to answer: the first message relayed to
    the user after the ticket opened (staff replies are the only relays "to_user")."""
    rows = storage.db.execute(
        "select t.id, t.created_at, t.status, t.closed_at, t.closed_by, t.lang, t.company,"
        " t.rating,"
        " (select count(*) from relays r where r.ticket_id = t.id)"
        " from tickets t order by t.id"
    ).fetchall()
    replies = storage.first_staff_replies()
    return Table(
        title="tickets",
        columns=(
            "id",
            "opened",
            "status",
            "closed",
            "closed by",
            "language",
            "company",
            "rating",
            "first staff reply (minutes)",
            "messages relayed",
        ),
        rows=[
            (
                ticket_id,
                _local(opened),
                status,
                _local(closed),
                closed_by,
                lang,
                company,
                rating,
                _minutes_between(opened, replies[ticket_id][1]),
                relayed,
            )
            for (
                ticket_id,
                opened,
                status,
                closed,
                closed_by,
                lang,
                company,
                rating,
                relayed,
            ) in rows  # fmt: skip
        ],
    )


def _registrations(storage: Storage, event_id: str | None, kb: KnowledgeBase | None) -> Table:
    """All registrations, cancelled ones included with when they were cancelled: organisers
    need to see a seat given back, not just the ones still taken."""
    if event_id is not None:
        _check_event(storage, event_id, kb)
    titles = _event_titles(kb)
    sql = (
        "select id, event_id, name, company, email, phone, attendees, lang, created_at,"
        " cancelled_at from registrations"
    )
    params: list[str] = []
    if event_id is not None:
        sql += " where event_id = ?"
        params.append(event_id)
    rows = storage.db.execute(sql + " order by created_at, rowid", params).fetchall()
    return Table(
        # One event's sheet is named after the event alone: "registrations <id>" would pass
        # Excel's 31 characters with ids like seminar_2025_06_25 and lose the id's end.
        title="registrations" if event_id is None else event_id,
        columns=(
            "reference",
            "event id",
            "event title",
            "name",
            "company",
            "email",
            "phone",
            "attendees",
            "language",
            "registered at",
            "cancelled at",
        ),
        rows=[
            (
                reg_id,
                event,
                titles.get(event),
                name,
                company,
                email,
                phone,
                attendees,
                lang,
                _local(created),
                _local(cancelled),
            )
            for (
                reg_id,
                event,
                name,
                company,
                email,
                phone,
                attendees,
                lang,
                created,
                cancelled,
            ) in rows  # fmt: skip
        ],
    )


def _subscriptions(storage: Storage) -> Table:
    rows = storage.db.execute(
        "select user_id, lang, created_at from subscriptions order by created_at, user_id"
    ).fetchall()
    return Table(
        title="subscriptions",
        columns=("user id", "language", "since"),
        rows=[(user_id, lang, _local(created)) for user_id, lang, created in rows],
    )


def _feedback(storage: Storage) -> Table:
    """Votes per FAQ entry, without who voted: the counts are what staff act on."""
    rows = storage.db.execute(
        "select faq_id, vote, lang, created_at from feedback order by created_at, faq_id, rowid"
    ).fetchall()
    return Table(
        title="feedback",
        columns=("faq_id", "vote", "language", "time"),
        rows=[
            (faq_id, "👍" if vote > 0 else "👎", lang, _local(created))
            for faq_id, vote, lang, created in rows
        ],
    )


def attendance_list(storage: Storage, event_id: str, kb: KnowledgeBase | None = None) -> Table:
    """The sign-in sheet for one event: who is still coming (cancelled registrations left
    out), by company then name so people find their line quickly at the door, with an empty
    column to sign in."""
    _check_event(storage, event_id, kb)
    rows = storage.db.execute(
        "select name, company, phone, email, attendees from registrations"
        " where event_id = ? and cancelled_at is null order by created_at, rowid",
        [event_id],
    ).fetchall()
    ordered = sorted(rows, key=lambda row: (_sort_key(row[1]), _sort_key(row[0])))
    title = _event_titles(kb).get(event_id)
    heading = f"Attendance list: {title} ({event_id})" if title else f"Attendance list: {event_id}"
    return Table(
        title=f"attendance {event_id}",
        columns=("No.", "name", "company", "phone", "email", "attendees", "signature"),
        rows=[
            (number, name, company, phone, email, attendees, None)
            for number, (name, company, phone, email, attendees) in enumerate(ordered, start=1)
        ],
        print_title=heading,
    )


def _check_event(storage: Storage, event_id: str, kb: KnowledgeBase | None) -> None:
    """A mistyped event id would otherwise export an empty file that looks like "nobody
    registered"; an id is known if it has registrations or is in the knowledge base."""
    registered = {
        row[0] for row in storage.db.execute("select distinct event_id from registrations")
    }
    known = registered | set(_event_titles(kb))
    if event_id not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise ValueError(f"no event {event_id!r}: the events known are {listed}")


def _event_titles(kb: KnowledgeBase | None) -> dict[str, str]:
    return {} if kb is None else {event.id: event.title.en for event in kb.events}


def _sort_key(text: str) -> str:
    """Names and companies compare ignoring case and spacing, as registration checks do."""
    return " ".join(text.casefold().split())


def _parse(stored: str) -> dt.datetime | None:
    """A stored timestamp (UTC ISO text); a naive one (an old row) is taken as UTC."""
    try:
        moment = dt.datetime.fromisoformat(stored)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _local(stored: str | None) -> str | None:
    """A stored timestamp in Hong Kong time, to the minute; an unreadable one as stored."""
    if stored is None:
        return None
    moment = _parse(stored)
    return stored if moment is None else moment.astimezone(HONG_KONG).strftime(TIME_FORMAT)


def _minutes_between(start: str, end: str | None) -> float | None:
    first, second = _parse(start), None if end is None else _parse(end)
    if first is None or second is None:
        return None
    return round((second - first).total_seconds() / 60, 1)


# -------------------------------------------------------------------------------- files


def default_name(kind: str, fmt: str, event_id: str | None, today: dt.date) -> str:
    """A file name that says what is in it and from when, e.g.
    ``registrations-seminar_2025_06_25-2026-11-30.xlsx``, so exports do not overwrite each
    other. Characters that are unsafe in file names (an event id is typed by staff) become
    ``_``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    parts = [kind] if event_id is None else [kind, event_id]
    stem = "-".join(re.sub(r"[^\w.-]", "_", part) for part in parts)
    return f"{stem}-{today.isoformat()}.{fmt}"


def write(table: Table, fmt: str, out: Path) -> Path:
    """Write ``table`` to ``out`` as ``fmt`` (one of ``FORMATS``); returns ``out``.

    The file is written under a temporary name and then renamed, so an export that fails
    half-way never leaves a truncated file that looks complete.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    partial = out.with_name(out.name + ".partial")
    try:
        if fmt == "csv":
            _write_csv(table, partial)
        else:
            _write_xlsx(table, partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    log.info("export %s: %d rows written as %s", table.title, len(table.rows), fmt)
    return out


def neutralised(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet runs as a formula: prefixed with ``'``
    when it starts (ignoring leading spaces) with ``=``, ``+``, ``-``, ``@``, tab or CR."""
    if text.startswith(_FORMULA_STARTS) or text.lstrip().startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _write_csv(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralised(column) for column in table.columns])
        for row in table.rows:
            writer.writerow([_csv_cell(value) for value in row])


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return neutralised(str(value))


def _write_xlsx(table: Table, path: Path) -> None:
    # The conversions are off as a second guard: every text cell goes through write_string.
    workbook = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    try:
        sheet = workbook.add_worksheet(sheet_name(table.title))
        bold = workbook.add_format({"bold": True, "bottom": 1})
        for col, heading in enumerate(table.columns):
            sheet.write_string(0, col, heading, bold)
        for row_number, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                _write_cell(sheet, row_number, col, value)
        for col, width in enumerate(_widths(table)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        if table.print_title is None:
            if table.rows:
                sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
        else:
            _print_setup(sheet, table)
    finally:
        workbook.close()


def _write_cell(sheet: Worksheet, row: int, col: int, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "yes" if value else "no")
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _print_setup(sheet: Worksheet, table: Table) -> None:
    """A4 landscape (room for the signature column), one page wide, the heading row on
    every page, gridlines printed (lines to sign between), the title in the page header and
    page numbers in the footer (a dropped page can be put back in order)."""
    sheet.set_paper(_A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.hide_gridlines(0)
    sheet.center_horizontally()
    for row_number in range(1, len(table.rows) + 1):
        sheet.set_row(row_number, _PRINT_ROW_HEIGHT)
    sheet.set_header(_header_text("&C", table.print_title or table.title))
    sheet.set_footer("&CPage &P of &N")


def _header_text(codes: str, text: str) -> str:
    """Header/footer text after ``codes``: ``&`` doubled (a lone one starts a code), cut
    to Excel's 255 characters."""
    while len(codes + text.replace("&", "&&")) > _HEADER_MAX:
        text = text[:-2] + "…"
    return codes + text.replace("&", "&&")


def sheet_name(title: str) -> str:
    """``title`` as Excel accepts a worksheet name: without ``[]:*?/\\``, no apostrophe at
    either end, at most 31 characters, not empty."""
    name = _SHEET_NAME_FORBIDDEN.sub("_", title).strip("'")[:_SHEET_NAME_MAX].strip("'")
    return name or "export"


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _widths(table: Table) -> list[int]:
    """Column widths fitted to the longest cell (heading included), within bounds; in a table
    to print, a column with nothing in it is for writing on paper, so it gets room for a hand."""
    widths: list[int] = []
    for col, heading in enumerate(table.columns):
        cells: Sequence[object] = [row[col] for row in table.rows if col < len(row)]
        texts = [_shown(value) for value in cells if value is not None and value != ""]
        longest = max((display_width(text) for text in [heading, *texts]), default=0)
        width = min(max(longest + 2, _WIDTH_MIN), _WIDTH_MAX)
        if not texts and table.print_title is not None:
            width = max(width, _BLANK_COLUMN_WIDTH)
        widths.append(width)
    return widths


def _shown(value: object) -> str:
    """The longest line of a cell as a spreadsheet shows it."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return max(text.splitlines() or [""], key=display_width)
