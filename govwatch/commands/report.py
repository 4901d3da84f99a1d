"""``govwatch report``: the inspection report of a period, in the format the file's suffix names."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from govwatch.days import parse_day
from govwatch.errors import BadInput, CommandError
from govwatch.reports import WRITERS, build_report, write_report
from storage.db import session_scope


def report(
    start: str = typer.Option(..., "--from", help="检查期间第一天(YYYY-MM-DD)"),
    end: str = typer.Option(..., "--to", help="检查期间最后一天(YYYY-MM-DD),也是监测时间点"),
    out: Path = typer.Option(..., "--out", help="输出文件:.xlsx、.html、.md 或 .csv"),
) -> None:
    """生成检查期间的检查报告(汇总、各单位发布量、网站与新媒体检查情况、通报草稿)。"""
    first_day, last_day = parse_day(start, "--from"), parse_day(end, "--to")
    assert first_day is not None and last_day is not None
    if first_day > last_day:
        raise BadInput(f"--from {first_day} 晚于 --to {last_day},请检查日期")
    if out.suffix.lower() not in WRITERS:
        supported = "、".join(WRITERS)
        raise BadInput(
            f"不支持的报告格式「{out.suffix or '(无后缀)'}」({out}):请使用 {supported} 之一"
        )
    with session_scope() as session:
        built = build_report(session, first_day, last_day)
    try:
        written = write_report(built, out)
    except OSError as error:
        raise CommandError(f"无法写入报告文件 {out}: {error}") from error
    console = Console(stderr=True)
    console.print(f"检查报告已生成({built.period_label},监测时间点 {last_day}):", highlight=False)
    for path in written:
        console.print(f"  {path}", highlight=False)
