"""Dates as the bot compares and shows them: today is today in Hong Kong, whatever the server's
time zone, and a date reads the way each language writes it."""

from __future__ import annotations

import datetime as dt

from knowledge.models import HONG_KONG, Lang


def today_hk() -> dt.date:
    """Today's date in Hong Kong, whatever the server's time zone."""
    return dt.datetime.now(HONG_KONG).date()


def format_date(day: dt.date, lang: Lang) -> str:
    if lang == "en":
        return f"{day.day} {day:%B} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"
