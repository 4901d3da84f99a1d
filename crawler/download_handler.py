"""The http(s) download handler: Scrapy's own, and a browser only once one is needed.

scrapy-playwright's handler starts Playwright (a Node.js driver process, about
120 MB) when the engine starts, in every crawl, and importing it costs a good part
of a small crawl's CPU (issue 17); yet most sites need no browser at all. This
handler downloads plain requests with Scrapy's HTTP/1.1 handler and builds the
time-limited browser handler (``crawler/browser_handler.py``) on the first request
that asks for a browser (``meta["playwright"]``: a ``render: js`` column, the
render fallback, Douyin), then hands it every such request. A crawl that never
asks for one never imports Playwright nor starts its driver or Chromium.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.internet.error import TimeoutError as TwistedTimeoutError

if TYPE_CHECKING:
    from crawler.browser_handler import BoundedPlaywrightHandler

#: Start of the message a browser page cut at the time limit fails with.
BROWSER_TIMEOUT_MESSAGE = "浏览器渲染超过时限"


class BrowserPageTimeoutError(TwistedTimeoutError):
    """A browser page did not finish (load, read, close) within the hard limit."""


class _CrawlBrowser:
    """The one browser handler of a crawl, shared by its http and https handlers
    (Scrapy builds one download handler per scheme), started on first use."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.handler: BoundedPlaywrightHandler | None = None
        self._starting = asyncio.Lock()
        self._closed = False

    async def started(self) -> BoundedPlaywrightHandler:
        async with self._starting:  # concurrent first requests start one browser
            if self.handler is None:
                from crawler.browser_handler import BoundedPlaywrightHandler

                handler = BoundedPlaywrightHandler.from_crawler(self.crawler)
                # It would start Playwright on engine_started, which has passed (and
                # must not start it a second time if it has not): start it here.
                self.crawler.signals.disconnect(
                    handler._maybe_launch_in_thread, signals.engine_started
                )
                await handler._maybe_launch_in_thread()
                self.handler = handler
        return self.handler

    async def close(self) -> None:
        if self.handler is not None and not self._closed:
            self._closed = True
            await self.handler.close()


#: Each crawl's browser, found by its crawler (weakly: a crawler gone takes it along).
_browsers: WeakKeyDictionary[Crawler, _CrawlBrowser] = WeakKeyDictionary()


class BrowserOnDemandHandler:
    """Plain requests over Scrapy's HTTP handler; browser requests over Playwright,
    started by the first of them."""

    lazy = False  # every crawl downloads over http(s) from its first request

    def __init__(self, crawler: Crawler) -> None:
        self.http = HTTP11DownloadHandler(crawler)
        self.browser = _browsers.setdefault(crawler, _CrawlBrowser(crawler))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserOnDemandHandler:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright"):
            browser = await self.browser.started()
            return await browser.download_request(request)
        return await self.http.download_request(request)

    async def close(self) -> None:
        try:
            await self.http.close()
        finally:
            await self.browser.close()
