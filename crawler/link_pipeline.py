"""The link-check pipeline: collects every page's links and images during a site crawl,
then checks each distinct URL once when the crawl closes, and stores the outcomes.
The collecting and the checking are shared with the Redis worker.

Checking after the crawl (not per page) is what makes "each URL once per run however
many pages link it" cheap; the checker is httpx on the crawl's own asyncio loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler

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


@dataclass
class LinkSightings:
    """Every distinct link and image one crawl run saw, with the pages showing it."""

    by_url: dict[str, _Sighting] = field(default_factory=dict)
    site_hosts: set[str] = field(default_factory=set)

    def add(self, page: LinksObservation) -> None:
        host = urlsplit(page.page_url).hostname
        if host:
            self.site_hosts.add(host)
        for kind, urls in (("link", page.links), ("image", page.images)):
            # Only http(s) is ever checked or stored: never file:, javascript:, data: ...
            for url in filter(is_web_url, urls):
                sighting = self.by_url.setdefault(url, _Sighting(kind))
                if kind == "image":
                    sighting.kind = "image"  # the stricter check wins
                if page.page_url not in sighting.pages and len(sighting.pages) < 20:
                    sighting.pages.append(page.page_url)
                sighting.on_homepage = sighting.on_homepage or page.on_homepage


async def check_and_store(
    sightings: LinkSightings, crawl_run_id: int | None, site_id: str
) -> tuple[int, int]:
    """Check each URL once and store one LinkCheck row per URL: (checked, broken)."""
    if not sightings.by_url:
        return 0, 0
    # The checker (and httpx) is imported by the crawls that have links to check only.
    from crawler.health.links import check_urls

    settings = get_settings()
    by_url = sightings.by_url
    results = await check_urls(
        [url for url, seen in by_url.items() if seen.kind == "link"],
        [url for url, seen in by_url.items() if seen.kind == "image"],
        site_hosts=sightings.site_hosts,
        per_host_concurrency=settings.link_per_host_concurrency,
        per_host_delay_s=settings.link_per_host_delay_s,
        timeout_s=settings.link_timeout_s,
    )
    now = utcnow()
    with session_scope() as session:
        for url, result in results.items():
            seen = by_url[url]
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
    return len(results), sum(1 for result in results.values() if not result.ok)


class LinkCheckPipeline:
    """Checks the links and images a site crawl saw; stores one LinkCheck row per URL.

    (The Redis worker keeps a run's sightings in Redis instead, and checks them once
    the run's last page is stored: ``crawler/spiders/worker_queue.py``.)
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sightings = LinkSightings()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkCheckPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if isinstance(item, LinksObservation):
            self.sightings.add(item)
        return item

    async def close_spider(self, spider: scrapy.Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        if not self.sightings.by_url or spider is None:
            return
        checked, broken = await check_and_store(
            self.sightings,
            getattr(spider, "crawl_run_id", None),
            spider.target[1],  # type: ignore[attr-defined]
        )
        spider.logger.info("checked %d links and images: %d broken", checked, broken)
