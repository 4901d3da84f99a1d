"""Stores the homepage facts a site crawl observed (``crawler.site_facts``) against
the crawl run the storage pipeline opened."""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.crawler import Crawler

from crawler.site_facts import SiteFactObservation
from storage.clock import utcnow
from storage.db import session_scope
from storage.site_facts import record_site_fact


class SiteFactsPipeline:
    """Stores :class:`SiteFactObservation` items; passes everything else on."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteFactsPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if isinstance(item, SiteFactObservation):
            spider = spider or self.crawler.spider
            store_fact(getattr(spider, "crawl_run_id", None), item)
        return item


def store_fact(crawl_run_id: int | None, fact: SiteFactObservation) -> None:
    """Store one fact (also used by the Redis worker's storage pipeline)."""
    with session_scope() as session:
        record_site_fact(
            session,
            crawl_run_id,
            fact.site_id,
            fact.kind,
            fact.ok,
            fact.url,
            fact.data,
            fact.detail,
            utcnow(),
        )
