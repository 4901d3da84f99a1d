"""End to end on sites served on 127.0.0.1: `scrapy crawl site`, then a check.

These run the real spider in a child process, as the scheduler does, against the
test's database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fakes.gov_pages import homepage, list_page
from fakes.routed_server import RoutedServer, refused_url
from sqlalchemy import func, select

from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import CrawlRun, Fetch, Item
from storage.registry import sync_targets

COLUMN_RULES = {"COLUMN_STALE", "COLUMN_EMPTY", "CHECK_FAILED"}  # what these tests are about
COLUMNS = {
    "/fresh/": ("工作动态", "news", [2, 5, 9]),
    "/stale-news/": ("图片新闻", "news", [20, 30]),
    "/notice/": ("通知公告", "notice", [100, 120]),
    "/policy/": ("政策文件", "policy", [200, 210]),
    "/empty/": ("人事信息", "static", []),
    "/broken/": ("政务咨询", "news", [1]),
}


def register(base_url: str, database_url: str, extra: str = "") -> None:
    columns = "\n".join(
        f"      - {{name: {name}, url: '{base_url.rstrip('/')}{path}', category: {category}}}"
        for path, (name, category, _) in COLUMNS.items()
    )
    text = f"""
units: [{{name: 县政府办}}]
sites:
  - id: county
    name: 测试县政府
    url: {base_url}
    unit: 县政府办
    columns:
{columns}
{extra}"""
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "test.yaml"))


@pytest.fixture
def county_site() -> Iterator[RoutedServer]:
    today = china_today()
    with RoutedServer() as server:
        server.set_html("/", homepage(today))
        for path, (name, _, ages) in COLUMNS.items():
            server.set_html(path, list_page(name, ages, today, prefix=path))
        server.set_html("/broken/", "<h1>Internal Server Error</h1>", status=500)
        yield server


def crawl(site_id: str, database_url: str) -> str:
    """Crawl the site in a child process; what it printed (stderr)."""
    result = run_crawl("site", site_id, timeout_s=120, env={"GOVWATCH_DATABASE_URL": database_url})
    assert result.ok, result.log_tail
    return result.log_tail


def open_rules(site: str | None = None) -> dict[str, set[str]]:
    with session_scope() as session:
        by_target: dict[str, set[str]] = {}
        for finding in query_findings(session, site=site):
            if finding.rule in COLUMN_RULES:
                by_target.setdefault(finding.target_id, set()).add(finding.rule)
        return by_target


def check(day: date | None = None) -> None:
    with session_scope() as session:
        run_check(session, day or china_today())


def test_stale_empty_fresh_and_unreadable_columns(
    county_site: RoutedServer, database_url: str
) -> None:
    register(county_site.base_url, database_url)
    printed = crawl("county", database_url)
    check()

    # A short summary, not Scrapy's INFO log (nor Alembic's migration lines).
    assert "抓取网站 county 部分失败: 读取页面" in printed and "新增信息" in printed
    assert "原因: 1/" in printed and "HTTP 500" in printed
    assert " INFO" not in printed and "Scrapy" not in printed, printed
    assert len(printed.splitlines()) < 15, printed
    with session_scope() as session:
        run = session.scalars(select(CrawlRun)).one()
        assert run.outcome == "partial"
        assert run.detail.startswith("1/") and "/broken/ HTTP 500" in run.detail

    assert open_rules() == {
        "county/图片新闻": {"COLUMN_STALE"},  # news, 20 days
        "county/政策文件": {"COLUMN_STALE"},  # policy, 200 days
        "county/人事信息": {"COLUMN_EMPTY"},
        "county/政务咨询": {"CHECK_FAILED"},  # HTTP 500: never stale or empty
    }
    with session_scope() as session:
        stale = query_findings(session, rule="COLUMN_STALE", site="county")
        news = next(f for f in stale if f.target_id == "county/图片新闻")
        assert "已20天未更新" in news.message
        assert news.unit == "县政府办"
        assert news.evidence == [county_site.url("/stale-news/")]
        broken = query_findings(session, rule="CHECK_FAILED")[0]
        assert "HTTP 500" in broken.message


@pytest.mark.database_neutral
def test_refused_host_is_check_failed_only(database_url: str) -> None:
    dead = refused_url()
    text = f"""
sites:
  - id: dead
    name: 打不开的网站
    url: {dead}
    columns:
      - {{name: 工作动态, url: '{dead}gzdt/', category: news}}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))
    crawl("dead", database_url)
    check()
    assert open_rules() == {"dead": {"CHECK_FAILED"}, "dead/工作动态": {"CHECK_FAILED"}}
    with session_scope() as session:
        fetch = session.scalars(select(Fetch).where(Fetch.page_kind == "column")).one()
        assert fetch.error_class == "refused"
        run = session.scalars(select(CrawlRun)).one()
        assert run.outcome == "failed"


def test_second_crawl_stores_items_once_and_fix_resolves(
    county_site: RoutedServer, database_url: str
) -> None:
    register(county_site.base_url, database_url)
    crawl("county", database_url)
    with session_scope() as session:
        first_count = session.scalar(select(func.count(Item.id)))
    crawl("county", database_url)
    check()
    with session_scope() as session:
        assert session.scalar(select(func.count(Item.id))) == first_count
        assert first_count == 3 + 2 + 2 + 2 + 3  # columns + homepage items
        assert session.scalar(select(func.count(CrawlRun.id))) == 2

    # The office publishes a new picture-news item: the finding must resolve.
    county_site.set_html(
        "/stale-news/", list_page("图片新闻", [0, 20, 30], china_today(), prefix="/stale-news/")
    )
    crawl("county", database_url)
    check()
    assert "county/图片新闻" not in open_rules()
    with session_scope() as session:
        resolved = query_findings(session, rule="COLUMN_STALE", status="resolved")
        assert [(f.rule, f.target_id) for f in resolved] == [("COLUMN_STALE", "county/图片新闻")]
        assert resolved[0].resolved_at is not None


@pytest.mark.database_neutral
def test_unknown_site_fails_with_clear_message(database_url: str) -> None:
    result = run_crawl("site", "nosuch", timeout_s=300, env={"GOVWATCH_DATABASE_URL": database_url})
    assert not result.ok
    assert "nosuch" in result.log_tail and "未登记" in result.log_tail
