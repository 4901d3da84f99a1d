"""The sites table of a notice: 序号 | 网站名称 | 检查结果 | 存在问题, every problem in words."""

from __future__ import annotations

from govwatch.reports.model import Table
from monitor.scores import TargetScore

NOT_CHECKED = "未能检查"


def verdict_text(score: TargetScore) -> str:
    """合格, 不合格 or 未能检查."""
    return score.verdict or NOT_CHECKED


def problems_text(score: TargetScore) -> str:
    """Every open problem, numbered one per line; 无 when there is none."""
    if score.verdict is None:
        lines = [score.reason, *(p for p in score.problems if p != score.reason)]
    else:
        lines = list(score.problems)
    if not lines:
        return "无"
    if len(lines) == 1:
        return lines[0]
    return "\n".join(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def sites_table(scores: list[TargetScore]) -> Table:
    """One row per active site: failures first, as notices list them."""
    sites = [score for score in scores if score.target_type == "site"]
    order = {"不合格": 0, None: 1, "合格": 2}
    sites.sort(key=lambda score: (order[score.verdict], score.target_id))
    table = Table(
        key="sites",
        title="政府网站检查情况",
        headers=["序号", "网站名称", "检查结果", "存在问题"],
        widths=[6, 28, 10, 80],
        wrap_columns={3},
    )
    for index, score in enumerate(sites, start=1):
        table.rows.append([index, score.name, verdict_text(score), problems_text(score)])
    return table
