"""The ``account`` spider: one new-media account's timeline, back to the judging window.

``scrapy crawl account -a account=ID`` asks the platform adapter for the first page,
hands every response to the adapter's pure ``parse``, and follows ``next_request``
until the posts reach the start of the window (the quarter start, and at least
``account_lookback_days`` back), the timeline ends, or the platform blocks us. A
block (login wall, captcha, rate limit, closed account) is stored as such, so the
monitor reports CHECK_FAILED, never a silent account.

Browser platforms (Douyin) are read in one Chromium page: the post-list JSON the
page loads is captured, and the page is scrolled for the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.fetch_errors import classify_failure
from crawler.observations import AccountPageObservation
from crawler.platforms import douyin
from crawler.platforms.base import (
    AccountRef,
    BlockReason,
    PageRequest,
    PlatformAdapter,
    TimelinePage,
)
from crawler.platforms.registry import get_adapter
from crawler.spider_args import account_argument
from settings import get_settings
from storage.clock import CHINA_TZ, china_today
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
        if page_request.needs_browser:
            meta.update(
                playwright=True,
                playwright_include_page=True,
                playwright_page_init_callback=_start_capturing,
                capture_url_contains=page_request.capture_url_contains,
            )
        return scrapy.Request(
            page_request.url,
            headers=page_request.headers,
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
        page = self.adapter.parse(
            self.account, page_request, response.status, response.body, content_type, _now()
        )
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
        observation, follow = self._observe(response.url, response.status, page, page_number)
        yield observation
        if follow is not None:
            yield self._request(follow, page_number + 1)

    async def _read_in_browser(
        self, response: Response, page_request: PageRequest, page_number: int
    ) -> AsyncIterator[AccountPageObservation]:
        browser_page = response.meta["playwright_page"]
        captured: list[Any] = response.meta["captured_responses"]
        try:
            request: PageRequest | None = page_request
            while request is not None:
                xhr = await _captured(browser_page, captured, request)
                if xhr is None:
                    yield AccountPageObservation(
                        self.account.account_id,
                        response.url,
                        page_number,
                        response.status,
                        "blocked",
                        "unparseable",
                        "页面未加载作品列表数据(可能被风控拦截)",
                    )
                    return
                body = await xhr.body()
                page = self.adapter.parse(
                    self.account, request, xhr.status, body, xhr.headers.get("content-type"), _now()
                )
                observation, request = self._observe(xhr.url, xhr.status, page, page_number)
                yield observation
                page_number += 1
        finally:
            await browser_page.close()

    def _observe(
        self, url: str, status: int, page: TimelinePage, page_number: int
    ) -> tuple[AccountPageObservation, PageRequest | None]:
        """The observation of one timeline page, and the next page to read (or None)."""
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
            )
            return observation, None
        dated = [post.published_at for post in page.posts if not post.pinned]
        oldest = min(dated).astimezone(CHINA_TZ).date() if dated else None
        reached_window = oldest is not None and oldest < self.window_start
        follow = page.next_request
        complete_from: date | None = None
        if follow is None:
            complete_from = date.min  # the timeline ended: complete from its beginning
        elif reached_window:
            complete_from, follow = oldest, None
        elif page_number >= self.max_pages:
            complete_from, follow = oldest, None
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
            complete_from,
        )
        return observation, follow

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
        )


def _now() -> datetime:
    return datetime.now(UTC)


async def _start_capturing(page: Any, request: scrapy.Request) -> None:
    """Before navigation: keep every response whose URL looks like the post list."""
    captured: list[Any] = []
    request.meta["captured_responses"] = captured
    marker = request.meta.get("capture_url_contains") or ""
    page.on("response", lambda xhr: captured.append(xhr) if marker in xhr.url else None)


async def _captured(browser_page: Any, captured: list[Any], request: PageRequest) -> Any | None:
    """The captured post-list response for ``request``, scrolling to load it if needed."""
    deadline = asyncio.get_running_loop().time() + CAPTURE_TIMEOUT_MS / 1000
    while True:
        for xhr in captured:
            if douyin.capture_matches(request, xhr.url):
                return xhr
        if asyncio.get_running_loop().time() > deadline:
            return None
        if request.cursor:
            # Infinite-scroll pages load the next batch when the bottom comes into view;
            # scroll away and back so a page already at the bottom fires again.
            await browser_page.evaluate(SCROLL_TO_BOTTOM)
        await asyncio.sleep(0.2)
