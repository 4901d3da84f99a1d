"""A column whose list the extractor is unsure of is reported for review, not judged.

Two lists of similar weight on a column page make its newest date a guess: the crawl
records the read as ``list_doubtful`` and the check reports CHECK_FAILED naming the
doubt, never COLUMN_STALE. A doubt that the crawl resolves (items without dates, whose
articles are opened) does not stop a true finding. Pages are served on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fakes.routed_server import RoutedServer
from sqlalchemy import select

from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import Fetch, Item
from storage.registry import sync_targets

pytestmark = pytest.mark.database_neutral
TODAY = china_today()
COLUMN_RULES = {"COLUMN_STALE", "COLUMN_EMPTY", "CHECK_FAILED"}


@pytest.fixture
def server() -> Iterator[RoutedServer]:
    with RoutedServer() as running:
        running.set_html("/", "<html><body><p>首页</p></body></html>")
        yield running


def _register_and_crawl(server: RoutedServer, database_url: str) -> None:
    text = (
        f"sites:\n  - id: s\n    name: 某县\n    url: {server.base_url}\n    columns:\n"
        f"      - {{name: 工作动态, url: '{server.url('/dt/')}', category: news}}\n"
    )
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))
    result = run_crawl("site", "s", timeout_s=180, env={"GOVWATCH_DATABASE_URL": database_url})
    assert result.ok, result.log_tail


def _column_findings() -> dict[str, list[str]]:
    with session_scope() as session:
        run_check(session, TODAY)
        found: dict[str, list[str]] = {}
        for finding in query_findings(session):
            if finding.rule in COLUMN_RULES:
                found.setdefault(finding.rule, []).append(finding.message)
        return found


def _box(name: str, ages: range) -> str:
    rows = "".join(
        f'<li><a href="/{name}/{age}.html">关于第{age}批{name}事项办理情况的公告</a>'
        f"<span>{TODAY - timedelta(days=age):%Y-%m-%d}</span></li>"
        for age in ages
    )
    return f"<div><ul>{rows}</ul></div><p>说明文字</p>"


def test_two_lists_of_similar_weight_are_reported_for_review_not_judged(
    server: RoutedServer, database_url: str
) -> None:
    # Both boxes are months old: judged on either, the column would be "stale".
    html = f"<html><body>{_box('tzgg', range(200, 206))}<hr>{_box('gsgg', range(300, 306))}"
    server.set_html("/dt/", html + "</body></html>")
    _register_and_crawl(server, database_url)
    with session_scope() as session:
        fetch = session.scalars(select(Fetch).where(Fetch.page_kind == "column")).one()
        assert fetch.error_class == "list_doubtful"
        assert "另有一个分量相近的列表" in fetch.error_detail
        # Items read on a guess are not stored: a later clear read starts clean.
        assert session.scalars(select(Item)).all() == []
    findings = _column_findings()
    assert set(findings) == {"CHECK_FAILED"}
    (message,) = findings["CHECK_FAILED"]
    assert "列表识别存疑,转人工复核" in message
    assert "另有一个分量相近的列表" in message


def test_items_without_dates_do_not_stop_a_true_finding(
    server: RoutedServer, database_url: str
) -> None:
    # One undated notice above months-old dated items; its article states no date either,
    # so it counts as no update (the indicators' rule) and the column is stale.
    rows = '<li><a href="/dt/notice.html">关于调整办公时间安排的通知</a></li>' + "".join(
        f'<li><a href="/dt/{age}.html">某某县召开第{age}次安全生产工作会议</a>'
        f"<span>{TODAY - timedelta(days=age):%Y-%m-%d}</span></li>"
        for age in (200, 210, 220)
    )
    server.set_html("/dt/", f"<html><body><ul class='list'>{rows}</ul></body></html>")
    server.set_html("/dt/notice.html", "<html><body><p>自即日起调整办公时间。</p></body></html>")
    _register_and_crawl(server, database_url)
    with session_scope() as session:
        fetch = session.scalars(select(Fetch).where(Fetch.page_kind == "column")).one()
        assert fetch.error_class == "ok"
        assert "1 条信息没有发布日期" in fetch.error_detail
    assert set(_column_findings()) == {"COLUMN_STALE"}
