"""Crawled text in reports stays text (issue 13): the Markdown report escapes HTML, link
and image syntax, emphasis and table pipes; the HTML report escapes; the XLSX and CSV
reports never turn text into a formula (=HYPERLINK("javascript:...")); no report has a
link that is not http(s).

Rendered Markdown is checked with markdown-it-py (CommonMark with tables and raw HTML
on, as viewers render it).
"""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from govwatch.reports import build_report
from govwatch.reports.csv_files import write_csv
from govwatch.reports.html import render_html
from govwatch.reports.markdown import markdown_text, render_markdown
from govwatch.reports.model import Notice, Report, Table
from govwatch.reports.sample_district import build_sample_district
from govwatch.reports.xlsx import write_xlsx
from storage.db import session_scope

SCRIPT = "<script>alert(document.cookie)</script>"
LINK = "[点此查看](javascript:alert(1))"
IMAGE = "![x](http://evil.example/track.png)"
AUTOLINK = "<javascript:alert(2)>"
HTML_LINK = '<a href="javascript:alert(3)">链接</a>'
HOSTILE = f"标题{SCRIPT}{LINK}{IMAGE}{AUTOLINK}{HTML_LINK} a|b **粗** `代码` &amp;"
FORMULA = '=HYPERLINK("javascript:alert(4)","点击")'


@pytest.fixture
def hostile_report(database_url: str) -> Report:
    """The sample district's report plus a table and notice full of crawled hostility."""
    with session_scope() as session:
        build_sample_district(session)
        report = build_report(session, date(2026, 7, 1), date(2026, 9, 30))
    report.tables.append(
        Table(
            key="hostile",
            title=f"栏目{SCRIPT}",
            headers=["名称", "问题", "公式"],
            rows=[[HOSTILE, f"# {HOSTILE}", FORMULA], ["- 列表", "1. 编号", "+1"]],
            notes=[HOSTILE, f"> {SCRIPT}"],
        )
    )
    report.notice = Notice(f"通报{SCRIPT}", (HOSTILE, f"1. {LINK}", f"# {IMAGE}"))
    return report


def assert_no_live_markup(rendered: str) -> None:
    lowered = rendered.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    for href in re.findall(r"""<a\b[^>]*\bhref\s*=\s*["']?([^"'\s>]*)""", lowered):
        assert href.startswith(("http://", "https://", "#")), href


def test_markdown_report_renders_crawled_text_as_text(hostile_report: Report) -> None:
    markdown = render_markdown(hostile_report)
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert_no_live_markup(rendered)
    assert "<a " not in rendered  # the report itself has no links; crawled text makes none
    assert "<strong>粗</strong>" not in rendered and "<code>" not in rendered
    # The text is all there, shown literally.
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in rendered
    assert "[点此查看](javascript:alert(1))" in rendered
    assert "a|b" in rendered and "**粗**" in rendered and "&amp;amp;" in rendered
    # The hostile row is one row of three cells: the pipe did not split it.
    hostile_rows = [row for row in re.findall(r"<tr>(.*?)</tr>", rendered, re.S) if "标题" in row]
    assert hostile_rows and all(row.count("<td") == 3 for row in hostile_rows)
    # Line starts that would become headings, lists or quotes stay text.
    assert "<h1>" in rendered and rendered.count("<h1>") == 1  # only the report title
    assert "<ol" not in rendered and "<blockquote" not in rendered


def test_markdown_text_keeps_ordinary_text_readable() -> None:
    assert markdown_text("2026年9月30日 发布 12.5 分") == "2026年9月30日 发布 12.5 分"
    assert markdown_text("http://www.example.gov.cn/a/b.html") == (
        "http://www.example.gov.cn/a/b.html"
    )


def test_html_report_escapes_crawled_text(hostile_report: Report) -> None:
    page = render_html(hostile_report)
    assert_no_live_markup(page)
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in page
    assert "&lt;a href=" in page  # the crawled tag is shown as text


def test_xlsx_and_csv_never_hold_formulas(hostile_report: Report, tmp_path: Path) -> None:
    xlsx = tmp_path / "r.xlsx"
    write_xlsx(hostile_report, xlsx)
    with zipfile.ZipFile(xlsx) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if "worksheets/" in n]
    assert not any("<f>" in sheet or "<f " in sheet for sheet in sheets)
    assert any("HYPERLINK" in sheet for sheet in sheets)  # kept, as text
    written = write_csv(hostile_report, tmp_path / "r.csv")
    hostile_csv = next(path for path in written if path.name == "r-hostile.csv")
    with hostile_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][2] == "'" + FORMULA
    assert rows[2] == ["'- 列表", "1. 编号", "'+1"]
