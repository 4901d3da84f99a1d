"""A downloader middleware that lets only http(s) requests through.

Scrapy can download ``file:``, ``data:``, ``ftp:`` and ``s3:`` URLs; a crawled page
linking to ``file:///etc/passwd`` (or redirecting there) must never make govwatch
read a local file and store it. The handlers for those schemes are switched off in
``crawler/settings.py``; this middleware is the second lock, and it also sees every
redirect, since redirected requests pass through the middlewares again.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest

ALLOWED_SCHEMES = frozenset({"http", "https"})
# The Redis worker starts each target with this empty data: URL (it carries nothing and
# reads nothing); no crawled data: URL is ever let through.
WORKER_START_URL = "data:,"


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.hostname)


class SchemeGuardMiddleware:
    """Drops (IgnoreRequest) any request that is not http(s)."""

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.url == WORKER_START_URL:
            return
        if not is_web_url(request.url):
            raise IgnoreRequest(f"只抓取 http(s) 网址,已忽略 {request.url[:200]}")
