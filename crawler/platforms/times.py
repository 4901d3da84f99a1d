"""Publish times as the platforms print them, turned into timezone-aware datetimes.

Weibo's mobile API and pages print ``刚刚``, ``5分钟前``, ``2小时前``, ``今天 10:21``,
``昨天 10:21``, ``11-20``, ``2025-11-20`` and ``Sat May 14 10:21:33 +0800 2022``; the other
platforms give epoch seconds. Local times are Beijing time (Asia/Shanghai).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

SHANGHAI = ZoneInfo("Asia/Shanghai")

# dateparser handles the relative forms (刚刚, N分钟前, 今天/昨天 HH:MM...) but reads "11-20"
# as year 2011 and does not know the Twitter-style ctime with a numeric offset, so those two
# are matched here first.
_API_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
_MONTH_DAY_RE = re.compile(
    r"^(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?$"
)
_FULL_DATE_RE = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
# Epoch values below this are not plausible post times (2000-01-01), above are milliseconds.
_EPOCH_MIN = 946_684_800
_EPOCH_MS_MIN = 100_000_000_000


def from_epoch(value: object) -> datetime | None:
    """A Beijing-time datetime from epoch seconds (or milliseconds), as int or digit string."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if seconds >= _EPOCH_MS_MIN:
        seconds /= 1000
    if seconds < _EPOCH_MIN:
        return None
    return datetime.fromtimestamp(seconds, tz=SHANGHAI)


def _latest_past_date(month: int, day: int, today: date) -> date | None:
    """The latest date with this month and day that is not after ``today``."""
    for year in range(today.year, today.year - 5, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 02-29 in a non-leap year
            continue
        if candidate <= today:
            return candidate
    return None


def parse_cn_time(text: str, now: datetime) -> datetime | None:
    """A time as Chinese platforms print it, relative to ``now`` (timezone-aware)."""
    text = text.strip()
    if not text:
        return None
    local_now = now.astimezone(SHANGHAI)
    try:
        return datetime.strptime(text, _API_TIME_FORMAT)
    except ValueError:
        pass
    match = _FULL_DATE_RE.match(text)
    if match:
        try:
            return datetime(
                int(match["year"]),
                int(match["month"]),
                int(match["day"]),
                int(match["hour"] or 0),
                int(match["minute"] or 0),
                int(match["second"] or 0),
                tzinfo=SHANGHAI,
            )
        except ValueError:
            return None
    match = _MONTH_DAY_RE.match(text)
    if match:
        # A month-day without a year is this year's, unless that is still ahead of us.
        on = _latest_past_date(int(match["month"]), int(match["day"]), local_now.date())
        if on is None:
            return None
        hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
        if hour > 23 or minute > 59:
            return None
        at = datetime(on.year, on.month, on.day, hour, minute, tzinfo=SHANGHAI)
        # "11-20 10:21" printed on 11-20 before 10:21 Beijing time means last year.
        return at if at <= local_now else at.replace(year=at.year - 1)
    return _parse_relative(text, local_now)


def _parse_relative(text: str, local_now: datetime) -> datetime | None:
    parsed = dateparser.parse(
        text,
        languages=["zh", "en"],
        settings={
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "TIMEZONE": "Asia/Shanghai",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
        },
    )
    if parsed is None:
        return None
    # Guard against dateparser's guesses landing in the future ("今天 10:21" seen a few
    # minutes early because of clock skew is fine, a day ahead is a misreading).
    if parsed - local_now > timedelta(hours=1):
        return None
    return parsed.astimezone(SHANGHAI)
