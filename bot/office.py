"""Office hours: when staff are at their desks to answer a handoff.

Why: a user who asks for a person outside office hours is told when staff will reply
("on Monday at 09:00") instead of waiting in silence; the bot says so at most once a day per
user (see ``daily_notices`` in :mod:`bot.storage`). The answer must be right on Hong Kong
public holidays too, so they come from the ``holidays`` package rather than a list kept by
hand: the *general holidays* (category ``optional`` there), which are the days government
offices and most employers close and match the list on gov.hk, named in Hong Kong English
("Lunar New Year's Day", "Ching Ming Festival"). The package's ``public`` category holds the
fewer statutory holidays of the Employment Ordinance (no Good Friday, for example); every
one of them that falls on a working day is also a general holiday.

The text forms are the ones in ``.env`` (``OFFICE_DAYS``, ``OFFICE_HOURS``, ``TIME_ZONE``)::

    OFFICE_DAYS   mon-fri | mon,tue,thu | mon-wed,fri | sun-sat   (ranges may wrap: fri-mon)
    OFFICE_HOURS  09:00-18:00 | 08:30-24:00                       (24:00 = end of the day)
    TIME_ZONE     Asia/Hong_Kong                                  (any IANA zone name)
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["OfficeHours", "hk_holiday", "parse_days", "parse_hours", "parse_time_zone"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS = {name: number for number, name in enumerate(DAY_NAMES)} | {
    name: number for number, name in enumerate(_FULL_NAMES)
}
_DAYS_HELP = "use mon..sun, ranges such as mon-fri, lists such as mon,wed,fri, or both: mon-wed,fri"
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_HOURS_HELP = "use HH:MM-HH:MM, for example 09:00-18:00; 24:00 means the end of the day"
END_OF_DAY = dt.time.max  # what "24:00" becomes
SEARCH_DAYS = 366  # next_opening gives up after this many days without an open day


def parse_days(text: str) -> frozenset[int]:
    """Weekday numbers (0 = Monday) from ``mon-fri``, ``mon,tue,thu``, ``mon-wed,fri``...

    Case-insensitive; full names (``monday``) work too. A range runs forward through the week
    and may wrap past Sunday: ``sun-sat`` is every day, ``fri-mon`` is Friday to Monday.
    """
    days: set[int] = set()
    parts = [part.strip() for part in text.strip().lower().split(",")]
    if parts == [""]:
        raise ValueError(f"no office days given ({_DAYS_HELP})")
    for part in parts:
        if not part:
            raise ValueError(f"empty item in the office days {text!r} ({_DAYS_HELP})")
        ends = [end.strip() for end in part.split("-")]
        if len(ends) > 2:
            raise ValueError(f"{part!r} is not a day or a range of days ({_DAYS_HELP})")
        for end in ends:
            if end not in _DAYS:
                raise ValueError(f"{end!r} is not a day of the week ({_DAYS_HELP})")
        first, last = _DAYS[ends[0]], _DAYS[ends[-1]]
        days.update((first + step) % 7 for step in range((last - first) % 7 + 1))
    return frozenset(days)


def _parse_time(text: str, *, allow_24: bool) -> dt.time:
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time ({_HOURS_HELP})")
    hour, minute = int(match[1]), int(match[2])
    if allow_24 and (hour, minute) == (24, 0):
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise ValueError(f"{text.strip()!r} is not a time of day ({_HOURS_HELP})")
    return dt.time(hour, minute)


def parse_hours(text: str) -> tuple[dt.time, dt.time]:
    """Opening and closing times from ``HH:MM-HH:MM``; the office must open before it closes."""
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f"{text.strip()!r} is not a range of hours ({_HOURS_HELP})")
    opens = _parse_time(parts[0], allow_24=False)
    closes = _parse_time(parts[1], allow_24=True)
    if not opens < closes:
        raise ValueError(
            f"the office must open before it closes, but {text.strip()!r} does not ({_HOURS_HELP})"
        )
    return opens, closes


def parse_time_zone(text: str) -> ZoneInfo:
    """A time zone from its IANA name, such as ``Asia/Hong_Kong``."""
    name = text.strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a known time zone (use an IANA name such as Asia/Hong_Kong)"
        ) from None


@functools.lru_cache(maxsize=8)
def _holidays_of(year: int) -> dict[dt.date, str]:
    import holidays  # on first use: the commands that never ask about office hours start faster
    from holidays.constants import OPTIONAL

    calendar = holidays.country_holidays("HK", years=year, categories=OPTIONAL, language="en_HK")
    return dict(calendar.items())


def hk_holiday(day: dt.date) -> str | None:
    """The English name of the Hong Kong general holiday on ``day``, or None."""
    return _holidays_of(day.year).get(day)


@dataclass(frozen=True)
class OfficeHours:
    """The days and hours staff answer, in one time zone, closed on Hong Kong holidays."""

    days: frozenset[int]  # weekday numbers, 0 = Monday
    opens: dt.time
    closes: dt.time  # END_OF_DAY (dt.time.max) for "24:00"
    tz: ZoneInfo

    @classmethod
    def parse(
        cls, days: str = "mon-fri", hours: str = "09:00-18:00", tz: str = "Asia/Hong_Kong"
    ) -> OfficeHours:
        """Office hours from the text forms; ValueError saying what is wrong otherwise."""
        opens, closes = parse_hours(hours)
        return cls(days=parse_days(days), opens=opens, closes=closes, tz=parse_time_zone(tz))

    def holiday(self, day: dt.date) -> str | None:
        """The Hong Kong public holiday on ``day`` (its English name), or None."""
        return hk_holiday(day)

    def _local(self, now: dt.datetime) -> dt.datetime:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("a time zone-aware datetime is needed, not a naive one")
        return now.astimezone(self.tz)

    def _open_day(self, day: dt.date) -> bool:
        return day.weekday() in self.days and self.holiday(day) is None

    def _within_hours(self, time: dt.time) -> bool:
        return self.opens <= time and (time < self.closes or self.closes == END_OF_DAY)

    def is_open(self, now: dt.datetime) -> bool:
        """Whether the office is open at ``now`` (aware; any time zone)."""
        local = self._local(now)
        return self._open_day(local.date()) and self._within_hours(local.time())

    def next_opening(self, now: dt.datetime) -> dt.datetime:
        """``now`` in the office's time zone if open, else the next moment the office opens.

        Skips closed days and public holidays; ValueError if nothing opens within a year
        (only possible with no office days at all).
        """
        local = self._local(now)
        if self.is_open(local):
            return local
        day = local.date()
        if not (self._open_day(day) and local.time() < self.opens):
            day += dt.timedelta(days=1)
            for _ in range(SEARCH_DAYS):
                if self._open_day(day):
                    break
                day += dt.timedelta(days=1)
            else:
                raise ValueError(f"the office does not open in the {SEARCH_DAYS} days after {now}")
        return dt.datetime.combine(day, self.opens, tzinfo=self.tz)

    def open_minutes(self, start: dt.datetime, end: dt.datetime) -> float:
        """Minutes between ``start`` and ``end`` during which the office was open: how long a
        ticket has really waited for staff (a night or a holiday does not count)."""
        first, last = self._local(start), self._local(end)
        total = 0.0
        day = first.date()
        while day <= last.date():
            if self._open_day(day):
                opens = dt.datetime.combine(day, self.opens, tzinfo=self.tz)
                closes = (
                    dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
                    if self.closes == END_OF_DAY
                    else dt.datetime.combine(day, self.closes, tzinfo=self.tz)
                )
                overlap = min(closes, last) - max(opens, first)
                total += max(overlap.total_seconds(), 0.0) / 60
            day += dt.timedelta(days=1)
        return total
