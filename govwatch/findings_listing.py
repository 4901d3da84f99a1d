"""What ``govwatch findings`` reads and prints, whichever way it reached the database.

The Typer command (:mod:`govwatch.commands.findings`) reads through SQLAlchemy; a
plain invocation on SQLite is answered by :mod:`govwatch.findings_direct` through
``sqlite3``. Both call :func:`read_listing` with their executor, then
:func:`print_listing`, so they print the same bytes. Imports neither Typer nor
SQLAlchemy (issue 17: start-up).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from govwatch.errors import BadInput
from govwatch.finding_filters import UnknownFilterValue, resolve_filters
from govwatch.output import OutputFormat, print_rows
from storage.findings_rows import count_findings, finding_records

if TYPE_CHECKING:
    from storage.findings_rows import Execute


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


@dataclass
class Listing:
    """The findings a listing shows, how many matched, and how it prints them."""

    rows: list[dict[str, Any]]
    total: int
    output_format: OutputFormat


def read_listing(
    execute: Execute,
    *,
    site: str | None = None,
    account: str | None = None,
    unit: str | None = None,
    rule: str | None = None,
    status: StatusFilter = StatusFilter.open,
    output_format: OutputFormat = OutputFormat.table,
    limit: int | None = None,
) -> Listing:
    """The findings matching the filters (an unknown value is :class:`BadInput`).

    The caller runs it in one transaction, so the count agrees with the rows."""
    try:
        wanted = resolve_filters(execute, site=site, account=account, unit=unit, rule=rule)
    except UnknownFilterValue as error:
        raise BadInput(str(error)) from error
    table = output_format is OutputFormat.table
    # A province has tens of thousands of open findings: a table people read shows
    # the first ones (in index order, so this costs what it shows); exports get all.
    shown = (TABLE_LIMIT if table else 0) if limit is None else limit
    rows = finding_records(
        execute,
        wanted,
        status=status.value,
        evidence=not table,  # a table does not show it: not read
        limit=shown,
    )
    if shown and len(rows) == shown:
        total = count_findings(execute, wanted, status=status.value)
    else:
        total = len(rows)
    return Listing(rows, total, output_format)


def print_listing(listing: Listing) -> None:
    """Print a listing: a table (plain lines when piped), JSON or CSV."""
    rows, total = listing.rows, listing.total
    if total > len(rows):
        # One plain line: Rich folded it at 80 columns when piped (and cost its import).
        print(
            f"共 {total} 条,仅列出前 {len(rows)} 条;可用 --site、--unit、--rule 缩小范围,"
            "或用 --limit 0、--format json|csv 列出全部",
            file=sys.stderr,
        )
    if listing.output_format is OutputFormat.table:
        for row in rows:
            row["severity_label"] = SEVERITY_LABELS.get(row["severity"], row["severity"])
        print_rows(
            rows,
            listing.output_format,
            TABLE_COLUMNS,
            title=f"问题清单({total} 条)",
            no_wrap=NO_WRAP,
        )
    else:
        for row in rows:
            del row["first_seen_day"]  # the JSON record is docs/findings.md's
        print_rows(rows, listing.output_format, FINDING_COLUMNS)
