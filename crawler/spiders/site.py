"""The ``site`` spider: one site's homepage and column list pages, as observations.

``scrapy crawl site -a site=ID`` reads a registered site; ``-a url=URL`` registers an
unlisted one ad hoc and discovers its columns from the homepage. Every page it tries
becomes a :class:`PageObservation`, failures included, so the monitor can tell a
stale column from one we could not read.

Three steps go beyond one request per page, each decided by the extractor's result:
a static page with no list is read again in the browser (and the log says the
column wants ``render: js``); a list without dates has its newest articles opened
for their publish dates; and up to ``max_list_pages`` pages are followed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract import ListPage, Selectors, extract_list
from crawler.extract.article import extract_article_published, extract_article_text
from crawler.extract.article_dates import undated_urls, with_article_dates
from crawler.extract.discovery import discover_columns
from crawler.extract.interaction import extract_messages
from crawler.fetch_errors import classify_failure, login_wall_reason
from crawler.health.links import collect_links
from crawler.observations import (
    ArticleObservation,
    ColumnRef,
    LinksObservation,
    MessagesObservation,
    PageObservation,
)
from crawler.site_facts import SiteFactsMixin
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.models import HOMEPAGE_COLUMN_NAME
from storage.registry import (
    ColumnPlan,
    SitePlan,
    known_item_urls,
    register_adhoc_site,
    site_crawl_plan,
)

RENDERED_NOTE = "静态页面中没有信息列表,浏览器渲染后才有:该栏目应设置 render: js"


def homepage_column(url: str) -> ColumnRef:
    """The pseudo-column homepage items are stored under (judged by homepage rules only)."""
    return ColumnRef(HOMEPAGE_COLUMN_NAME, url, "homepage", origin="homepage")


@dataclass
class _PendingList:
    """A read list page waiting for its undated articles' publish dates."""

    observation: PageObservation
    article_urls: list[str]
    found: dict[str, date | datetime | None] = field(default_factory=dict)


