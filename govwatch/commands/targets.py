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


@targets_app.command("discover")
def discover(
    urls: list[str] = typer.Argument(None, help="网站首页网址(可多个)"),
    from_file: Path | None = typer.Option(
        None, "--from", help="网址清单:每行一个网址,或 CSV(单位,网址[,单位类型])"
    ),
    out: Path | None = typer.Option(None, "--out", help="写入的检查对象文件(缺省打印到标准输出)"),
    workers: int = typer.Option(4, "--workers", min=1, max=32, help="同时读取的网站数"),
    max_pages: int = typer.Option(80, "--max-pages", min=1, help="每个网站最多读取的页面数"),
    site_timeout: float = typer.Option(300.0, "--site-timeout", min=1, help="每个网站最多用时(秒)"),
) -> None:
    """从网站首页自动发现栏目、栏目类别与政务新媒体账号,生成待核对的检查对象文件。"""
    from govwatch.discovery.commands import run_discover

    run_discover(urls or [], from_file, out, workers, max_pages, site_timeout)


@targets_app.command("diff")
def diff(
    file: Path = typer.Argument(..., help="新一次栏目发现生成的 targets YAML 文件"),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
) -> None:
    """对比新发现的栏目与已登记的栏目:新增、地址变化、消失。"""
    from govwatch.discovery.commands import run_diff

    run_diff(file, output_format)
