"""The Telegram bot's settings, from the environment and ``.env``.

Why here and all at once: every setting is read and checked once, when the bot starts, so a
typo in ``.env`` stops it at once with a message naming the setting, rather than showing up
hours later as a failed handoff or a webhook Telegram refuses. All problems are reported
together, so one edit fixes them all.

The bot token is a secret: anyone holding it can act as the bot and read its messages. It is
never put in an error message, in ``repr``/``str`` of :class:`Settings`, or in a log line
(see :mod:`bot.logs`). ``.env.example`` lists every setting with fake values.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.office import OfficeHours, parse_days, parse_hours, parse_time_zone
from knowledge.models import LANGS, Lang

__all__ = [
    "DEFAULT_BASE_URL",
    "ConfigError",
    "Settings",
    "load_settings",
    "read_environment",
]

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_PATH = "cppbot.db"
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443

_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # Telegram's rule for a webhook secret_token
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_REDACTED = "[REDACTED]"

T = TypeVar("T")


class ConfigError(Exception):
    """Settings that cannot be used; ``problems`` holds one full sentence per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)


DEFAULT_READ_TIMEOUT = 20.0  # seconds: far longer than Telegram's slow answers (bot.delivery)
DEFAULT_STAFF_REPLY_ALERT = 60  # minutes of office hours a ticket may wait before it is flagged
MAX_STAFF_REPLY_ALERT = 7 * 24 * 60


@dataclass(frozen=True)
class Settings:
    """Everything the Telegram bot needs to start, already checked."""

    token: str = field(repr=False)  # secret: never in repr/str
    base_url: str = DEFAULT_BASE_URL
    staff_chat_id: int | None = None
    staff_user_ids: frozenset[int] = frozenset()
    database_path: str = DEFAULT_DATABASE_PATH
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)  # secret as well
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    office: OfficeHours = OfficeHours.parse()
    knowledge_dir: Path | None = None
    staff_language: Lang = "en"
    retention_records_months: int = 24
    retention_conversations_months: int = 6
    read_timeout: float = DEFAULT_READ_TIMEOUT
    staff_reply_alert_minutes: int = DEFAULT_STAFF_REPLY_ALERT

    @property
    def webhook(self) -> bool:
        """Webhook mode (WEBHOOK_URL set); polling otherwise."""
        return self.webhook_url is not None

    def is_staff_user(self, user_id: int | None) -> bool:
        """Whether ``user_id`` may use staff commands outside the staff chat."""
        return user_id is not None and user_id in self.staff_user_ids


def read_environment(cwd: Path | None = None) -> dict[str, str]:
    """The process environment over the ``.env`` file in ``cwd`` (default: the working
    directory); the environment wins. Values are stripped. ``os.environ`` is not changed."""
    path = (cwd if cwd is not None else Path.cwd()) / ".env"
    merged: dict[str, str] = {}
    if path.is_file():
        for key, value in dotenv_values(path).items():
            if value is not None:
                merged[key] = value.strip()
    merged.update((key, value.strip()) for key, value in os.environ.items())
    return merged


def _http_url(value: str) -> tuple[str, str] | None:
    """(scheme, host) of an http(s) URL with a host, or None."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower()


def _base_url(value: str, problems: list[str]) -> str:
    if not value:
        return DEFAULT_BASE_URL
    parts = urlsplit(value)
    if _http_url(value) is None or parts.query or parts.fragment:
        problems.append(
            f"TELEGRAM_BASE_URL {value!r} is not an http:// or https:// URL of a Bot API server "
            f"(for example http://localhost:8081/bot); leave it empty for Telegram's own."
        )
        return DEFAULT_BASE_URL
    url = value.rstrip("/")
    if not urlsplit(url).path:
        url += "/bot"  # the token is appended directly: .../bot<token>/getMe
    return url


def _int(name: str, value: str, problems: list[str], what: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        problems.append(f"{name} {value!r} is not {what}.")
        return None


def _staff_chat_id(value: str, problems: list[str]) -> int | None:
    if not value:
        return None
    what = "an integer chat id (a supergroup's id looks like -1001234567890)"
    number = _int("STAFF_CHAT_ID", value, problems, what)
    if number == 0:
        problems.append(f"STAFF_CHAT_ID 0 is not {what}.")
        return None
    return number


def _staff_user_ids(value: str, problems: list[str]) -> frozenset[int]:
    ids: set[int] = set()
    bad: list[str] = []
    for item in re.split(r"[,\s]+", value):
        if not item:
            continue
        if item.isascii() and item.isdigit() and int(item) > 0:
            ids.add(int(item))
        else:
            bad.append(item)
    if bad:
        problems.append(
            f"STAFF_USER_IDS must be positive Telegram user ids separated by commas or spaces, "
            f"but {', '.join(map(repr, bad))} {'is' if len(bad) == 1 else 'are'} not."
        )
    return frozenset(ids)


MAX_RETENTION_MONTHS = 120


def _read_timeout(value: str, problems: list[str]) -> float:
    """Seconds to wait for Telegram's answer to a call, 1 to 120; empty means the default."""
    if not value:
        return DEFAULT_READ_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 1 <= seconds <= 120:
        problems.append("TELEGRAM_READ_TIMEOUT must be a number of seconds from 1 to 120.")
        return DEFAULT_READ_TIMEOUT
    return seconds


