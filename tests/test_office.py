"""Office hours: open and closed minutes, weekends, Hong Kong public holidays, the text forms."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.office import OfficeHours, parse_days

HK = ZoneInfo("Asia/Hong_Kong")
OFFICE = OfficeHours.parse()  # mon-fri, 09:00-18:00, Asia/Hong_Kong


def hk(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    """A Hong Kong wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=HK)


# ---------------------------------------------------------------------------------------
# Parsing


def test_defaults() -> None:
    assert frozenset(range(5)) == OFFICE.days
    assert dt.time(9, 0) == OFFICE.opens
    assert dt.time(18, 0) == OFFICE.closes
    assert HK == OFFICE.tz


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ({0, 1, 2, 3, 4}, "mon-fri"),
        ({0, 1, 3}, "mon,tue,thu"),
        ({0, 1, 2, 3, 4, 5}, "mon-sat"),
        ({0, 1, 2, 4}, "mon-wed,fri"),
        ({0, 1, 2, 4}, " Mon - Wed , FRI "),
        ({0, 1, 2, 3, 4, 5, 6}, "sun-sat"),
        ({0, 1, 2, 3, 4, 5, 6}, "mon-sun"),
        ({4, 5, 6, 0}, "fri-mon"),
        ({2}, "wed"),
        ({2}, "wed-wed"),
        ({0, 6}, "monday,sunday"),
        ({0, 1}, "mon,mon-tue,tue"),
    ],
)
def test_parse_days(expected: set[int], text: str) -> None:
    assert frozenset(expected) == parse_days(text)


@pytest.mark.parametrize(
    ("message", "days"),
    [
        ("no office days", ""),
        ("no office days", "  "),
        ("'mun' is not a day of the week", "mun-fri"),
        ("'weekdays' is not a day of the week", "weekdays"),
        ("empty item", "mon,,fri"),
        ("empty item", "mon,"),
        ("'' is not a day of the week", "mon-"),
        ("is not a day or a range of days", "mon-wed-fri"),
        ("'1' is not a day of the week", "1-5"),
    ],
)
def test_parse_days_errors(message: str, days: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        OfficeHours.parse(days=days)
    assert "mon-fri" in str(caught.value)  # the message says what would work


def test_parse_hours() -> None:
    office = OfficeHours.parse(hours="8:30 - 17:45")
    assert (dt.time(8, 30), dt.time(17, 45)) == (office.opens, office.closes)


@pytest.mark.parametrize(
    ("message", "hours"),
    [
        ("'9' is not a time", "9-18"),
        ("'09:00' is not a range of hours", "09:00"),
        ("'09:00-12:00-13:00' is not a range of hours", "09:00-12:00-13:00"),
        ("'9am' is not a time", "9am-6pm"),
        ("'25:00' is not a time of day", "09:00-25:00"),
        ("'09:60' is not a time of day", "09:60-18:00"),
        ("'24:00' is not a time of day", "24:00-24:00"),  # only closing may be 24:00
        ("must open before it closes", "18:00-09:00"),
        ("must open before it closes", "09:00-09:00"),
    ],
)
def test_parse_hours_errors(message: str, hours: str) -> None:
    with pytest.raises(ValueError, match=message):
        OfficeHours.parse(hours=hours)


def test_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="'Asia/Kowloon' is not a known time zone"):
        OfficeHours.parse(tz="Asia/Kowloon")
    with pytest.raises(ValueError, match="is not a known time zone"):
        OfficeHours.parse(tz="../etc/passwd")
    with pytest.raises(ValueError, match="is not a known time zone"):
        OfficeHours.parse(tz="")


def test_other_time_zone() -> None:
    assert ZoneInfo("Europe/London") == OfficeHours.parse(tz="Europe/London").tz


# ---------------------------------------------------------------------------------------
# Open or closed


def test_weekday_inside_and_outside_hours() -> None:
    # Tuesday 2026-11-24
    assert True is OFFICE.is_open(hk(2026, 11, 24, 11, 15))
    assert False is OFFICE.is_open(hk(2026, 11, 24, 7, 0))
    assert False is OFFICE.is_open(hk(2026, 11, 24, 21, 30))


def test_boundary_minutes() -> None:
    assert True is OFFICE.is_open(hk(2026, 11, 24, 9, 0))
    assert False is OFFICE.is_open(hk(2026, 11, 24, 8, 59, 59))
    assert True is OFFICE.is_open(hk(2026, 11, 24, 17, 59, 59))
    assert False is OFFICE.is_open(hk(2026, 11, 24, 18, 0))


def test_weekend_closed() -> None:
    assert False is OFFICE.is_open(hk(2026, 11, 21, 11, 0))  # Saturday
    assert False is OFFICE.is_open(hk(2026, 11, 22, 11, 0))  # Sunday
    assert True is OfficeHours.parse(days="mon-sat").is_open(hk(2026, 11, 21, 11, 0))


def test_until_midnight() -> None:
    office = OfficeHours.parse(hours="09:00-24:00")
    assert True is office.is_open(hk(2026, 11, 24, 23, 59, 59, 999999))
    assert False is office.is_open(hk(2026, 11, 25, 0, 0))
    assert hk(2026, 11, 25, 9, 0) == office.next_opening(hk(2026, 11, 25, 0, 0))


def test_public_holiday_closed() -> None:
    assert "Christmas Day" == OFFICE.holiday(dt.date(2026, 12, 25))  # a Friday
    assert False is OFFICE.is_open(hk(2026, 12, 25, 11, 0))
    assert None is OFFICE.holiday(dt.date(2026, 12, 24))
    assert True is OFFICE.is_open(hk(2026, 12, 24, 11, 0))


