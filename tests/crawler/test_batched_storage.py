"""A crawl stores its pages in batches (issue 17) without giving up idempotence or
crash safety: a page stored twice is one item; a batch repeats what separate writes
would have stored; a crawl killed outright leaves no page recorded as read without
its items, loses nothing already written, and the next crawl completes the site.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fakes.gov_pages import list_page
from fakes.routed_server import RoutedServer
from sqlalchemy import func, select

from crawler.extract.types import ListedItem, ListPage
from crawler.observations import ColumnRef, PageObservation
from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from storage.clock import china_today
from storage.db import session_scope
from storage.models import CrawlRun, Fetch, Item, SiteColumn
from storage.observations import ColumnIds, record_observations, record_page
from storage.registry import site_crawl_plan, sync_targets

REPO_ROOT = Path(__file__).resolve().parents[2]
TODAY = china_today()
SEEN = datetime(2026, 11, 20, 8, 0)


def register_site(base_url: str, paths: list[str], site_id: str = "s") -> None:
    columns = "\n".join(
        f"      - {{name: 栏目{index}, url: '{base_url.rstrip('/')}{path}', category: news}}"
        for index, path in enumerate(paths)
    )
    text = (
        f"sites:\n  - id: {site_id}\n    name: 某县\n    url: {base_url}\n    columns:\n{columns}\n"
    )
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))


def column_page(name: str, items: list[ListedItem], kind: str = "column") -> PageObservation:
    return PageObservation(
        "s",
        kind,
        f"http://h.gov.cn/{name}/",
        200,
        "ok",
        "",
        ColumnRef(name, f"http://h.gov.cn/{name}/", "news"),
        ListPage(tuple(items), "ok" if items else "empty"),
    )


def item(n: int, day: date | None) -> ListedItem:
    return ListedItem(f"信息{n}", f"http://h.gov.cn/a/{n}.html", day)


def stored_items() -> dict[str, tuple[date | None, datetime, datetime, str]]:
    with session_scope() as session:
        rows = session.execute(
            select(Item.url, Item.published_on, Item.first_seen_at, Item.last_seen_at, Item.title)
        ).all()
    return {url: (day, first, last, title) for url, day, first, last, title in rows}


def test_a_batch_stores_what_separate_writes_store(database_url: str) -> None:
    """Two pages of one column in one batch, sharing an item: one row, first seen with
    the first page, last seen with the second, its date kept when the second has none."""
    register_site("http://h.gov.cn/", ["/0/"])
    day = date(2026, 11, 18)
    first = column_page("栏目0", [item(1, day), item(2, day)])
    second = column_page("栏目0", [item(2, None), item(3, day)], kind="column_more")
    later = SEEN + timedelta(seconds=5)
    with session_scope() as session:
        record_observations(session, None, [(first, SEEN), (second, later)])
    batched = stored_items()

    with session_scope() as session:
        session.execute(Item.__table__.delete())
        session.execute(Fetch.__table__.delete())
    with session_scope() as session:
        record_page(session, None, first, SEEN)
    with session_scope() as session:
        record_page(session, None, second, later)
    assert stored_items() == batched
    assert batched["http://h.gov.cn/a/2.html"] == (day, SEEN, later, "信息2")
    assert len(batched) == 3


def test_the_same_batch_twice_stores_each_item_once(database_url: str) -> None:
    register_site("http://h.gov.cn/", ["/0/"])
    pages = [(column_page("栏目0", [item(n, date(2026, 11, n)) for n in range(1, 6)]), SEEN)]
    for _ in range(2):
        with session_scope() as session:
            record_observations(session, None, pages)
    with session_scope() as session:
        assert session.scalar(select(func.count(Item.id))) == 5
        assert session.scalar(select(func.count(Fetch.id))) == 2


def test_items_are_stored_as_the_models_types_store_them(database_url: str) -> None:
    """Items go to the driver without SQLAlchemy's per-row processing: their times must
    still compare in SQL with times SQLAlchemy wrote (the fetch's), and read back whole."""
    register_site("http://h.gov.cn/", ["/0/"])
    moment = datetime(2026, 11, 18, 9, 30)
    listed = ListedItem("信息", "http://h.gov.cn/a/1.html", date(2026, 11, 18), moment)
    with session_scope() as session:
        record_observations(session, None, [(column_page("0", [listed]), SEEN)])
    with session_scope() as session:
        stored = session.scalars(select(Item)).one()
        assert (stored.published_on, stored.published_at, stored.pinned) == (
            date(2026, 11, 18),
            moment,
            False,
        )
        assert stored.first_seen_at == stored.last_seen_at == SEEN
        seen_with_fetch = session.scalar(
            select(func.count())
            .select_from(Item)
            .join(Fetch, Fetch.column_id == Item.column_id)
            .where(Item.first_seen_at == Fetch.fetched_at, Item.last_seen_at == Fetch.fetched_at)
        )
        assert seen_with_fetch == 1


def test_column_ids_come_from_the_plan_and_new_columns_are_registered_once(
    database_url: str,
) -> None:
    register_site("http://h.gov.cn/", ["/0/"])
    with session_scope() as session:
        plan = site_crawl_plan(session, "s")
    (planned,) = plan.columns
    assert planned.column_id is not None
    column_ids = ColumnIds({("s", planned.name): planned.column_id})
    discovered = PageObservation(
        "s",
        "column",
        "http://h.gov.cn/new/",
        200,
        "ok",
        "",
        ColumnRef("新栏目", "http://h.gov.cn/new/", "news", origin="discovered"),
        ListPage((item(9, None),), "ok"),
    )
    batch = [(column_page("栏目0", [item(1, None)]), SEEN), (discovered, SEEN), (discovered, SEEN)]
    with session_scope() as session:
        record_observations(session, None, batch, column_ids)
    column_ids.committed()
    with session_scope() as session:
        names = list(session.scalars(select(SiteColumn.name).order_by(SiteColumn.id)))
        assert names == ["栏目0", "新栏目"]
        assert session.scalar(select(func.count(Fetch.id))) == 3


def test_a_column_registered_in_a_rolled_back_batch_is_registered_again(
    database_url: str,
) -> None:
    register_site("http://h.gov.cn/", ["/0/"])
    column_ids = ColumnIds()
    ref = ColumnRef("新栏目", "http://h.gov.cn/new/", "news", origin="discovered")
    with pytest.raises(RuntimeError), session_scope() as session:
        column_ids.get(session, "s", ref)
        raise RuntimeError("the batch failed")
    column_ids.rolled_back()
    page = PageObservation(
        "s", "column", ref.url, 200, "ok", "", ref, ListPage((item(1, None),), "ok")
    )
    with session_scope() as session:
        record_observations(session, None, [(page, SEEN)], column_ids)
    with session_scope() as session:
        assert session.scalar(select(func.count(Item.id))) == 1


# --- a real crawl, killed -----------------------------------------------------------

COLUMNS = 12
HANGING = "/hang/"


@pytest.fixture
def hanging_site() -> Iterator[RoutedServer]:
    """A site whose columns answer at once, except one that hangs until released."""
    with RoutedServer() as server:
        server.set_html("/", list_page("首页", [1, 2, 3], TODAY, prefix="/h/"))
        for index in range(COLUMNS):
            path = f"/c{index}/"
            server.set_html(path, list_page(f"栏目{index}", [1, 4, 8, 15], TODAY, prefix=path))
        server.set_html(HANGING, list_page("慢栏目", [2, 3], TODAY, prefix=HANGING))
        server.holds[HANGING] = threading.Event()
        yield server


def start_crawl(database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GOVWATCH_DATABASE_URL": database_url,
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        "PYTHONPATH": str(REPO_ROOT),
        "GOVWATCH_CHECK_LINKS": "false",
        "GOVWATCH_RENDER_FALLBACK": "false",
        "GOVWATCH_ARTICLE_TEXT_PAGES": "0",
        "GOVWATCH_DOWNLOAD_TIMEOUT_S": "900",  # the held page stays in flight
    }
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=s"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the kill takes everything it started
    )


