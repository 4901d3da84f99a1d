"""A downloader middleware that lets only http(s) requests through.

Scrapy can download ``file:``, ``data:``, ``ftp:`` and ``s3:`` URLs; a crawled page
linking to ``file:///etc/passwd`` (or redirecting there) must never make govwatch
read a local file and store it. The handlers for those schemes are switched off in
``crawler/settings.py``; this middleware is the second lock, and it also sees every
redirect, since redirected requests pass through the middlewares again.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest

ALLOWED_SCHEMES = frozenset({"http", "https"})
# The Redis worker starts each target with this empty data: URL (it carries nothing and
# reads nothing); no crawled data: URL is ever let through.
WORKER_START_URL = "data:,"


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    if _plainly_web_url(url):
        return True
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


# http(s)://host[:port] then the path, query, fragment or the end, the host in ASCII:
# no user info, no brackets, nothing urlsplit would remove, normalize or reject.
_PLAIN_WEB_URL_RE = re.compile(r"https?://[A-Za-z0-9._~%!$&'()*+,;=-]+(?::\d*)?(?:[/?#]|\Z)")


def _plainly_web_url(url: str) -> bool:
    """True for the common shape of a web URL, without urlsplit (a list's every link is
    tested; urlsplit was a twentieth of a re-crawl's CPU). Anything less plain gets
    False and the full test."""
    return _PLAIN_WEB_URL_RE.match(url) is not None
