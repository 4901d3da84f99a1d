"""Printing rows as a table, JSON or CSV, the three formats every listing command offers.

A table on a terminal never breaks a code, an id or a date across lines (those
columns do not wrap; long messages fold instead). Piped or redirected, a table is
printed plain: a heading line, then one tab-separated line per row, so
``govwatch rules | grep COLUMN_STALE`` and ``cut -f`` work. A terminal too narrow for
a table with its codes whole gets one ``heading: value`` line per field instead.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


class OutputFormat(StrEnum):
    """How a listing command prints its rows."""

    table = "table"
    json = "json"
    csv = "csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(part) for part in value)
    return str(value)


#: Keys whose values are codes, ids or dates: never wrapped, whatever the command.
NO_WRAP_KEYS = frozenset(
    {"id", "code", "rule", "target_id", "site_id", "account_id", "platform", "type", "kind"}
)


#: The narrowest a folding column (a message) may get in a table.
FOLD_MIN_WIDTH = 16


def is_terminal() -> bool:
    """Whether a person is reading stdout (not a pipe or a file)."""
    return sys.stdout.isatty()


def _plain(value: Any) -> str:
    """A cell on one line, without tabs (plain output is one line per row)."""
    return " ".join(_cell(value).split())


def print_rows(
    rows: Sequence[dict[str, Any]],
    output_format: OutputFormat,
    columns: Sequence[tuple[str, str]],
    title: str = "",
    no_wrap: Collection[str] = (),
) -> None:
    """Print ``rows``; ``columns`` are (key, heading) pairs for table and CSV.

    ``no_wrap`` names the table's columns (keys) that must stay on one line, beside
    :data:`NO_WRAP_KEYS`.
    """
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n")
        return
    if output_format is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([key for key, _ in columns])
        for row in rows:
            writer.writerow([_cell(row.get(key)) for key, _ in columns])
        sys.stdout.write(buffer.getvalue())
        return
    if not is_terminal():
        lines = ["\t".join(heading for _, heading in columns)]
        lines += ["\t".join(_plain(row.get(key)) for key, _ in columns) for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    # Rich only for a terminal's table: JSON, CSV and plain lines start faster without it.
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    keep_whole = NO_WRAP_KEYS | set(no_wrap)
    whole = [key for key, _ in columns if key in keep_whole or key.endswith(("_at", "_day", "_on"))]
    console = Console()
    if _table_width(rows, columns, whole) > console.width:
        _print_records(console, rows, columns, title)
        return
    table = Table(title=title or None, show_lines=False)
    for key, heading in columns:
        if key in whole:
            table.add_column(heading, no_wrap=True, overflow="ignore")
        else:
            # A minimum, so codes beside it cannot squeeze the sentence to nothing.
            least = min(_widest(rows, key, heading), FOLD_MIN_WIDTH)
            table.add_column(heading, overflow="fold", min_width=least)
    for row in rows:
        # Text, not markup: a message may hold "[2022-05-20]" or other brackets.
        table.add_row(*(Text(_cell(row.get(key))) for key, _ in columns))
    console.print(table)


def _table_width(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], whole: Sequence[str]
) -> int:
    """The least width a table needs with its codes, ids and dates unbroken."""
    width = 1 + 3 * len(columns)  # borders and padding
    for key, heading in columns:
        widest = _widest(rows, key, heading)
        width += widest if key in whole else min(widest, FOLD_MIN_WIDTH)
    return width


def _widest(rows: Sequence[dict[str, Any]], key: str, heading: str) -> int:
    from rich.cells import cell_len

    return max([cell_len(heading)] + [cell_len(_cell(row.get(key))) for row in rows])


def _print_records(
    console: Console, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], title: str
) -> None:
    """Rows as ``heading: value`` lines: a terminal too narrow for the table breaks
    no code this way, and long values wrap where the terminal wraps them."""
    if title:
        console.print(title, markup=False, highlight=False)
    for index, row in enumerate(rows):
        if index:
            console.print()
        for key, heading in columns:
            console.print(
                f"{heading}: {_cell(row.get(key))}", markup=False, highlight=False, soft_wrap=True
            )


def progress_bar(console: Console) -> Progress:
    """The progress bar long commands show over their targets (on ``console``, stderr)."""
    # Imported here: listing commands never show one, and start-up counts (issue 17).
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
