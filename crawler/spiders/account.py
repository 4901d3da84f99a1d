"""The ``account`` spider: one new-media account's timeline, back to the judging window.

``scrapy crawl account -a account=ID`` asks the platform adapter for the first page,
hands every response to the adapter's pure ``parse``, and follows ``next_request``
until the posts reach the start of the window (the quarter start, and at least
``account_lookback_days`` back), the platform says the timeline ends, or it blocks us.
A block (login wall, captcha, rate limit, closed account) is stored as such, so the
monitor reports CHECK_FAILED, never a silent account. Each crawl stores from which day
its timeline is known complete, by the rule in ``crawler.platforms.coverage``: only the
platform's proof makes a timeline complete, and an answer with no post and no proof is
a block.

Browser platforms (Douyin, Toutiao) are read in one Chromium page: the post-list JSON
the page loads is captured, and the page is scrolled for the next one.

Platform cookies (``GOVWATCH_<PLATFORM>_COOKIE``) go through Scrapy's cookie middleware
(``Request.cookies``): a plain ``Cookie`` header would be dropped by it. Browser pages get
them in their context before navigation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.fetch_errors import classify_failure
from crawler.observations import AccountPageObservation
from crawler.platforms.base import (
    AccountRef,
    BlockReason,
    PageRequest,
    PlatformAdapter,
    TimelinePage,
    blocked_page,
)
from crawler.platforms.coverage import TimelineProgress
from crawler.platforms.registry import get_adapter
from crawler.spider_args import account_argument
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.registry import account_ref

CAPTURE_TIMEOUT_MS = 20_000
SCROLL_TO_BOTTOM = "window.scrollBy(0, -200); window.scrollTo(0, document.body.scrollHeight);"


def window_start(today: date, lookback_days: int) -> date:
    """The first day a timeline must be read back to: the quarter start, or earlier."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return min(quarter_start, today - timedelta(days=lookback_days))


