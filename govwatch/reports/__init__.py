"""The inspection report of a period: the tables the notices carry, a draft notice, and
writers for XLSX, HTML, Markdown and CSV (chosen by the output file's suffix).

``build_report`` gathers the figures (scores judged as of the period's last day);
``write_report`` writes them in the format the path's suffix names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govwatch.reports.build import build_report
from govwatch.reports.csv_files import write_csv
from govwatch.reports.html import write_html
from govwatch.reports.markdown import write_markdown
from govwatch.reports.model import Report
from govwatch.reports.xlsx import write_xlsx

#: Output formats by file suffix.
WRITERS: dict[str, Callable[[Report, Path], list[Path]]] = {
    ".xlsx": write_xlsx,
    ".html": write_html,
    ".md": write_markdown,
    ".csv": write_csv,
}


def write_report(report: Report, path: Path) -> list[Path]:
    """Write ``report`` in the format ``path``'s suffix names; returns the files written."""
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ValueError(f"unsupported report suffix {path.suffix!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return writer(report, path)


__all__ = ["WRITERS", "Report", "build_report", "write_report"]
