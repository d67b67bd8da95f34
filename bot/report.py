"""The staff report: what the bot was asked over a period, and how staff followed up.

For ``cppbot report [--since DATE] [--until DATE] --out DIR`` and the staff chat's /report.
``compute`` reads the figures from the database, ``write_report`` writes them as
``report.html`` with PNG charts beside it and CSV files (for Excel), ``summary_text`` is the few
lines posted in the staff chat with the charts (``chart_paths``).

The period is a run of local Hong Kong days, both ends included. Like /stats, its bounds become
UTC text in the stored format, so each count is a plain text range on the timestamps.

What each figure counts, where the tables leave it open:

* Enquiries: rows of ``enquiries`` logged in the period. "Answered by the FAQ" is the row's
  ``matched``, which also holds for a worked estimate (matched, no FAQ id); small talk and
  out-of-scope questions are unmatched but are not misses, so the unanswered share is not the
  misses' share.
* Top FAQ entries: matched enquiries by ``faq_id``; an answer composed of several entries is
  logged under its first one only.
* Unanswered questions: ``misses`` recorded in the period, grouped by similar wording.
* Feedback: one vote per user and entry, dated by its latest press, so a vote changed later
  moves to the period of the change.
* Tickets: opened in the period; closed in the period (whenever opened); the first staff reply
  of each ticket opened in the period, whenever it came; ratings given in the period.
* Registrations: made in the period and not cancelled by now.

``forget`` and the retention purge delete rows, so a report on an old period can show less than
one made at the time. Nothing here reads a user id, name, company, e-mail or phone number; the
texts of missed questions appear in the HTML and CSV (staff see them in the staff chat anyway)
but never in a chart, whose font has no Chinese glyphs.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from rapidfuzz import fuzz

from bot.storage import Storage
from bot.storage.database import utc_text
from knowledge.models import HONG_KONG
from knowledge.text import CJK, to_simplified

LANGUAGES = ("en", "yue", "zh")
"""The bot's languages, in the order the report shows them; anything else counts as "other"."""

LANGUAGE_NAMES = {"en": "English", "yue": "Cantonese", "zh": "Putonghua", "other": "Other"}

TOP_FAQ = 10
SIMILARITY_THRESHOLD = 80.0
"""How alike (0-100, see ``similarity``) two missed questions must be to share a group."""
MAX_EXAMPLES = 3
MAX_FEEDBACK_BARS = 15  # more entries than this make the feedback chart unreadable
SUMMARY_EXAMPLE_CHARS = 60

HTML_NAME = "report.html"
CSV_NAMES = (
    "enquiries_per_day.csv",
    "top_faq.csv",
    "unanswered.csv",
    "feedback.csv",
    "tickets.csv",
    "registrations.csv",
    "enquiries.csv",
)
CHART_NAMES = ("enquiries_per_day.png", "answered_share.png", "top_faq.png", "feedback.png")


# ------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class DayCounts:
    """Enquiries logged on one local day, by language, and how many the FAQ answered."""

    day: dt.date
    en: int
    yue: int
    zh: int
    other: int
    matched: int

    @property
    def total(self) -> int:
        return self.en + self.yue + self.zh + self.other

    @property
    def answered_share(self) -> float | None:
        return _share(self.matched, self.total)


@dataclass(frozen=True)
class Enquiry:
    """One row of the enquiry log: no user and no text, so it may leave the database."""

    time: dt.datetime  # Hong Kong time
    lang: str
    matched: bool
    faq_id: str | None
    score: float


@dataclass(frozen=True)
class FaqCount:
    faq_id: str
    count: int


@dataclass(frozen=True)
class MissGroup:
    """Missed questions worded alike: how many, and up to ``MAX_EXAMPLES`` distinct wordings
    (the first seen first)."""

    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Votes:
    """👍/👎 under one FAQ entry."""

    faq_id: str
    up: int
    down: int


