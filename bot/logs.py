"""Logging for the Telegram bot that never shows the bot token.

Why: the token is in every Bot API URL (``https://api.telegram.org/bot<token>/getMe``), and
those URLs turn up in log lines: httpx logs each request at INFO, and a network error's
message (and so its traceback) includes the URL. Anyone reading the log could then act as
the bot. So the redacting filter sits on the *handler*, where it sees records from every
logger (ours, ``telegram``, ``httpx``), and rewrites both the message and the traceback;
and httpx/httpcore are turned down to WARNING, so the per-request lines are not written.
Plain substring replacement is enough: the token is matched wherever it appears, also
percent-encoded.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

from telegram.error import TelegramError

__all__ = ["FORMAT", "REDACTED", "NetworkRetryFilter", "RedactingFilter", "setup_logging"]

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LOGGERS = ("httpx", "httpcore")  # they log request URLs, token included


class RedactingFilter(logging.Filter):
    """Replaces each secret in a record's message and exception text with ``[REDACTED]``.

    The message is formatted here (``record.getMessage()``), so a secret passed in the
    arguments is caught too; ``record.msg`` becomes the result and ``record.args`` None.
    Never drops a record.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if secret:
                variants.add(secret)
                variants.add(quote(secret, safe=""))  # as it appears in a query string
        # Longest first, so a secret containing another one is replaced whole.
        self.secrets: tuple[str, ...] = tuple(sorted(variants, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not turn into an exception here
            message = f"{record.msg!r} with arguments {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class NetworkRetryFilter(logging.Filter):
    """Shortens python-telegram-bot's "Network Retry Loop" errors, and its "Can not load invalid
    JSON data" errors (a 502 page), to one line.

    Why: when the Bot API cannot be reached (at start, or while polling) PTB logs a chained
    traceback of ~40 lines through httpx and httpcore for every attempt; the cause is the last
    line ("httpx.ConnectError: All connection attempts failed"), and ``cppbot run`` says what
    to check. The traceback is replaced by that line; records of other kinds are left alone.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.name == "telegram.request.BaseRequest" and record.exc_info:
            # A 502 from Telegram's front end is an HTML page: PTB logs "Can not load invalid
            # JSON data" with the JSON parser's traceback, then raises NetworkError, which the
            # delivery layer retries and logs in one line (bot.delivery).
            record.msg = record.getMessage()[:200]
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            return True
        if not isinstance(error, TelegramError):
            return True
        message = record.getMessage()
        if message.startswith("Network Retry Loop"):
            record.msg = f"{message} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class _Handler(logging.StreamHandler[TextIO]):
    """The handler :func:`setup_logging` installs, so a second call can find it."""


def setup_logging(
    secrets: Iterable[str], level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    """Log to ``stream`` (default stderr) through a redacting handler on the root logger.

    Calling it again replaces the secrets, level and stream of the same handler rather than
    adding a second one.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _Handler)), None)
    if handler is None:
        handler = _Handler(stream if stream is not None else sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    elif stream is not None:
        handler.setStream(stream)
    for old in [f for f in handler.filters if isinstance(f, RedactingFilter | NetworkRetryFilter)]:
        handler.removeFilter(old)
    handler.addFilter(NetworkRetryFilter())  # first: the redactor then sees the short line
    handler.addFilter(RedactingFilter(secrets))
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