class AccountSpider(scrapy.Spider):
    """Read one account's posts back to the start of the judging window."""

    name = "account"

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        govwatch = get_settings()
        # Platforms rate-limit hard: one request at a time, spaced, and no instant
        # retries of 429/418 (the adapter reports those as blocks instead).
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 1, priority="spider")
        settings.set("DOWNLOAD_DELAY", govwatch.platform_delay_s, priority="spider")
        settings.set("RETRY_HTTP_CODES", [500, 502, 503, 504, 522, 524, 408], priority="spider")
        # Cookies are secrets: never print them (Scrapy's default, made explicit).
        settings.set("COOKIES_ENABLED", True, priority="spider")
        settings.set("COOKIES_DEBUG", False, priority="spider")

    def __init__(self, account: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with session_scope() as session:
            account_id = account_argument(session, account)  # SpiderArgumentError if wrong
            self.account: AccountRef = account_ref(session, account_id)
        govwatch = get_settings()
        self.adapter: PlatformAdapter = get_adapter(
            self.account.platform,
            govwatch.platform_base_url(self.account.platform) or None,
            govwatch.platform_headers(self.account.platform),
        )
        self.window_start = window_start(china_today(), govwatch.account_lookback_days)
        self.max_pages = govwatch.account_max_pages
        self.progress = TimelineProgress(self.window_start, self.max_pages)
        self.rate_limit_retries = govwatch.rate_limit_retries
        self.backoff_s = govwatch.rate_limit_backoff_s

    @property
    def target(self) -> tuple[str, str]:
        """What the storage pipeline records the crawl run against."""
        return "account", self.account.account_id

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._request(self.adapter.first_request(self.account), page_number=1)

    def _request(self, page_request: PageRequest, page_number: int) -> scrapy.Request:
        meta: dict[str, Any] = {
            "page_request": page_request,
            "page_number": page_number,
            "handle_httpstatus_all": True,  # the adapter judges statuses (418, 429, ...)
            "dont_redirect": False,
        }
        headers, cookies = split_cookies(page_request.headers)
        if page_request.needs_browser:
            meta.update(
                playwright=True,
                playwright_include_page=True,
                playwright_page_init_callback=_start_capturing,
                capture_url_contains=page_request.capture_url_contains,
                browser_cookies=cookies,
            )
        return scrapy.Request(
            page_request.url,
            headers=headers,
            cookies=cookies,
            callback=self.parse_timeline,
            errback=self.failed,
            meta=meta,
            dont_filter=True,
        )

    async def parse_timeline(self, response: Response) -> AsyncIterator[Any]:
        page_request: PageRequest = response.meta["page_request"]
        page_number: int = response.meta["page_number"]
        if page_request.needs_browser:
            async for observation in self._read_in_browser(response, page_request, page_number):
                yield observation
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        page = self._parse(page_request, response.status, response.body, content_type)
        retries = response.meta.get("rate_limit_retries", 0)
        if page.blocked is BlockReason.RATE_LIMITED and retries < self.rate_limit_retries:
            # Back off, then ask again; only the last refusal is stored (as CHECK_FAILED).
            wait_s = self.backoff_s * 2**retries
            self.logger.info("%s: rate limited, retrying in %.0fs", self.account.account_id, wait_s)
            await asyncio.sleep(wait_s)
            retry = self._request(page_request, page_number)
            retry.meta["rate_limit_retries"] = retries + 1
            yield retry
            return
        if page.lookup and page.blocked is None and page.next_request is not None:
            # Not a timeline page (Weibo's profile): follow it as the same page number.
            yield self._request(page.next_request, page_number)
            return
        observation, follow = self._observe(response.url, response.status, page, page_number)
        yield observation
        if follow is not None:
            yield self._request(follow, page_number + 1)

    def _parse(
        self, request: PageRequest, status: int, body: bytes, content_type: str | None
    ) -> TimelinePage:
        """The adapter's reading of one answer; an adapter bug becomes a block, so every
        page read leaves a fetch row (CHECK_FAILED) instead of a crashed callback."""
        try:
            return self.adapter.parse(self.account, request, status, body, content_type, _now())
        except Exception as error:
            self.logger.exception("%s: adapter failed on %s", self.account.account_id, request.url)
            return blocked_page(
                BlockReason.UNPARSEABLE, f"平台返回的数据无法读取({type(error).__name__})"
            )

    async def _read_in_browser(
        self, response: Response, page_request: PageRequest, page_number: int
    ) -> AsyncIterator[AccountPageObservation]:
        browser_page = response.meta["playwright_page"]
        captured: list[Any] = response.meta["captured_responses"]
        try:
            request: PageRequest | None = page_request
            while request is not None:
                xhr = await _captured(browser_page, captured, request, self.adapter)
                if xhr is None:
                    yield AccountPageObservation(
                        self.account.account_id,
                        response.url,
                        page_number,
                        response.status,
                        "blocked",
                        "unparseable",
                        "页面未加载作品列表数据(可能被风控拦截)",
                        complete_from=self.progress.failed(),
                    )
                    return
                body = await xhr.body()
                page = self._parse(request, xhr.status, body, xhr.headers.get("content-type"))
                observation, request = self._observe(xhr.url, xhr.status, page, page_number)
                yield observation
                page_number += 1
        finally:
            await browser_page.close()

    def _observe(
        self, url: str, status: int, page: TimelinePage, page_number: int
    ) -> tuple[AccountPageObservation, PageRequest | None]:
        """The observation of one timeline page, and the next page to read (or None)."""
        step = self.progress.after(page, page_number, _now())
        page = step.page
        if page.blocked is not None:
            self.logger.warning(
                "%s: %s (%s)", self.account.account_id, page.blocked.value, page.detail
            )
            observation = AccountPageObservation(
                self.account.account_id,
                url,
                page_number,
                status,
                "blocked",
                page.blocked.value,
                page.detail,
                complete_from=step.complete_from,
            )
            return observation, None
        cut_short = step.follow is None and page.next_request is not None
        if cut_short and step.complete_from != self.progress.oldest_if_reached():
            self.logger.warning(
                "%s: stopped at %d pages before the window start %s",
                self.account.account_id,
                page_number,
                self.window_start,
            )
        observation = AccountPageObservation(
            self.account.account_id,
            url,
            page_number,
            status,
            "ok",
            None,
            page.detail,
            page.posts,
            step.complete_from,
        )
        return observation, step.follow

    def failed(self, failure: Failure) -> AccountPageObservation:
        request = failure.request  # type: ignore[attr-defined]
        error_class, status, detail = classify_failure(failure)
        self.logger.warning("%s %s: %s", self.account.account_id, request.url, detail)
        return AccountPageObservation(
            self.account.account_id,
            request.url,
            request.meta.get("page_number", 1),
            status,
            error_class,
            None,
            detail,
            complete_from=self.progress.failed(),
        )


def _now() -> datetime:
    return datetime.now(UTC)


def split_cookies(headers: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The headers without ``Cookie``, and the cookies that header held (name -> value).

    Scrapy's cookie middleware replaces a request's ``Cookie`` header with its jar's, so
    cookies must reach it as ``Request.cookies`` to be sent at all.
    """
    cookies: dict[str, str] = {}
    rest: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() != "cookie":
            rest[name] = value
            continue
        for pair in value.split(";"):
            key, sep, cookie_value = pair.strip().partition("=")
            if sep and key:
                cookies[key.strip()] = cookie_value.strip()
    return rest, cookies


async def _start_capturing(page: Any, request: scrapy.Request) -> None:
    """Before navigation: put the platform cookies in the browser, and keep every response
    whose URL looks like the post list."""
    cookies = request.meta.get("browser_cookies") or {}
    if cookies:
        # Scoped to the whole site (path "/"): given the page URL, the browser would keep
        # them to that page's path and the page's own API requests would go without.
        parts = urlsplit(request.url)
        site = f"{parts.scheme}://{parts.netloc}/"
        await page.context.add_cookies(
            [{"name": name, "value": value, "url": site} for name, value in cookies.items()]
        )
    captured: list[Any] = []
    request.meta["captured_responses"] = captured
    marker = request.meta.get("capture_url_contains") or ""
    page.on("response", lambda xhr: captured.append(xhr) if marker in xhr.url else None)


async def _captured(
    browser_page: Any, captured: list[Any], request: PageRequest, adapter: PlatformAdapter
) -> Any | None:
    """The captured post-list response for ``request``, scrolling to load it if needed."""
    deadline = asyncio.get_running_loop().time() + CAPTURE_TIMEOUT_MS / 1000
    while True:
        for xhr in captured:
            if adapter.capture_matches(request, xhr.url):
                return xhr
        if asyncio.get_running_loop().time() > deadline:
            return None
        if request.cursor:
            # Infinite-scroll pages load the next batch when the bottom comes into view;
            # scroll away and back so a page already at the bottom fires again.
            await browser_page.evaluate(SCROLL_TO_BOTTOM)
        await asyncio.sleep(0.2)
