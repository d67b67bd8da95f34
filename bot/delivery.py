"""Delivering every Bot API call through Telegram's bad days: rate limits, 5xx, dropped
connections.

Why: python-telegram-bot gives up on the first error. A 429 (``RetryAfter``), a 502 from
Telegram's front end or a dropped connection then loses the reply, the relay or the ticket
summary: the rows are stored and the user is told nothing. ``RetryingRateLimiter`` is the
Application's rate limiter (``AIORateLimiter``: 30 messages a second overall, 20 a minute per
group) that also waits out ``retry_after`` and retries 5xx and network errors with exponential
backoff. A read timeout is retried too: the timeout (``TELEGRAM_READ_TIMEOUT``, 20 s by
default) is far longer than Telegram's slow answers, so a message that arrived late is received
as sent, not reported failed; only a call with no answer at all is sent again. Errors that will
not change on a retry (400 Bad Request, 403 Forbidden) are raised at once. ``getUpdates`` is
left to the polling loop, which has its own retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_AFTER_RETRIES = 5  # 429s waited out per call
NETWORK_ATTEMPTS = 6  # tries per call on 5xx and network errors: 0.5+1+2+4+8 s of backoff
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 8.0

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
# Telegram asks for no more than about one message a second in a private chat: a reply of two
# or three messages goes at once, a longer run is paced to one a second.
PRIVATE_BURST = 3
PRIVATE_PERIOD = 3.0
MAX_PACED_CHATS = 10_000


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` with ``retry_after`` honoured, 5xx / network errors retried, and
    messages to one private chat paced (``PRIVATE_BURST`` per ``PRIVATE_PERIOD`` seconds)."""

    def __init__(
        self,
        attempts: int = NETWORK_ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF,
        private_burst: int = PRIVATE_BURST,
        private_period: float = PRIVATE_PERIOD,
    ) -> None:
        super().__init__(max_retries=RETRY_AFTER_RETRIES)
        self.attempts = attempts
        self.first_backoff = first_backoff
        self.private_burst, self.private_period = private_burst, private_period
        self._private: dict[int, AsyncLimiter] = {}

    def _pace(self, data: dict[str, Any]) -> AsyncLimiter | None:
        """The limiter of a private chat the call sends to (positive chat ids are users)."""
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, int) or chat_id <= 0:
            return None
        limiter = self._private.get(chat_id)
        if limiter is None:
            if len(self._private) > MAX_PACED_CHATS:  # idle ones are full again: start afresh
                self._private.clear()
            limiter = AsyncLimiter(self.private_burst, self.private_period)
            self._private[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        if endpoint == "getUpdates":  # the polling loop retries on its own
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        pace = self._pace(data) if endpoint.startswith(("send", "copy", "forward")) else None
        if pace is not None:
            await pace.acquire()
        backoff = self.first_backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # the request itself is wrong: a retry changes nothing
                raise
            except NetworkError as exc:  # 5xx, connection refused or reset, timed out
                if attempt == self.attempts:
                    log.error("Telegram %s failed %d times (%s); giving up", endpoint, attempt, exc)
                    raise
                log.warning(
                    "Telegram %s failed (%s: %s); retry %d in %.1f s",
                    endpoint, type(exc).__name__, exc, attempt, backoff,
                )  # fmt: skip
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        raise AssertionError("unreachable")  # the last attempt returns or raises
