"""The README's run command (`govwatch demo`) and `govwatch extract` on a file and a URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from corpus import corpus_path
from fakes.routed_server import RoutedServer

from storage.clock import china_today


def govwatch(
    *args: str, database_url: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVWATCH_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "govwatch.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def test_demo_prints_site_and_account_findings(database_url: str, tmp_path: Path) -> None:
    result = govwatch(
        "demo",
        "--port",
        "0",
        "--targets-out",
        str(tmp_path / "demo.yaml"),
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for expected in (
        "COLUMN_STALE",  # 图片新闻 20 days, 政策文件 200 days
        "demo/图片新闻",
        "demo/政策文件",
        "COLUMN_EMPTY",  # 人事信息
        "CHECK_FAILED",  # 政务咨询 answers 500
        "ACCOUNT_STALE",  # the quiet Weibo account
        "ACCOUNT_LOW_FREQUENCY",  # the once-a-week WeChat account
        "SITE_IDENTITY_MISSING",  # no ICP number, 公安 mark or 党政机关 badge
        "SEARCH_BROKEN",  # the search finds nothing
        "ACTIVITY_MISSING",  # 在线访谈 idle for over a year
        "ACCOUNT_NOT_LISTED",  # 示范县文旅 missing from the directory
        "LISTED_ACCOUNT_UNKNOWN",  # 示范县应急 listed, not registered
        "INTERPRETATION_MISSING",  # 规范性文件 without 政策解读
    ):
        assert expected in out, expected
    # Piped, findings are plain tab-separated lines: codes and ids whole, greppable.
    assert any(line.startswith("demo/政策文件\tCOLUMN_STALE\t") for line in out.splitlines())
    if china_today() > date(china_today().year, 1, 31):  # the department's deadline
        assert "ANNUAL_REPORT_LATE" in out
    assert "demo/工作动态" not in out  # the fresh column has nothing to report
    assert "demo/通知公告" not in out  # a notice column 100 days old is within 183 days


def test_extract_on_a_saved_corpus_page(database_url: str, govwatch_cli) -> None:
    page = corpus_path("gov-list", "zhangshu_trs_comprehensive_info.html")
    result = govwatch_cli(
        "extract", str(page), "--base-url", "http://www.zhangshu.gov.cn/zwgk/zhxx/"
    )
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == 24
    assert items[0] == {
        "title": "江西（樟树）医药产业招商引资推介会举行",
        "url": "http://www.zhangshu.gov.cn/zwgk/zhxx/201710/t20171019_398276.html",
        "published": "2017-10-19",
    }


def test_extract_on_a_url_with_a_gbk_page(database_url: str, govwatch_cli) -> None:
    html = """<html><head><meta charset="gbk"></head><body><ul class="list">
    <li><a href="/a/1.html">关于印发工作要点的通知</a><span>2026年5月20日</span></li>
    <li><a href="/a/2.html">关于开展安全检查的通知</a><span>2026年5月18日</span></li>
    <li><a href="/a/3.html">关于公布名单的公告</a><span>2026年5月2日</span></li></ul></body></html>"""
    with RoutedServer() as server:
        server.set_html("/tzgg/", html, encoding="gbk")
        result = govwatch_cli("extract", server.url("/tzgg/"))
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["title"], i["published"]) for i in items] == [
        ("关于印发工作要点的通知", "2026-05-20"),
        ("关于开展安全检查的通知", "2026-05-18"),
        ("关于公布名单的公告", "2026-05-02"),
    ]
    assert items[0]["url"] == server.url("/a/1.html")


def test_extract_missing_file_is_bad_input(database_url: str, govwatch_cli) -> None:
    result = govwatch_cli("extract", "/nonexistent/page.html")
    assert result.returncode == 2
    assert "文件不存在" in result.stderr