def _months(name: str, value: str, default: int, problems: list[str]) -> int:
    """A retention period in whole months, 1 to 120; empty means ``default``."""
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_RETENTION_MONTHS:
        problems.append(
            f"{name} must be a whole number of months from 1 to {MAX_RETENTION_MONTHS}."
        )
        return default
    return int(value)


def _alert_minutes(value: str, problems: list[str]) -> int:
    """STAFF_REPLY_ALERT_MINUTES: minutes of office hours; 0 turns the flag off."""
    if not value:
        return DEFAULT_STAFF_REPLY_ALERT
    if not value.isdigit() or int(value) > MAX_STAFF_REPLY_ALERT:
        problems.append(
            "STAFF_REPLY_ALERT_MINUTES must be a whole number of minutes from 0 (off) to"
            f" {MAX_STAFF_REPLY_ALERT}."
        )
        return DEFAULT_STAFF_REPLY_ALERT
    return int(value)


def _database_path(value: str, problems: list[str]) -> str:
    path = value or DEFAULT_DATABASE_PATH
    if path != ":memory:":
        parent = Path(path).expanduser().parent
        if not parent.is_dir():
            problems.append(
                f"DATABASE_PATH {path!r} is in a directory that does not exist ({str(parent)!r})."
            )
    return path


def _webhook(
    url_value: str, secret_value: str, problems: list[str]
) -> tuple[str | None, str | None]:
    url: str | None = None
    secret: str | None = None
    if url_value:
        scheme_host = _http_url(url_value)
        if scheme_host is None:
            problems.append(f"WEBHOOK_URL {url_value!r} is not an https:// URL.")
        elif scheme_host[0] != "https" and scheme_host[1] not in _LOCAL_HOSTS:
            problems.append(
                f"WEBHOOK_URL {url_value!r} must start with https:// (Telegram only calls "
                f"https webhooks; http:// is accepted for localhost and 127.0.0.1 only)."
            )
        else:
            url = url_value
    if secret_value:
        if _SECRET.fullmatch(secret_value):
            secret = secret_value
        else:
            # The value is not repeated: it is meant to be a secret.
            problems.append(
                "WEBHOOK_SECRET must be 1 to 256 characters, each a letter A-Z or a-z, "
                "a digit, '_' or '-' (Telegram's rule for a webhook secret token)."
            )
    elif url_value:
        problems.append(
            "WEBHOOK_SECRET must be set when WEBHOOK_URL is, so the bot can tell Telegram's "
            "calls from anyone else's (1 to 256 characters of A-Z, a-z, 0-9, '_' and '-')."
        )
    return url, secret


def _webhook_listen(value: str, problems: list[str]) -> str:
    if not value:
        return DEFAULT_WEBHOOK_LISTEN
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not _HOSTNAME.fullmatch(value):
            problems.append(
                f"WEBHOOK_LISTEN {value!r} is not an IP address or host name to listen on "
                f"(for example 127.0.0.1, or 0.0.0.0 for every interface)."
            )
            return DEFAULT_WEBHOOK_LISTEN
    return value


def _webhook_port(value: str, problems: list[str]) -> int:
    if not value:
        return DEFAULT_WEBHOOK_PORT
    what = "a port number from 1 to 65535"
    port = _int("WEBHOOK_PORT", value, problems, what)
    if port is None:
        return DEFAULT_WEBHOOK_PORT
    if not 1 <= port <= 65535:
        problems.append(f"WEBHOOK_PORT {value!r} is not {what}.")
        return DEFAULT_WEBHOOK_PORT
    return port


def _parsed(name: str, parse: Callable[[str], T], value: str, problems: list[str]) -> T | None:
    try:
        return parse(value)
    except ValueError as exc:
        problems.append(f"{name} is not valid: {exc}.")
        return None


