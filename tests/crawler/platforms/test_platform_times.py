"""Tests for the platform time formats (crawler/platforms/times.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.platforms.times import SHANGHAI, from_epoch, parse_cn_time

# 2025-11-23 09:30 in Beijing.
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚刚", NOW),
        ("5分钟前", NOW - timedelta(minutes=5)),
        ("2小时前", NOW - timedelta(hours=2)),
        ("今天 08:21", datetime(2025, 11, 23, 8, 21, tzinfo=SHANGHAI)),
        ("昨天 10:21", datetime(2025, 11, 22, 10, 21, tzinfo=SHANGHAI)),
        ("11-20", datetime(2025, 11, 20, tzinfo=SHANGHAI)),
        ("11-20 10:21", datetime(2025, 11, 20, 10, 21, tzinfo=SHANGHAI)),
        # A month-day ahead of today is last year's, never a future date.
        ("12-20", datetime(2024, 12, 20, tzinfo=SHANGHAI)),
        ("2025-11-20", datetime(2025, 11, 20, tzinfo=SHANGHAI)),
        ("2025-11-20 10:21", datetime(2025, 11, 20, 10, 21, tzinfo=SHANGHAI)),
        ("Sat May 14 10:21:33 +0800 2022", datetime(2022, 5, 14, 10, 21, 33, tzinfo=SHANGHAI)),
    ],
)
def test_weibo_time_formats(text: str, expected: datetime) -> None:
    parsed = parse_cn_time(text, NOW)
    assert parsed is not None
    assert parsed.tzinfo is not None
    assert parsed == expected


def test_relative_times_use_beijing_time_whatever_zone_now_is_in() -> None:
    now_utc = NOW.astimezone(UTC)  # 01:30 UTC is already 09:30 in Beijing
    assert parse_cn_time("今天 08:21", now_utc) == datetime(2025, 11, 23, 8, 21, tzinfo=SHANGHAI)
    assert parse_cn_time("昨天 23:59", now_utc) == datetime(2025, 11, 22, 23, 59, tzinfo=SHANGHAI)


def test_month_day_today_but_later_than_now_is_last_year() -> None:
    assert parse_cn_time("11-23 10:00", NOW) == datetime(2024, 11, 23, 10, 0, tzinfo=SHANGHAI)


def test_february_29th_without_year_goes_back_to_a_leap_year() -> None:
    assert parse_cn_time("02-29", NOW) == datetime(2024, 2, 29, tzinfo=SHANGHAI)


@pytest.mark.parametrize("text", ["", "不是时间", "13-45", "2025-02-30"])
def test_unreadable_times_are_none(text: str) -> None:
    assert parse_cn_time(text, NOW) is None


def test_from_epoch_seconds_milliseconds_and_strings() -> None:
    expected = datetime(2018, 3, 19, 5, 30, tzinfo=SHANGHAI)
    assert from_epoch(1521408600) == expected
    assert from_epoch("1521408600") == expected
    assert from_epoch(1521408600000) == expected
    assert from_epoch(None) is None
    assert from_epoch("") is None
    assert from_epoch(0) is None
    assert from_epoch(True) is None
