"""``govwatch check``: evaluate every rule as of a day and update findings.

Today (the default) is the live check: findings are opened, refreshed or resolved.
It spends nothing on evidence: a finding's evidence is what the crawl stored (its
URLs, and the evidence page the dashboard renders from stored observations). A past day (``--as-of`` before today, China
time) is judged on the fly and printed; nothing is stored, so re-judging the past
leaves the live findings (open ones, first-seen dates, notifications) exactly as
they were (see ``monitor/check.py``). A future day is refused.
"""

from __future__ import annotations

from collections import Counter

import typer
from rich.console import Console

from govwatch.days import parse_day
from govwatch.output import OutputFormat, print_rows
from monitor.check import judge, run_check
from storage.clock import china_today
from storage.db import session_scope

JUDGED_COLUMNS = [
    ("rule", "规则"),
    ("severity", "级别"),
    ("target_type", "类型"),
    ("target_id", "对象"),
    ("message", "问题"),
]


def check(
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="按哪一天判断(YYYY-MM-DD,默认今天;过去的日期只计算显示,不改变已存储的问题)",
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table, "--format", help="过去日期的结果的输出格式"
    ),
) -> None:
    """按检查指标评估已抓取的数据,新增、刷新或关闭问题。"""
    day = parse_day(as_of) or china_today()
    console = Console(stderr=True)
    if day < china_today():
        with session_scope() as session:
            judged = judge(session, day)
        rows = [
            {
                "rule": f.rule,
                "severity": f.severity,
                "target_type": f.target_type,
                "target_id": f.target_id,
                "message": f.message,
            }
            for f in judged.findings
        ]
        print_rows(rows, output_format, JUDGED_COLUMNS, title=f"监测时间点 {day} 的检查结果")
        by_severity = Counter(f.severity for f in judged.findings if f.rule != "CHECK_FAILED")
        unchecked = sum(1 for kind, _ in judged.not_checked if kind in ("site", "account"))
        console.print(
            f"检查完成(监测时间点 {day},过去的日期:按当时已有的观测即时计算,未改变已存储的问题): "
            f"单项否决 {by_severity['veto']} 个, 扣分 {by_severity['deduction']} 个, "
            f"提示 {by_severity['info']} 个, 未能检查的网站和账号 {unchecked} 个",
            highlight=False,
        )
        return
    with session_scope() as session:
        summary = run_check(session, day)
    console.print(
        f"检查完成(监测时间点 {day}): 新发现 {sum(summary.opened.values())} 个问题, "
        f"仍存在 {sum(summary.refreshed.values())} 个, 已整改 {sum(summary.resolved.values())} 个"
    )
