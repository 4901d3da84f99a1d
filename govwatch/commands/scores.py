"""``govwatch scores``: score and verdict per site and account, and the region's totals."""

from __future__ import annotations

import typer

from govwatch.days import parse_day
from govwatch.output import OutputFormat, print_rows
from monitor.scores import RegionTotals, compute_scores, scores_as_of
from storage.db import session_scope

SCORE_COLUMNS = [
    ("target_type", "类型"),
    ("target_id", "ID"),
    ("name", "名称"),
    ("unit", "主办单位"),
    ("score", "得分"),
    ("verdict", "结论"),
    ("vetoes", "否决项"),
    ("deductions", "扣分"),
    ("reason", "未评定原因"),
]


def scores(
    as_of: str | None = typer.Option(
        None, "--as-of", help="按哪一天判断(YYYY-MM-DD);默认按最近一次检查"
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
) -> None:
    """每个网站、账号的得分与结论(合格/不合格),以及总体合格率。"""
    day = parse_day(as_of)
    with session_scope() as session:
        results = scores_as_of(session, day) if day else compute_scores(session)
    rows = [score.as_record() for score in results]
    columns = SCORE_COLUMNS
    if output_format is OutputFormat.table:
        # Keep the table readable in a narrow terminal: no empty "why not judged" column.
        columns = [c for c in SCORE_COLUMNS if c[0] != "target_type"]
        if not any(row["reason"] for row in rows):
            columns = [c for c in columns if c[0] != "reason"]
    print_rows(rows, output_format, columns, title="得分与结论")
    if output_format is OutputFormat.table:
        totals = RegionTotals.of(results)
        rate = f"{totals.pass_rate:.1%}" if totals.pass_rate is not None else "—"
        from rich.console import Console  # a table's totals line; JSON and CSV need no Rich

        Console().print(
            f"检查 {totals.checked} 个, 合格 {totals.passed} 个, 不合格 {totals.failed} 个, "
            f"合格率 {rate}, 平均分 {totals.average_score if totals.average_score is not None else '—'}"
            + (f", 未能检查 {totals.not_checked} 个" if totals.not_checked else "")
        )
