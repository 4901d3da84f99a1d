"""未能检查 targets are shown apart, with the reason, in every report format, the draft
notice and the dashboard; an account's months before its first read are 未观测."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from observe import add_posts, observe_column
from openpyxl import load_workbook

from govwatch.reports import build_report, write_report
from govwatch.targets_file import parse_targets
from govwatch.web.app import create_app
from govwatch.web.auth import hash_password
from monitor.check import run_check
from storage.db import session_scope
from storage.registry import sync_targets

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2)
STALE_READ = "2026-09-30 当天及之后没有成功的抓取(最近一次成功抓取在 2026-09-10)"


def daily(until: date, since: date) -> list[date | None]:
    return [until - timedelta(days=age) for age in range((until - since).days + 1)]


@pytest.fixture
def observed(database_url: str) -> str:
    """Site s healthy; site t's homepage answers 500; account old last read 20 days ago."""
    targets = """
units: [{name: 办公室}]
sites:
  - {id: s, name: 甲县政府, url: 'http://h.gov.cn/', unit: 办公室,
     columns: [{name: 动态, url: 'http://h.gov.cn/0/', category: news}]}
  - {id: t, name: 乙县政府, url: 'http://t.gov.cn/', unit: 办公室,
     columns: [{name: 要闻, url: 'http://t.gov.cn/0/', category: news}]}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(targets, "t.yaml"))
    observe_column("首页", daily(AS_OF, date(2026, 6, 25)), SEEN, homepage=True)
    observe_column("动态", daily(AS_OF, date(2026, 6, 25)), SEEN)
    observe_column("首页t", [], SEEN, site_id="t", homepage=True, error_class="http_error")
    observe_column("要闻", daily(AS_OF, date(2026, 6, 25)), SEEN, site_id="t")
    add_posts(
        "active",
        daily(AS_OF - timedelta(days=1), date(2026, 6, 25)),
        seen_at=SEEN,
        complete_from=date(2026, 6, 25),
    )
    add_posts("old", daily(date(2026, 9, 9), date(2026, 6, 25)), seen_at=datetime(2026, 9, 10, 2))
    return database_url


def test_every_report_format_and_the_notice_show_not_checked_apart(
    observed: str, tmp_path: Path
) -> None:
    with session_scope() as session:
        report = build_report(session, date(2026, 7, 1), AS_OF)
    verdicts = {score.target_id: score.verdict for score in report.scores}
    assert verdicts == {"s": "合格", "t": None, "active": "合格", "old": None}
    # The pass rate is over checked targets only.
    assert (report.all_totals.checked, report.all_totals.not_checked) == (2, 2)
    assert report.all_totals.pass_rate == 1.0
    reasons = {score.target_id: score.reason for score in report.scores}
    assert "HTTP 500" in reasons["t"] and STALE_READ in reasons["old"]
    notice = report.notice.text
    assert "未能检查" in notice and "HTTP 500" in notice and STALE_READ in notice
    assert "不计入合格率" in notice

    md = write_report(report, tmp_path / "r.md")[0].read_text(encoding="utf-8")
    html = write_report(report, tmp_path / "r.html")[0].read_text(encoding="utf-8")
    for text in (md, html):
        assert text.count("未能检查") >= 3 and "HTTP 500" in text and STALE_READ in text
    written = write_report(report, tmp_path / "r.csv")
    by_name = {path.name: path for path in written}
    with by_name["r-accounts.csv"].open(encoding="utf-8-sig") as handle:
        rows = {row["名称"]: row for row in csv.DictReader(handle)}
    assert rows["old号"]["检查结果"] == "未能检查" and STALE_READ in rows["old号"]["备注"]
    with by_name["r-sites.csv"].open(encoding="utf-8-sig") as handle:
        sites = list(csv.DictReader(handle))
    assert [row["检查结果"] for row in sites] == ["未能检查", "合格"]
    assert "HTTP 500" in sites[0]["存在问题"]
    with by_name["r.csv"].open(encoding="utf-8-sig") as handle:
        summary = {row["类别"]: row for row in csv.DictReader(handle)}
    assert summary["合计"]["未能检查"] == "2" and summary["合计"]["检查数"] == "2"
    book = load_workbook(write_report(report, tmp_path / "r.xlsx")[0])
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert any(STALE_READ in cell for cell in cells) and any("HTTP 500" in cell for cell in cells)


def test_dashboard_shows_not_checked_with_reason_and_unobserved_months(observed: str) -> None:
    with session_scope() as session:
        run_check(session, AS_OF + timedelta(days=20))  # the crawls stopped 20 days ago
    client = TestClient(create_app(users={"u": hash_password("pw-2026")}, session_secret="x"))
    client.post("/login", data={"username": "u", "password": "pw-2026", "next": "/"})
    overview = client.get("/").text
    assert "未能检查(不计入合格率)" in overview
    assert "2026-10-20 当天及之后没有成功的抓取" in overview
    account = client.get("/accounts/active").text
    # Read from 2026-06-25 to 2026-09-30: the window's other months were never read.
    assert "未观测" in account
    assert account.count('class="unobserved"') == 12 - _months_read()


def _months_read() -> int:
    """Months of the dashboard's 12-month window the reads saw: June to September."""
    from govwatch.web.app import _timeline_window

    start, end = _timeline_window(date(2026, 9, 29))
    return sum(1 for month in (6, 7, 8, 9) if start <= date(2026, month, 1) <= end)
