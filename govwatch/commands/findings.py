"""``govwatch findings``: query findings with filters, as a table, JSON or CSV."""

from __future__ import annotations

from enum import StrEnum

import typer

from govwatch.errors import BadInput
from govwatch.finding_filters import UnknownFilterValue, resolve_filters
from govwatch.output import OutputFormat, print_rows
from storage.db import connection_scope
from storage.findings_query import count_findings, finding_records


class StatusFilter(StrEnum):
    """Which findings to list."""

    open = "open"
    resolved = "resolved"
    all = "all"


#: Rows a table lists unless --limit says otherwise.
TABLE_LIMIT = 500

SEVERITY_LABELS = {"veto": "单项否决", "deduction": "扣分", "info": "提示"}

TABLE_COLUMNS = [
    ("id", "编号"),
    ("rule", "规则"),
    ("severity_label", "性质"),
    ("points", "扣分"),
    ("target_id", "对象"),
    ("unit", "责任单位"),
    ("message", "问题"),
    ("first_seen_day", "首次发现"),
]

#: Table columns that must never wrap (a code or a date split over two lines).
NO_WRAP = {"id", "rule", "severity_label", "points", "target_id", "first_seen_day"}

FINDING_COLUMNS = [
    ("id", "编号"),
    ("rule", "规则"),
    ("severity", "性质"),
    ("points", "扣分"),
    ("target_id", "对象"),
    ("unit", "责任单位"),
    ("message", "问题"),
    ("evidence", "证据"),
    ("status", "状态"),
    ("first_seen", "首次发现"),
    ("last_seen", "最近确认"),
]


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
        try:
            wanted = resolve_filters(connection, site=site, account=account, unit=unit, rule=rule)
        except UnknownFilterValue as error:
            raise BadInput(str(error)) from error
        table = output_format is OutputFormat.table
        filters = {
            "site": wanted.site,
            "account": wanted.account,
            "unit": wanted.unit,
            "rule": wanted.rule,
            "status": status.value,
        }
        # A province has tens of thousands of open findings: a table people read shows
        # the first ones (in index order, so this costs what it shows); exports get all.
        shown = (TABLE_LIMIT if table else 0) if limit is None else limit
        rows = finding_records(
            connection,
            **filters,
            evidence=not table,  # a table does not show it: not read
            limit=shown,
        )
        total = count_findings(connection, **filters) if shown and len(rows) == shown else len(rows)
    if total > len(rows):
        from rich.console import Console  # only here: a plain listing needs no Rich

        Console(stderr=True).print(
            f"共 {total} 条,仅列出前 {len(rows)} 条;可用 --site、--unit、--rule 缩小范围,"
            "或用 --limit 0、--format json|csv 列出全部",
            highlight=False,
        )
    if table:
        for row in rows:
            row["severity_label"] = SEVERITY_LABELS.get(row["severity"], row["severity"])
        print_rows(
            rows,
            output_format,
            TABLE_COLUMNS,
            title=f"问题清单({total} 条)",
            no_wrap=NO_WRAP,
        )
    else:
        for row in rows:
            del row["first_seen_day"]  # the JSON record is docs/findings.md's
        print_rows(rows, output_format, FINDING_COLUMNS)
