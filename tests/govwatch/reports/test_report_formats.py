"""`govwatch report`: every table's numbers, read back from XLSX, HTML, Markdown and CSV.

The sample district has known counts (``EXPECTED_UNIT_COUNTS``), a bureau site whose
homepage went quiet (a veto), a WeChat account silent for 20 days (a veto) and a
Douyin account posting once a week; the report covers 2026 Q3 judged on 2026-09-30.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import func, select

from govwatch.reports import build_report, write_report
from govwatch.reports.model import Report
from govwatch.reports.sample_district import EXPECTED_UNIT_COUNTS, PERIOD_END, PERIOD_START
from monitor.scores import RegionTotals, scores_as_of
from storage.db import session_scope
from storage.models import Finding

MONTHS = ["2026-07", "2026-08", "2026-09"]
MONTH_HEADERS = ["2026年7月", "2026年8月", "2026年9月"]
TOWNS = ["仓山镇", "城门镇", "金山街道"]
DEPARTMENTS = ["区卫健委", "区大数据服务中心", "区教育局", "区融媒体中心"]
#: (unit, month) below the quota of 10; 区融媒体中心 maintains no column, so is not judged.
BELOW_QUOTA = {
    ("城门镇", "2026-07"),
    ("城门镇", "2026-09"),
    ("金山街道", "2026-08"),
    ("区大数据服务中心", "2026-07"),
    ("区大数据服务中心", "2026-08"),
    ("区大数据服务中心", "2026-09"),
    ("区教育局", "2026-08"),
    ("区教育局", "2026-09"),
}
TABLE_TITLES = {
    "summary": "检查结果汇总",
    "towns": "附件1:乡镇(街道)网站信息发布情况统计表",
    "departments": "附件2:部门网站信息发布情况统计表",
    "ranking": "各单位网站信息发布量排名",
    "sites": "政府网站检查情况",
    "accounts": "政务新媒体检查情况",
}

Rows = list[list[str]]


def _text(value: object) -> str:
    return "" if value is None else str(value)


@pytest.fixture
def report(district: str) -> Report:
    with session_scope() as session:
        return build_report(session, PERIOD_START, PERIOD_END)


def check_tables(
    headers: dict[str, list[str]],
    rows: dict[str, Rows],
    marked: dict[str, set[tuple[int, int]]] | None,
) -> None:
    """The numbers every format must show."""
    assert headers["summary"] == [
        "类别",
        "检查数",
        "合格",
        "不合格",
        "合格率",
        "平均分",
        "未能检查",
    ]
    summary = {row[0]: row[1:] for row in rows["summary"]}
    assert summary["政府网站"][:4] == ["2", "1", "1", "50.0%"]
    assert summary["政务新媒体"][:4] == ["3", "2", "1", "66.7%"]
    assert summary["合计"][:4] == ["5", "3", "2", "60.0%"]
    assert all(values[5] == "0" for values in summary.values())

    for key, units in (("towns", TOWNS), ("departments", DEPARTMENTS)):
        assert headers[key] == ["序号", "单位名称", *MONTH_HEADERS, "合计", "备注"]
        assert [row[1] for row in rows[key]] == units
        for row_index, row in enumerate(rows[key]):
            unit = row[1]
            expected = [EXPECTED_UNIT_COUNTS[unit][month] for month in MONTHS]
            assert [int(cell) for cell in row[2:5]] == expected, unit
            assert int(row[5]) == sum(expected)
            if marked is not None:
                marked_months = {MONTHS[col - 2] for r, col in marked[key] if r == row_index}
                assert marked_months == {m for u, m in BELOW_QUOTA if u == unit}, unit
        if marked is None:  # CSV: the remark column says which months fell short
            remarks = {row[1]: row[6] for row in rows[key]}
            for unit in units:
                short = sorted(int(m[5:]) for u, m in BELOW_QUOTA if u == unit)
                if short:
                    assert remarks[unit] == "、".join(f"{m}月" for m in short) + "低于10条"
    assert "未负责网站栏目" in rows["departments"][3][6]

    assert headers["ranking"] == ["名次", "单位名称", "类别", "发布信息数(条)", "月均(条)"]
    assert [(row[0], row[1], row[3]) for row in rows["ranking"]] == [
        ("1", "区卫健委", "45"),
        ("2", "仓山镇", "33"),
        ("3", "区教育局", "28"),
        ("4", "金山街道", "26"),
        ("5", "城门镇", "21"),
        ("6", "区大数据服务中心", "5"),
    ]
    assert [float(row[4]) for row in rows["ranking"]] == [15.0, 11.0, 9.3, 8.7, 7.0, 1.7]

    assert headers["sites"] == ["序号", "网站名称", "检查结果", "存在问题"]
    sites = {row[1]: row for row in rows["sites"]}
    assert [row[1] for row in rows["sites"]] == ["仓山区教育局", "福州市仓山区人民政府"]
    assert sites["仓山区教育局"][2] == "不合格"
    problems = sites["仓山区教育局"][3]
    assert "仓山区教育局首页已44天未更新" in problems
    assert "「人事信息」栏目为空白栏目" in problems
    assert "「工作动态」栏目已44天未更新" in problems
    assert len(re.findall(r"^\d+\. ", problems, flags=re.MULTILINE)) == 4
    assert sites["福州市仓山区人民政府"][2:] == ["合格", "无"]

    assert headers["accounts"] == [
        "序号",
        "名称",
        "平台类型",
        "主办单位",
        "更新日期",
        "更新频率(条/月)",
        "检查结果",
        "备注",
    ]
    # XLSX stores 6.0 as the number 6: frequencies are compared as numbers.
    accounts = {row[1]: [*row[2:5], float(row[5]), *row[6:]] for row in rows["accounts"]}
    assert accounts["仓山发布"] == ["微博", "区融媒体中心", "2026-09-28", 10.7, "合格", ""]
    assert accounts["仓山教育"][:5] == ["微信公众号", "区教育局", "2026-09-10", 6.0, "不合格"]
    assert accounts["仓山教育"][5].startswith("两周未更新(已20天)")
    assert accounts["城门发布"][:5] == ["抖音", "城门镇", "2026-09-25", 4.3, "合格"]
    assert accounts["城门发布"][5] == "12周更新少于2条"


def test_average_score_is_the_scores_as_of_the_last_day(report: Report) -> None:
    with session_scope() as session:
        totals = RegionTotals.of(scores_as_of(session, PERIOD_END))
    assert report.all_totals == totals
    assert report.table("summary").rows[2][5] == totals.average_score


def test_report_leaves_stored_findings_alone(district: str) -> None:
    with session_scope() as session:
        before = session.scalar(select(func.count(Finding.id)))
        build_report(session, date(2026, 7, 1), date(2026, 10, 31))
    with session_scope() as session:
        assert session.scalar(select(func.count(Finding.id))) == before


def test_notice_names_problems_and_units(report: Report) -> None:
    text = report.notice.text
    assert report.notice.title == "关于2026年第三季度全区政府网站和政务新媒体检查情况的通报"
    assert "本次共检查政府网站2个、政务新媒体3个,合格3个,不合格2个,总体合格率60.0%" in text
    assert "一、总体情况" in text and "二、存在的主要问题" in text and "三、整改要求" in text
    assert "(一)单项否决问题" in text
    assert "微信公众号账号「仓山教育」已20天未更新" in text
    assert "仓山区教育局首页已44天未更新" in text
    assert "城门镇(7月8条、9月3条)" in text and "金山街道(8月4条)" in text
    assert "区卫健委(45条)" in text  # the most productive unit is named
    assert "于2026年10月15日前完成" in text
    assert "区融媒体中心(" not in text  # maintains no column: not named as short


def _xlsx_tables(
    path: Path,
) -> tuple[dict[str, list[str]], dict[str, Rows], dict[str, set[tuple[int, int]]]]:
    workbook = load_workbook(path)
    headers, rows, marked = {}, {}, {}
    for key, title in TABLE_TITLES.items():
        sheet = workbook[title.replace(":", " ")[:31]]
        assert sheet["A1"].value == title
        assert "检查期间:2026年7月1日至2026年9月30日" in sheet["A2"].value
        assert sheet.freeze_panes is not None
        first_data_row = int(re.sub(r"[A-Z]", "", sheet.freeze_panes))
        header_row = first_data_row - 1
        headers[key] = [_text(cell.value) for cell in sheet[header_row] if cell.value is not None]
        if header_row == 4:  # two header rows: one-column groups are merged over both
            headers[key] = [
                _text(sheet.cell(row=4, column=c).value or sheet.cell(row=3, column=c).value)
                for c in range(1, sheet.max_column + 1)
            ]
        rows[key], marked[key] = [], set()
        row_number = first_data_row
        # Data rows end at the blank row above the notes.
        while sheet.cell(row=row_number, column=2).value is not None:
            cells = sheet[row_number][: len(headers[key])]
            rows[key].append([_text(cell.value) for cell in cells])
            for column, cell in enumerate(cells):
                if cell.fill.fgColor.rgb in ("FFFFC7CE", "00FFC7CE"):
                    marked[key].add((row_number - first_data_row, column))
            row_number += 1
    # The monthly tables' headers: "各月发布信息数(条)" merged over the month columns.
    towns = workbook[TABLE_TITLES["towns"].replace(":", " ")]
    merged = {str(cell_range) for cell_range in towns.merged_cells.ranges}
    assert {"A1:G1", "C3:E3", "A3:A4", "B3:B4"} <= merged
    assert towns["C3"].value == "各月发布信息数(条)"
    assert "通报(草稿)" in workbook.sheetnames
    notice = workbook["通报(草稿)"]
    assert notice["A1"].value.startswith("关于2026年第三季度")
    return headers, rows, marked


def test_xlsx(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    assert write_report(report, path) == [path]
    check_tables(*_xlsx_tables(path))


def test_html(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_report(report, path)
    document = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    headers, rows, marked = {}, {}, {}
    for key, title in TABLE_TITLES.items():
        assert document.xpath(f'string(//h2[@id="{key}"])') == title
        (table,) = document.xpath(f'//table[@data-table="{key}"]')
        header_rows = table.xpath("./thead/tr")
        if len(header_rows) == 2:
            spanning = [th for th in header_rows[0].xpath("./th")]
            lower = iter(th.text_content() for th in header_rows[1].xpath("./th"))
            headers[key] = []
            for th in spanning:
                if th.get("rowspan") == "2":
                    headers[key].append(th.text_content())
                else:
                    headers[key] += [next(lower) for _ in range(int(th.get("colspan", "1")))]
        else:
            headers[key] = [th.text_content() for th in header_rows[0].xpath("./th")]
        rows[key], marked[key] = [], set()
        for row_index, tr in enumerate(table.xpath("./tbody/tr")):
            cells = tr.xpath("./td")
            rows[key].append([td.text_content() for td in cells])
            marked[key] |= {
                (row_index, column)
                for column, td in enumerate(cells)
                if "below-quota" in (td.get("class") or "")
            }
    check_tables(headers, rows, marked)
    svgs = document.xpath("//svg")
    assert len(svgs) == 2
    assert "各月网站信息发布量" in svgs[0].get("aria-label")
    assert "合格率 60.0%" in svgs[1].text_content()
    assert "http" not in "".join(document.xpath("//script/@src | //link/@href"))
    assert "关于2026年第三季度" in document.xpath('string(//div[@class="notice"])')


def test_markdown(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    write_report(report, path)
    text = path.read_text(encoding="utf-8")
    headers, rows, marked = {}, {}, {}
    for key, title in TABLE_TITLES.items():
        section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
        lines = [line for line in section.splitlines() if line.startswith("|")]
        split = [
            [
                cell.strip().replace("<br>", "\n").replace("\\|", "|")
                for cell in re.split(r"(?<!\\)\|", line)[1:-1]
            ]
            for line in lines
        ]
        headers[key] = split[0]
        rows[key], marked[key] = [], set()
        for row_index, cells in enumerate(split[2:]):
            plain = []
            for column, cell in enumerate(cells):
                if cell.startswith("**") and cell.endswith("**"):
                    marked[key].add((row_index, column))
                    cell = cell[2:-2]
                plain.append(cell)
            rows[key].append(plain)
    check_tables(headers, rows, marked)
    assert "### 关于2026年第三季度全区政府网站和政务新媒体检查情况的通报" in text


def test_csv_one_file_per_table(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    written = write_report(report, path)
    assert [p.name for p in written] == [
        "report.csv",
        "report-towns.csv",
        "report-departments.csv",
        "report-ranking.csv",
        "report-sites.csv",
        "report-accounts.csv",
        "report-notice.txt",
    ]
    headers, rows = {}, {}
    for key in TABLE_TITLES:
        file = path if key == "summary" else tmp_path / f"report-{key}.csv"
        assert file.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
        with file.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
        headers[key], rows[key] = table[0], table[1:]
    check_tables(headers, rows, None)
    assert (
        (tmp_path / "report-notice.txt")
        .read_text(encoding="utf-8")
        .startswith("关于2026年第三季度")
    )


def _govwatch(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govwatch.cli", *args],
        capture_output=True,
        text=True,
        env={"GOVWATCH_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[3],
        timeout=120,
    )


def test_command_writes_xlsx_and_refuses_unknown_suffixes(district: str, tmp_path: Path) -> None:
    out = tmp_path / "q3.xlsx"
    done = _govwatch(
        district, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert "2026年第三季度" in done.stderr
    assert load_workbook(out)["检查结果汇总"]["A1"].value == "检查结果汇总"

    refused = _govwatch(
        district,
        "report",
        "--from",
        "2026-07-01",
        "--to",
        "2026-09-30",
        "--out",
        str(tmp_path / "q3.pdf"),
    )
    assert refused.returncode == 2
    assert "不支持的报告格式「.pdf」" in refused.stderr
    assert not (tmp_path / "q3.pdf").exists()

    backwards = _govwatch(
        district, "report", "--from", "2026-09-30", "--to", "2026-07-01", "--out", str(out)
    )
    assert backwards.returncode == 2
    assert "晚于" in backwards.stderr
