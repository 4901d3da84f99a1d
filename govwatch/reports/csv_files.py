"""The report as CSV: one file per table, since the tables have different columns.

``FILE.csv`` holds the summary; every other table goes next to it as
``FILE-<table>.csv`` (towns, departments, ranking, sites, accounts) and the draft
notice as ``FILE-notice.txt``. Files are UTF-8 with a byte-order mark: without it
Excel, which is what offices open CSV with, shows Chinese as mojibake.
"""

from __future__ import annotations

import csv
from pathlib import Path

from govwatch.reports.model import Cell, Report, Table

ENCODING = "utf-8-sig"


#: What makes Excel read a CSV cell as a formula (=HYPERLINK("javascript:..."), =cmd|...).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Cell) -> Cell:
    """A cell for the CSV: crawled text that Excel would run as a formula gets a
    leading apostrophe (OWASP's CSV injection advice), so it opens as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def table_path(path: Path, table: Table) -> Path:
    """Where a table's CSV goes: ``path`` for the summary, a sibling for the others."""
    return path if table.key == "summary" else path.with_name(f"{path.stem}-{table.key}.csv")


def write_csv(report: Report, path: Path) -> list[Path]:
    """Write every table and the notice; returns the files written, summary first."""
    written = []
    for table in report.tables:
        target = table_path(path, table)
        with target.open("w", encoding=ENCODING, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.headers)
            writer.writerows([_csv_value(value) for value in row] for row in table.rows)
        written.append(target)
    notice_path = path.with_name(f"{path.stem}-notice.txt")
    notice_path.write_text(report.notice.text, encoding="utf-8")
    written.append(notice_path)
    return written
