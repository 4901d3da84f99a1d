"""A crawl's loggers at its ``LOG_LEVEL``, so records no handler prints are not made.

Scrapy sets the root logger to NOTSET and its own logger to DEBUG, and filters by
level only in its handler: every DEBUG record ("Crawled", "Scraped from" with the
whole observation) is built first, and govwatch's record factory redacts each one
(``govwatch/logging_setup.py``) before the handler drops it. That was a twentieth
of a crawl's CPU (issue 17). With the loggers at the crawl's level, such records
are never made; ``scrapy crawl … -L DEBUG`` and ``GOVWATCH_LOG_LEVEL=DEBUG`` still
print everything, redacted.

``Crawler.crawl`` reinstalls Scrapy's root handler after building the extensions,
and that sets the root logger back to NOTSET; the levels are therefore set again
when the spider opens. Without that, every library logging under the root
(trafilatura wrote two DEBUG lines per article) printed at DEBUG through any
handler without a level of its own: the Redis worker's (``scheduler.py --worker``).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler


class CrawlLogLevel:
    """Extension: sets the root and ``scrapy`` loggers to the crawl's ``LOG_LEVEL``."""

    def __init__(self, level: int | str) -> None:
        self.level = level
        self.apply()

    def apply(self) -> None:
        for logger in (logging.getLogger(), logging.getLogger("scrapy")):
            logger.setLevel(self.level)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLogLevel:
        extension = cls(crawler.settings.get("LOG_LEVEL") or logging.DEBUG)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: object) -> None:
        self.apply()