class SiteSpider(SiteFactsMixin, scrapy.Spider):
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
        settings = get_settings()
        self.max_list_pages = settings.max_list_pages
        self.article_date_probes = settings.article_date_probes
        self.can_render = settings.render_fallback and Path(settings.browser_executable).exists()
        self.check_links = settings.check_links
        self.check_article_links = settings.check_article_links
        self.health_article_pages = settings.health_article_pages
        self.article_text_pages = settings.article_text_pages
        with session_scope() as session:
            self.known_item_urls: set[str] = known_item_urls(session, self.site_id)

    @property
    def target(self) -> tuple[str, str]:
        """What the storage pipeline records the crawl run against."""
        return "site", self.site_id

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(
            self.plan.url,
            callback=self.parse_page,
            errback=self.failed,
            cb_kwargs={"page_kind": "homepage", "column": homepage_column(self.plan.url)},
            meta={"column_plan": None, "page_number": 1},
            dont_filter=True,
        )
        for column in self.plan.columns:
            yield self._column_request(column, column.url, page_number=1)

    def _column_request(
        self, column: ColumnPlan, url: str, page_number: int, render: bool = False
    ) -> scrapy.Request:
        ref = ColumnRef(column.name, column.url, column.category, column.origin)
        meta: dict[str, Any] = {"column_plan": column, "page_number": page_number}
        if render or column.render == "js":
            meta["playwright"] = True
            meta["rendered_fallback"] = render
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.failed,
            cb_kwargs={"page_kind": "column" if page_number == 1 else "column_more", "column": ref},
            meta=meta,
            dont_filter=page_number == 1,
        )

    def parse_page(self, response: Response, page_kind: str, column: ColumnRef) -> Iterator[Any]:
        plan: ColumnPlan | None = response.meta["column_plan"]
        if not hasattr(response, "text"):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            yield PageObservation(
                self.site_id,
                page_kind,
                response.url,
                response.status,
                "unparsed" if plan else "ok",
                f"不是网页 (Content-Type: {content_type})",
                column,
            )
            return
        selectors = Selectors(**plan.selectors) if plan and plan.selectors else None
        listing = extract_list(response.text, response.url, self.today, selectors)

        if (
            plan is not None
            and listing.status == "unparsed"
            and not response.meta.get("playwright")
            and self.can_render
        ):
            yield self._column_request(plan, response.url, response.meta["page_number"], True)
            return
        observation = self._observe(response, page_kind, column, listing)
        if self.check_links and observation.succeeded:
            yield self._links(response, on_homepage=plan is None, with_links=True)
        if plan is not None and observation.succeeded:
            yield from self._newest_article_requests(column, listing)
            if plan.category == "interaction":
                messages = extract_messages(response.text, response.url, self.today)
                yield MessagesObservation(self.site_id, column, messages.messages)
        if response.meta.get("rendered_fallback") and listing.status != "unparsed":
            self.logger.warning("%s 栏目「%s」: %s", self.site_id, column.name, RENDERED_NOTE)
            observation = replace(observation, error_detail=RENDERED_NOTE)

        if plan is None:
            yield observation
            if observation.succeeded:
                yield from self.homepage_facts(response, listing)
            yield from self._discovered_column_requests(response)
            return
        if response.meta["page_number"] < self.max_list_pages and listing.status == "ok":
            for next_url in listing.next_page_urls[:1]:
                yield self._column_request(plan, next_url, response.meta["page_number"] + 1)
        article_urls = (
            undated_urls(listing, self.article_date_probes) if observation.succeeded else []
        )
        if article_urls:
            yield self._article_request(_PendingList(observation, article_urls))
        else:
            yield observation

    def _links(self, response: Response, on_homepage: bool, with_links: bool) -> LinksObservation:
        links, images = collect_links(response.text, response.url)
        return LinksObservation(
            self.site_id,
            response.url,
            on_homepage,
            tuple(links) if with_links else (),
            tuple(images),
        )

    def _newest_article_requests(
        self, column: ColumnRef, listing: ListPage
    ) -> Iterator[scrapy.Request]:
        """Open a list's newest articles: the first few for their images (and links, by
        setting), and those new since the last crawl for their text (wording check)."""
        newest = sorted(listing.items, key=lambda item: item.published_on or date.min, reverse=True)
        for_images = {item.url for item in newest[: self.health_article_pages]}
        if not self.check_links:
            for_images = set()
        unseen = [item for item in newest if item.url not in self.known_item_urls]
        for_text = {item.url for item in unseen[: self.article_text_pages]}
        for item in newest:
            if item.url in for_images or item.url in for_text:
                yield scrapy.Request(
                    item.url,
                    callback=self.parse_article_page,
                    errback=self.ignored,
                    cb_kwargs={
                        "column": column,
                        "title": item.title,
                        "images": item.url in for_images,
                        "text": item.url in for_text,
                    },
                )

    def parse_article_page(
        self, response: Response, column: ColumnRef, title: str, images: bool, text: bool
    ) -> Iterator[Any]:
        if not hasattr(response, "text"):
            return
        if images:
            yield self._links(response, on_homepage=False, with_links=self.check_article_links)
        if text:
            body = extract_article_text(response.text)
            yield ArticleObservation(self.site_id, column, response.url, title, body)

    def ignored(self, failure: Failure) -> None:
        """An article opened for its images or text failed: the link check reports it."""
        self.logger.debug("article not read: %s", failure.request.url)  # type: ignore[attr-defined]

    def _article_request(self, pending: _PendingList) -> scrapy.Request:
        url = pending.article_urls[len(pending.found)]
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"pending": pending},
            dont_filter=True,
        )

    def parse_article(self, response: Response, pending: _PendingList) -> Iterator[Any]:
        url = pending.article_urls[len(pending.found)]
        text = response.text if hasattr(response, "text") else ""
        pending.found[url] = extract_article_published(text, self.today) if text else None
        yield from self._continue_articles(pending)

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        pending: _PendingList = failure.request.cb_kwargs["pending"]  # type: ignore[attr-defined]
        pending.found[pending.article_urls[len(pending.found)]] = None
        yield from self._continue_articles(pending)

    def _continue_articles(self, pending: _PendingList) -> Iterator[Any]:
        if len(pending.found) < len(pending.article_urls):
            yield self._article_request(pending)
            return
        listing = pending.observation.list_page
        assert listing is not None
        yield replace(pending.observation, list_page=with_article_dates(listing, pending.found))

    def _discovered_column_requests(self, response: Response) -> Iterator[scrapy.Request]:
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

    def _observe(
        self, response: Response, page_kind: str, column: ColumnRef, listing: ListPage
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
        return PageObservation(
            self.site_id,
            page_kind,
            response.url,
            response.status,
            "unparsed" if unreadable else "ok",
            listing.detail if unreadable else "",
            column,
            listing,
        )

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
