"""Scale-out on a real redis-server: two worker processes share one queue and one
duplicate filter; the scheduler only enqueues.

Needs ``GOVWATCH_TEST_REDIS_URL`` (``./test.sh`` starts a private redis-server and
sets it); skipped without it.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fakes.gov_pages import homepage, list_page
from fakes.routed_server import Page, RoutedServer
from PIL import Image
from service_process import FAST_SETTINGS, SchedulerProcess, wait_for
from sqlalchemy import func, select

from storage.clock import china_today
from storage.db import session_scope
from storage.models import CrawlRun, Fetch, Item, LinkCheck

COLUMNS = ["gzdt", "tzgg", "zcwj", "rsxx"]
ITEMS_PER_COLUMN = 3


@pytest.fixture
def two_sites() -> Iterator[list[RoutedServer]]:
    today = china_today()
    with RoutedServer() as first, RoutedServer() as second:
        for server in (first, second):
            server.set_html("/", homepage(today))
            for name in COLUMNS:
                ages = [1 + n for n in range(ITEMS_PER_COLUMN)]
                server.set_html(f"/{name}/", list_page(name, ages, today, prefix=f"/{name}/"))
        yield [first, second]


def targets_yaml(servers: list[RoutedServer]) -> str:
    sites = ""
    for index, server in enumerate(servers):
        columns = "".join(
            f"      - {{name: {name}, url: '{server.base_url}{name}/', category: news}}\n"
            for name in COLUMNS
        )
        sites += (
            f"  - id: site{index}\n    name: 第{index}县人民政府\n    url: {server.base_url}\n"
            f"    columns:\n{columns}"
        )
    return f"sites:\n{sites}"


def test_two_workers_share_one_queue_and_fetch_each_page_once(
    redis_url: str, database_url: str, tmp_path: Path, two_sites: list[RoutedServer]
) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(targets_yaml(two_sites), encoding="utf-8")
    env = {
        **FAST_SETTINGS,
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_TARGETS": str(targets),
        "GOVWATCH_REDIS_URL": redis_url,
        # Articles are opened too: more requests for the workers to share.
        "GOVWATCH_ARTICLE_TEXT_PAGES": "2",
        "GOVWATCH_CRAWL_TIMEOUT_S": "20",
    }
    with SchedulerProcess(env, "--worker") as first, SchedulerProcess(env, "--worker") as second:
        with SchedulerProcess(env, "--once") as once:
            assert once.wait(150) == 0, once.log
        for worker in (first, second):
            assert worker.terminate(30) == 0, worker.log
    for worker in (first, second):
        # GOVWATCH_LOG_LEVEL unset: warnings and the summary, as a `scrapy crawl` child
        # prints; no DEBUG records (trafilatura wrote two per article) and no
        # deprecation warnings from scrapy_redis.
        assert " DEBUG " not in worker.log and "] DEBUG:" not in worker.log, worker.log
        assert "DeprecationWarning" not in worker.log, worker.log
    with session_scope() as session:
        runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.target_id)))
        assert [(run.target_id, run.outcome) for run in runs] == [
            ("site0", "ok"),
            ("site1", "ok"),
        ], [(run.target_id, run.outcome, run.detail) for run in runs]
        pages = 1 + len(COLUMNS)
        assert [run.pages_fetched for run in runs] == [pages, pages]
        # Every page observation and every listed item stored once.
        assert session.scalar(select(func.count()).select_from(Fetch)) == 2 * pages
        items = session.scalar(select(func.count()).select_from(Item))
        assert items == 2 * (3 + len(COLUMNS) * ITEMS_PER_COLUMN)  # homepage lists 3
    for server in two_sites:
        assert server.hits["/"] == 2  # the cycle's homepage probe, and the crawl
        for name in COLUMNS:
            assert server.hits[f"/{name}/"] == 1
        articles = [path for path in server.hits if path.count("/") > 2]
        assert articles and all(server.hits[path] == 1 for path in articles), server.hits


def png_image() -> bytes:
    """A small valid PNG (the link checker decodes images)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def linked_page(title: str, today: date) -> str:
    """A list page with two articles, a picture, and a link to a deleted page."""
    rows = "".join(
        f'<li><a href="/{title}/t{index}.html">{title}信息{index}</a>'
        f"<span>{today - timedelta(days=index + 1):%Y-%m-%d}</span></li>"
        for index in range(2)
    )
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<img src="/logo.png" alt="标识"><ul class="list">{rows}</ul>'
        '<a href="/gone/">已删除的页面</a></body></html>'
    )


def serve_linked_site(server: RoutedServer, today: date) -> str:
    """Serve a homepage and two columns linking two articles each, a picture and a
    deleted page; return the site's entry for the targets file."""
    server.set_html("/", linked_page("home", today))
    for name in ("home", "gzdt", "tzgg"):
        if name != "home":
            server.set_html(f"/{name}/", linked_page(name, today))
        for index in range(2):
            server.set_html(f"/{name}/t{index}.html", f"<p>{name}正文{index}</p>")
    server.routes["/logo.png"] = Page(png_image(), content_type="image/png")
    columns = "".join(
        f"      - {{name: {name}, url: '{server.base_url}{name}/', category: news}}\n"
        for name in ("gzdt", "tzgg")
    )
    site_id = f"linked{server.base_url.rstrip('/').rsplit(':', 1)[1]}"
    return (
        f"  - id: {site_id}\n    name: 链接县人民政府\n    url: {server.base_url}\n"
        f"    columns:\n{columns}"
    )


