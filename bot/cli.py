"""``cppbot``: the command line for users, staff and CI.

Sub-commands import what they need when they run, so ``cppbot ask`` starts without loading
the Telegram stack.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from knowledge.models import LANGS, Lang

if TYPE_CHECKING:  # imported lazily at run time so `cppbot ask` starts fast
    from bot.compose import Services


def _services(telegram: bool = False) -> Services:
    """Everything a command needs, from the settings in the environment and ``.env`` (the one
    composition root: ``bot.compose``)."""
    from bot.compose import compose

    return compose(telegram=telegram)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _read_line(line: str) -> tuple[str, Lang | None]:
    """An enquiry line: plain text, or a JSON object with "q" (and optionally "lang")."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return stripped, None
        if isinstance(data, dict) and isinstance(data.get("q"), str):
            lang = data.get("lang")
            return data["q"], lang if lang in LANGS else None
    return stripped, None


def cmd_ask(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Answer one question, or one per stdin line, as text or JSON Lines."""

    assistant = _services().assistant

    def answer(question: str, lang: Lang | None) -> None:
        result = assistant.ask(question, lang=args.lang or lang, today=args.today)
        if args.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False), file=stdout, flush=False)
            return
        print(result.answer, file=stdout)
        if result.source:
            print(
                f"[{assistant.kb.say('source_label', result.lang)}: {result.source}]", file=stdout
            )
        for suggestion in result.suggestions:
            print(f"  - {suggestion.question}", file=stdout)
        print(file=stdout)

    if args.question:
        answer(" ".join(args.question), None)
        return 0
    for line in stdin:
        if line.strip():
            answer(*_read_line(line))
        elif args.json:
            answer("", None)
    stdout.flush()
    return 0


def cmd_chat(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """The console chat."""
    from bot.console import run

    services = _services()
    try:
        run(services.console(lang=args.lang or "en"), stdin, stdout)
    finally:
        services.close()
    return 0


def cmd_run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """The Telegram bot, with the settings from the environment and ``.env``, checked first."""
    import logging

    from bot.logs import setup_logging

    services = _services(telegram=True)
    settings = services.settings
    setup_logging([settings.token, settings.webhook_secret or ""], level=logging.INFO)
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram_app import run

    try:
        run(services)
    except InvalidToken:
        print(
            "cppbot run: Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather.",
            file=sys.stderr,
        )
        return 2
    except NetworkError as exc:
        reason = str(exc).replace(settings.token, "[REDACTED]")
        print(
            f"cppbot run: cannot reach the Telegram Bot API at {settings.base_url} ({reason}). "
            "Check the network, or TELEGRAM_BASE_URL.",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_start(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """What ``make run`` starts: the Telegram bot with a token, else the console chat."""
    if _services().settings.token:
        return cmd_run(args, stdin, stdout)
    args.lang = None
    return cmd_chat(args, stdin, stdout)


def cmd_eligibility(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Evaluate the eligibility rules for answers given as JSON, without a dialogue."""
    from flows import eligibility

    return _check(eligibility, "eligibility", args, stdout)


def cmd_recognition(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Evaluate the Recognition Scheme criteria for answers given as JSON, without a dialogue."""
    from flows import recognition

    return _check(recognition, "recognition", args, stdout)


def _check(check: Any, name: str, args: argparse.Namespace, stdout: TextIO) -> int:
    """A check's verdicts for ``--answers`` as of ``--today``, as text or ``--json``."""
    from flows.core import AnswerError

    ctx = _services().context(args.today)
    try:
        raw = json.loads(args.answers)
        if not isinstance(raw, dict):
            raise AnswerError("--answers must be a JSON object")
        answers = check.validate_answers(raw)
    except (json.JSONDecodeError, AnswerError) as exc:
        print(f"cppbot {name}: {exc}", file=sys.stderr)
        return 2
    lang: Lang = args.lang or "en"
    verdicts = check.evaluate(answers, ctx)
    if args.json:
        print(json.dumps(check.verdicts_json(verdicts, ctx, lang), ensure_ascii=False), file=stdout)
    else:
        print(check.render_verdicts(verdicts, ctx, lang), file=stdout)
    return 0


def cmd_estimate(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Estimate the subsidy for a scheme and a project cost."""
    from flows import estimate
    from knowledge import estimates
    from knowledge.amounts import AmountError, parse_amount

    ctx = _services().context(args.today)
    try:
        amount = parse_amount(args.cost)
    except AmountError:
        print(
            f"cppbot estimate: cannot read {args.cost!r} as one amount "
            "(examples: 800000, 800,000, HK$800k, 80萬)",
            file=sys.stderr,
        )
        return 2
    if amount.currency not in (None, "HKD"):
        print(
            f"cppbot estimate: {args.cost!r} is in {amount.currency}; "
            "give the cost in Hong Kong dollars",
            file=sys.stderr,
        )
        return 2
    try:
        result = estimates.estimate(ctx.kb.programme, args.scheme, amount.value, ctx.today)
    except estimates.EstimateError as exc:
        print(f"cppbot estimate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(result.to_json(ctx.kb.programme.procurement), ensure_ascii=False),
            file=stdout,
        )
    else:
        print(estimate.render(result, ctx, args.lang or "en"), file=stdout)
    return 0


def cmd_backup(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Copy the database to PATH, integrity-checked (safe while the bot runs)."""
    services = _services()
    try:
        storage = services.storage(args.db)
        size = storage.backup(Path(args.path))
    except (FileExistsError, OSError, sqlite3.DatabaseError) as exc:
        print(f"cppbot backup: {exc}", file=sys.stderr)
        return 1
    finally:
        services.close()
    print(f"Backed up to {args.path} ({size:,} bytes, integrity check ok).", file=stdout)
    return 0


def cmd_purge(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Delete personal data kept longer than the retention periods (the bot does it daily)."""
    services = _services()
    try:
        removed = services.storage(args.db).purge(services.retention())
    finally:
        services.close()
    retention = services.retention()
    print(
        f"Kept {retention.records_months} months (registrations, tickets) and"
        f" {retention.conversations_months} months (conversations, unanswered questions).",
        file=stdout,
    )
    for table, count in removed.items():
        print(f"  {table}: {count} deleted", file=stdout)
    return 0


def cmd_kb_check(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Validate the knowledge data; non-zero exit with the problems listed."""
    from knowledge.check import run_check
    from knowledge.loader import default_knowledge, load_knowledge

    data = args.data or _services().settings.knowledge_dir
    problems = run_check(data_dir=data, sources_dir=args.sources)
    if problems:
        print(f"knowledge base: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    kb = load_knowledge(data) if data else default_knowledge()
    print(
        f"knowledge base OK: {len(kb.faq)} FAQ entries, {len(kb.programme.schemes)} schemes, "
        f"{len(kb.programme.contacts)} contacts, {len(kb.messages)} messages",
        file=stdout,
    )
    return 0


def cmd_kb_eval(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Score an enquiry set: accuracy per language, out-of-scope rejection, the misses."""
    from knowledge.evaluate import evaluate, load_enquiries

    assistant = _services().assistant
    report = evaluate(assistant, load_enquiries(args.file))
    print(report.summary(), file=stdout)
    for line in report.miss_lines():
        print(line, file=stdout)
    return 0


def _suggestion_id(value: str) -> int:
    """A suggestion id as listed ("#12") or bare ("12")."""
    try:
        return int(value.strip().removeprefix("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a suggestion id: {value!r}") from None


def cmd_kb_pending(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Staff's review of "add as alternate question": list pending suggestions, resolve some.

    The database only records the decision; accepting means staff have pasted the question
    into the YAML themselves (reviewed, in version control), so the hint says where.
    """
    services = _services()
    storage = services.storage(args.db)
    try:
        failed = False
        decisions = [(n, True) for n in args.accept] + [(n, False) for n in args.reject]
        for suggestion_id, accept in decisions:
            status = "accepted" if accept else "rejected"
            if storage.resolve_suggestion(suggestion_id, "accepted" if accept else "rejected"):
                print(f"#{suggestion_id} {status}", file=stdout)
            else:
                print(f"cppbot kb pending: no pending suggestion #{suggestion_id}", file=sys.stderr)
                failed = True
        pending = storage.pending_suggestions()
    finally:
        services.close()
    if decisions:
        print(file=stdout)
    if not pending:
        print("No pending suggestions.", file=stdout)
        return 1 if failed else 0

    kb = services.kb
    groups: dict[str, list[str]] = {}
    for suggestion in pending:
        groups.setdefault(suggestion.faq_id, []).append(
            f"  #{suggestion.id} [{suggestion.lang}] {suggestion.question}"
        )
    for faq_id, lines in groups.items():
        try:
            heading = kb.entry(faq_id).questions.get("en")[0]
            where = f"knowledge/data/faq/{kb.faq_files[faq_id]}"
        except KeyError:
            heading, where = "(no longer in the knowledge base)", ""
        print(f"{faq_id}: {heading}", file=stdout)
        for line in lines:
            print(line, file=stdout)
        if where:
            print(f"  -> add to {where}, entry {faq_id}, under questions/<lang>", file=stdout)
        print(file=stdout)
    print(
        "To add one: paste the question into the entry's questions, under its language, in\n"
        "the YAML file named above; run `cppbot kb check`; then `cppbot kb pending --accept ID`.\n"
        "To drop one: `cppbot kb pending --reject ID`. Both options can be repeated.",
        file=stdout,
    )
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    from bot.cli_staff import add_parsers as add_staff_parsers

    parser = argparse.ArgumentParser(
        prog="cppbot", description="Cleaner Production Partnership Programme enquiry assistant"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    start = sub.add_parser("start", help="Telegram bot if TELEGRAM_BOT_TOKEN is set, else console")
    start.set_defaults(func=cmd_start)

    run = sub.add_parser("run", help="the Telegram bot (settings from the environment or .env)")
    run.set_defaults(func=cmd_run)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--lang", choices=LANGS, help="language to start in")
    chat.set_defaults(func=cmd_chat)

    ask = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    ask.add_argument("question", nargs="*", help="the question; omit to read stdin")
    ask.add_argument("--lang", choices=LANGS, help="reply in this language")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.add_argument("--today", type=_date, help="pretend today is this date (YYYY-MM-DD)")
    ask.set_defaults(func=cmd_ask)

    for name, what, example, func in (
        ("eligibility", "the eligibility rules", '{"org_type": "company"}', cmd_eligibility),
        ("recognition", "the Recognition Scheme criteria", '{"dp_count": 2}', cmd_recognition),
    ):
        check = sub.add_parser(name, help=f"evaluate {what} for JSON answers")
        check.add_argument("--answers", required=True, help=f"e.g. {example}")
        check.add_argument("--lang", choices=LANGS)
        check.add_argument("--json", action="store_true")
        check.add_argument("--today", type=_date, help="evaluate as of this date (YYYY-MM-DD)")
        check.set_defaults(func=func)

    est = sub.add_parser("estimate", help="estimate the subsidy for a project cost")
    est.add_argument("--scheme", required=True, help="scheme id from knowledge/data/programme.yaml")
    est.add_argument("--cost", required=True, help="e.g. 800000, HK$800k, 80萬")
    est.add_argument("--lang", choices=LANGS)
    est.add_argument("--json", action="store_true")
    est.add_argument("--today", type=_date, help="estimate as of this date (YYYY-MM-DD)")
    est.set_defaults(func=cmd_estimate)

    backup = sub.add_parser("backup", help="copy the database to PATH, integrity-checked")
    backup.add_argument("path", help="the copy to write (must not exist)")
    backup.add_argument("--db", help="the database (default: DATABASE_PATH)")
    backup.set_defaults(func=cmd_backup)

    purge = sub.add_parser("purge", help="delete personal data older than the retention periods")
    purge.add_argument("--db", help="the database (default: DATABASE_PATH)")
    purge.set_defaults(func=cmd_purge)

    add_staff_parsers(sub)

    kb = sub.add_parser("kb", help="knowledge base tools for staff")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate the knowledge data against its sources")
    check.add_argument(
        "--data", type=Path, help="knowledge data directory (default: KNOWLEDGE_DIR, else packaged)"
    )
    check.add_argument("--sources", type=Path, help="directory of the programme documents")
    check.set_defaults(func=cmd_kb_check)
    evaluation = kb_sub.add_parser("eval", help="score an enquiry set (JSON Lines)")
    evaluation.add_argument("file", type=Path)
    evaluation.set_defaults(func=cmd_kb_eval)
    pending = kb_sub.add_parser("pending", help='review "add as alternate question" suggestions')
    pending.add_argument("--db", help="database file (default: DATABASE_PATH or cppbot.db)")
    pending.add_argument(
        "--accept",
        action="append",
        default=[],
        type=_suggestion_id,
        metavar="ID",
        help="mark a suggestion accepted (after adding it to the YAML); repeatable",
    )
    pending.add_argument(
        "--reject",
        action="append",
        default=[],
        type=_suggestion_id,
        metavar="ID",
        help="mark a suggestion rejected; repeatable",
    )
    pending.set_defaults(func=cmd_kb_pending)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.config import ConfigError
    from knowledge.loader import KnowledgeError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, sys.stdin, sys.stdout))
    except ConfigError as exc:
        print(f"cppbot {args.command}: the configuration has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        print("See .env.example for every setting.", file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        print(
            f"cppbot: the knowledge data is invalid; run `cppbot kb check`.\n{exc}", file=sys.stderr
        )
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
