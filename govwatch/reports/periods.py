"""Calendar helpers for report periods: month labels, full months, the period's name."""

from __future__ import annotations

import calendar
from datetime import date


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a "YYYY-MM" month."""
    year, month_number = (int(part) for part in month.split("-"))
    last_day = calendar.monthrange(year, month_number)[1]
    return date(year, month_number, 1), date(year, month_number, last_day)


def is_full_month(month: str, start: date, end: date) -> bool:
    """Whether the whole month lies in [start, end] (only full months are held to a quota)."""
    first, last = month_bounds(month)
    return start <= first and last <= end


def month_label(month: str, start: date, end: date) -> str:
    """ "2026年7月", or "2026年9月(1-15日)" for a month the period only partly covers."""
    first, last = month_bounds(month)
    label = f"{first.year}年{first.month}月"
    if is_full_month(month, start, end):
        return label
    return f"{label}({max(first, start).day}-{min(last, end).day}日)"


def months_spanned(start: date, end: date, months: list[str]) -> float:
    """How many months the period covers, partial months counted by their share of days."""
    total = 0.0
    for month in months:
        first, last = month_bounds(month)
        covered = (min(last, end) - max(first, start)).days + 1
        total += covered / last.day
    return total


def period_label(start: date, end: date) -> str:
    """The period as a notice names it: a quarter, a month, a year, or the two dates."""
    quarter_names = {1: "一", 2: "二", 3: "三", 4: "四"}
    if start.year == end.year and start.day == 1 and end == month_bounds(f"{end:%Y-%m}")[1]:
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        if start.month == 1 and end.month == 12:
            return f"{start.year}年"
        if start.month % 3 == 1 and end.month == start.month + 2:
            return f"{start.year}年第{quarter_names[(start.month + 2) // 3]}季度"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"


def chinese_date(day: date) -> str:
    """2026年9月30日."""
    return f"{day.year}年{day.month}月{day.day}日"
