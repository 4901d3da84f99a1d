"""Every client names govwatch and the operator's contact URL in its User-Agent, and none
poses as a browser (issue 13); robots.txt is read only when GOVWATCH_OBEY_ROBOTS says so.

One local server records the User-Agent of every request it receives from: the homepage
probe (httpx), the link checker (aiohttp behind httpx), ``govwatch extract``, the robot
notifications, the site spider and the account spider.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fakes.gov_pages import list_page
from fakes.platforms import FakePlatforms

from crawler.health.links import check_urls
from crawler.health.probe import probe_many
from govwatch.service.channels import WeComChannel
from settings import Settings, get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTACT = "https://jc.example.gov.cn/contact"
EXPECTED_UA = f"govwatch/0.1 (+{CONTACT}; government website inspection)"


class RecordingSite:
    """A small government site that records (path, User-Agent) of every request."""

    def __init__(self) -> None:
        today = date.today()
        self.seen: list[tuple[str, str]] = []
        self.pages = {
            "/": list_page("首页", [1, 2], today, prefix="/home/").encode(),
            "/news/": list_page("工作动态", [1, 3], today, prefix="/news/").encode(),
            "/robots.txt": b"User-agent: *\nDisallow: /news/\n",
        }
        site = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, with_body: bool) -> None:
                site.seen.append((self.path, self.headers.get("User-Agent", "")))
                body = site.pages.get(self.path.split("?")[0])
                if self.command == "POST":
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    body = b'{"errcode": 0}'
                status = 200 if body is not None else 404
                body = body if body is not None else b"not found"
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(True)

            def do_HEAD(self) -> None:
                self._answer(False)

            def do_POST(self) -> None:
                self._answer(True)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def agents(self) -> set[str]:
        return {agent for _, agent in self.seen}

    def __enter__(self) -> RecordingSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingSite]:
    monkeypatch.setenv("GOVWATCH_CONTACT_URL", CONTACT)
    get_settings.cache_clear()
    with RecordingSite() as recording:
        yield recording
    get_settings.cache_clear()


def assert_govwatch_agent(agents: set[str]) -> None:
    assert agents == {EXPECTED_UA}, agents
    for agent in agents:
        assert "Mozilla" not in agent and "Chrome" not in agent


def test_default_user_agent_names_govwatch_and_contact() -> None:
    assert Settings(contact_url=CONTACT).user_agent == EXPECTED_UA
    assert Settings().user_agent.startswith("govwatch/0.1 (")
    assert Settings(user_agent="custom/1.0").user_agent == "custom/1.0"
    with pytest.raises(ValueError):
        Settings(contact_url="https://x.example/\r\nX-Injected: 1")


def test_probe_and_link_checker_send_the_govwatch_agent(site: RecordingSite) -> None:
    results = asyncio.run(probe_many([site.base_url], timeout_s=20, concurrency=1))
    assert results[0].ok
    checks = asyncio.run(
        check_urls(
            [site.base_url + "news/", site.base_url + "missing.pdf"],
            [],
            site_hosts={"127.0.0.1"},
            timeout_s=20,
        )
    )
    assert len(checks) == 2
    assert {path for path, _ in site.seen} >= {"/", "/news/", "/missing.pdf"}
    assert_govwatch_agent(site.agents())


def test_extract_and_notifications_send_the_govwatch_agent(
    site: RecordingSite, govwatch_cli: object
) -> None:
    result = govwatch_cli("extract", site.base_url + "news/")  # type: ignore[operator]
    assert result.returncode == 0, result.stderr
    WeComChannel(site.base_url + "cgi-bin/webhook/send?key=k", timeout_s=20).send("标题", "正文")
    assert {path for path, _ in site.seen} >= {"/news/", "/cgi-bin/webhook/send?key=k"}
    assert_govwatch_agent(site.agents())


def _crawl(spider: str, argument: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-a", argument],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            **env,
            "GOVWATCH_CONTACT_URL": CONTACT,
            "GOVWATCH_CHECK_LINKS": "false",
            "GOVWATCH_RENDER_FALLBACK": "false",
            "SCRAPY_SETTINGS_MODULE": "crawler.settings",
            "PYTHONPATH": str(REPO_ROOT),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _register(database_url: str, yaml_text: str) -> None:
    from govwatch.targets_file import parse_targets
    from storage.db import session_scope
    from storage.registry import sync_targets

    with session_scope() as session:
        sync_targets(session, parse_targets(yaml_text, "t.yaml"))


@pytest.mark.database_neutral
def test_site_spider_sends_the_agent_and_ignores_robots_by_default(
    site: RecordingSite, database_url: str
) -> None:
    _register(
        database_url,
        f"""sites:
  - id: county
    name: 测试县人民政府
    url: {site.base_url}
    columns:
      - {{name: 工作动态, url: '{site.base_url}news/', category: news}}
""",
    )
    _crawl("site", "site=county", {"GOVWATCH_DATABASE_URL": database_url})
    paths = [path for path, _ in site.seen]
    assert "/robots.txt" not in paths and "/news/" in paths
    assert_govwatch_agent(site.agents())

    # GOVWATCH_OBEY_ROBOTS=true: robots.txt is read (with the same agent) and obeyed.
    site.seen.clear()
    _crawl(
        "site",
        "site=county",
        {"GOVWATCH_DATABASE_URL": database_url, "GOVWATCH_OBEY_ROBOTS": "true"},
    )
    paths = [path for path, _ in site.seen]
    assert paths[0] == "/robots.txt" and "/" in paths
    assert "/news/" not in paths  # disallowed
    assert_govwatch_agent(site.agents())


@pytest.mark.database_neutral
def test_account_spider_sends_the_agent(site: RecordingSite, database_url: str) -> None:
    with FakePlatforms() as platforms:
        platforms.add_weibo_account("111", [timedelta(days=2 * i + 1) for i in range(5)])
        _register(
            database_url, "accounts:\n  - {id: wb, name: 微博, platform: weibo, uid: '111'}\n"
        )
        _crawl(
            "account",
            "account=wb",
            {"GOVWATCH_DATABASE_URL": database_url, "GOVWATCH_WEIBO_BASE_URL": platforms.base_url},
        )
        seen = platforms.requests_for("111")
    assert seen
    agents = {
        value
        for request in seen
        for name, value in request.headers.items()
        if name.lower() == "user-agent"
    }
    assert_govwatch_agent(agents)