@pytest.mark.database_neutral
def test_a_worker_checks_the_links_each_site_run_saw_once_then_closes_the_run(
    redis_url: str, database_url: str, tmp_path: Path
) -> None:
    # One target at a time: a run whose link check waits in the queue must not hold the
    # worker's only place (it did, and the check behind it never ran).
    today = china_today()
    with RoutedServer() as first, RoutedServer() as second:
        servers = {serve_linked_site(server, today): server for server in (first, second)}
        targets = tmp_path / "targets.yaml"
        targets.write_text("sites:\n" + "".join(servers), encoding="utf-8")
        env = {
            **FAST_SETTINGS,
            "GOVWATCH_DATABASE_URL": database_url,
            "GOVWATCH_TARGETS": str(targets),
            "GOVWATCH_REDIS_URL": redis_url,
            "GOVWATCH_CHECK_LINKS": "true",
            "GOVWATCH_MAX_CONCURRENT_CRAWLS": "1",
            # Long: a run held past this leaves the worker's hand anyway, which hid the bug.
            "GOVWATCH_CRAWL_TIMEOUT_S": "600",
        }
        with SchedulerProcess(env, "--worker") as worker:
            with SchedulerProcess(env, "--once") as once:
                assert once.wait(150) == 0, once.log
            assert worker.terminate(30) == 0, worker.log
        hits = {server.base_url: dict(server.hits) for server in servers.values()}
    with session_scope() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.target_id)).all()
        assert [(run.outcome, run.finished_at is not None) for run in runs] == [
            ("ok", True),
            ("ok", True),
        ], ([(run.target_id, run.detail) for run in runs], worker.log)
        by_run = {
            run.target_id: {
                check.url: check
                for check in session.scalars(
                    select(LinkCheck).where(LinkCheck.crawl_run_id == run.id)
                )
            }
            for run in runs
        }
        session.expunge_all()
    for server in servers.values():
        (checks,) = [
            {url.removeprefix(server.base_url): check for url, check in run_checks.items()}
            for run_checks in by_run.values()
            if all(url.startswith(server.base_url) for url in run_checks)
        ]
        # Each distinct URL once, however many of the three pages show it.
        assert sorted(checks) == sorted(
            ["gone/", "logo.png"]
            + [f"{name}/t{index}.html" for name in ("gzdt", "tzgg", "home") for index in range(2)]
        ), sorted(checks)
        assert (checks["gone/"].ok, checks["gone/"].http_status) == (False, 404)
        assert len(checks["gone/"].found_on) == 3 and checks["gone/"].on_homepage
        assert checks["logo.png"].ok and checks["logo.png"].kind == "image"
        assert all(check.ok for url, check in checks.items() if url != "gone/")
        assert hits[server.base_url]["/gone/"] == 1, hits


@pytest.mark.database_neutral
def test_a_busy_worker_takes_further_targets_up_to_its_limit(
    redis_url: str, database_url: str, tmp_path: Path
) -> None:
    # Each site's only column hangs until released: a worker that took one target at a
    # time (scrapy-redis pops the next only when idle) never reached the second site.
    today = china_today()
    with RoutedServer() as server:
        text = "sites:\n"
        for site_id in ("north", "south"):
            base = f"{server.base_url}{site_id}/"
            server.set_html(f"/{site_id}/", linked_page("home", today))
            server.set_html(f"/{site_id}/hang/", list_page("通知", [1, 2], today))
            server.holds[f"/{site_id}/hang/"] = threading.Event()
            text += (
                f"  - id: {site_id}\n    name: {site_id}县人民政府\n    url: {base}\n"
                f"    columns:\n      - {{name: 通知, url: '{base}hang/', category: news}}\n"
            )
        targets = tmp_path / "targets.yaml"
        targets.write_text(text, encoding="utf-8")
        env = {
            **FAST_SETTINGS,
            "GOVWATCH_DATABASE_URL": database_url,
            "GOVWATCH_TARGETS": str(targets),
            "GOVWATCH_REDIS_URL": redis_url,
            "GOVWATCH_MAX_CONCURRENT_CRAWLS": "2",
            "GOVWATCH_DOWNLOAD_TIMEOUT_S": "600",
            "GOVWATCH_CRAWL_TIMEOUT_S": "300",
        }
        try:
            with SchedulerProcess(env, "--worker") as worker:
                with SchedulerProcess(env, "--once") as once:
                    wait_for(
                        "both sites' columns requested at once",
                        lambda: server.hits["/north/hang/"] and server.hits["/south/hang/"],
                        timeout_s=150,
                    )
                    for hold in server.holds.values():
                        hold.set()
                    assert once.wait(150) == 0, once.log
                assert worker.terminate(30) == 0, worker.log
        finally:
            for hold in server.holds.values():
                hold.set()
    with session_scope() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.target_id)).all()
        assert [(run.target_id, run.outcome) for run in runs] == [("north", "ok"), ("south", "ok")]