def column_fetches_stored() -> int:
    with session_scope() as session:
        return int(
            session.scalar(select(func.count(Fetch.id)).where(Fetch.page_kind == "column")) or 0
        )


def run_pages_have_their_items(run_id: int) -> None:
    """Every page the run stored as read has, stored, the items it counted (an item's
    last sighting is the time of the page that listed it)."""
    with session_scope() as session:
        fetches = session.scalars(
            select(Fetch).where(Fetch.crawl_run_id == run_id, Fetch.error_class == "ok")
        ).all()
        assert fetches
        for fetch in fetches:
            listed = session.scalar(
                select(func.count(Item.id)).where(
                    Item.column_id == fetch.column_id, Item.last_seen_at == fetch.fetched_at
                )
            )
            assert listed == fetch.items_found > 0, fetch.url


@pytest.mark.timeout(900)
def test_a_killed_crawl_keeps_what_it_wrote_and_a_rerun_completes_it(
    hanging_site: RoutedServer, database_url: str
) -> None:
    paths = [f"/c{index}/" for index in range(COLUMNS)] + [HANGING]
    register_site(hanging_site.base_url, paths)
    crawl = start_crawl(database_url)
    try:
        # Every page but the held one is answered; the batch they are in is written
        # on time although the crawl is still waiting for the held page. Waited for
        # as an event (the rows appear), bounded; not a timing assumption.
        deadline = time.monotonic() + 600
        while column_fetches_stored() < COLUMNS:
            assert crawl.poll() is None, "the crawl ended though a page was held"
            assert time.monotonic() < deadline, "the answered pages were never stored"
            time.sleep(0.2)
        assert hanging_site.hits[HANGING] == 1  # in flight, not yet answered
    finally:
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=60)
        hanging_site.holds[HANGING].set()

    with session_scope() as session:
        (killed,) = session.scalars(select(CrawlRun)).all()
        assert killed.finished_at is None  # it never closed: killed
        # Nothing answered was lost: the columns' and the homepage's items.
        assert session.scalar(select(func.count(Item.id))) == COLUMNS * 4 + 3
    run_pages_have_their_items(killed.id)

    result = run_crawl("site", "s", timeout_s=300, env={"GOVWATCH_DATABASE_URL": database_url})
    assert result.ok, result.log_tail
    with session_scope() as session:
        # The held column now read too; every item once, however often it was seen.
        assert session.scalar(select(func.count(Item.id))) == COLUMNS * 4 + 3 + 2
        rerun = session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_not(None))).one()
        assert rerun.outcome == "ok"
        assert rerun.pages_fetched == COLUMNS + 2  # the columns, the held one, the homepage
        homepage_fetches = session.scalar(
            select(func.count(Fetch.id)).where(
                Fetch.crawl_run_id == rerun.id, Fetch.url == hanging_site.base_url
            )
        )
        assert homepage_fetches == 1  # the homepage's pseudo-column is not a second page
    run_pages_have_their_items(rerun.id)
