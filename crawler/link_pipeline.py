"""The link-check pipeline: collects every page's links and images during a site crawl,
then checks each distinct URL once when the crawl closes, and stores the outcomes.

Checking after the crawl (not per page) is what makes "each URL once per run however
many pages link it" cheap; the checker is httpx on the crawl's own asyncio loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler

from crawler.health.links import check_urls
from crawler.observations import LinksObservation
from crawler.scheme_guard import is_web_url
from settings import get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import LinkCheck


@dataclass
class _Sighting:
    kind: str
    pages: list[str] = field(default_factory=list)
    on_homepage: bool = False


class LinkCheckPipeline:
    """Checks the links and images a site crawl saw; stores one LinkCheck row per URL."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sightings: dict[str, _Sighting] = {}
        self.site_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkCheckPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if not isinstance(item, LinksObservation):
            return item
        host = urlsplit(item.page_url).hostname
        if host:
            self.site_hosts.add(host)
        for kind, urls in (("link", item.links), ("image", item.images)):
            # Only http(s) is ever checked or stored: never file:, javascript:, data: ...
            for url in filter(is_web_url, urls):
                sighting = self.sightings.setdefault(url, _Sighting(kind))
                if kind == "image":
                    sighting.kind = "image"  # the stricter check wins
                if item.page_url not in sighting.pages and len(sighting.pages) < 20:
                    sighting.pages.append(item.page_url)
                sighting.on_homepage = sighting.on_homepage or item.on_homepage
        return item

    async def close_spider(self, spider: scrapy.Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        if not self.sightings or spider is None:
            return
        settings = get_settings()
        links = [url for url, seen in self.sightings.items() if seen.kind == "link"]
        images = [url for url, seen in self.sightings.items() if seen.kind == "image"]
        results = await check_urls(
            links,
            images,
            site_hosts=self.site_hosts,
            per_host_concurrency=settings.link_per_host_concurrency,
            per_host_delay_s=settings.link_per_host_delay_s,
            timeout_s=settings.link_timeout_s,
        )
        now = utcnow()
        crawl_run_id = getattr(spider, "crawl_run_id", None)
        site_id = spider.target[1]  # type: ignore[attr-defined]
        with session_scope() as session:
            for url, result in results.items():
                seen = self.sightings[url]
                session.add(
                    LinkCheck(
                        crawl_run_id=crawl_run_id,
                        site_id=site_id,
                        url=url[:2000],
                        kind=result.kind,
                        found_on=seen.pages,
                        on_homepage=seen.on_homepage,
                        external=result.external,
                        checked_at=now,
                        ok=result.ok,
                        problem=result.problem,
                        http_status=result.http_status,
                        detail=result.detail[:2000],
                    )
                )
        spider.logger.info(
            "checked %d links and images: %d broken",
            len(results),
            sum(1 for result in results.values() if not result.ok),
        )
