"""The report as Markdown: pipe tables, below-quota cells in bold, the notice as text."""

from __future__ import annotations

from pathlib import Path

from govwatch.reports.model import Cell, Report, Table
from govwatch.reports.periods import chinese_date


def _cell(value: Cell, marked: bool) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", "<br>")
    return f"**{text}**" if marked and text else text


def table_markdown(table: Table) -> str:
    """One table as a Markdown section."""
    lines = [f"## {table.title}", ""]
    lines.append("| " + " | ".join(table.headers) + " |")
    lines.append("|" + "|".join("---" for _ in table.headers) + "|")
    for row_index, row in enumerate(table.rows):
        cells = [
            _cell(value, (row_index, column) in table.marked) for column, value in enumerate(row)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if table.marked:
        lines += ["", "加粗的数字低于发布要求。"]
    if table.notes:
        lines.append("")
        lines += [f"- {note}" for note in table.notes]
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    """The Markdown text of a report."""
    parts = [
        f"# {report.title}",
        "",
        f"检查期间:{chinese_date(report.start)}至{chinese_date(report.end)};"
        f"监测时间点:{chinese_date(report.end)}。",
        "",
    ]
    parts += [table_markdown(table) for table in report.tables]
    parts += ["## 通报(草稿)", "", f"### {report.notice.title}", ""]
    for paragraph in report.notice.paragraphs:
        parts += [paragraph, ""]
    return "\n".join(parts)


def write_markdown(report: Report, path: Path) -> list[Path]:
    """Write the Markdown text to ``path``."""
    path.write_text(render_markdown(report), encoding="utf-8")
    return [path]
