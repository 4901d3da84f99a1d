"""The Redis workers' shared queue takes the runs in progress in turn.

Needs ``GOVWATCH_TEST_REDIS_URL`` (``./test.sh`` starts a private redis-server and
sets it); skipped without it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import scrapy

from crawler.spiders.worker_queue import QUEUED_COUNT_KEY, RUN_META, RunFairQueue


class _Spider(scrapy.Spider):
    name = "worker"


@pytest.fixture
def queue(redis_url: str) -> Iterator[RunFairQueue]:
    import redis

    server = redis.Redis.from_url(redis_url)
    yield RunFairQueue(server, _Spider(), "test:%(spider)s:requests")
    server.close()


def _request(url: str, run_id: int, priority: int = 0) -> scrapy.Request:
    return scrapy.Request(url, meta={RUN_META: run_id}, priority=priority, dont_filter=True)


def _popped(queue: RunFairQueue) -> list[str]:
    urls = []
    while (request := queue.pop()) is not None:
        urls.append(request.url)
    return urls


def test_runs_in_progress_are_taken_in_turn_not_one_site_after_another(
    queue: RunFairQueue,
) -> None:
    # Site A's pages queued first; by URL they would all come before site B's.
    for page in range(1, 6):
        queue.push(_request(f"http://a.gov.cn/{page}.html", run_id=1))
    for page in range(1, 4):
        queue.push(_request(f"http://b.gov.cn/{page}.html", run_id=2))

    assert _popped(queue) == [
        "http://a.gov.cn/1.html",
        "http://b.gov.cn/1.html",
        "http://a.gov.cn/2.html",
        "http://b.gov.cn/2.html",
        "http://a.gov.cn/3.html",
        "http://b.gov.cn/3.html",
        "http://a.gov.cn/4.html",
        "http://a.gov.cn/5.html",
    ]


def test_priority_still_comes_first_and_each_run_counts_its_own_requests(
    queue: RunFairQueue,
) -> None:
    for page in range(1, 4):
        queue.push(_request(f"http://a.gov.cn/{page}.html", run_id=7))
    queue.push(_request("http://a.gov.cn/retry.html", run_id=7, priority=-1))
    queue.push(_request("http://b.gov.cn/redirected.html", run_id=8, priority=2))

    assert len(queue) == 5
    assert _popped(queue) == [
        "http://b.gov.cn/redirected.html",
        "http://a.gov.cn/1.html",
        "http://a.gov.cn/2.html",
        "http://a.gov.cn/3.html",
        "http://a.gov.cn/retry.html",
    ]
    counter = QUEUED_COUNT_KEY.format(run_id=7)
    assert int(queue.server.get(counter)) == 4
    assert queue.server.ttl(counter) > 0


def test_a_worker_has_downloader_room_for_every_target_in_hand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scrapy.settings import Settings

    from crawler.spiders.worker import WorkerSpider
    from settings import get_settings

    monkeypatch.setenv("GOVWATCH_MAX_CONCURRENT_CRAWLS", "32")
    monkeypatch.setenv("GOVWATCH_CONCURRENT_REQUESTS_PER_DOMAIN", "4")
    get_settings.cache_clear()
    try:
        settings = Settings()
        WorkerSpider.update_settings(settings)
    finally:
        get_settings.cache_clear()

    assert settings.getint("CONCURRENT_REQUESTS") == 32 * 4
    assert settings["SCHEDULER_QUEUE_CLASS"] == "crawler.spiders.worker_queue.RunFairQueue"
