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

Requests are taken from the shared queue by priority, then in turn from every run in
progress (:class:`RunFairQueue`), so a worker's downloader holds pages of many sites
rather than a queue's worth of one site's pages waiting out its politeness delay.

Links and images are checked as in a single-process crawl, once per distinct URL and
after the run's pages: each page's sightings are kept in Redis
(``govwatch:run:ID:links``); the worker that brings a site run's count to zero queues
a ``links`` message (holding one count) instead of closing the run, and the worker
that takes it checks and stores the links, gives the count back, and so closes the run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.facts_pipeline import store_fact
from crawler.link_pipeline import LinkSightings, check_and_store
from crawler.observations import (
    AccountPageObservation,
    ArticleObservation,
    LinksObservation,
    MessagesObservation,
    PageObservation,
    ReadingObservation,
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
from storage.page_readings import record_readings

RUN_META = "govwatch_run_id"
TARGET_META = "govwatch_target"
COUNTED_META = "govwatch_counted"
PENDING_KEY = "govwatch:run:{run_id}:pending"
FINISHED_KEY = "govwatch:run:{run_id}:finished"
SEEN_KEY = "govwatch:run:{run_id}:seen"
LINKS_KEY = "govwatch:run:{run_id}:links"
LINKS_QUEUED_KEY = "govwatch:run:{run_id}:links_queued"
QUEUED_COUNT_KEY = "govwatch:run:{run_id}:queued"
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
    """Close a run once (whichever worker gets here first) and free its target.

    A run that ended normally with links to check is not closed yet: its link check is
    queued (once) and closes it when done.
    """
    from govwatch.service.queue import CRAWL_REQUESTS_KEY, QUEUED_MARKER_KEY

    links_key, queued_key = LINKS_KEY.format(run_id=run_id), LINKS_QUEUED_KEY.format(run_id=run_id)
    if (
        reason == "finished"
        and server.exists(links_key)
        and server.set(queued_key, "1", nx=True, ex=RUN_KEY_TTL_S)
    ):
        add_pending(server, run_id, 1)  # given back by the check (WorkerSpider.check_links)
        server.lpush(CRAWL_REQUESTS_KEY, json.dumps({"kind": "links", "run": run_id}))
        return
    if not server.set(FINISHED_KEY.format(run_id=run_id), "1", nx=True, ex=RUN_KEY_TTL_S):
        return
    with session_scope() as session:
        finish_crawl_run(session, run_id, finish_reason=reason)
        run = session.get(CrawlRun, run_id)
        target = (run.target_type, run.target_id) if run else None
    server.delete(
        PENDING_KEY.format(run_id=run_id),
        SEEN_KEY.format(run_id=run_id),
        links_key,
        queued_key,
        QUEUED_COUNT_KEY.format(run_id=run_id),
    )
    if target is not None:
        server.delete(QUEUED_MARKER_KEY.format(kind=target[0], target_id=target[1]))


def record_links(server: Any, run_id: int, page: LinksObservation) -> None:
    """Keep one page's links and images for the run's link check."""
    key = LINKS_KEY.format(run_id=run_id)
    pipe = server.pipeline()
    pipe.rpush(key, json.dumps(asdict(page), ensure_ascii=False))
    pipe.expire(key, RUN_KEY_TTL_S)
    pipe.execute()


async def check_run_links(server: Any, run_id: int) -> tuple[int, int]:
    """Check and store the links a run's pages showed: (checked, broken)."""
    sightings, site_id = LinkSightings(), ""
    for raw in server.lrange(LINKS_KEY.format(run_id=run_id), 0, -1):
        record = json.loads(raw)
        page = LinksObservation(
            **{**record, "links": tuple(record["links"]), "images": tuple(record["images"])}
        )
        sightings.add(page)
        site_id = page.site_id
    result = await check_and_store(sightings, run_id, site_id)
    server.delete(LINKS_KEY.format(run_id=run_id))
    return result


#: ZADD with a score of (-priority, the request's number in its run), in one round trip.
_FAIR_PUSH = """
local number = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) * 4294967296 + number, ARGV[2])
"""


class RunFairQueue(PriorityQueue):
    """scrapy-redis's priority queue (a sorted set), taking the runs in turn.

    scrapy-redis scores a request by its priority alone, and requests of equal score
    come out in the byte order of their serialised form: by URL, so one site's pages
    after another's. A worker then fills its downloader with one site's requests,
    which wait out that site's politeness delay one by one while the other sites in
    hand wait behind them (two workers took 0.45 of one worker's time at 2% of a
    province: a second downloader, not a second core). Here each run numbers the
    requests it queues, and the score is ``-priority × 2³² + number``: within a
    priority, every run's first request comes before any run's second, and so on.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._push = self.server.register_script(_FAIR_PUSH)

    def push(self, request: scrapy.Request) -> None:
        run_id = request.meta.get(RUN_META)
        counter = QUEUED_COUNT_KEY.format(run_id=run_id if run_id is not None else "none")
        self._push(
            keys=[self.key, counter],
            args=[-request.priority, self._encode_request(request), RUN_KEY_TTL_S],
        )


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
                elif isinstance(observation, ReadingObservation):
                    record_readings(session, [(observation, now)])
                elif isinstance(observation, SiteFactObservation):
                    store_fact(item.run_id, observation)
                elif isinstance(observation, LinksObservation):
                    record_links(spider_server(self.crawler), item.run_id, observation)
        finally:
            add_pending(spider_server(self.crawler), item.run_id, -1)
        return item


def spider_server(crawler: Crawler) -> Any:
    """The worker spider's Redis client."""
    return crawler.spider.server  # type: ignore[union-attr]
