"""``govwatch check``: evaluate every rule as of a day and update findings."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console

from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope


def parse_day(value: str | None) -> date | None:
    """A YYYY-MM-DD option value, with an error naming the bad value."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} 不是 YYYY-MM-DD 格式的日期") from error


def check(
    as_of: str | None = typer.Option(None, "--as-of", help="按哪一天判断(YYYY-MM-DD,默认今天)"),
) -> None:
    """按检查指标评估已抓取的数据,新增、刷新或关闭问题。"""
    day = parse_day(as_of) or china_today()
    with session_scope() as session:
        summary = run_check(session, day)
    from crawler.health.evidence import capture_veto_evidence  # browser code: load on use

    shots = capture_veto_evidence(summary.opened_ids)
    console = Console(stderr=True)
    console.print(
        f"检查完成(监测时间点 {day}): 新发现 {sum(summary.opened.values())} 个问题, "
        f"仍存在 {sum(summary.refreshed.values())} 个, 已整改 {sum(summary.resolved.values())} 个"
        + (f", 已截图留证 {shots} 个" if shots else "")
    )
