"""Crawled URLs of any length are stored, once, on SQLite and PostgreSQL alike.

A column listing an item whose URL is 2,100 characters used to fail the whole crawl
on PostgreSQL (VARCHAR(2000), and a unique index over the URL); the crawl now stores
every item, a second crawl stores none twice, and migration 0006 gives existing rows
their URL hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fakes.routed_server import RoutedServer
from sqlalchemy import create_engine, func, select, text

from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from storage.clock import china_today
from storage.db import ALEMBIC_DIR, dispose_engines, session_scope
from storage.models import Article, CrawlRun, Item, LinkCheck, SiteColumn, url_hash
from storage.registry import sync_targets


def long_path(length: int, base_url: str) -> str:
    """A path that makes ``base_url`` + path exactly ``length`` characters long."""
    head = "/news/long/"
    tail = ".html"
    filler = length - len(base_url.rstrip("/")) - len(head) - len(tail)
    return head + "p" * filler + tail


@pytest.fixture
def long_url_site() -> Iterator[tuple[RoutedServer, list[str]]]:
    today = china_today()
    with RoutedServer() as server:
        paths = [long_path(2100, server.base_url), long_path(10_000, server.base_url)]
        paths.append("/news/short.html")
        rows = "".join(
            f'<li><a href="{path}">长链接信息{index}</a>'
            f'<span class="date">{today - timedelta(days=index + 1):%Y-%m-%d}</span></li>'
            for index, path in enumerate(paths)
        )
        server.set_html(
            "/",
            f'<html><body><ul class="list"><li><a href="/news/short.html">首页信息</a>'
            f'<span class="date">{today:%Y-%m-%d}</span></li></ul></body></html>',
        )
        server.set_html(
            "/news/",
            f'<html><head><meta charset="utf-8"><title>工作动态</title></head><body>'
            f'<ul class="list">{rows}</ul></body></html>',
        )
        for path in paths:
            server.set_html(path, "<html><body><h1>文章</h1><p>正文内容。</p></body></html>")
        yield server, [server.url(path) for path in paths]


@pytest.mark.timeout(600)  # two real crawls in child processes, on a loaded machine
def test_long_item_urls_are_stored_once(
    long_url_site: tuple[RoutedServer, list[str]], database_url: str
) -> None:
    server, urls = long_url_site
    assert [len(url) for url in urls[:2]] == [2100, 10_000]
    with session_scope() as session:
        sync_targets(
            session,
            parse_targets(
                f"""
sites:
  - id: longurls
    name: 长链接县
    url: {server.base_url}
    columns:
      - {{name: 工作动态, url: '{server.url("/news/")}', category: news}}
""",
                "test.yaml",
            ),
        )
    env = {
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_ARTICLE_TEXT_PAGES": "5",
        "GOVWATCH_RENDER_FALLBACK": "false",
        "GOVWATCH_RETRY_TIMES": "0",
    }
    for _ in range(2):
        result = run_crawl("site", "longurls", timeout_s=120, env=env)
        assert result.ok, result.log_tail

    with session_scope() as session:
        column_id = session.scalar(select(SiteColumn.id).where(SiteColumn.name == "工作动态"))
        stored = list(session.scalars(select(Item.url).where(Item.column_id == column_id)))
        assert sorted(stored, key=len) == sorted(urls, key=len)
        # The homepage's one-line box is no list in homepage mode (and the homepage is
        # no longer read a second time as a column), so these are all the items.
        assert session.scalar(select(func.count()).select_from(Item)) == 3
        outcomes = list(session.scalars(select(CrawlRun.outcome)))
        assert outcomes == ["ok", "ok"]
        # Scrapy does not request URLs over URLLENGTH_LIMIT (2,083): article texts
        # are read for the shorter ones only, each stored once.
        article_urls = list(session.scalars(select(Article.url)))
        assert urls[2] in article_urls and len(set(article_urls)) == len(article_urls)
        hashes = dict(session.execute(select(Item.url, Item.url_hash)).all())
        assert hashes[urls[1]] == url_hash(urls[1])


def test_migration_0006_hashes_existing_rows(tmp_path: Path, database_url: str) -> None:
    """A database at 0005 with items, articles and link checks upgrades in place."""
    from alembic.config import Config

    from alembic import command

    dispose_engines()
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    url = "http://h.gov.cn/news/" + "q" * 1500 + ".html"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sites (id, name, url, discover_columns, active, updated_at)"
                " VALUES ('s', 'S', 'http://h.gov.cn/', false, true, '2026-11-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO site_columns (id, site_id, name, url, category, render, origin,"
                " active) VALUES (1, 's', '新闻', 'http://h.gov.cn/news/', 'news', 'static',"
                " 'registered', true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO items (column_id, url, title, pinned, first_seen_at, last_seen_at)"
                " VALUES (1, :url, 't', false, '2026-11-01', '2026-11-01')"
            ),
            {"url": url},
        )
        connection.execute(
            text(
                "INSERT INTO articles (url, site_id, column_id, title, text, fetched_at)"
                " VALUES (:url, 's', 1, 't', 'x', '2026-11-01')"
            ),
            {"url": url},
        )
        connection.execute(
            text(
                "INSERT INTO crawl_runs (id, target_type, target_id, started_at, outcome,"
                " pages_fetched, pages_failed, items_seen, detail)"
                " VALUES (1, 'site', 's', '2026-11-01', 'ok', 1, 0, 1, '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO link_checks (crawl_run_id, site_id, url, kind, found_on,"
                " on_homepage, external, checked_at, ok, detail)"
                " VALUES (1, 's', :url, 'link', '[]', false, false, '2026-11-01', true, '')"
            ),
            {"url": url},
        )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    engine.dispose()

    from datetime import datetime

    from crawler.extract.types import ListedItem
    from storage.observations import upsert_items

    with session_scope() as session:
        for model in (Item, Article, LinkCheck):
            assert session.scalar(select(model.url_hash)) == url_hash(url)
        # The upsert meets the migrated row: still one item, its sighting refreshed.
        seen = datetime(2026, 11, 20)
        upsert_items(session, 1, [ListedItem("t2", url, None)], seen, None)
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 1
        assert session.scalar(select(Item.last_seen_at)) == seen
        assert session.scalar(select(Item.title)) == "t2"
