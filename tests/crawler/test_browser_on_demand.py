"""The browser starts only when a page needs it (issue 17): a crawl of a static site
starts no Playwright driver (nor, therefore, Chromium); a ``render: js`` column
starts it and is read rendered (sites served on 127.0.0.1, Debian's Chromium).

Playwright starts its Node.js driver from ``PLAYWRIGHT_NODEJS_PATH`` when set; the
tests point it at a wrapper that notes each start in a file, then runs the real
driver, so whether a crawl started a browser is read from that file, not guessed
from timing.
"""

from __future__ import annotations

import inspect
import shutil
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fakes.gov_pages import list_page
from fakes.routed_server import RoutedServer
from sqlalchemy import select

from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from storage.clock import china_today
from storage.db import session_scope
from storage.models import Fetch
from storage.registry import sync_targets

pytestmark = pytest.mark.database_neutral
TODAY = china_today()

JS_LIST = """<html><head><meta charset="utf-8"></head><body><div id="list"></div>
<script>
var rows = [["{a}", "/a/1.html", "关于开展安全生产检查的通知"], ["{b}", "/a/2.html", "关于做好防汛工作的通知"],
            ["{c}", "/a/3.html", "关于公布第二批名单的公告"]];
var html = "<ul class='news'>";
for (var i = 0; i < rows.length; i++) {{
  html += "<li><a href='" + rows[i][1] + "'>" + rows[i][2] + "</a><span>" + rows[i][0] + "</span></li>";
}}
document.getElementById("list").innerHTML = html + "</ul>";
</script></body></html>"""


@pytest.fixture
def driver_starts(tmp_path: Path) -> tuple[Path, Path]:
    """(wrapper to use as PLAYWRIGHT_NODEJS_PATH, file it appends a line to per start)."""
    import playwright

    real_node = Path(inspect.getfile(playwright)).parent / "driver" / "node"
    marker = tmp_path / "driver-starts"
    wrapper = tmp_path / "node"
    wrapper.write_text(f'#!/bin/sh\necho "$$" >> "{marker}"\nexec "{real_node}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, marker


@pytest.fixture
def server() -> Iterator[RoutedServer]:
    with RoutedServer() as running:
        running.set_html("/", list_page("首页", [1, 2], TODAY, prefix="/h/"))
        for path, name in (("/gzdt/", "工作动态"), ("/tzgg/", "通知公告"), ("/zcwj/", "政策文件")):
            running.set_html(path, list_page(name, [1, 8, 20], TODAY, prefix=path))
        days = [f"{TODAY - timedelta(days=age):%Y-%m-%d}" for age in (1, 5, 9)]
        running.set_html("/js/", JS_LIST.format(a=days[0], b=days[1], c=days[2]))
        yield running


def register(server: RoutedServer, columns: list[str]) -> None:
    lines = "\n".join(f"      - {column}" for column in columns)
    text = f"sites:\n  - id: s\n    name: 某县\n    url: {server.base_url}\n    columns:\n{lines}\n"
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))


def crawl(database_url: str, node: Path) -> None:
    env = {
        "GOVWATCH_DATABASE_URL": database_url,
        "PLAYWRIGHT_NODEJS_PATH": str(node),
        "GOVWATCH_CHECK_LINKS": "false",
    }
    result = run_crawl("site", "s", timeout_s=300, env=env)
    assert result.ok, result.log_tail


def column_fetches() -> dict[str, Fetch]:
    with session_scope() as session:
        fetches = session.scalars(select(Fetch).where(Fetch.page_kind == "column"))
        return {fetch.url: fetch for fetch in fetches}


@pytest.mark.timeout(600)
def test_static_site_crawl_starts_no_browser(
    server: RoutedServer, database_url: str, driver_starts: tuple[Path, Path]
) -> None:
    node, marker = driver_starts
    register(
        server,
        [
            f"{{name: {name}, url: '{server.url(path)}', category: news}}"
            for path, name in (
                ("/gzdt/", "工作动态"),
                ("/tzgg/", "通知公告"),
                ("/zcwj/", "政策文件"),
            )
        ],
    )
    crawl(database_url, node)
    fetches = column_fetches()
    assert len(fetches) == 3
    assert all(f.error_class == "ok" and f.items_found == 3 for f in fetches.values())
    assert not marker.exists(), "a static crawl started the Playwright driver"


@pytest.mark.timeout(600)
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed")
def test_js_column_starts_the_browser_once_and_is_rendered(
    server: RoutedServer, database_url: str, driver_starts: tuple[Path, Path]
) -> None:
    node, marker = driver_starts
    register(
        server,
        [
            f"{{name: 工作动态, url: '{server.url('/gzdt/')}', category: news}}",
            f"{{name: 脚本栏目, url: '{server.url('/js/')}', category: news, render: js}}",
        ],
    )
    crawl(database_url, node)
    fetches = column_fetches()
    rendered = fetches[server.url("/js/")]
    assert rendered.error_class == "ok" and rendered.items_found == 3
    assert fetches[server.url("/gzdt/")].items_found == 3
    # One driver for the crawl (the http and https handlers share it).
    assert len(marker.read_text().split()) == 1
