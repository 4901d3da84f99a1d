"""Browser pages are time-limited: a JavaScript WAF page that reloads itself for ever,
or a script that never yields, ends its column CHECK_FAILED and the crawl finishes
(Debian's Chromium, pages served on 127.0.0.1)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fakes.gov_pages import list_page
from fakes.sites import FakeResponse, FakeSite
from sqlalchemy import select

from crawler.browser_handler import BROWSER_TIMEOUT_MESSAGE
from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import Fetch
from storage.registry import sync_targets

pytestmark = [
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed"),
    pytest.mark.database_neutral,
]
TODAY = china_today()

# A challenge page as 加速乐/云锁 serve it to a browser that fails the check: set a
# cookie, reload, for ever.
RELOAD_LOOP = (
    "<html><head><meta charset='utf-8'></head><body><script>"
    "document.cookie='__jsl_clearance_s=' + Date.now() + ';path=/';"
    "location.href=location.pathname+location.search;"
    "</script></body></html>"
)
# A page whose script never yields: the renderer is busy for ever.
BUSY_LOOP = "<html><body><p>加载中</p><script>for(;;){}</script></body></html>"


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite() as running:
        running.add("/", FakeResponse(body=list_page("首页", [1, 2], TODAY, "/h/").encode()))
        running.add("/loop/", FakeResponse(body=RELOAD_LOOP.encode()))
        running.add("/busy/", FakeResponse(body=BUSY_LOOP.encode()))
        running.add(
            "/ok/", FakeResponse(body=list_page("工作动态", [1, 3], TODAY, "/ok/").encode())
        )
        yield running


@pytest.mark.timeout(900)
def test_hanging_browser_pages_end_check_failed(site: FakeSite, database_url: str) -> None:
    text = f"""sites:
  - id: s
    name: 某县
    url: {site.url("/")}
    columns:
      - {{name: 刷新循环, url: '{site.url("/loop/")}', category: news, render: js}}
      - {{name: 脚本死循环, url: '{site.url("/busy/")}', category: news, render: js}}
      - {{name: 工作动态, url: '{site.url("/ok/")}', category: news}}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))
    result = run_crawl(
        "site",
        "s",
        timeout_s=400,
        env={
            "GOVWATCH_DATABASE_URL": database_url,
            "GOVWATCH_BROWSER_PAGE_TIMEOUT_S": "15",
            # Navigation alone would wait far longer than the runner's limit: only the
            # page limit can end these pages in time.
            "GOVWATCH_DOWNLOAD_TIMEOUT_S": "900",
            "GOVWATCH_RETRY_TIMES": "0",
            "GOVWATCH_CHECK_LINKS": "false",
        },
    )
    # The crawl ended by itself (not killed at the runner's limit) ...
    assert result.ok, result.log_tail
    with session_scope() as session:
        fetches = {
            f.url: f for f in session.scalars(select(Fetch).where(Fetch.page_kind == "column"))
        }
        run_check(session, TODAY)
        by_target: dict[str, set[str]] = {}
        for finding in query_findings(session):
            by_target.setdefault(finding.target_id, set()).add(finding.rule)
    # ... every column has its observation, the hanging ones as unreadable ...
    for path in ("/loop/", "/busy/"):
        assert fetches[site.url(path)].error_class == "timeout"
        assert BROWSER_TIMEOUT_MESSAGE in fetches[site.url(path)].error_detail
    assert fetches[site.url("/ok/")].error_class == "ok"
    # ... and the check says CHECK_FAILED for them, nothing else.
    assert by_target.get("s/刷新循环") == {"CHECK_FAILED"}
    assert by_target.get("s/脚本死循环") == {"CHECK_FAILED"}
    assert "CHECK_FAILED" not in by_target.get("s/工作动态", set())
