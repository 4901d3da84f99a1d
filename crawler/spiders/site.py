"""The ``site`` spider: one site's homepage and column list pages, as observations.

``scrapy crawl site -a site=ID`` reads a registered site; ``-a url=URL`` registers an
unlisted one ad hoc and discovers its columns from the homepage. Every page it tries
becomes a :class:`PageObservation`, failures included, so the monitor can tell a
stale column from one we could not read.

Three steps go beyond one request per page, each decided by the extractor's result:
a static page with no list is read again in the browser (and the log says the
column wants ``render: js``); a list without dates has its newest articles opened
for their publish dates; and up to ``max_list_pages`` pages are followed.

A page that opened but is not the site (a WAF challenge, a captcha, a maintenance
notice, an empty or soft-404 page, a JavaScript-only app, a column redirected off
the site or to the homepage, a list dated entirely in the future, a list whose
undated articles could not be opened) is recorded as unreadable with the fault
named (crawler/page_faults.py), so the check says CHECK_FAILED and nothing else.
So is a list the extractor is unsure of (another list of similar weight, years it
had to guess): the column is reported for review, not judged on a guess.
Only http(s) URLs are ever requested, articles only on the site's own hosts, and
items whose links are not http(s) are never stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.download_handler import BrowserPageTimeoutError
from crawler.extract import ListPage, Selectors, extract_list
from crawler.extract.article import extract_article_published, extract_article_text
from crawler.extract.article_dates import undated_urls, with_article_dates
from crawler.extract.discovery import discover_columns
from crawler.extract.interaction import extract_messages
from crawler.fetch_errors import classify_failure, login_wall_reason
from crawler.health.page_links import collect_links
from crawler.listing_cache import ListingCache, reading_key
from crawler.observations import (
    ArticleObservation,
    ColumnRef,
    LinksObservation,
    MessagesObservation,
    PageObservation,
    ReadingObservation,
)
from crawler.page_faults import (
    DATES_UNREAD,
    JS_LIST,
    JS_REQUIRED,
    WAF,
    PageFault,
    doubtful_list_fault,
    future_dates_fault,
    page_fault,
    redirect_fault,
    same_site,
    script_list_fault,
)
from crawler.scheme_guard import is_web_url
from crawler.site_facts import SiteFactsMixin
from crawler.spider_args import site_argument
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.models import HOMEPAGE_COLUMN_NAME
from storage.page_readings import kept_readings
from storage.registry import (
    ColumnPlan,
    SitePlan,
    known_item_urls,
    register_adhoc_site,
    site_crawl_plan,
)

RENDERED_NOTE = "静态页面中没有信息列表,浏览器渲染后才有:该栏目应设置 render: js"
# Faults a browser may get past (it runs the challenge script or renders the app).
_RENDERABLE_FAULTS = frozenset({WAF, JS_REQUIRED, JS_LIST})
# Article answers that say "this article is gone": a date that does not exist, not
# a date that could not be read.
_GONE_STATUSES = frozenset({404, 410})


def homepage_column(url: str) -> ColumnRef:
    """The pseudo-column homepage items are stored under (judged by homepage rules only)."""
    return ColumnRef(HOMEPAGE_COLUMN_NAME, url, "homepage", origin="homepage")


@dataclass
class _PendingList:
    """A read list page waiting for its undated articles' publish dates."""

    observation: PageObservation
    article_urls: list[str]
    found: dict[str, date | datetime | None] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # url -> why it was not read


