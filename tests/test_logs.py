"""Logging: the bot token never reaches the log, whichever logger or argument carries it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from telegram.error import NetworkError

from bot.logs import RedactingFilter, setup_logging

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno"
URL = f"https://api.telegram.org/bot{TOKEN}/getMe"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """setup_logging writing to a string; the root and httpx loggers restored afterwards."""
    root = logging.getLogger()
    saved_handlers = list(root.handlers)
    saved_levels = {
        name: logging.getLogger(name).level for name in ("", "httpx", "httpcore", "telegram")
    }
    stream = io.StringIO()
    setup_logging([TOKEN], stream=stream)
    yield stream
    root.handlers[:] = saved_handlers
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("cppbot", logging.INFO, __file__, 1, msg, args, None)


def test_token_in_args() -> None:
    item = record("GET %s -> %d", URL, 200)
    assert True is RedactingFilter([TOKEN]).filter(item)
    assert "GET https://api.telegram.org/bot[REDACTED]/getMe -> 200" == item.getMessage()
    assert None is item.args


def test_token_in_msg() -> None:
    item = record(f"calling {URL}")
    RedactingFilter([TOKEN]).filter(item)
    assert "calling https://api.telegram.org/bot[REDACTED]/getMe" == item.getMessage()


def test_url_encoded_token() -> None:
    item = record("callback?token=123456789%3AAAFakeTokenForTestsOnly_abcdefghijklmno&x=1")
    RedactingFilter([TOKEN]).filter(item)
    assert "callback?token=[REDACTED]&x=1" == item.getMessage()


def test_several_secrets_and_empty_ones_ignored() -> None:
    item = record("%s and %s, nothing else", TOKEN, "hook-secret")
    RedactingFilter(["", TOKEN, "hook-secret"]).filter(item)
    assert "[REDACTED] and [REDACTED], nothing else" == item.getMessage()


def test_no_secrets_leaves_record_alone() -> None:
    item = record("%d items", 3)
    assert True is RedactingFilter([""]).filter(item)
    assert "%d items" == item.msg
    assert (3,) == item.args


def test_bad_format_does_not_raise() -> None:
    item = record(f"{TOKEN} %d", "not a number")
    assert True is RedactingFilter([TOKEN]).filter(item)
    assert TOKEN not in item.getMessage()


def test_logged_message(output: io.StringIO) -> None:
    logging.getLogger("cppbot.test").warning("could not reach %s", URL)
    line = output.getvalue()
    assert TOKEN not in line
    assert line.rstrip("\n").endswith(
        " WARNING cppbot.test: could not reach https://api.telegram.org/bot[REDACTED]/getMe"
    )


def test_logged_exception(output: io.StringIO) -> None:
    log = logging.getLogger("telegram.ext.Updater")
    try:
        try:
            raise OSError(f"connection reset: {URL}")
        except OSError as exc:
            raise RuntimeError(f"GET {URL} failed") from exc
    except RuntimeError:
        log.exception("polling failed for %s", TOKEN)
    text = output.getvalue()
    assert TOKEN not in text
    assert "polling failed for [REDACTED]" in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: GET https://api.telegram.org/bot[REDACTED]/getMe failed" in text
    assert "OSError: connection reset: https://api.telegram.org/bot[REDACTED]/getMe" in text


def test_network_retry_loop_is_one_line_without_the_token(output: io.StringIO) -> None:
    log = logging.getLogger("telegram.ext")
    try:
        try:
            raise OSError(f"All connection attempts failed: {URL}")
        except OSError as exc:
            raise NetworkError(f"httpx.ConnectError: {URL}") from exc
    except NetworkError:
        # PTB's own call: the prefix is an argument
        log.exception(
            "%s Failed run number %s of %s. Aborting.", "Network Retry Loop (Polling):", 0, 0
        )
    lines = output.getvalue().splitlines()
    assert 1 == len(lines)
    assert (
        "Network Retry Loop (Polling): Failed run number 0 of 0. Aborting. (NetworkError:"
        in lines[0]
    )
    assert "bot[REDACTED]/getMe" in lines[0] and TOKEN not in lines[0]


def test_other_telegram_errors_keep_their_traceback(output: io.StringIO) -> None:
    try:
        raise NetworkError("boom")
    except NetworkError:
        logging.getLogger("telegram.ext").exception("No error handlers are registered")
    assert "Traceback (most recent call last)" in output.getvalue()


def test_httpx_info_dropped(output: io.StringIO) -> None:
    logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', URL)
    logging.getLogger("httpcore.http11").debug("send_request_headers.started %s", URL)
    assert "" == output.getvalue()


def test_httpx_warning_redacted(output: io.StringIO) -> None:
    logging.getLogger("httpx").warning("HTTP Request: POST %s failed", URL)
    text = output.getvalue()
    assert TOKEN not in text
    assert "WARNING httpx: HTTP Request: POST https://api.telegram.org/bot[REDACTED]/getMe failed" in text  # fmt: skip


def test_info_level_from_other_loggers(output: io.StringIO) -> None:
    logging.getLogger("telegram.ext").info("Application started")
    logging.getLogger("cppbot").debug("not shown at INFO")
    assert ["Application started"] == [
        line.rsplit(": ", 1)[1] for line in output.getvalue().splitlines()
    ]


def test_setup_twice_one_handler(output: io.StringIO) -> None:
    root = logging.getLogger()
    before = len(root.handlers)
    second = io.StringIO()
    setup_logging([TOKEN, "other-secret"], level=logging.DEBUG, stream=second)
    assert before == len(root.handlers)
    assert logging.DEBUG == root.level
    assert logging.WARNING == logging.getLogger("httpx").level
    logging.getLogger("cppbot").debug("%s and %s", TOKEN, "other-secret")
    assert "" == output.getvalue()
    assert second.getvalue().rstrip("\n").endswith("DEBUG cppbot: [REDACTED] and [REDACTED]")
