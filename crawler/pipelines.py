"""The storage pipeline: records the crawl run, each page fetch, and each listed item.

Writes are idempotent: an item is one row per (column, URL) however often it is
crawled; a second sighting only moves ``last_seen_at`` (and fills a date the first
sighting lacked). The crawl run's outcome is derived from its fetches when the
spider closes.

Observations are written in batches, one transaction per :data:`BATCH_SIZE`
observations or per :data:`BATCH_SECONDS` (whichever comes first), because a commit
and a statement per page were half a crawl's CPU (issue 17). What that costs is
bounded: a crawl killed outright loses at most the batch still open, and since a
page's fetch row and its items are committed together, nothing stored says a page
was read whose items are missing; the next crawl of the site stores them again.
The run is closed only after the last batch is written.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from twisted.internet.task import LoopingCall

from crawler.observations import (
    AccountPageObservation,
    ArticleObservation,
    MessagesObservation,
    PageObservation,
    ReadingObservation,
)
from crawler.run_summary import run_summary
from storage.clock import utcnow
from storage.db import session_scope
from storage.observations import (
    ColumnIds,
    finish_crawl_run,
    record_observations,
    start_crawl_run,
)

logger = logging.getLogger(__name__)

#: Observations written in one transaction, at most.
BATCH_SIZE = 100
#: Seconds an observation may wait for its batch to be written, about.
BATCH_SECONDS = 1.0

_STORED = (
    PageObservation,
    AccountPageObservation,
    ArticleObservation,
    MessagesObservation,
    ReadingObservation,
)


def plan_column_ids(spider: scrapy.Spider) -> ColumnIds:
    """The column ids a site spider's crawl plan already holds."""
    plan = getattr(spider, "plan", None)
    if plan is None:
        return ColumnIds()
    return ColumnIds(
        {
            (plan.site_id, column.name): column.column_id
            for column in plan.columns
            if column.column_id is not None
        }
    )


class StoragePipeline:
    """Stores observations in the configured database, in batches."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.crawl_run_id: int | None = None
        self.column_ids = ColumnIds()
        self.batch: list[tuple[Any, Any]] = []  # (observation, when it was seen)
        self.batch_started = 0.0
        self.flusher: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def open_spider(self, spider: scrapy.Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        target_type, target_id = spider.target  # type: ignore[union-attr]
        with session_scope() as session:
            self.crawl_run_id = start_crawl_run(session, target_type, target_id)
        spider.crawl_run_id = self.crawl_run_id  # type: ignore[union-attr]  # for later pipelines
        self.column_ids = plan_column_ids(spider)  # type: ignore[arg-type]
        # A batch waiting for pages that are slow to come is written on time anyway.
        self.flusher = LoopingCall(self._write_if_due)
        self.flusher.start(BATCH_SECONDS / 2, now=False)

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if not isinstance(item, _STORED):
            return item
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append((item, utcnow()))
        if isinstance(item, PageObservation | AccountPageObservation):
            stats = self.crawler.stats
            if stats is not None:
                stats.inc_value("govwatch/pages_observed")
                stats.inc_value(f"govwatch/pages_{item.error_class}")
        if len(self.batch) >= BATCH_SIZE or self._due():
            self.write_batch()
        return item

    def _due(self) -> bool:
        return bool(self.batch) and time.monotonic() - self.batch_started >= BATCH_SECONDS

    def _write_if_due(self) -> None:
        if self._due():
            try:
                self.write_batch()
            except Exception:  # the timer must keep running; the error is the crawl's
                logger.exception("storing %d observations failed", len(self.batch))

    def write_batch(self) -> None:
        """Write the open batch in one transaction (it is dropped if that fails)."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            with session_scope() as session:
                record_observations(session, self.crawl_run_id, batch, self.column_ids)
        except BaseException:
            self.column_ids.rolled_back()
            raise
        self.column_ids.committed()

    def close_spider(self, spider: scrapy.Spider | None = None) -> None:
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        if self.crawl_run_id is None:
            return
        self.write_batch()  # before the run is closed: its outcome counts these pages
        reason = ""
        stats = self.crawler.stats
        if stats is not None:
            reason = str(stats.get_value("finish_reason") or "")
        with session_scope() as session:
            finish_crawl_run(session, self.crawl_run_id, finish_reason=reason)
            summary = run_summary(session, self.crawl_run_id)
        if summary:
            # The person at the terminal reads this instead of Scrapy's INFO log.
            sys.stderr.write(summary + "\n")
