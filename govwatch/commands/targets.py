"""``govwatch targets load|list``: the registry of units, sites and accounts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import func, select

from govwatch.errors import BadInput
from govwatch.output import OutputFormat, print_rows
from govwatch.targets_file import TargetsFileError, read_targets_file
from storage.db import session_scope
from storage.models import Account, Site, SiteColumn, Unit
from storage.registry import sync_targets

targets_app = typer.Typer(help="登记检查对象(单位、网站、栏目、新媒体账号)", no_args_is_help=True)


@targets_app.command("load")
def load(file: Path = typer.Argument(..., help="targets YAML 文件")) -> None:
    """校验检查对象文件并写入数据库;文件有误则整体拒绝,不写入任何内容。"""
    try:
        targets = read_targets_file(file)
    except TargetsFileError as error:
        raise BadInput(str(error)) from error
    with session_scope() as session:
        summary = sync_targets(session, targets)
    console = Console(stderr=True)
    console.print(
        f"已载入 {file}: 单位 {len(targets.units)} 个, 网站 {len(targets.sites)} 个, "
        f"账号 {len(targets.accounts)} 个(新增 {len(summary.added)}, "
        f"停用 {len(summary.deactivated)})"
    )
    for line in summary.deactivated:
        console.print(f"  停用: {line}")


@targets_app.command("list")
def list_targets(
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
) -> None:
    """列出已登记的网站与账号。"""
    rows: list[dict[str, object]] = []
    with session_scope() as session:
        units = {unit.id: unit.name for unit in session.scalars(select(Unit))}
        column_counts = dict(
            session.execute(
                select(SiteColumn.site_id, func.count(SiteColumn.id))
                .where(SiteColumn.active.is_(True), SiteColumn.origin != "homepage")
                .group_by(SiteColumn.site_id)
            ).all()
        )
        for site in session.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.id)):
            rows.append(
                {
                    "type": "site",
                    "id": site.id,
                    "name": site.name,
                    "url": site.url,
                    "unit": units.get(site.unit_id) if site.unit_id else None,
                    "columns": column_counts.get(site.id, 0),
                }
            )
        for account in session.scalars(
            select(Account).where(Account.active.is_(True)).order_by(Account.id)
        ):
            rows.append(
                {
                    "type": "account",
                    "id": account.id,
                    "name": account.name,
                    "url": account.feed or account.uid,
                    "unit": units.get(account.unit_id) if account.unit_id else None,
                    "platform": account.platform,
                }
            )
    print_rows(
        rows,
        output_format,
        [
            ("type", "类型"),
            ("id", "ID"),
            ("name", "名称"),
            ("url", "地址"),
            ("unit", "单位"),
            ("columns", "栏目数"),
        ],
        title="检查对象",
    )
