"""A clock the tests set by hand (the storage's timestamps, the desk's "now")."""

from __future__ import annotations

import datetime as dt

from knowledge.models import HONG_KONG


class FakeClock:
    """Stands at 2026-11-20 11:00 in Hong Kong until ``at`` moves it."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, iso: str) -> None:
        """Move to ``iso``; a time written without an offset is Hong Kong time."""
        moment = dt.datetime.fromisoformat(iso)
        self.now = moment if moment.tzinfo is not None else moment.replace(tzinfo=HONG_KONG)
