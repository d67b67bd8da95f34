"""Flood control: one user sending faster than a person types is slowed, politely, alone.

Why: a user (or a script) sending dozens of messages a minute would take the bot's and the staff
chat's share of Telegram's limits from everyone else, and fill a staff topic. Up to ``limit``
messages in ``window`` seconds are handled as usual; past that, the user is told once per window,
in their language, that the bot will read their next messages in a moment, and the messages over
the limit are neither answered nor relayed. Nothing is stored about it: the counts live in memory
and go when the window passes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Literal

Admission = Literal["ok", "notice", "drop"]
LIMIT = 20  # messages...
WINDOW = 60.0  # ...per this many seconds


class FloodGate:
    """Per-user sliding windows of recent message times."""

    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._times: dict[str, deque[float]] = {}
        self._told: dict[str, float] = {}  # when the user was last told to slow down

    def admit(self, user_id: str) -> Admission:
        """ "ok" to handle the message; "notice" to tell the user to slow down (once per
        window); "drop" to let it pass unhandled."""
        now = self.clock()
        times = self._times.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._forget_idle(now)
            return "ok"
        told = self._told.get(user_id)
        if told is None or now - told >= self.window:
            self._told[user_id] = now
            return "notice"
        return "drop"

    def _forget_idle(self, now: float) -> None:
        """Drop users with no message in the window, so memory stays bounded by activity."""
        if len(self._times) <= 4 * self.limit * 50:
            return
        for user_id in [u for u, t in self._times.items() if not t or now - t[-1] >= self.window]:
            del self._times[user_id]
            self._told.pop(user_id, None)
