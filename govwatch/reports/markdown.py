"""The report as Markdown: pipe tables, below-quota cells in bold, the notice as text.

Every text is escaped (:func:`markdown_text`): names, titles and messages come from
crawled pages, and a Markdown viewer must show them as text.
"""

from __future__ import annotations

import re
from pathlib import Path

from govwatch.reports.model import Cell, Report, Table
from govwatch.reports.periods import chinese_date

# Backslash escapes (CommonMark allows one before any ASCII punctuation) for every
# character that starts markup inside a line: emphasis, code, links and images, raw
# HTML and autolinks, entities, strikethrough, table cells. Hand-written because no
# maintained library exports a Markdown escaper; markdown-it-py only escapes HTML.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~!&])")
# What makes a line a heading, quote, list item, thematic break or setext underline.
_LINE_START_SPECIAL = re.compile(r"^(\s*)(>|[#=]|[-+](?=[\s-]|$)|\d+[.)](?=\s|$))", re.MULTILINE)


def markdown_inline(value: object) -> str:
    """``value`` as Markdown inline text (a table cell) that renders as exactly that
    text: crawled titles and messages may hold ``<script>``, ``[x](javascript:...)``
    or ``|``, and must show as text, never as HTML, a link, an image or a broken table."""
    return _INLINE_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def markdown_text(value: object) -> str:
    """``value`` as a Markdown paragraph or heading text, rendered as exactly that text
    (also where a line would start a heading, quote or list)."""
    return _LINE_START_SPECIAL.sub(
        lambda match: match.group(1) + match.group(2)[:-1] + "\\" + match.group(2)[-1],
        markdown_inline(value),
    )


def _cell(value: Cell, marked: bool) -> str:
    text = markdown_inline(value).replace("\r\n", "\n").replace("\n", "<br>")
    return f"**{text}**" if marked and text else text


def table_markdown(table: Table) -> str:
    """One table as a Markdown section."""
    lines = [f"## {markdown_text(table.title)}", ""]
    lines.append("| " + " | ".join(_cell(header, False) for header in table.headers) + " |")
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
        lines += [f"- {markdown_text(note)}" for note in table.notes]
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    """The Markdown text of a report."""
    parts = [
        f"# {markdown_text(report.title)}",
        "",
        f"检查期间:{chinese_date(report.start)}至{chinese_date(report.end)};"
        f"监测时间点:{chinese_date(report.end)}。",
        "",
    ]
    parts += [table_markdown(table) for table in report.tables]
    parts += ["## 通报(草稿)", "", f"### {markdown_text(report.notice.title)}", ""]
    for paragraph in report.notice.paragraphs:
        parts += [markdown_text(paragraph), ""]
    return "\n".join(parts)


def write_markdown(report: Report, path: Path) -> list[Path]:
    """Write the Markdown text to ``path``."""
    path.write_text(render_markdown(report), encoding="utf-8")
    return [path]