@dataclass(frozen=True)
class TicketFigures:
    """Handoffs to staff. ``replied``/``awaiting_reply`` split the tickets opened in the period
    by whether staff have replied yet; the first-reply times are over the ``replied`` ones."""

    opened: int
    closed: int
    replied: int
    awaiting_reply: int
    first_reply_median_minutes: float | None
    first_reply_p90_minutes: float | None
    ratings: int
    rating_average: float | None


@dataclass(frozen=True)
class EventRegistrations:
    """Registrations for one event that are not cancelled, and the seats they take."""

    event_id: str
    registrations: int
    attendees: int


@dataclass(frozen=True)
class ReportFigures:
    """Everything the report shows for the local days ``since`` to ``until``, both included."""

    since: dt.date
    until: dt.date
    days: tuple[DayCounts, ...]  # every day of the period, days without enquiries too
    enquiries: tuple[Enquiry, ...]  # oldest first
    total_enquiries: int
    matched_enquiries: int
    answered_share: float | None  # None: no enquiries
    top_faq: tuple[FaqCount, ...]  # at most TOP_FAQ, most asked first
    unanswered: tuple[MissGroup, ...]  # biggest group first
    feedback: tuple[Votes, ...]  # most votes first
    tickets: TicketFigures
    registrations: tuple[EventRegistrations, ...]  # by event id

    @property
    def by_language(self) -> dict[str, int]:
        """Enquiries per language over the period ("other" only when there are any)."""
        counts = {lang: sum(getattr(day, lang) for day in self.days) for lang in LANGUAGES}
        other = sum(day.other for day in self.days)
        return counts | {"other": other} if other else counts

    @property
    def unanswered_total(self) -> int:
        return sum(group.count for group in self.unanswered)


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _bounds(since: dt.date, until: dt.date) -> list[str]:
    """[since 00:00, the day after until 00:00) in Hong Kong, as stored UTC text."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=HONG_KONG)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=HONG_KONG)
    return [utc_text(start), utc_text(end)]


def _local(stored: str) -> dt.datetime:
    """A stored UTC timestamp in Hong Kong time."""
    return dt.datetime.fromisoformat(stored).astimezone(HONG_KONG)


def compute(storage: Storage, since: dt.date, until: dt.date) -> ReportFigures:
    """The report's figures for the local Hong Kong days ``since`` to ``until`` inclusive.

    Read-only. ``ValueError`` when ``since`` is after ``until``: an empty report would hide a
    swapped pair of dates.
    """
    if since > until:
        raise ValueError(f"the period starts ({since}) after it ends ({until})")
    bounds = _bounds(since, until)
    db = storage.db
    enquiries = tuple(
        Enquiry(_local(created), lang, bool(matched), faq_id, float(score))
        for created, lang, matched, faq_id, score in db.execute(
            "select created_at, lang, matched, faq_id, score from enquiries"
            " where created_at >= ? and created_at < ? order by created_at, id",
            bounds,
        ).fetchall()
    )
    matched = sum(enquiry.matched for enquiry in enquiries)
    questions = [
        question
        for (question,) in db.execute(
            "select question from misses where created_at >= ? and created_at < ?"
            " order by created_at, id",
            bounds,
        ).fetchall()
    ]
    feedback = [
        Votes(faq_id, int(up), int(down))
        for faq_id, up, down in db.execute(
            "select faq_id, sum(vote > 0), sum(vote < 0) from feedback"
            " where created_at >= ? and created_at < ? group by faq_id"
            " order by count(*) desc, faq_id",
            bounds,
        ).fetchall()
    ]
    registrations = tuple(
        EventRegistrations(event_id, int(count), int(attendees))
        for event_id, count, attendees in db.execute(
            "select event_id, count(*), sum(attendees) from registrations"
            " where created_at >= ? and created_at < ? and cancelled_at is null"
            " group by event_id order by event_id",
            bounds,
        ).fetchall()
    )
    return ReportFigures(
        since=since,
        until=until,
        days=_days(enquiries, since, until),
        enquiries=enquiries,
        total_enquiries=len(enquiries),
        matched_enquiries=matched,
        answered_share=_share(matched, len(enquiries)),
        top_faq=_top_faq(enquiries),
        unanswered=group_questions(questions),
        feedback=tuple(feedback),
        tickets=_tickets(storage, bounds),
        registrations=registrations,
    )


def _days(enquiries: Sequence[Enquiry], since: dt.date, until: dt.date) -> tuple[DayCounts, ...]:
    per_day: dict[dt.date, Counter[str]] = {}
    for enquiry in enquiries:
        counts = per_day.setdefault(enquiry.time.date(), Counter())
        counts[enquiry.lang if enquiry.lang in LANGUAGES else "other"] += 1
        counts["matched"] += enquiry.matched
    days = []
    for offset in range((until - since).days + 1):
        day = since + dt.timedelta(days=offset)
        counts = per_day.get(day, Counter())
        days.append(
            DayCounts(
                day, counts["en"], counts["yue"], counts["zh"], counts["other"], counts["matched"]
            )
        )
    return tuple(days)


def _top_faq(enquiries: Iterable[Enquiry]) -> tuple[FaqCount, ...]:
    counts = Counter(e.faq_id for e in enquiries if e.matched and e.faq_id is not None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(FaqCount(faq_id, count) for faq_id, count in ranked[:TOP_FAQ])


def _tickets(storage: Storage, bounds: list[str]) -> TicketFigures:
    db = storage.db

    def count(sql: str) -> int:
        return int(db.execute(sql, bounds).fetchone()[0])

    delays = []
    awaiting = 0
    for created, first_reply in storage.first_staff_replies(*bounds).values():
        if first_reply is None:
            awaiting += 1
        else:
            delay = _local(first_reply) - _local(created)
            delays.append(delay.total_seconds() / 60)
    ratings, average = db.execute(
        "select count(*), avg(rating) from tickets where rated_at >= ? and rated_at < ?", bounds
    ).fetchone()
    return TicketFigures(
        opened=count("select count(*) from tickets where created_at >= ? and created_at < ?"),
        closed=count("select count(*) from tickets where closed_at >= ? and closed_at < ?"),
        replied=len(delays),
        awaiting_reply=awaiting,
        first_reply_median_minutes=statistics.median(delays) if delays else None,
        first_reply_p90_minutes=percentile(delays, 90),
        ratings=int(ratings),
        rating_average=None if average is None else float(average),
    )


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``th percentile: the smallest value with at least p% of the values
    at or below it. Always one of the values (a real ticket's delay, not an interpolation),
    and defined for a single value; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


# ----------------------------------------------------------------- grouping missed questions

_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class _Folded:
    """A question folded for comparison: ``spaced`` has one token per word and per Chinese
    character (Chinese has no spaces between words); ``compact`` is the same text with no
    spaces around Chinese characters, for a plain character-by-character ratio."""

    spaced: str
    compact: str


def _is_cjk(text: str) -> bool:
    return bool(CJK.match(text))


def _fold(question: str) -> _Folded:
    """Half-width, lower case, Simplified, without punctuation: the same question typed in
    Traditional or Simplified, with full-width or ASCII punctuation, folds to the same text."""
    text = to_simplified(unicodedata.normalize("NFKC", question).casefold())
    tokens = CJK.sub(r" \g<0> ", _NON_WORD.sub(" ", text)).split()
    compact = ""
    for token in tokens:
        if compact and not _is_cjk(token) and not _is_cjk(compact[-1]):
            compact += " "
        compact += token
    return _Folded(" ".join(tokens), compact)


def similarity(first: str, second: str) -> float:
    """How alike two questions are worded, 0-100.

    The mean of two rapidfuzz scores on the folded texts: ``token_set_ratio`` forgives word
    order and a few extra words ("how do I apply online?" / "how to apply online"), while
    ``ratio`` keeps a one-word question from scoring 100 against every longer question that
    contains the word, as ``token_set_ratio`` alone would.
    """
    return _similarity(_fold(first), _fold(second))


def _similarity(first: _Folded, second: _Folded) -> float:
    return (
        fuzz.token_set_ratio(first.spaced, second.spaced)
        + fuzz.ratio(first.compact, second.compact)
    ) / 2


@dataclass
class _Group:
    leader: _Folded
    order: int
    count: int = 0
    examples: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


def group_questions(
    questions: Iterable[str], threshold: float = SIMILARITY_THRESHOLD
) -> tuple[MissGroup, ...]:
    """Group questions worded alike, biggest group first (ties: the group seen first).

    Greedy, in the order given (oldest first): a question joins the group whose first
    question it is most like, if at least ``threshold``, else starts a group. Comparing with
    the first question only, not every member, keeps a chain of small changes from drifting
    into one group of unrelated questions. Questions that fold to the same text always share
    a group and give one example.
    """
    groups: list[_Group] = []
    by_key: dict[str, _Group] = {}
    for question in questions:
        folded = _fold(question)
        group = by_key.get(folded.compact)
        if group is None:
            scored = [(_similarity(folded, g.leader), g) for g in groups]
            best = max(scored, key=lambda pair: pair[0], default=None)
            if best is not None and best[0] >= threshold:
                group = best[1]
            else:
                group = _Group(folded, len(groups))
                groups.append(group)
            by_key[folded.compact] = group
        group.count += 1
        if folded.compact not in group.keys and len(group.examples) < MAX_EXAMPLES:
            group.keys.add(folded.compact)
            group.examples.append(question.strip())
    ranked = sorted(groups, key=lambda g: (-g.count, g.order))
    return tuple(MissGroup(g.count, tuple(g.examples)) for g in ranked)


# ---------------------------------------------------------------------------- formatting


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def _duration(minutes: float | None) -> str:
    """Minutes as people read them: "45 min", "2 h 05 min", "1 d 3 h"."""
    if minutes is None:
        return "n/a"
    whole = round(minutes)
    if whole < 60:
        return f"{minutes:.1f} min" if minutes < 10 else f"{whole} min"
    hours, mins = divmod(whole, 60)
    if hours < 24:
        return f"{hours} h {mins:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _number(value: float | None, digits: int = 1) -> str:
    """For CSV cells: empty when there is no value."""
    return "" if value is None else f"{value:.{digits}f}"


def _period(figures: ReportFigures) -> str:
    if figures.since == figures.until:
        return figures.since.isoformat()
    return f"{figures.since.isoformat()} to {figures.until.isoformat()}"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_text(figures: ReportFigures) -> str:
    """A few plain-text lines for the staff chat, posted with the charts.

    Plain text (it holds users' question texts): send it without a parse mode.
    """
    languages = ", ".join(
        f"{LANGUAGE_NAMES[lang]} {count}" for lang, count in figures.by_language.items()
    )
    top = ", ".join(f"{entry.faq_id} ({entry.count})" for entry in figures.top_faq[:3])
    groups = "; ".join(
        f"{group.count}x \u201c{_one_line(group.examples[0], SUMMARY_EXAMPLE_CHARS)}\u201d"
        for group in figures.unanswered[:3]
    )
    tickets = figures.tickets
    rating = (
        "none"
        if tickets.rating_average is None
        else f"{tickets.rating_average:.1f}/5 from {tickets.ratings}"
    )
    events = ", ".join(
        f"{event.event_id} {event.registrations} ({event.attendees} attendees)"
        for event in figures.registrations
    )
    lines = [
        f"CPPP enquiry bot report, {_period(figures)} (Hong Kong time)",
        f"Enquiries: {figures.total_enquiries} ({languages})",
        f"Answered by the FAQ: {_percent(figures.answered_share)}",
        f"Top FAQ entries: {top or 'none'}",
        f"Unanswered: {figures.unanswered_total} in {len(figures.unanswered)} groups"
        + (f"; biggest: {groups}" if groups else ""),
        f"Tickets: {tickets.opened} opened, {tickets.closed} closed;"
        f" first staff reply median {_duration(tickets.first_reply_median_minutes)},"
        f" p90 {_duration(tickets.first_reply_p90_minutes)}",
        f"Ratings: {rating}",
        f"Registrations: {events or 'none'}",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------- writing


def write_report(figures: ReportFigures, out: Path) -> list[Path]:
    """Write the report into the directory ``out`` (made if missing); the files written,
    ``report.html`` first, then the CSV files, then the charts (``chart_paths`` picks those).

    A chart with nothing to show is not drawn (the page says so instead), and an older copy of
    it left in ``out`` is removed, so the directory never mixes two reports.
    """
    out.mkdir(parents=True, exist_ok=True)
    charts: dict[str, Path] = {}
    for name, draw in zip(CHART_NAMES, _CHARTS, strict=True):
        path = out / name
        figure = draw(figures)
        if figure is None:
            path.unlink(missing_ok=True)
            continue
        figure.savefig(path, format="png")
        charts[name] = path
    csvs = _write_csvs(figures, out)
    page = out / HTML_NAME
    page.write_text(_html(figures, set(charts)), encoding="utf-8")
    return [page, *csvs, *charts.values()]


def chart_paths(written: Iterable[Path]) -> list[Path]:
    """The PNG charts among the files ``write_report`` wrote, in the order to post them."""
    return [path for path in written if path.suffix == ".png"]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    # utf-8-sig: Excel opens a file without the BOM as the local code page, garbling Chinese.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _write_csvs(figures: ReportFigures, out: Path) -> list[Path]:
    tickets = figures.tickets
    per_day = _write_csv(
        out / "enquiries_per_day.csv",
        ("day", "en", "yue", "zh", "other", "total", "matched", "answered_share"),
        (
            (d.day.isoformat(), d.en, d.yue, d.zh, d.other, d.total, d.matched,
             _number(d.answered_share, 4))
            for d in figures.days
        ),
    )  # fmt: skip
    top = _write_csv(
        out / "top_faq.csv",
        ("rank", "faq_id", "count"),
        ((rank, e.faq_id, e.count) for rank, e in enumerate(figures.top_faq, start=1)),
    )
    unanswered = _write_csv(
        out / "unanswered.csv",
        ("group", "count", "examples"),
        (
            (number, g.count, " | ".join(g.examples))
            for number, g in enumerate(figures.unanswered, start=1)
        ),
    )
    feedback = _write_csv(
        out / "feedback.csv",
        ("faq_id", "up", "down"),
        ((v.faq_id, v.up, v.down) for v in figures.feedback),
    )
    ticket_rows = (
        ("opened", tickets.opened),
        ("closed", tickets.closed),
        ("replied", tickets.replied),
        ("awaiting_reply", tickets.awaiting_reply),
        ("first_reply_median_minutes", _number(tickets.first_reply_median_minutes)),
        ("first_reply_p90_minutes", _number(tickets.first_reply_p90_minutes)),
        ("ratings", tickets.ratings),
        ("rating_average", _number(tickets.rating_average, 2)),
    )
    ticket_csv = _write_csv(out / "tickets.csv", ("figure", "value"), ticket_rows)
    registrations = _write_csv(
        out / "registrations.csv",
        ("event_id", "registrations", "attendees"),
        ((r.event_id, r.registrations, r.attendees) for r in figures.registrations),
    )
    enquiries = _write_csv(
        out / "enquiries.csv",
        ("time", "language", "matched", "faq_id", "score"),
        (
            (e.time.isoformat(), e.lang, int(e.matched), e.faq_id or "", e.score)
            for e in figures.enquiries
        ),
    )
    return [per_day, top, unanswered, feedback, ticket_csv, registrations, enquiries]


# -------------------------------------------------------------------------------- charts

_COLOURS = {"en": "#4c72b0", "yue": "#dd8452", "zh": "#55a868", "other": "#8c8c8c"}


def _figure(height: float = 4.0) -> Figure:
    """A figure not registered with pyplot: no global state, no GUI backend, drawn by Agg."""
    return Figure(figsize=(8.0, height), dpi=100, layout="constrained")


def _label(text: str) -> str:
    """A database text safe as a chart label: ASCII only (the default font has no Chinese
    glyphs) and no "$", which matplotlib would read as the start of a formula."""
    return text.encode("ascii", "replace").decode("ascii").replace("$", r"\$")


def _day_ticks(axes: Axes, days: Sequence[DayCounts]) -> None:
    """Days as "MM-DD" (digits: a month name could come out in Chinese under some locales),
    at most about 15 of them labelled."""
    step = max(1, math.ceil(len(days) / 15))
    positions = list(range(0, len(days), step))
    axes.set_xticks(positions, [f"{days[i].day:%m-%d}" for i in positions])
    axes.set_xlim(-0.6, len(days) - 0.4)


def _enquiries_chart(figures: ReportFigures) -> Figure | None:
    if figures.total_enquiries == 0:
        return None
    figure = _figure()
    axes = figure.add_subplot()
    positions = range(len(figures.days))
    bottom = [0] * len(figures.days)
    for lang in (*LANGUAGES, "other"):
        heights = [getattr(day, lang) for day in figures.days]
        if lang == "other" and not any(heights):
            continue
        axes.bar(
            positions, heights, bottom=bottom, color=_COLOURS[lang], label=LANGUAGE_NAMES[lang]
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_title(f"Enquiries per day by language ({figures.total_enquiries} in all)")
    axes.set_ylabel("Enquiries")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()
    _day_ticks(axes, figures.days)
    return figure


def _answered_chart(figures: ReportFigures) -> Figure | None:
    if figures.answered_share is None:
        return None
    figure = _figure()
    axes = figure.add_subplot()
    shown = [(i, d.answered_share) for i, d in enumerate(figures.days) if d.total]
    axes.plot(
        [i for i, _ in shown], [100 * (share or 0) for _, share in shown], marker="o", label="Day"
    )
    axes.axhline(100 * figures.answered_share, linestyle="--", color="grey", label="Period")
    axes.set_ylim(0, 105)
    axes.set_ylabel("Answered by the FAQ (%)")
    axes.set_title(f"Share of enquiries the FAQ answered ({_percent(figures.answered_share)})")
    axes.legend()
    _day_ticks(axes, figures.days)
    return figure


def _top_faq_chart(figures: ReportFigures) -> Figure | None:
    if not figures.top_faq:
        return None
    entries = list(reversed(figures.top_faq))  # the most asked at the top
    figure = _figure(2.0 + 0.4 * len(entries))
    axes = figure.add_subplot()
    axes.barh([_label(e.faq_id) for e in entries], [e.count for e in entries], color="#4c72b0")
    axes.set_xlabel("Enquiries answered")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"Top {len(entries)} FAQ entries")
    return figure


def _feedback_chart(figures: ReportFigures) -> Figure | None:
    if not figures.feedback:
        return None
    entries = list(reversed(figures.feedback[:MAX_FEEDBACK_BARS]))
    figure = _figure(2.0 + 0.4 * len(entries))
    axes = figure.add_subplot()
    labels = [_label(v.faq_id) for v in entries]
    axes.barh(labels, [v.up for v in entries], color="#55a868", label="Helpful (up)")
    axes.barh(labels, [-v.down for v in entries], color="#c44e52", label="Not helpful (down)")
    axes.axvline(0, color="black", linewidth=0.8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{abs(x):g}"))  # no "-2 votes"
    axes.set_xlabel("Votes (down to the left, up to the right)")
    shown = "" if len(figures.feedback) <= MAX_FEEDBACK_BARS else f", top {MAX_FEEDBACK_BARS}"
    axes.set_title(f"Feedback per FAQ entry{shown}")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


_CHARTS = (_enquiries_chart, _answered_chart, _top_faq_chart, _feedback_chart)


# ---------------------------------------------------------------------------------- HTML

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; }
img { max-width: 100%; }
.none { color: #666; font-style: italic; }
"""


class _Html(str):
    """Text that is HTML already (its database texts escaped): ``_table`` keeps it as is."""

    __slots__ = ()


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table, "no data" without rows; cells escaped, numbers right-aligned."""
    body = []
    for row in rows:
        cells = "".join(
            f"<td>{cell}</td>"
            if isinstance(cell, _Html)
            else f'<td class="n">{cell}</td>'
            if isinstance(cell, int | float)
            else f"<td>{html.escape(str(cell))}</td>"
            for cell in row
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return '<p class="none">No data for this period.</p>'
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _chart(name: str, alt: str, drawn: set[str]) -> str:
    if name not in drawn:
        return '<p class="none">No data for this period: no chart.</p>'
    return f'<p><img src="{html.escape(name)}" alt="{html.escape(alt)}"></p>'


def _period_counts(figures: ReportFigures) -> DayCounts:
    """The whole period as one row of the per-day table (``day`` is its first day)."""

    def total(lang: str) -> int:
        return sum(getattr(day, lang) for day in figures.days)

    en, yue, zh, other = (total(lang) for lang in (*LANGUAGES, "other"))
    return DayCounts(figures.since, en, yue, zh, other, figures.matched_enquiries)


def _html(figures: ReportFigures, drawn: set[str]) -> str:
    tickets = figures.tickets
    period = html.escape(_period(figures))
    sections = [
        f"<h1>CPP enquiry bot report: {period}</h1>",
        f"<p>Period: {period}, Hong Kong time, both days included.</p>",
        "<h2>Summary</h2>",
        f"<pre>{html.escape(summary_text(figures))}</pre>",
        "<h2>Enquiries per day</h2>",
        _chart("enquiries_per_day.png", "Enquiries per day by language", drawn),
        _table(
            ("Day", "English", "Cantonese", "Putonghua", "Other", "Total", "Answered", "Share"),
            [
                (label, d.en, d.yue, d.zh, d.other, d.total, d.matched, _percent(d.answered_share))
                for label, d in [(d.day.isoformat(), d) for d in figures.days]
                + [("Period", _period_counts(figures))]
            ],
        ),
        "<h2>Answered by the FAQ</h2>",
        _chart("answered_share.png", "Share of enquiries the FAQ answered", drawn),
        "<h2>Top FAQ entries</h2>",
        _chart("top_faq.png", "Top FAQ entries", drawn),
        _table(("FAQ entry", "Enquiries"), [(e.faq_id, e.count) for e in figures.top_faq]),
        "<h2>Unanswered questions</h2>",
        f"<p>{figures.unanswered_total} question(s) in {len(figures.unanswered)} group(s)"
        " of similar wording.</p>",
        _table(
            ("Group", "Count", "Examples"),
            [
                (number, g.count, _Html("<br>".join(html.escape(e) for e in g.examples)))
                for number, g in enumerate(figures.unanswered, start=1)
            ],
        ),
        "<h2>Feedback</h2>",
        _chart("feedback.png", "Feedback per FAQ entry", drawn),
        _table(("FAQ entry", "Up", "Down"), [(v.faq_id, v.up, v.down) for v in figures.feedback]),
        "<h2>Tickets</h2>",
        _table(
            ("Figure", "Value"),
            [
                ("Opened", tickets.opened),
                ("Closed", tickets.closed),
                ("Opened and replied to by staff", tickets.replied),
                ("Opened and awaiting a first reply", tickets.awaiting_reply),
                ("First staff reply, median", _duration(tickets.first_reply_median_minutes)),
                ("First staff reply, 90th percentile", _duration(tickets.first_reply_p90_minutes)),
                ("Ratings", tickets.ratings),
                (
                    "Rating average (1-5)",
                    "n/a" if tickets.rating_average is None else f"{tickets.rating_average:.2f}",
                ),
            ],
        ),
        "<h2>Seminar registrations</h2>",
        _table(
            ("Event", "Registrations", "Attendees"),
            [(r.event_id, r.registrations, r.attendees) for r in figures.registrations],
        ),
        "<h2>Data files</h2>",
        "<ul>" + "".join(f'<li><a href="{name}">{name}</a></li>' for name in CSV_NAMES) + "</ul>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>CPP enquiry bot report: {period}</title>\n<style>{_STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )
