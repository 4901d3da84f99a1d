"""Running the service: until stopped, once, or as a scaled-out crawl worker."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from govwatch.service import jobs
from govwatch.service.checks import CheckState, check_and_notify, debounced_check
from govwatch.service.crawls import (
    close_crawl_workers,
    crawl_target,
    open_crawl_workers,
    recover_abandoned_crawls,
    stop_crawls,
)
from govwatch.service.metrics import start_metrics_server
from govwatch.service.queued_runs import wait_for_queued_runs
from govwatch.service.schedule import MEMORY, active_targets, build_scheduler, sync_jobs
from govwatch.service.targets_watch import TargetsWatcher
from settings import Settings, get_settings
from storage.clock import utcnow

log = logging.getLogger("govwatch.scheduler")


def _guarded(what: str, function, *args):  # type: ignore[no-untyped-def]
    """Run one step of a cycle; an error is logged and the cycle goes on."""
    try:
        return function(*args)
    except Exception:
        log.exception("%s failed", what)
        return None


def run_forever(stop: threading.Event, settings: Settings | None = None) -> None:
    """Schedule every job and run until ``stop`` is set, then stop cleanly."""
    settings = settings or get_settings()
    jobs.STOP.clear()
    start_metrics_server(settings.metrics_port, settings.metrics_host)
    watcher = TargetsWatcher(settings.targets)
    check_state = CheckState()
    _guarded("recovery", recover_abandoned_crawls)
    open_crawl_workers(settings)
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    _guarded("targets file", watcher.poll)
    sync_jobs(scheduler, settings)

    # APScheduler 3's shutdown() holds its job-store lock while it waits for running
    # jobs, and this tick takes that lock to add and remove jobs: a tick running at
    # stop would wait for shutdown and shutdown for it, for ever. Stopping takes this
    # lock first, so a tick either finishes its changes before or makes none after.
    changing_jobs = threading.Lock()

    def targets_tick() -> None:
        with changing_jobs:
            if jobs.STOP.is_set():
                return
            watcher.poll()
            # Also picks up `govwatch targets load` run by hand meanwhile.
            sync_jobs(scheduler, settings)

    def check_tick() -> None:
        debounced_check(check_state, jobs.STOP)

    scheduler.add_job(
        targets_tick, "interval", seconds=settings.targets_poll_s, id="targets", jobstore=MEMORY
    )
    scheduler.add_job(
        check_tick,
        "interval",
        seconds=settings.check_poll_s,
        id="check",
        jobstore=MEMORY,
        next_run_time=datetime.now(UTC) + timedelta(seconds=settings.check_poll_s),
    )
    scheduler.resume()
    log.info("scheduler started (pid %d)", os.getpid())
    stop.wait()
    log.info("stopping: in-flight crawls are ended and recorded as interrupted")
    with changing_jobs:
        jobs.STOP.set()
        scheduler.pause()
    closer = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True})
    closer.start()
    while closer.is_alive():
        # A crawl job that was just starting its child when we stopped is caught here
        # (the warm workers, once closed, refuse new crawls).
        stop_crawls(settings.crawl_stop_grace_s)
        closer.join(0.2)
    close_crawl_workers(settings.crawl_stop_grace_s)
    log.info("scheduler stopped")


def _wait_for_queued_runs(
    targets: list[tuple[str, str]], since: datetime, stop: threading.Event, timeout_s: float
) -> None:
    """With Redis, wait until every queued target has a finished run, as long as the
    queue makes progress (``govwatch/service/queued_runs.py``)."""
    wait_for_queued_runs(targets, since, stop, timeout_s)


def run_once(stop: threading.Event, settings: Settings | None = None) -> None:
    """One full cycle: targets file, probes, every crawl, a check, notifications."""
    settings = settings or get_settings()
    jobs.STOP.clear()
    started = utcnow()
    _guarded("recovery", recover_abandoned_crawls)
    _guarded("targets file", TargetsWatcher(settings.targets).poll)
    _guarded("probes", jobs.probe_job)
    targets = active_targets()
    stopper = threading.Thread(target=_terminate_on_stop, args=(stop, settings), daemon=True)
    stopper.start()
    open_crawl_workers(settings)
    try:
        with ThreadPoolExecutor(settings.max_concurrent_crawls) as pool:
            outcomes = list(pool.map(lambda target: crawl_target(*target, stop), targets))
    finally:
        close_crawl_workers(settings.crawl_stop_grace_s)
    queued = [
        target for target, outcome in zip(targets, outcomes, strict=True) if outcome == "queued"
    ]
    if queued:
        _wait_for_queued_runs(queued, started, stop, settings.crawl_timeout_s)
    if stop.is_set():
        log.info("stopped before the check")
        return
    _guarded("check", check_and_notify, stop)
    _guarded("digest", jobs.digest_job)


def _terminate_on_stop(stop: threading.Event, settings: Settings) -> None:
    stop.wait()
    jobs.STOP.set()
    stop_crawls(settings.crawl_stop_grace_s)


def run_worker(stop: threading.Event, settings: Settings | None = None) -> None:
    """Run one crawl worker on the Redis queue until ``stop`` is set: supervised in a
    child process (``worker_process``), or, warm workers off, in this process (Scrapy
    then handles the signals)."""
    settings = settings or get_settings()
    if not settings.redis_url:
        raise SystemExit("错误: 工作进程需要 GOVWATCH_REDIS_URL(Redis 队列地址)")
    if settings.crawl_workers_warm:
        from govwatch.service.worker_process import supervise_worker

        supervise_worker(stop, settings)
        return
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    # Scrapy's root handler prints at the crawl's LOG_LEVEL (GOVWATCH_LOG_LEVEL), as in
    # a `scrapy crawl` child; the service's handler has no level of its own and would
    # print every record a second time, DEBUG included. Redaction is not a handler's.
    for handler in list(logging.root.handlers):
        logging.root.removeHandler(handler)
    process = CrawlerProcess(get_project_settings())
    process.crawl("worker")
    process.start()
