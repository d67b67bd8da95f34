"""``cppbot`` commands for the Secretariat's staff on the server: announce an event, build the
report, export the data, browse a read-only copy. Split from ``bot.cli`` so the user-facing
commands stay short; the same services (``bot.compose``) build everything."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli import _date, _services
from knowledge.dates import today_hk

if TYPE_CHECKING:
    from bot.compose import Services


def cmd_announce(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Send an event's announcement to every subscriber not yet told (resumable)."""
    services = _services(telegram=True)
    try:
        return asyncio.run(_announce(services, args.event, stdout))
    finally:
        services.close()


async def _announce(services: Services, event_id: str, stdout: TextIO) -> int:
    from telegram.ext import ExtBot

    from bot.campaigns import announce
    from bot.delivery import RetryingRateLimiter
    from flows.seminar import open_events

    desk = services.desk()
    event = desk.campaigns.event(event_id)
    known = ", ".join(e.id for e in services.kb.events) or "none"
    if event is None:
        print(f"cppbot announce: no event {event_id!r}; events: {known}", file=sys.stderr)
        return 1
    if event not in open_events(desk.runtime.context()):
        print(f"cppbot announce: {event_id} is not open for registration", file=sys.stderr)
        return 1
    campaign = announce(event_id)
    key = f"{campaign.key}:cli:{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    desk.scheduler.queue(campaign, key)  # a running bot finishes it if this stops half-way
    settings = services.settings
    bot = ExtBot(settings.token, base_url=settings.base_url, rate_limiter=RetryingRateLimiter())
    async with bot:
        tally = await desk.campaigns.run(bot, campaign)
    desk.storage.mark_done(key)
    print(
        f"{event_id}: sent {tally['sent']}, skipped {tally['blocked']} (blocked the bot),"
        f" failed {tally['failed']}.",
        file=stdout,
    )
    return 0


def cmd_report(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Write report.html, its charts and CSV files for a period (default: the last 7 days)."""
    from bot import report

    until = args.until or today_hk()
    since = args.since or until - dt.timedelta(days=6)
    if since > until:
        print("cppbot report: --since is after --until", file=sys.stderr)
        return 2
    services = _services()
    try:
        figures = report.compute(services.storage(args.db), since, until)
    finally:
        services.close()
    written = report.write_report(figures, args.out)
    print(report.summary_text(figures), file=stdout)
    print(f"\nWritten to {args.out}: {', '.join(p.name for p in written)}", file=stdout)
    return 0


def cmd_export(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """One table as CSV or XLSX; with --attendance, an event's list ready to print."""
    from bot import exports

    if args.attendance and (args.kind != "registrations" or not args.event):
        print("cppbot export: --attendance needs registrations and --event ID", file=sys.stderr)
        return 2
    services = _services()
    try:
        storage, kb = services.storage(args.db), services.kb
        if args.attendance:
            table = exports.attendance_list(storage, args.event, kb)
        else:
            table = exports.table(storage, args.kind, args.event, kb)
    except ValueError as exc:
        print(f"cppbot export: {exc}", file=sys.stderr)
        return 2
    finally:
        services.close()
    try:
        name = exports.default_name(
            "attendance" if args.attendance else args.kind, args.format, args.event, today_hk()
        )
        path = exports.write(table, args.format, args.out or Path(name))
    except ValueError as exc:
        print(f"cppbot export: {exc}", file=sys.stderr)
        return 2
    print(f"{len(table.rows)} row(s) written to {path}", file=stdout)
    return 0


def cmd_admin(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """A read-only copy of the database in Datasette on 127.0.0.1 (the `admin` extra)."""
    from bot import admin

    services = _services()
    path = Path(args.db or services.settings.database_path)
    return admin.serve(path, port=args.port, personal=args.personal)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The staff commands' parsers, added to ``cppbot``'s (nothing heavy is imported here:
    ``cppbot ask`` builds the same parser and must start fast)."""
    announce = sub.add_parser("announce", help="announce an event to every subscriber, once each")
    announce.add_argument("event", help="the event's id in events.yaml")
    announce.set_defaults(func=cmd_announce)

    report = sub.add_parser("report", help="the report for staff: HTML, charts and CSV files")
    report.add_argument("--since", type=_date, help="first day (default: 6 days before --until)")
    report.add_argument("--until", type=_date, help="last day (default: today, Hong Kong)")
    report.add_argument("--out", type=Path, required=True, help="directory to write to")
    report.add_argument("--db", help="the database (default: DATABASE_PATH)")
    report.set_defaults(func=cmd_report)

    export = sub.add_parser("export", help="a table as CSV or XLSX (or an attendance list)")
    export.add_argument("kind", help="enquiries, tickets, registrations, subscriptions or feedback")
    export.add_argument("--format", default="csv", help="csv (default) or xlsx")
    export.add_argument("--event", help="only this event's registrations")
    export.add_argument("--attendance", action="store_true",
                        help="the event's attendance list, ready to print")  # fmt: skip
    export.add_argument("--out", type=Path, help="the file (default: KIND-[EVENT-]DATE.FORMAT)")
    export.add_argument("--db", help="the database (default: DATABASE_PATH)")
    export.set_defaults(func=cmd_export)

    browse = sub.add_parser("admin", help="browse a read-only copy of the data (Datasette)")
    browse.add_argument("--port", type=int, default=8001)
    browse.add_argument("--personal", action="store_true",
                        help="include names, contacts and question texts")  # fmt: skip
    browse.add_argument("--db", help="the database (default: DATABASE_PATH)")
    browse.set_defaults(func=cmd_admin)
