"""Scale-out on a real redis-server: two worker processes share one queue and one
duplicate filter; the scheduler only enqueues.

Needs ``GOVWATCH_TEST_REDIS_URL`` (``./test.sh`` starts a private redis-server and
sets it); skipped without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.gov_pages import homepage, list_page
from fakes.routed_server import RoutedServer
from service_process import FAST_SETTINGS, SchedulerProcess
from sqlalchemy import func, select

from storage.clock import china_today
from storage.db import session_scope
from storage.models import CrawlRun, Fetch, Item

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
