"""The ``worker`` spider: crawls targets popped from the shared Redis queue.

``python scheduler.py --worker`` (``scrapy crawl worker``) runs one; start as many as
needed. Each message ``{"kind": "site"|"account", "id": ...}`` opens a crawl run and
hands the target to the ordinary ``site`` or ``account`` spider's code (one instance
per run, built on demand in whichever worker handles a request of that run), so the
requests and observations are exactly theirs. The worker only routes: every request
it schedules carries its run and target and the name of the delegate's callback, and
comes back to :meth:`WorkerSpider.route`, which calls that callback on the delegate.
A ``{"kind": "links", "run": ID}`` message checks the links a finished site run saw
(``crawler/spiders/worker_queue.py``).
"""

from __future__ import annotations

import inspect
import json
import time
import warnings
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.http import Response
from scrapy_redis.spiders import RedisSpider
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawler.spiders.account import AccountSpider
from crawler.spiders.site import SiteSpider
from crawler.spiders.worker_queue import (
    COUNTED_META,
    FINISHED_KEY,
    LINKS_QUEUED_KEY,
    RUN_META,
    TARGET_META,
    WorkerObservation,
    add_pending,
    check_run_links,
    finish_run,
)
from govwatch.service.queue import CRAWL_REQUESTS_KEY
from settings import get_settings
from storage.db import session_scope
from storage.observations import start_crawl_run

# scrapy-redis (not ours) still passes `spider=` to the stats collector on every
# request it queues and pops, and calls `Spider.log()` when a worker opens on a queue
# that holds requests; Scrapy warns each time. Only those warnings are silenced.
for _deprecated in (
    r"Passing a 'spider' argument to StatsCollector\.",
    r"Spider\.log\(\) is deprecated",
):
    warnings.filterwarnings(
        "ignore", message=_deprecated, category=ScrapyDeprecationWarning, module=r"scrapy_redis\."
    )

#: Seconds between a worker's looks at the queue while it is busy.
TOP_UP_INTERVAL_S = 1.0
CALLBACK_META = "govwatch_callback"
ERRBACK_META = "govwatch_errback"
DELEGATES_KEPT = 64  # runs whose delegate spiders a worker keeps built