def test_general_holidays_not_only_statutory() -> None:
    # Good Friday is a general (public) holiday but not a statutory one; offices close.
    assert "Good Friday" == OFFICE.holiday(dt.date(2026, 4, 3))
    assert "Lunar New Year's Day" == OFFICE.holiday(dt.date(2027, 2, 6))
    assert "The third day of Lunar New Year" == OFFICE.holiday(dt.date(2027, 2, 8))


def test_utc_now_converted() -> None:
    # 01:30 UTC is 09:30 in Hong Kong; 10:30 UTC is 18:30.
    tuesday_morning = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)
    assert True is OFFICE.is_open(tuesday_morning)
    assert hk(2026, 11, 24, 9, 30) == OFFICE.next_opening(tuesday_morning)
    assert HK == OFFICE.next_opening(tuesday_morning).tzinfo
    # Sunday 23:30 UTC is already Monday 07:30 in Hong Kong.
    assert hk(2026, 11, 23, 9, 0) == OFFICE.next_opening(
        dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    )


def test_naive_now_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        OFFICE.is_open(dt.datetime(2026, 11, 24, 11, 0))
    with pytest.raises(ValueError, match="aware"):
        OFFICE.next_opening(dt.datetime(2026, 11, 24, 11, 0))


# ---------------------------------------------------------------------------------------
# Next opening


def test_next_opening_when_open_is_now() -> None:
    now = hk(2026, 11, 24, 11, 15, 42)
    assert now == OFFICE.next_opening(now)


def test_next_opening_before_hours_same_day() -> None:
    assert hk(2026, 11, 24, 9, 0) == OFFICE.next_opening(hk(2026, 11, 24, 6, 45))


def test_next_opening_after_hours_next_day() -> None:
    assert hk(2026, 11, 25, 9, 0) == OFFICE.next_opening(hk(2026, 11, 24, 18, 0))


def test_friday_evening_to_monday() -> None:
    assert hk(2026, 11, 30, 9, 0) == OFFICE.next_opening(hk(2026, 11, 27, 18, 5))


def test_saturday_to_monday() -> None:
    assert hk(2026, 11, 23, 9, 0) == OFFICE.next_opening(hk(2026, 11, 21, 10, 0))


def test_christmas_to_monday() -> None:
    # Thu 24 Dec evening → Fri 25 (Christmas Day), Sat 26 (holiday), Sun → Mon 28 Dec.
    assert hk(2026, 12, 28, 9, 0) == OFFICE.next_opening(hk(2026, 12, 24, 19, 0))
    # With Saturdays open, the Saturday after Christmas is still a holiday.
    mon_sat = OfficeHours.parse(days="mon-sat")
    assert "The first weekday after Christmas Day" == mon_sat.holiday(dt.date(2026, 12, 26))
    assert hk(2026, 12, 28, 9, 0) == mon_sat.next_opening(hk(2026, 12, 24, 19, 0))


def test_run_of_holidays_easter_2026() -> None:
    # Good Friday 3 Apr, the day following (Sat), Sun, Mon 6 and Tue 7 Apr are all closed.
    assert hk(2026, 4, 8, 9, 0) == OFFICE.next_opening(hk(2026, 4, 2, 18, 30))


def test_lunar_new_year_2027() -> None:
    # Sat 6 Feb is the first day; Mon 8 and Tue 9 Feb are holidays too.
    assert hk(2027, 2, 10, 9, 0) == OFFICE.next_opening(hk(2027, 2, 5, 18, 30))


def test_holiday_morning_on_open_day() -> None:
    # Before opening on a holiday: not that day's 09:00.
    assert hk(2026, 12, 28, 9, 0) == OFFICE.next_opening(hk(2026, 12, 25, 7, 0))


def test_next_opening_other_zone() -> None:
    london = OfficeHours.parse(tz="Europe/London")
    # 17:30 UTC on Friday 27 Nov 2026 is 17:30 in London: open. 18:30 is not.
    friday = dt.datetime(2026, 11, 27, 17, 30, tzinfo=dt.UTC)
    assert True is london.is_open(friday)
    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert monday == london.next_opening(friday + dt.timedelta(hours=1))


def test_never_open_gives_up() -> None:
    never = OfficeHours(days=frozenset(), opens=dt.time(9), closes=dt.time(18), tz=HK)
    with pytest.raises(ValueError, match="does not open"):
        never.next_opening(hk(2026, 11, 24, 11, 0))


def test_open_minutes_count_only_office_hours() -> None:
    office = OfficeHours.parse()  # Monday to Friday, 09:00-18:00, Hong Kong
    hk = office.tz
    friday_evening = dt.datetime(2026, 11, 27, 17, 0, tzinfo=hk)
    monday_morning = dt.datetime(2026, 11, 30, 9, 30, tzinfo=hk)
    assert 90.0 == office.open_minutes(friday_evening, monday_morning)  # 60 + the weekend + 30
    assert 0.0 == office.open_minutes(dt.datetime(2026, 11, 28, 10, 0, tzinfo=hk),
                                      dt.datetime(2026, 11, 29, 20, 0, tzinfo=hk))  # fmt: skip
    christmas_eve = dt.datetime(2026, 12, 24, 17, 0, tzinfo=hk)
    after_boxing_day = dt.datetime(2026, 12, 28, 10, 0, tzinfo=hk)  # 25 and 26 Dec: holidays
    assert 120.0 == office.open_minutes(christmas_eve, after_boxing_day)
    utc_start = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Hong Kong
    assert 60.0 == office.open_minutes(utc_start, utc_start + dt.timedelta(hours=1))