def _office(env: Mapping[str, str], problems: list[str]) -> OfficeHours:
    def get(name: str, default: str) -> str:
        return env.get(name, "").strip() or default

    days = _parsed("OFFICE_DAYS", parse_days, get("OFFICE_DAYS", "mon-fri"), problems)
    hours = _parsed("OFFICE_HOURS", parse_hours, get("OFFICE_HOURS", "09:00-18:00"), problems)
    tz = _parsed("TIME_ZONE", parse_time_zone, get("TIME_ZONE", "Asia/Hong_Kong"), problems)
    if days is None or hours is None or tz is None:
        return OfficeHours.parse()  # not used: load_settings raises ConfigError
    return OfficeHours(days=days, opens=hours[0], closes=hours[1], tz=tz)


def _knowledge_dir(value: str, problems: list[str]) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        problems.append(f"KNOWLEDGE_DIR {value!r} is not a directory.")
        return None
    if not (path / "programme.yaml").is_file():
        problems.append(
            f"KNOWLEDGE_DIR {value!r} has no programme.yaml: it should hold a copy of the "
            f"knowledge data (the files in knowledge/data)."
        )
        return None
    return path


def _staff_language(value: str, problems: list[str]) -> Lang:
    """The language of the bot's own messages in the staff chat (case summaries, /stats)."""
    if not value:
        return "en"
    if value not in LANGS:
        problems.append(f"STAFF_LANGUAGE {value!r} must be one of {', '.join(LANGS)}.")
        return "en"
    return next(lang for lang in LANGS if lang == value)


def load_settings(env: Mapping[str, str], *, telegram: bool = True) -> Settings:
    """Settings from ``env`` (see :func:`read_environment`); ConfigError listing every
    problem found. Empty values mean the default. ``telegram=False`` (the console and the
    offline commands) does not require a token, but checks one that is set."""

    def get(name: str) -> str:
        return env.get(name, "").strip()

    problems: list[str] = []
    token = get("TELEGRAM_BOT_TOKEN")
    if not token and not telegram:
        pass
    elif not token:
        problems.append(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env."
        )
    elif not _TOKEN.fullmatch(token):
        # Never repeat the value: it may be a real token with a typo.
        problems.append(
            "TELEGRAM_BOT_TOKEN does not look like a token from @BotFather (digits, a colon, "
            "then at least 30 letters, digits, '_' or '-')."
        )
    base_url = _base_url(get("TELEGRAM_BASE_URL"), problems)
    staff_chat_id = _staff_chat_id(get("STAFF_CHAT_ID"), problems)
    staff_user_ids = _staff_user_ids(get("STAFF_USER_IDS"), problems)
    database_path = _database_path(get("DATABASE_PATH"), problems)
    webhook_url, webhook_secret = _webhook(get("WEBHOOK_URL"), get("WEBHOOK_SECRET"), problems)
    webhook_listen = _webhook_listen(get("WEBHOOK_LISTEN"), problems)
    webhook_port = _webhook_port(get("WEBHOOK_PORT"), problems)
    office = _office(env, problems)
    knowledge_dir = _knowledge_dir(get("KNOWLEDGE_DIR"), problems)
    staff_language = _staff_language(get("STAFF_LANGUAGE"), problems)
    records_months = _months(
        "RETENTION_RECORDS_MONTHS", get("RETENTION_RECORDS_MONTHS"), 24, problems
    )
    read_timeout = _read_timeout(get("TELEGRAM_READ_TIMEOUT"), problems)
    talk_months = _months(
        "RETENTION_CONVERSATIONS_MONTHS", get("RETENTION_CONVERSATIONS_MONTHS"), 6, problems
    )
    alert_minutes = _alert_minutes(get("STAFF_REPLY_ALERT_MINUTES"), problems)

    if problems:
        secrets = [s for s in (token, get("WEBHOOK_SECRET")) if len(s) >= 8]
        for secret in secrets:  # e.g. the token pasted into TELEGRAM_BASE_URL by mistake
            problems = [problem.replace(secret, _REDACTED) for problem in problems]
        raise ConfigError(problems)
    return Settings(
        token=token,
        base_url=base_url,
        staff_chat_id=staff_chat_id,
        staff_user_ids=staff_user_ids,
        database_path=database_path,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=webhook_listen,
        webhook_port=webhook_port,
        office=office,
        knowledge_dir=knowledge_dir,
        staff_language=staff_language,
        retention_records_months=records_months,
        retention_conversations_months=talk_months,
        read_timeout=read_timeout,
        staff_reply_alert_minutes=alert_minutes,
    )
