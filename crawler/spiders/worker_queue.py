"""The scrapy-redis plumbing of the ``worker`` spider: shared queue, per-run duplicate
filter, run accounting and storage.

Any number of worker processes share one request queue and one duplicate filter in
Redis, so a crawl's pages are spread over the workers and each page is fetched once
per crawl run. Because a run's requests may be processed by several workers, no
worker knows alone when a run is over: every request and every observation of a run
holds one count in ``govwatch:run:ID:pending`` (taken when it is yielded, given
back when it has been handled or stored, or dropped as a duplicate). Whichever worker brings the count to
zero closes the run (``finish_crawl_run``, once, guarded by ``SET NX``) and frees the
target for the scheduler's next enqueue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from crawler.facts_pipeline import store_fact
from crawler.observations import (
    AccountPageObservation,
    ArticleObservation,
    MessagesObservation,
    PageObservation,
)
from crawler.site_facts import SiteFactObservation
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import CrawlRun
from storage.observations import (
    finish_crawl_run,
    record_account_page,
    record_article,
    record_messages,
    record_page,
)

RUN_META = "govwatch_run_id"
TARGET_META = "govwatch_target"
COUNTED_META = "govwatch_counted"
PENDING_KEY = "govwatch:run:{run_id}:pending"
FINISHED_KEY = "govwatch:run:{run_id}:finished"
SEEN_KEY = "govwatch:run:{run_id}:seen"
#: Run bookkeeping keys expire (a worker that died mid-run leaves none behind for ever).
RUN_KEY_TTL_S = 3 * 86400


@dataclass(frozen=True, slots=True)
class WorkerObservation:
    """An observation of one crawl run, as the worker spider hands it to storage."""

    run_id: int
    observation: Any


def add_pending(server: Any, run_id: int, delta: int) -> None:
    """Take (``delta`` > 0) or give back counts of a run; the last one closes the run."""
    key = PENDING_KEY.format(run_id=run_id)
    pipe = server.pipeline()
    pipe.incrby(key, delta)
    pipe.expire(key, RUN_KEY_TTL_S)
    remaining = int(pipe.execute()[0])
    if remaining <= 0 and delta < 0:
        finish_run(server, run_id, "finished")


def finish_run(server: Any, run_id: int, reason: str) -> None:
    """Close a run once (whichever worker gets here first) and free its target."""
    from govwatch.service.queue import QUEUED_MARKER_KEY

    if not server.set(FINISHED_KEY.format(run_id=run_id), "1", nx=True, ex=RUN_KEY_TTL_S):
        return
    with session_scope() as session:
        finish_crawl_run(session, run_id, finish_reason=reason)
        run = session.get(CrawlRun, run_id)
        target = (run.target_type, run.target_id) if run else None
    server.delete(PENDING_KEY.format(run_id=run_id), SEEN_KEY.format(run_id=run_id))
    if target is not None:
        server.delete(QUEUED_MARKER_KEY.format(kind=target[0], target_id=target[1]))


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared filter, scoped to one crawl run: tomorrow's crawl of a
    site fetches its pages again, today's two workers fetch each page once."""

    def request_seen(self, request: scrapy.Request) -> bool:
        run_id = request.meta.get(RUN_META)
        if run_id is None:
            return bool(super().request_seen(request))
        key = SEEN_KEY.format(run_id=run_id)
        pipe = self.server.pipeline()
        pipe.sadd(key, self.request_fingerprint(request))
        pipe.expire(key, RUN_KEY_TTL_S)
        added = pipe.execute()[0]
        return added == 0


class RunScheduler(Scheduler):
    """scrapy-redis's shared scheduler, giving back the count of a request it drops.

    The worker spider takes a request's count when it yields it (before the callback
    that yielded it gives its own back, so a run's count cannot touch zero while it
    still has work); retries and redirects, copies with the same meta, reuse that
    count. A request the duplicate filter drops will never be handled: its count is
    given back here.
    """

    def enqueue_request(self, request: scrapy.Request) -> bool:
        accepted = bool(super().enqueue_request(request))
        run_id = request.meta.get(RUN_META)
        if not accepted and run_id is not None and request.meta.get(COUNTED_META):
            add_pending(self.server, run_id, -1)
        return accepted


class WorkerStoragePipeline:
    """Stores worker observations against their run (the site/account spiders' storage
    calls, keyed by the run in the item rather than one run per spider)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerStoragePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if not isinstance(item, WorkerObservation):
            return item
        try:
            observation, now = item.observation, utcnow()
            with session_scope() as session:
                if isinstance(observation, PageObservation):
                    record_page(session, item.run_id, observation, seen_at=now)
                elif isinstance(observation, AccountPageObservation):
                    record_account_page(session, item.run_id, observation, seen_at=now)
                elif isinstance(observation, ArticleObservation):
                    record_article(session, observation, seen_at=now)
                elif isinstance(observation, MessagesObservation):
                    record_messages(session, observation, seen_at=now)
                elif isinstance(observation, SiteFactObservation):
                    store_fact(item.run_id, observation)
                # LinksObservation: link checks run in single-process crawls only.
        finally:
            spider = spider or self.crawler.spider
            add_pending(spider.server, item.run_id, -1)  # type: ignore[union-attr]
        return item
