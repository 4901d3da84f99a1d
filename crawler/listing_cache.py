"""Reading a list page again only when it changed.

Reading a column page (``extract_list``) is most of a crawl's own CPU: over a third
of a re-crawl of static pages, more than Scrapy's whole download path (issue 17).
Yet most government list pages are static files a CMS rewrites only when it
publishes, so the page a daily crawl fetches is usually byte for byte the one it
fetched the day before. As search-engine crawlers do with a page's signature, the
crawl keeps each page's reading under a key of everything the reading depends on:

- the response body (bytes) and its Content-Type (which can change how it decodes),
- the URL (links are resolved against it), the column's CSS selectors, and whether
  the page is read as a homepage,
- the extractor itself: a digest of the source of ``crawler/extract`` and the
  versions of lxml, libxml2 and parsel, so a change to how pages are read
  invalidates every kept reading, with no version number to remember to bump.

A kept reading is reused when the key matches and either it was read today
(China time) or no date on it depended on the day it was read: a date printed
without its year ("05-20") gets the year the day of reading suggests, and that can
differ from one day to the next (``ListPage.reads_the_day``). Everything after the
reading (faults, pagination, article dates, storing the items) runs as for a fresh
one, so a reused reading stores exactly what reading the page again would.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from pathlib import Path

import lxml.etree
import parsel

from crawler.extract.listing import Selectors
from crawler.extract.listing_json import listing_from_json
from crawler.extract.types import ListPage
from storage.page_readings import KeptReading

_EXTRACTOR_DIR = Path(__file__).resolve().parent / "extract"


@cache
def extractor_version() -> str:
    """A digest of what decides how a page is read: the extractor's source and its
    parsing libraries' versions."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_EXTRACTOR_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    versions = (lxml.etree.LXML_VERSION, lxml.etree.LIBXML_VERSION, parsel.__version__)
    digest.update(repr(versions).encode())
    return digest.hexdigest()


def reading_key(
    body: bytes, url: str, content_type: str, selectors: Selectors | None, homepage: bool
) -> str:
    """The key a page's reading is kept under (hex): equal keys, equal readings."""
    digest = hashlib.blake2b(digest_size=16)
    context = (extractor_version(), url, content_type, selectors, homepage)
    digest.update(repr(context).encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


class ListingCache:
    """One crawl's kept readings of a site's pages, by URL."""

    def __init__(self, kept: dict[str, KeptReading], today: date) -> None:
        self._kept = kept
        self._today = today

    def reading(self, url: str, key: str) -> ListPage | None:
        """The kept reading of ``url`` if it is still what reading the page would give."""
        kept = self._kept.get(url)
        if kept is None or kept.key != key:
            return None
        if kept.reads_the_day and kept.read_on != self._today:
            return None
        try:
            return listing_from_json(kept.listing_json)
        except ValueError:
            return None  # not readable (written by another version): read the page
