"""The ``site`` spider: one site's homepage and column list pages, as observations.

``scrapy crawl site -a site=ID`` reads a registered site; ``-a url=URL`` registers an
unlisted one ad hoc and discovers its columns from the homepage. Every page it tries
becomes a :class:`PageObservation`, failures included, so the monitor can tell a
stale column from one we could not read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract.discovery import discover_columns
from crawler.extract.listing import Selectors, extract_list
from crawler.extract.types import ListPage
from crawler.fetch_errors import classify_failure, login_wall_reason
from crawler.observations import ColumnRef, PageObservation
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.models import HOMEPAGE_COLUMN_NAME
from storage.registry import ColumnPlan, SitePlan, register_adhoc_site, site_crawl_plan


def homepage_column(url: str) -> ColumnRef:
    """The pseudo-column homepage items are stored under (judged by homepage rules only)."""
    return ColumnRef(HOMEPAGE_COLUMN_NAME, url, "homepage", origin="homepage")


class SiteSpider(scrapy.Spider):
    """Crawl one site: homepage, every active column, up to ``max_list_pages`` each."""

    name = "site"

    def __init__(self, site: str | None = None, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if bool(site) == bool(url):
            raise ValueError("请指定 -a site=ID(已登记网站)或 -a url=URL(临时检查)其中之一")
        with session_scope() as session:
            site_id = site or register_adhoc_site(session, str(url))
            self.plan: SitePlan = site_crawl_plan(session, site_id)
        self.site_id = self.plan.site_id
        self.today = china_today()
        self.max_list_pages = get_settings().max_list_pages

    @property
    def target(self) -> tuple[str, str]:
        """What the storage pipeline records the crawl run against."""
        return "site", self.site_id

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(
            self.plan.url,
            callback=self.parse_homepage,
            errback=self.failed,
            cb_kwargs={"page_kind": "homepage", "column": homepage_column(self.plan.url)},
            dont_filter=True,
        )
        for column in self.plan.columns:
            yield self._column_request(column, column.url, page_number=1)

    def _column_request(self, column: ColumnPlan, url: str, page_number: int) -> scrapy.Request:
        ref = ColumnRef(column.name, column.url, column.category, column.origin)
        meta: dict[str, Any] = {"column_plan": column, "page_number": page_number}
        if column.render == "js":
            meta["playwright"] = True
        return scrapy.Request(
            url,
            callback=self.parse_column,
            errback=self.failed,
            cb_kwargs={"page_kind": "column" if page_number == 1 else "column_more", "column": ref},
            meta=meta,
            dont_filter=page_number == 1,
        )

    def _observe(
        self, response: Response, page_kind: str, column: ColumnRef | None, listing: ListPage
    ) -> PageObservation:
        wall = login_wall_reason(
            response.request.url if response.request else response.url,
            response.url,
            response.text,
            list_found=listing.status != "unparsed",
        )
        if wall is not None:
            return PageObservation(
                self.site_id, page_kind, response.url, response.status, "login_wall", wall, column
            )
        # A homepage without one main list is normal (portals are mosaics); a column
        # page without a list is a page we could not read.
        unreadable = listing.status == "unparsed" and page_kind != "homepage"
        error_class = "unparsed" if unreadable else "ok"
        return PageObservation(
            self.site_id,
            page_kind,
            response.url,
            response.status,
            error_class,
            listing.detail if error_class != "ok" else "",
            column,
            listing,
        )

    def parse_homepage(
        self, response: Response, page_kind: str, column: ColumnRef | None
    ) -> Iterator[Any]:
        if not hasattr(response, "text"):
            yield PageObservation(
                self.site_id, page_kind, response.url, response.status, "unparsed", "不是网页"
            )
            return
        listing = extract_list(response.text, response.url, self.today)
        yield self._observe(response, page_kind, column, listing)
        if not self.plan.discover_columns:
            return
        known_urls = {c.url for c in self.plan.columns}
        known_names = {c.name for c in self.plan.columns}
        for found in discover_columns(response.text, response.url):
            if found.url in known_urls or found.name in known_names:
                continue
            known_urls.add(found.url)
            known_names.add(found.name)
            plan = ColumnPlan(found.name, found.url, found.category, "static", None, "discovered")
            yield self._column_request(plan, found.url, page_number=1)

    def parse_column(self, response: Response, page_kind: str, column: ColumnRef) -> Iterator[Any]:
        plan: ColumnPlan = response.meta["column_plan"]
        if not hasattr(response, "text"):
            yield PageObservation(
                self.site_id,
                page_kind,
                response.url,
                response.status,
                "unparsed",
                f"栏目页不是网页 (Content-Type: {response.headers.get('Content-Type')})",
                column,
            )
            return
        selectors = Selectors(**plan.selectors) if plan.selectors else None
        listing = extract_list(response.text, response.url, self.today, selectors)
        yield self._observe(response, page_kind, column, listing)
        page_number = response.meta["page_number"]
        if listing.status == "ok" and page_number < self.max_list_pages:
            for next_url in listing.next_page_urls[:1]:
                yield self._column_request(plan, next_url, page_number + 1)

    def failed(self, failure: Failure) -> Iterator[PageObservation]:
        request = failure.request  # type: ignore[attr-defined]
        error_class, status, detail = classify_failure(failure)
        self.logger.warning("%s %s: %s", self.site_id, request.url, detail)
        yield PageObservation(
            self.site_id,
            request.cb_kwargs.get("page_kind", "column"),
            request.url,
            status,
            error_class,
            detail,
            request.cb_kwargs.get("column"),
        )
