"""The storage pipeline: records the crawl run, each page fetch, and each listed item.

Writes are idempotent: an item is one row per (column, URL) however often it is
crawled; a second sighting only moves ``last_seen_at`` (and fills a date the first
sighting lacked). The crawl run's outcome is derived from its fetches when the
spider closes.
"""

from __future__ import annotations

import sys
from typing import Any

import scrapy
from scrapy.crawler import Crawler

from crawler.observations import (
    AccountPageObservation,
    ArticleObservation,
    MessagesObservation,
    PageObservation,
)
from crawler.run_summary import run_summary
from storage.clock import utcnow
from storage.db import session_scope
from storage.observations import (
    finish_crawl_run,
    record_account_page,
    record_article,
    record_messages,
    record_page,
    start_crawl_run,
)


class StoragePipeline:
    """Stores observations in the configured database."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.crawl_run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def open_spider(self, spider: scrapy.Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        target_type, target_id = spider.target  # type: ignore[union-attr]
        with session_scope() as session:
            self.crawl_run_id = start_crawl_run(session, target_type, target_id)
        spider.crawl_run_id = self.crawl_run_id  # type: ignore[union-attr]  # for later pipelines

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if isinstance(item, PageObservation):
            with session_scope() as session:
                record_page(session, self.crawl_run_id, item, seen_at=utcnow())
        elif isinstance(item, AccountPageObservation):
            with session_scope() as session:
                record_account_page(session, self.crawl_run_id, item, seen_at=utcnow())
        elif isinstance(item, ArticleObservation):
            with session_scope() as session:
                record_article(session, item, seen_at=utcnow())
            return item
        elif isinstance(item, MessagesObservation):
            with session_scope() as session:
                record_messages(session, item, seen_at=utcnow())
            return item
        else:
            return item
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("govwatch/pages_observed")
            stats.inc_value(f"govwatch/pages_{item.error_class}")
        return item

    def close_spider(self, spider: scrapy.Spider | None = None) -> None:
        if self.crawl_run_id is None:
            return
        reason = ""
        stats = self.crawler.stats
        if stats is not None:
            reason = str(stats.get_value("finish_reason") or "")
        with session_scope() as session:
            finish_crawl_run(session, self.crawl_run_id, finish_reason=reason)
            summary = run_summary(session, self.crawl_run_id)
        if summary:
            # The person at the terminal reads this instead of Scrapy's INFO log.
            sys.stderr.write(summary + "\n")
