"""A fake Telegram Bot API server for end-to-end tests (see ``tests/fakebot/server.py``)."""

from tests.fakebot.server import (
    DEFAULT_TOKEN,
    ApiError,
    FakeGroup,
    FakeTelegram,
    FakeUser,
    HtmlParseError,
    Upload,
    parse_html,
    utf16_len,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "HtmlParseError",
    "Upload",
    "parse_html",
    "utf16_len",
]
