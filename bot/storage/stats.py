"""The day's figures for /stats, counted across the other tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.storage.database import StorageBase, utc_text


@dataclass(frozen=True)
class Stats:
    """What /stats shows for one local day; ``tickets_open`` is the count now, any day."""

    enquiries: int
    matched: int
    tickets_opened: int
    tickets_open: int
    tickets_closed: int
    registrations: int
    feedback_up: int
    feedback_down: int
    ratings: int
    rating_average: float | None


class StatsQueries(StorageBase):
    def stats(self, day: dt.date, tz: dt.tzinfo) -> Stats:
        """The figures for /stats on ``day``, a local day in ``tz``: [00:00, 24:00).

        The day's bounds become UTC text in the stored format, so each count is a plain
        text range on the timestamps. "That day" means: enquiries logged, tickets opened,
        tickets closed, registrations made (and not cancelled since), votes cast (a
        replaced vote counts on the day of the latest press), ratings given.
        ``tickets_open`` is the number open now, whatever day they were opened.
        """
        start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
        following = day + dt.timedelta(days=1)
        end = dt.datetime(following.year, following.month, following.day, tzinfo=tz)
        bounds = [utc_text(start), utc_text(end)]

        def one(sql: str) -> Any:
            return self.db.execute(sql, bounds).fetchone()

        enquiries, matched = one(
            "select count(*), coalesce(sum(matched), 0) from enquiries"
            " where created_at >= ? and created_at < ?"
        )
        up, down = one(
            "select coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) from feedback"
            " where created_at >= ? and created_at < ?"
        )
        ratings, average = one(
            "select count(*), avg(rating) from tickets where rated_at >= ? and rated_at < ?"
        )
        open_now = self.db.execute("select count(*) from tickets where status = 'open'")
        return Stats(
            enquiries=int(enquiries),
            matched=int(matched),
            tickets_opened=int(
                one("select count(*) from tickets where created_at >= ? and created_at < ?")[0]
            ),
            tickets_open=int(open_now.fetchone()[0]),
            tickets_closed=int(
                one("select count(*) from tickets where closed_at >= ? and closed_at < ?")[0]
            ),
            registrations=int(
                one(
                    "select count(*) from registrations"
                    " where created_at >= ? and created_at < ? and cancelled_at is null"
                )[0]
            ),
            feedback_up=int(up),
            feedback_down=int(down),
            ratings=int(ratings),
            rating_average=None if average is None else float(average),
        )
