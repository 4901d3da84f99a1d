"""The browser download handler with a hard time limit on every page.

scrapy-playwright bounds navigation, but not the whole page: a JavaScript WAF page
that reloads itself for ever can keep ``page.content()`` or ``page.close()`` waiting
indefinitely, and the column then gets no observation at all. Here every browser
download, closing the page included, is cut at ``browser_page_timeout_s``; the
request then fails as a timeout, the spider records the page as unreadable, and
the check says CHECK_FAILED. Closing the browser at the end of the crawl is bounded
the same way, so a stuck page cannot keep the crawl process alive either.

Crawls reach it through ``crawler/download_handler.py``, which builds it on the
first request that needs a browser.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

# The errors live with the handler crawls load, which must not import Playwright.
from crawler.download_handler import BROWSER_TIMEOUT_MESSAGE, BrowserPageTimeoutError
from settings import get_settings

__all__ = ["BROWSER_TIMEOUT_MESSAGE", "BoundedPlaywrightHandler", "BrowserPageTimeoutError"]

logger = logging.getLogger(__name__)


class BoundedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, with every page and the final close time-limited."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_timeout_s = get_settings().browser_page_timeout_s

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        try:
            return await asyncio.wait_for(
                super()._download_request(request, spider), timeout=self.page_timeout_s
            )
        except TimeoutError as error:
            raise BrowserPageTimeoutError(
                f"{BROWSER_TIMEOUT_MESSAGE} {self.page_timeout_s:g} 秒"
                "(页面可能在不停刷新或跳转,如 JavaScript 防火墙验证页)"
            ) from error

    async def _close(self) -> None:
        try:
            await asyncio.wait_for(super()._close(), timeout=self.page_timeout_s)
        except TimeoutError:
            # The crawl's own results are already stored; the browser process dies
            # with this one (the runner kills the whole process group on time-out).
            logger.warning("browser did not close within %gs; leaving it", self.page_timeout_s)
