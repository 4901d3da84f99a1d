"""``govwatch findings``: query findings with filters, as a table, JSON or CSV.

The Typer command: its options, and the database through SQLAlchemy. A plainly
valid invocation on SQLite never gets here (:mod:`govwatch.findings_direct`
answers it faster, with the same reading and printing from
:mod:`govwatch.findings_listing`).
"""

from __future__ import annotations

import typer

from govwatch.findings_listing import TABLE_LIMIT, StatusFilter, print_listing, read_listing
from govwatch.output import OutputFormat
from storage.db import connection_scope, text_executor


def findings(
    site: str | None = typer.Option(None, "--site", help="网站 ID(含其栏目)"),
    account: str | None = typer.Option(None, "--account", help="账号 ID"),
    unit: str | None = typer.Option(None, "--unit", help="责任单位名称"),
    rule: str | None = typer.Option(None, "--rule", help="规则代码,如 COLUMN_STALE(不区分大小写)"),
    status: StatusFilter = typer.Option(StatusFilter.open, "--status", help="open|resolved|all"),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=0,
        help=f"最多列出多少条(表格默认 {TABLE_LIMIT} 条,json/csv 默认全部;0 表示全部)",
    ),
) -> None:
    """查询发现的问题(默认列出未整改的问题)。"""
    # Plain rows on a bare connection: no ORM to import, no objects to build (issue 17).
    with connection_scope() as connection:
        listing = read_listing(
            text_executor(connection),
            site=site,
            account=account,
            unit=unit,
            rule=rule,
            status=status,
            output_format=output_format,
            limit=limit,
        )
    print_listing(listing)
