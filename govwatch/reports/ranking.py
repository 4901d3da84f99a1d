"""A ranking of units by items published in the period (units that maintain no column
are left out: they are not judged on it)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from govwatch.reports.model import Table
from govwatch.reports.periods import months_spanned
from govwatch.reports.unit_counts import GROUP_TITLES, unit_group
from storage.stats import UnitMonthCount, month_keys


def ranking_table(counts: list[UnitMonthCount], start: date, end: date) -> Table:
    """名次 | 单位名称 | 类别 | 发布信息数 | 月均; ties share a rank (1, 2, 2, 4)."""
    totals: dict[str, int] = defaultdict(int)
    kinds: dict[str, str] = {}
    for row in counts:
        if row.maintains_columns:
            totals[row.unit_name] += row.count
            kinds[row.unit_name] = row.unit_kind
    spanned = months_spanned(start, end, month_keys(start, end))
    ordered = sorted(totals.items(), key=lambda entry: (-entry[1], entry[0]))
    table = Table(
        key="ranking",
        title="各单位网站信息发布量排名",
        headers=["名次", "单位名称", "类别", "发布信息数(条)", "月均(条)"],
        widths=[6, 22, 12, 14, 10],
    )
    rank = 0
    previous: int | None = None
    for position, (name, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = position, total
        table.rows.append(
            [
                rank,
                name,
                GROUP_TITLES[unit_group(kinds[name])],
                total,
                round(total / spanned, 1) if spanned else None,
            ]
        )
    return table