class SiteSpider(SiteFactsMixin, scrapy.Spider):
    """Crawl one site: homepage, every active column, up to ``max_list_pages`` each."""

    name = "site"

    def __init__(self, site: str | None = None, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with session_scope() as session:
            kind, value = site_argument(session, site, url)  # SpiderArgumentError if wrong
            site_id = value if kind == "site" else register_adhoc_site(session, value)
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
        self.article_probe_timeout_s = settings.article_probe_timeout_s
        with session_scope() as session:
            self.known_item_urls: set[str] = known_item_urls(session, self.site_id)
            self.readings = ListingCache(kept_readings(session, self.site_id), self.today)
        # Articles are opened only on these hosts (and their subdomains).
        self.site_hosts = {
            host
            for host in (urlsplit(u).hostname for u in [self.plan.url, *self._column_urls()])
            if host
        }

    def _column_urls(self) -> list[str]:
        return [column.url for column in self.plan.columns]

    @property
    def target(self) -> tuple[str, str]:
        """What the storage pipeline records the crawl run against."""
        return "site", self.site_id

    async def start(self) -> AsyncIterator[Any]:
        for item in self._start_items():
            yield item

    def _start_items(self) -> Iterator[Any]:
        if not is_web_url(self.plan.url):
            yield self._not_web(self.plan.url, "homepage", homepage_column(self.plan.url))
        else:
            yield self._homepage_request()
        for column in self.plan.columns:
            if not is_web_url(column.url):
                ref = ColumnRef(column.name, column.url, column.category, column.origin)
                yield self._not_web(column.url, "column", ref)
                continue
            yield self._column_request(column, column.url, page_number=1)

    def _not_web(self, url: str, page_kind: str, column: ColumnRef) -> PageObservation:
        """A registered address that is not http(s): recorded as unreadable, never fetched."""
        detail = f"登记的地址不是 http(s) 网址,未抓取: {url[:200]}"
        return PageObservation(self.site_id, page_kind, url, None, "other", detail, column)

    def _homepage_request(self, render: bool = False) -> scrapy.Request:
        meta: dict[str, Any] = {"column_plan": None, "page_number": 1}
        if render:
            meta["playwright"] = True
            meta["rendered_fallback"] = True
        return scrapy.Request(
            self.plan.url,
            callback=self.parse_page,
            errback=self.failed,
            cb_kwargs={"page_kind": "homepage", "column": homepage_column(self.plan.url)},
            meta=meta,
            dont_filter=True,
        )

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
            dont_filter=page_number == 1 or render,  # a re-read in the browser is not a duplicate
        )

    def parse_page(self, response: Response, page_kind: str, column: ColumnRef) -> Iterator[Any]:
        plan: ColumnPlan | None = response.meta["column_plan"]
        if not hasattr(response, "text"):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            if not response.body.strip():
                fault = page_fault("", status=response.status)
                assert fault is not None
                kind, detail = fault.kind, fault.detail
            else:
                kind, detail = "unparsed", f"不是网页 (Content-Type: {content_type})"
            yield PageObservation(
                self.site_id, page_kind, response.url, response.status, kind, detail, column
            )
            return
        listing, fresh = self._reading(response, plan)
        if fresh is not None:
            yield fresh
        fault = self._page_fault(response, plan, listing)

        rendered = bool(response.meta.get("playwright"))
        wants_browser = (fault is not None and fault.kind in _RENDERABLE_FAULTS) or (
            plan is not None and listing.status == "unparsed"
        )
        if wants_browser and not rendered and self.can_render:
            if plan is None:
                yield self._homepage_request(render=True)
            else:
                yield self._column_request(plan, response.url, response.meta["page_number"], True)
            return
        listing, links_fault = self._web_items_only(listing)
        observation = self._observe(response, page_kind, column, listing, fault or links_fault)
        if self.check_links and observation.succeeded:
            yield self._links(response, on_homepage=plan is None, with_links=True)
        if plan is not None and observation.succeeded:
            yield from self._newest_article_requests(column, listing)
            if plan.category == "interaction":
                messages = extract_messages(response.text, response.url, self.today)
                # A message link that is not http(s) is not kept (javascript:, file: ...).
                kept = tuple(
                    m if m.url is None or is_web_url(m.url) else replace(m, url=None)
                    for m in messages.messages
                )
                yield MessagesObservation(self.site_id, column, kept)
        if (
            response.meta.get("rendered_fallback")
            and listing.status != "unparsed"
            and observation.succeeded
            and plan is not None
        ):
            self.logger.warning("%s 栏目「%s」: %s", self.site_id, column.name, RENDERED_NOTE)
            observation = replace(observation, error_detail=RENDERED_NOTE)

        if plan is None:
            yield observation
            if observation.succeeded:
                yield from self.homepage_facts(response, listing)
            yield from self._discovered_column_requests(response)
            return
        if response.meta["page_number"] < self.max_list_pages and listing.status == "ok":
            for next_url in [u for u in listing.next_page_urls if self._may_open(u)][:1]:
                yield self._column_request(plan, next_url, response.meta["page_number"] + 1)
        article_urls = self._undated_on_site(listing) if observation.succeeded else []
        if article_urls:
            yield self._article_request(_PendingList(observation, article_urls))
        else:
            yield observation

    def _reading(
        self, response: Response, plan: ColumnPlan | None
    ) -> tuple[ListPage, ReadingObservation | None]:
        """The page's list: its kept reading when the page came back unchanged, else read
        now (and handed over to be kept)."""
        selectors = Selectors(**plan.selectors) if plan and plan.selectors else None
        homepage = plan is None
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        key = reading_key(response.body, response.url, content_type, selectors, homepage)
        kept = self.readings.reading(response.url, key)
        if kept is not None:
            crawler = getattr(self, "crawler", None)  # a Redis worker's delegate has none
            if crawler is not None and crawler.stats is not None:
                crawler.stats.inc_value("govwatch/pages_unchanged")
            return kept, None
        listing = extract_list(
            response.text, response.url, self.today, selectors, homepage=homepage
        )
        return listing, ReadingObservation(self.site_id, response.url, key, listing, self.today)

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
            if (item.url in for_images or item.url in for_text) and self._may_open(item.url):
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
        if not hasattr(response, "text") or not is_web_url(response.url):
            return
        if page_fault(response.text, status=response.status) is not None:
            return  # a WAF or error page is not the article: keep no text from it
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
            # A hanging article must not hold the column: one retry, each time-limited.
            meta={"download_timeout": self.article_probe_timeout_s, "max_retry_times": 1},
            dont_filter=True,
        )

    def parse_article(self, response: Response, pending: _PendingList) -> Iterator[Any]:
        url = pending.article_urls[len(pending.found)]
        text = response.text if hasattr(response, "text") else ""
        fault = page_fault(text, status=response.status) if text else None
        if not text:
            pending.unread[url] = f"HTTP {response.status} 不是网页或内容为空"
        elif fault is not None:
            pending.unread[url] = fault.detail
        pending.found[url] = (
            extract_article_published(text, self.today) if text and fault is None else None
        )
        yield from self._continue_articles(pending)

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        pending: _PendingList = failure.request.cb_kwargs["pending"]  # type: ignore[attr-defined]
        url = pending.article_urls[len(pending.found)]
        _, status, detail = classify_failure(failure)
        pending.found[url] = None
        if status not in _GONE_STATUSES:
            pending.unread[url] = detail
        yield from self._continue_articles(pending)

    def _continue_articles(self, pending: _PendingList) -> Iterator[Any]:
        if len(pending.found) < len(pending.article_urls):
            yield self._article_request(pending)
            return
        listing = pending.observation.list_page
        assert listing is not None
        listing = with_article_dates(listing, pending.found)
        observation = replace(pending.observation, list_page=listing)
        fault = _unread_dates_fault(listing, pending.unread) or future_dates_fault(
            (item.published_on for item in listing.items), self.today
        )
        if fault is not None:
            observation = replace(observation, error_class=fault.kind, error_detail=fault.detail)
        yield observation

    def _discovered_column_requests(self, response: Response) -> Iterator[scrapy.Request]:
        if not self.plan.discover_columns:
            return
        known_urls = {c.url for c in self.plan.columns}
        known_names = {c.name for c in self.plan.columns}
        for found in discover_columns(response.text, response.url):
            if found.url in known_urls or found.name in known_names:
                continue
            if not self._may_open(found.url):
                continue  # only the site's own http(s) pages become columns
            known_urls.add(found.url)
            known_names.add(found.name)
            plan = ColumnPlan(found.name, found.url, found.category, "static", None, "discovered")
            yield self._column_request(plan, found.url, page_number=1)

    def _page_fault(
        self, response: Response, plan: ColumnPlan | None, listing: ListPage
    ) -> PageFault | None:
        """Why this page, though it opened, is not the homepage or column it should be."""
        fault = None
        if plan is not None:
            redirects = response.meta.get("redirect_urls") or [response.request.url]
            fault = redirect_fault(redirects[0], response.url, self.plan.url, self.site_hosts)
        # A page with a real list is the site, whatever else it shows.
        has_list = listing.status == "ok" and (
            len(listing.items) >= 3 or any(item.published_on for item in listing.items)
        )
        if fault is None and not has_list:
            headers = {
                key.decode("latin-1"): b", ".join(values).decode("latin-1")
                for key, values in response.headers.items()
            }
            fault = page_fault(response.text, headers=headers, status=response.status)
        if fault is None and plan is not None and listing.status in ("empty", "unparsed"):
            fault = script_list_fault(response.text)
        if fault is None and listing.status == "ok":
            fault = future_dates_fault((item.published_on for item in listing.items), self.today)
        if fault is None:
            fault = doubtful_list_fault(listing)
        return fault

    def _web_items_only(self, listing: ListPage) -> tuple[ListPage, PageFault | None]:
        """The listing without items whose links are not http(s) (javascript:, mailto: ...),
        and the fault when that leaves nothing of a list that had items."""
        kept = tuple(item for item in listing.items if is_web_url(item.url))
        if len(kept) == len(listing.items):
            return listing, None
        dropped = len(listing.items) - len(kept)
        self.logger.info(
            "%s: %d list items without an http(s) link left out", self.site_id, dropped
        )
        if kept:
            return replace(listing, items=kept), None
        detail = f"列表中 {dropped} 条信息的链接都不是网页地址(如 javascript:),未能读取"
        fault = PageFault("unparsed", detail)
        return replace(listing, items=(), status="unparsed", detail=detail), fault

    def _undated_on_site(self, listing: ListPage) -> list[str]:
        """The URLs of the first undated items that may be opened for their dates (the
        undated ones first: whether a URL is on the site is the dearer test)."""
        undated = undated_urls(listing, len(listing.items))
        return [url for url in undated if self._may_open(url)][: self.article_date_probes]

    def _may_open(self, url: str) -> bool:
        """Whether an article URL may be fetched: http(s) on one of the site's hosts."""
        host = urlsplit(url).hostname
        return is_web_url(url) and host is not None and same_site(host, self.site_hosts)

    def _observe(
        self,
        response: Response,
        page_kind: str,
        column: ColumnRef,
        listing: ListPage,
        fault: PageFault | None = None,
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
        if fault is not None:
            if response.meta.get("rendered_fallback"):
                detail = f"{fault.detail}(浏览器渲染后仍是如此)"
            else:
                detail = fault.detail
            return PageObservation(
                self.site_id,
                page_kind,
                response.url,
                response.status,
                fault.kind,
                detail,
                column,
                listing,
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
            listing.detail if unreadable else "；".join(listing.doubts),
            column,
            listing,
        )

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        error_class, status, detail = classify_failure(failure)
        if failure.check(BrowserPageTimeoutError):
            detail = str(failure.value)  # names the browser limit, not a slow connection
        response = getattr(failure.value, "response", None)
        if error_class == "http_error" and response is not None and hasattr(response, "text"):
            # A WAF often answers 403/521 with its challenge page: name it.
            fault = page_fault(response.text, status=status or 0)
            if fault is not None and fault.kind != "empty_page":
                error_class, detail = fault.kind, f"HTTP {status}:{fault.detail}"
            if (
                fault is not None
                and fault.kind in _RENDERABLE_FAULTS
                and self.can_render
                and not request.meta.get("playwright")
            ):
                # A browser runs the challenge script (加速乐 answers 521 until it has).
                plan: ColumnPlan | None = request.meta.get("column_plan")
                if plan is None:
                    yield self._homepage_request(render=True)
                else:
                    yield self._column_request(plan, request.url, request.meta["page_number"], True)
                return
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


def _unread_dates_fault(listing: ListPage, unread: dict[str, str]) -> PageFault | None:
    """The list's newest dates are unknown: an undated article that could not be opened
    comes before every dated item (lists run newest first), so it may be the newest."""
    if not unread:
        return None
    for item in listing.items:
        if item.url in unread:
            first = next(iter(unread.items()))
            return PageFault(
                DATES_UNREAD,
                f"列表未标日期,{len(unread)} 篇文章页无法读取,发布日期未能得知"
                f"(如 {first[0][:200]}:{first[1][:200]})",
            )
        if item.published_on is not None:
            return None
    return None
