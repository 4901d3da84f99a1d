"""A page that comes back unchanged is not read again; one that changed is (sites served
on 127.0.0.1, crawled in child processes as the scheduler runs them).

To see which reading a crawl used, a test edits the kept reading's JSON (a title) and
leaves its key alone: a crawl that reuses it stores the edited title, one that reads
the page stores the page's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fakes.gov_pages import list_page
from fakes.routed_server import RoutedServer
from scrapy.http import HtmlResponse
from sqlalchemy import func, select

from crawler.observations import PageObservation, ReadingObservation
from crawler.runner import run_crawl
from crawler.spiders.site import SiteSpider
from govwatch.targets_file import parse_targets
from storage.clock import china_today
from storage.db import session_scope
from storage.models import Fetch, Item, PageReading
from storage.page_readings import record_readings
from storage.registry import sync_targets

TODAY = china_today()
EDITED = "（测试改写的标题）"


@pytest.fixture
def site(database_url: str) -> Iterator[RoutedServer]:
    with RoutedServer() as server:
        server.set_html("/", "<html><body><p>某县人民政府</p></body></html>")
        server.set_html("/news/", list_page("工作动态", [1, 3, 5], TODAY, prefix="/news/"))
        server.set_html("/notice/", list_page("通知公告", [2, 4], TODAY, prefix="/notice/"))
        text = (
            f"sites:\n  - id: s\n    name: 某县\n    url: {server.base_url}\n    columns:\n"
            f"      - {{name: 工作动态, url: '{server.url('/news/')}', category: news}}\n"
            f"      - {{name: 通知公告, url: '{server.url('/notice/')}', category: notice}}\n"
        )
        with session_scope() as session:
            sync_targets(session, parse_targets(text, "t.yaml"))
        yield server


def crawl(database_url: str) -> None:
    result = run_crawl("site", "s", timeout_s=180, env={"GOVWATCH_DATABASE_URL": database_url})
    assert result.ok, result.log_tail


def edit_kept_title(url: str, **changes: object) -> str:
    """Give the first item of ``url``'s kept reading another title; returns that title."""
    with session_scope() as session:
        row = session.scalars(select(PageReading).where(PageReading.url == url)).one()
        data = json.loads(row.listing)
        data["items"][0][0] += EDITED
        row.listing = json.dumps(data, ensure_ascii=False)
        for name, value in changes.items():
            setattr(row, name, value)
        return data["items"][0][0]


def titles() -> set[str]:
    with session_scope() as session:
        return set(session.scalars(select(Item.title)))


def counts() -> tuple[int, int, int]:
    with session_scope() as session:
        return (
            session.scalar(select(func.count(Item.id))) or 0,
            session.scalar(select(func.count(Fetch.id))) or 0,
            session.scalar(select(func.count(PageReading.id))) or 0,
        )


def test_an_unchanged_page_is_not_read_again(site: RoutedServer, database_url: str) -> None:
    crawl(database_url)
    assert counts() == (5, 3, 3)  # homepage and two columns, each read and kept once
    with session_scope() as session:
        first_crawl_done = session.scalar(select(func.max(Fetch.fetched_at)))
    edited = edit_kept_title(site.url("/news/"))

    crawl(database_url)
    # The kept reading stood for the page: the item it lists got its (edited) title and
    # was seen again, like every other item; no row was added but the three fetches.
    assert edited in titles()
    assert counts() == (5, 6, 3)
    with session_scope() as session:
        last_seen = session.scalars(select(Item.last_seen_at)).all()
        assert min(last_seen) > first_crawl_done


def test_a_changed_page_is_read_again(site: RoutedServer, database_url: str) -> None:
    crawl(database_url)
    with session_scope() as session:
        key_before = session.scalar(
            select(PageReading.reading_key).where(PageReading.url == site.url("/news/"))
        )
    edited = edit_kept_title(site.url("/news/"))
    site.set_html("/news/", list_page("工作动态", [0, 1, 3, 5], TODAY, prefix="/news/"))

    crawl(database_url)
    assert edited not in titles()
    assert "工作动态信息0" in titles()  # the new item, read from the page
    with session_scope() as session:
        row = session.scalars(
            select(PageReading).where(PageReading.url == site.url("/news/"))
        ).one()
        assert row.reading_key != key_before
        assert EDITED not in row.listing and len(json.loads(row.listing)["items"]) == 4


def test_a_reading_that_inferred_years_is_read_again_the_next_day(
    site: RoutedServer, database_url: str
) -> None:
    """Dates printed as month-day get their year from the day of reading: yesterday's
    reading of such a page does not stand for today's."""
    month_day = "".join(
        f'<li><a href="/md/{n}.html">月日信息{n}</a><span>{TODAY - timedelta(days=n):%m-%d}</span></li>'
        for n in range(1, 4)
    )
    site.set_html("/news/", f"<html><body><ul class='list'>{month_day}</ul></body></html>")
    crawl(database_url)
    with session_scope() as session:
        assert session.scalar(
            select(PageReading.reads_the_day).where(PageReading.url == site.url("/news/"))
        )
    edited = edit_kept_title(site.url("/news/"), read_on=TODAY - timedelta(days=1))
    edited_other = edit_kept_title(site.url("/notice/"), read_on=TODAY - timedelta(days=1))

    crawl(database_url)
    assert edited not in titles()  # month-day dates: read again
    assert edited_other in titles()  # full dates: yesterday's reading stands


def test_a_spider_without_a_crawler_reuses_kept_readings(
    site: RoutedServer, database_url: str
) -> None:
    """As a Redis worker runs it: the site spider's code in a delegate with no crawler
    of its own, its observations stored by the worker's pipeline."""
    page = list_page("工作动态", [1, 3, 5], TODAY, prefix="/news/").encode()

    def parse_news() -> list[object]:
        spider = SiteSpider(site="s")
        column = next(c for c in spider.plan.columns if c.name == "工作动态")
        request = spider._column_request(column, column.url, page_number=1)
        response = HtmlResponse(column.url, body=page, encoding="utf-8", request=request)
        return list(spider.parse_page(response, **request.cb_kwargs))

    first = parse_news()
    readings = [seen for seen in first if isinstance(seen, ReadingObservation)]
    assert len(readings) == 1
    with session_scope() as session:
        record_readings(session, [(readings[0], datetime(2026, 12, 1, 8, 0))])

    again = parse_news()
    assert not any(isinstance(seen, ReadingObservation) for seen in again)
    pages = [seen for seen in again if isinstance(seen, PageObservation)]
    assert [p.list_page for p in pages] == [readings[0].listing]
