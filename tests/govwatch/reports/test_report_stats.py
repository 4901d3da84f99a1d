"""storage.stats: items per unit per month and posts per account per month, in SQL."""

from __future__ import annotations

from datetime import date

from govwatch.reports.sample_district import EXPECTED_UNIT_COUNTS, PERIOD_END, PERIOD_START
from storage.db import session_scope
from storage.stats import (
    account_monthly_post_counts,
    month_keys,
    newest_post_days,
    unit_monthly_item_counts,
)


def test_month_keys_cross_a_year() -> None:
    assert month_keys(date(2025, 11, 15), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_unit_counts_cover_every_unit_and_month(district: str) -> None:
    with session_scope() as session:
        counts = unit_monthly_item_counts(session, PERIOD_START, PERIOD_END)
    table = {(row.unit_name, row.month): row.count for row in counts}
    expected = {
        (unit, month): count
        for unit, months in EXPECTED_UNIT_COUNTS.items()
        for month, count in months.items()
    }
    assert table == expected  # June items and homepage items are not counted
    kinds = {row.unit_name: row.unit_kind for row in counts}
    assert kinds["金山街道"] == "street" and kinds["区卫健委"] == "department"
    assert {row.unit_name for row in counts if not row.maintains_columns} == {"区融媒体中心"}


def test_unit_counts_respect_the_period_bounds(district: str) -> None:
    # 城门镇 publishes 8 items in July on days 1, 4, 7, 10, 13, 16, 19, 22 and 3 in
    # September on days 1, 9, 17.
    with session_scope() as session:
        counts = unit_monthly_item_counts(session, date(2026, 7, 15), date(2026, 9, 9))
    chengmen = {row.month: row.count for row in counts if row.unit_name == "城门镇"}
    assert chengmen == {"2026-07": 3, "2026-08": 10, "2026-09": 2}


def test_account_counts_and_newest_posts(district: str) -> None:
    with session_scope() as session:
        counts = account_monthly_post_counts(session, PERIOD_START, PERIOD_END)
        newest = newest_post_days(session, PERIOD_END)
        newest_in_august = newest_post_days(session, date(2026, 8, 31))
    table = {(row.account_id, row.month): row.count for row in counts}
    assert table == {
        ("cangshan-fabu", "2026-07"): 11,
        ("cangshan-fabu", "2026-08"): 11,
        ("cangshan-fabu", "2026-09"): 10,
        ("cangshan-jiaoyu", "2026-07"): 8,
        ("cangshan-jiaoyu", "2026-08"): 8,
        ("cangshan-jiaoyu", "2026-09"): 2,
        ("chengmen-fabu", "2026-07"): 5,
        ("chengmen-fabu", "2026-08"): 4,
        ("chengmen-fabu", "2026-09"): 4,
    }
    assert newest == {
        "cangshan-fabu": date(2026, 9, 28),
        "cangshan-jiaoyu": date(2026, 9, 10),
        "chengmen-fabu": date(2026, 9, 25),
    }
    assert newest_in_august["cangshan-jiaoyu"] == date(2026, 8, 29)
