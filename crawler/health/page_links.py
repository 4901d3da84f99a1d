"""The links and images a page shows, as absolute URLs: what the link check checks.

A pure function over a page's HTML, apart from the checker (``crawler/health/links.py``)
so that a crawl reading pages does not import the checker's HTTP client until its
links are checked.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html
from w3lib.html import get_base_url, strip_html5_whitespace
from w3lib.url import safe_url_string

_SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "about:", "file:")
_LAZY_IMAGE_ATTRIBUTES = ("src", "data-src", "data-original", "data-lazy-src")


def _absolute(raw: str | None, base_url: str) -> str | None:
    if raw is None:
        return None
    value = strip_html5_whitespace(raw)
    if not value or value.startswith("#") or value.lower().startswith(_SKIPPED_SCHEMES):
        return None
    absolute = urldefrag(urljoin(base_url, value))[0]
    if urlsplit(absolute).scheme not in {"http", "https"}:
        return None
    # Chinese characters and spaces in hrefs are common; encode them the way browsers do.
    return safe_url_string(absolute)


def _first_srcset_candidate(srcset: str | None) -> str | None:
    if not srcset:
        return None
    first = srcset.strip().split(",", 1)[0].strip()
    return first.split()[0] if first else None


def collect_links(html: str, base_url: str) -> tuple[list[str], list[str]]:
    """(links, images) of a page as absolute, de-duplicated URLs in document order.

    Links are a[href] without javascript:/mailto:/tel: and same-page #fragments; images are
    img src plus the lazy-load attributes data-src, data-original, data-lazy-src and the
    first srcset candidate. <base href> is honoured.
    """
    if not html.strip():
        return [], []
    try:
        document = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return [], []
    base = get_base_url(html[:10_000], base_url)
    links: dict[str, None] = {}
    images: dict[str, None] = {}
    for anchor in document.iter("a", "area"):
        url = _absolute(anchor.get("href"), base)
        if url:
            links[url] = None
    for image in document.iter("img"):
        candidates = [image.get(name) for name in _LAZY_IMAGE_ATTRIBUTES]
        candidates.append(_first_srcset_candidate(image.get("srcset")))
        for candidate in candidates:
            url = _absolute(candidate, base)
            if url:
                images[url] = None
    return list(links), list(images)
