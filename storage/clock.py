"""Time as the database stores it: naive UTC datetimes, and China's calendar day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

#: China Standard Time; government pages state dates in it, and "today" is its day.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def utcnow() -> datetime:
    """Now as a naive UTC datetime, the form every stored timestamp takes."""
    return datetime.now(UTC).replace(tzinfo=None)


def china_today() -> date:
    """Today's date in China, the default day of a check."""
    return datetime.now(CHINA_TZ).date()


def end_of_china_day_utc(day: date) -> datetime:
    """The last moment of ``day`` in China, as naive UTC (the cut-off of an as-of check)."""
    local_end = datetime.combine(day, time.max, tzinfo=CHINA_TZ)
    return local_end.astimezone(UTC).replace(tzinfo=None)


def to_iso_utc(moment: datetime | None) -> str | None:
    """A stored naive-UTC timestamp as ISO 8601 with an explicit offset."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC, microsecond=0).isoformat()


def to_china_day(moment: datetime) -> date:
    """The China calendar day of a stored naive-UTC timestamp."""
    return moment.replace(tzinfo=UTC).astimezone(CHINA_TZ).date()