class WorkerSpider(RedisSpider):
    """Pops crawl requests for registered targets and crawls them like ``site``/``account``."""

    name = "worker"
    redis_key = CRAWL_REQUESTS_KEY
    redis_batch_size = 1  # at most one message per pop: targets spread over the workers

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        govwatch = get_settings()
        for name, value in {
            "REDIS_URL": govwatch.redis_url,
            "SCHEDULER": "crawler.spiders.worker_queue.RunScheduler",
            "DUPEFILTER_CLASS": "crawler.spiders.worker_queue.RunDupeFilter",
            "SCHEDULER_QUEUE_KEY": "govwatch:worker:requests",
            "SCHEDULER_QUEUE_CLASS": "crawler.spiders.worker_queue.RunFairQueue",
            # Room in the downloader for every target in hand at its own per-site
            # concurrency: requests waiting out a site's delay count as active.
            "CONCURRENT_REQUESTS": max(
                16, govwatch.max_concurrent_crawls * govwatch.concurrent_requests_per_domain
            ),
            "SCHEDULER_DUPEFILTER_KEY": "govwatch:worker:dupefilter",
            # The queue is shared: one worker stopping must not empty it.
            "SCHEDULER_PERSIST": True,
            "ITEM_PIPELINES": {"crawler.spiders.worker_queue.WorkerStoragePipeline": 300},
        }.items():
            settings.set(name, value, priority="spider")
        if govwatch.crawl_workers_warm:
            # `scheduler.py --worker` replaces a worker that closed itself this way
            # (govwatch/service/worker_process.py): long-lived Scrapy processes leak.
            settings.set("MEMUSAGE_LIMIT_MB", govwatch.crawl_worker_max_rss_mb, priority="spider")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._delegates: OrderedDict[int, scrapy.Spider] = OrderedDict()
        govwatch = get_settings()
        # Targets this worker crawls at once (scrapy-redis alone pops the next one only
        # when the worker is idle: one site's politeness delays would hold it all).
        self.targets_at_once = govwatch.max_concurrent_crawls
        self._hand_limit_s = govwatch.crawl_timeout_s
        self._in_hand: dict[int, float] = {}  # run id -> when this worker opened it
        self._top_up_loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._start_topping_up, signal=signals.spider_opened)
        crawler.signals.connect(spider._stop_topping_up, signal=signals.spider_closed)
        return spider

    def _start_topping_up(self) -> None:
        self._top_up_loop = LoopingCall(self._top_up)
        self._top_up_loop.start(TOP_UP_INTERVAL_S, now=False)

    def _top_up(self) -> None:
        try:
            self.schedule_next_requests()
        except Exception:  # Redis or the database away a moment: the next tick retries
            self.logger.exception("could not take the next target")

    def _stop_topping_up(self) -> None:
        if self._top_up_loop is not None and self._top_up_loop.running:
            self._top_up_loop.stop()

    def schedule_next_requests(self) -> None:
        """Pop targets until this worker has ``targets_at_once`` runs in hand.

        Called when the worker is idle (scrapy-redis) and every second: a run leaves
        the hand once its pages are read (by whichever worker), or after the crawl time
        limit.
        """
        engine = self.crawler.engine
        if engine is None or not engine.running:
            return
        now = time.monotonic()
        if self._in_hand:
            pipe = self.server.pipeline()
            runs = list(self._in_hand)
            for run_id in runs:
                # Crawled (its link check queued: it comes from the same queue, so a run
                # waiting for it must not hold a place) or closed.
                pipe.exists(
                    LINKS_QUEUED_KEY.format(run_id=run_id), FINISHED_KEY.format(run_id=run_id)
                )
            for run_id, crawled in zip(runs, pipe.execute(), strict=True):
                if crawled or now - self._in_hand[run_id] > self._hand_limit_s:
                    del self._in_hand[run_id]
        while len(self._in_hand) < self.targets_at_once:
            popped = self.fetch_data(self.redis_key, 1)
            if not popped:
                return
            request = self.make_request_from_data(popped[0])
            if request is not None:
                engine.crawl(request)

    def make_request_from_data(self, data: bytes) -> scrapy.Request | None:
        message = json.loads(data)
        if message.get("kind") == "links":  # a finished site run's link check
            return scrapy.Request(
                "data:,",
                callback=self.check_links,
                meta={RUN_META: int(message["run"])},
                dont_filter=True,
            )
        kind, target_id = str(message["kind"]), str(message["id"])
        if kind not in ("site", "account"):
            self.logger.error("unknown crawl request %r", message)
            return None
        with session_scope() as session:
            run_id = start_crawl_run(session, kind, target_id)
        self._in_hand[run_id] = time.monotonic()
        self.logger.info("crawl %s %s: run %d", kind, target_id, run_id)
        add_pending(self.server, run_id, 1)
        # A local data: URL, so the start goes through the shared queue like any request.
        return scrapy.Request(
            "data:,",
            callback=self.start_target,
            errback=self.route_error,
            meta={RUN_META: run_id, TARGET_META: [kind, target_id], COUNTED_META: True},
            dont_filter=True,
        )

    def _delegate(self, meta: dict[str, Any]) -> scrapy.Spider:
        run_id = meta[RUN_META]
        delegate = self._delegates.get(run_id)
        if delegate is None:
            kind, target_id = meta[TARGET_META]
            delegate = SiteSpider(site=target_id) if kind == "site" else AccountSpider(target_id)
            self._delegates[run_id] = delegate
            while len(self._delegates) > DELEGATES_KEPT:
                self._delegates.popitem(last=False)
        return delegate

    def _adopt(self, request: scrapy.Request, meta: dict[str, Any]) -> scrapy.Request:
        """A delegate's request, routed back through this spider."""
        callback, errback = request.callback, request.errback
        adopted = request.replace(callback=self.route, errback=self.route_error)
        adopted.meta[RUN_META] = meta[RUN_META]
        adopted.meta[TARGET_META] = meta[TARGET_META]
        adopted.meta[CALLBACK_META] = callback.__name__ if callback else "parse"
        adopted.meta[ERRBACK_META] = errback.__name__ if errback else None
        adopted.meta[COUNTED_META] = True
        add_pending(self.server, meta[RUN_META], 1)  # given back when handled or dropped
        return adopted

    def _wrap(self, output: Any, meta: dict[str, Any]) -> Any:
        if isinstance(output, scrapy.Request):
            return self._adopt(output, meta)
        add_pending(self.server, meta[RUN_META], 1)  # given back when stored
        return WorkerObservation(meta[RUN_META], output)

    async def start_target(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        try:
            delegate = self._delegate(meta)
        except Exception as error:  # unregistered meanwhile: the run fails, saying why
            finish_run(self.server, meta[RUN_META], str(error)[:500])
            return
        try:
            async for request in delegate.start():
                yield self._wrap(request, meta)
        finally:
            add_pending(self.server, meta[RUN_META], -1)

    async def check_links(self, response: Response) -> AsyncIterator[Any]:
        """Check the links a finished run's pages showed; giving the count back closes it."""
        run_id = response.meta[RUN_META]
        try:
            checked, broken = await check_run_links(self.server, run_id)
            self.logger.info(
                "run %d: checked %d links and images: %d broken", run_id, checked, broken
            )
        finally:
            add_pending(self.server, run_id, -1)
        return
        yield  # an async generator, as every callback here: nothing to yield

    async def route(self, response: Response, **cb_kwargs: Any) -> AsyncIterator[Any]:
        meta = response.meta
        try:
            callback = getattr(self._delegate(meta), meta[CALLBACK_META])
            result = callback(response, **cb_kwargs)
            if inspect.isasyncgen(result):
                async for output in result:
                    yield self._wrap(output, meta)
            else:
                if inspect.isawaitable(result):
                    result = await result
                for output in _outputs(result):
                    yield self._wrap(output, meta)
        finally:
            add_pending(self.server, meta[RUN_META], -1)

    def route_error(self, failure: Failure) -> Iterator[Any]:
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        try:
            name = meta.get(ERRBACK_META)
            if name:
                for output in _outputs(getattr(self._delegate(meta), name)(failure)):
                    yield self._wrap(output, meta)
            else:
                self.logger.warning("%s: %s", request.url, failure.getErrorMessage())
        finally:
            add_pending(self.server, meta[RUN_META], -1)


def _outputs(result: Any) -> Iterator[Any]:
    if result is None:
        return
    if isinstance(result, scrapy.Request) or not hasattr(result, "__iter__"):
        yield result
        return
    yield from result
