"""``govwatch status``: what ran last per target and how it ended, what runs next,
and which targets keep failing."""

from __future__ import annotations

from datetime import datetime

import typer

from govwatch.output import OutputFormat, print_rows
from storage.clock import CHINA_TZ

OUTCOME_LABELS = {"ok": "成功", "partial": "部分失败", "failed": "失败", "running": "进行中"}
KIND_LABELS = {"site": "网站", "account": "账号"}


def china_time(iso_utc: str | None) -> str:
    """A stored UTC time as people read it: China time, to the minute."""
    if not iso_utc:
        return ""
    moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def status(
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
) -> None:
    """每个网站和账号最近一次抓取的结果、下次计划时间,以及连续失败的目标。"""
    from govwatch.service.status import status_rows
    from settings import get_settings
    from storage.db import session_scope

    failing_after = get_settings().failing_after_runs
    with session_scope() as session:
        rows = status_rows(session, failing_after)
    if output_format is not OutputFormat.table:
        print_rows(rows, output_format, [(key, key) for key in rows[0]] if rows else [])
        return
    for row in rows:
        row["kind"] = KIND_LABELS.get(row["target_type"], row["target_type"])
        outcome = OUTCOME_LABELS.get(row["last_outcome"] or "", "从未抓取")
        row["outcome_label"] = outcome
        row["failing_label"] = (
            f"连续失败 {row['consecutive_failures']} 次" if row["failing"] else ""
        )
        row["next_label"] = china_time(row["next_run_at"]) or "未排期"
        row["last_started_label"] = china_time(row["last_started_at"])
    columns = [
        ("kind", "类型"),
        ("target_id", "ID"),
        ("name", "名称"),
        ("last_started_label", "最近抓取(北京时间)"),
        ("outcome_label", "结果"),
        ("pages_fetched", "页面数"),
        ("next_label", "下次抓取"),
        ("failing_label", "告警"),
    ]
    print_rows(
        rows,
        output_format,
        columns,
        title="监测运行状态",
        no_wrap={"last_started_label", "next_label", "pages_fetched"},
    )
    unwell = [row for row in rows if row["last_outcome"] in ("failed", "partial")]
    if unwell:
        typer.echo("最近一次抓取未成功:")
    for row in unwell:
        reason = row["last_detail"] or "未记录原因"
        typer.echo(
            f"  {row['kind']} {row['target_id']} {OUTCOME_LABELS[row['last_outcome']]}: {reason}"
        )
    failing = [row["target_id"] for row in rows if row["failing"]]
    if failing:
        typer.echo(f"最近 {failing_after} 次抓取均失败: {', '.join(failing)}")
