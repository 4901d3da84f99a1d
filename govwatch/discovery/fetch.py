"""Reading pages for discovery: httpx, bounded in time, spaced like the crawls.

Discovery reads a few dozen pages per site once, so a plain synchronous client per
worker thread is enough; it waits ``download_delay_s`` between two requests (the
crawls' politeness setting) and gives up on a page after ``download_timeout_s``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from crawler.extract.encoding import decode_html
from crawler.health.transport import classify_exception, describe_exception
from settings import Settings

_ERROR_LABELS = {
    "timeout": "连接超时",
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "tls": "HTTPS 握手失败",
    "other": "网络错误",
}
_MAX_BYTES = 5_000_000  # a "page" bigger than this is a download, not a page


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A page as read, or why it could not be read (``error``, in Chinese)."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int | None
    text: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the page was read."""
        return self.error is None


class PageFetcher:
    """Fetches pages one at a time, spaced by the politeness delay; use as a context manager."""

    def __init__(self, settings: Settings, timeout_s: float | None = None) -> None:
        self._delay_s = settings.download_delay_s
        self._client = httpx.Client(
            # Discovery reads what a visitor reads; certificate problems are TLS_INVALID's job.
            verify=False,
            follow_redirects=True,
            timeout=httpx.Timeout(timeout_s or settings.download_timeout_s),
            headers={"User-Agent": settings.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
        )
        self._last_request = 0.0
        self.pages_read = 0

    def __enter__(self) -> PageFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(self, url: str) -> FetchedPage:
        """Read ``url``; never raises for network or HTTP failures."""
        wait = self._last_request + self._delay_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()
        self.pages_read += 1
        try:
            response = self._client.get(url)
        except httpx.HTTPError as error:
            label = _ERROR_LABELS[classify_exception(error)]
            return FetchedPage(url, url, None, error=f"{label}({describe_exception(error)})")
        final_url = str(response.url)
        if response.status_code >= 400:
            return FetchedPage(
                url, final_url, response.status_code, error=f"HTTP {response.status_code}"
            )
        content_type = response.headers.get("content-type", "")
        if content_type and "html" not in content_type and "xml" not in content_type:
            return FetchedPage(
                url, final_url, response.status_code, error=f"不是网页({content_type})"
            )
        body = response.content[:_MAX_BYTES]
        return FetchedPage(url, final_url, response.status_code, decode_html(body, content_type))
