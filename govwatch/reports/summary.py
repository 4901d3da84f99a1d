"""The summary table: targets checked, passed, failed, pass rate, average score."""

from __future__ import annotations

from govwatch.reports.model import Table
from monitor.scores import RegionTotals


def rate_text(rate: float | None) -> str:
    """0.6667 -> "66.7%"; no rate -> "—"."""
    return f"{rate:.1%}" if rate is not None else "—"


def summary_table(
    site_totals: RegionTotals,
    account_totals: RegionTotals,
    all_totals: RegionTotals,
    pass_line: float,
) -> Table:
    """One row each for sites, accounts and both."""
    table = Table(
        key="summary",
        title="检查结果汇总",
        headers=["类别", "检查数", "合格", "不合格", "合格率", "平均分", "未能检查"],
        widths=[14, 10, 10, 10, 10, 10, 10],
    )
    for label, totals in (
        ("政府网站", site_totals),
        ("政务新媒体", account_totals),
        ("合计", all_totals),
    ):
        table.rows.append(
            [
                label,
                totals.checked,
                totals.passed,
                totals.failed,
                rate_text(totals.pass_rate),
                totals.average_score,
                totals.not_checked,
            ]
        )
    table.notes.append(
        f"任一单项否决指标不达标即为不合格;无单项否决时得分低于{pass_line:g}分为不合格。"
    )
    return table
