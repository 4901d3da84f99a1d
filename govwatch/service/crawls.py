"""One scheduled crawl of one target: guarded, time-limited, in a child process.

Without Redis the crawl runs here under the target's lease: in one of the service's
warm crawl workers (``crawler.warm_pool``, opened by :func:`open_crawl_workers` while
the service runs, ``GOVWATCH_CRAWL_WORKERS_WARM``), or in a fresh ``scrapy crawl``
child (``crawler.runner.run_crawl``) when warm workers are off, outside the service,
and for a crawl that needs its own environment (a demo account: settings are read
once per process, so a warm worker cannot take per-crawl overrides). With
``GOVWATCH_REDIS_URL`` the crawl is queued for the Redis workers instead.

A scheduler killed outright (``kill -9``, a power cut) leaves what its crawls held:
:func:`recover_abandoned_crawls`, run when the service starts, closes the runs whose
process is gone as interrupted and frees their leases.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from crawler.runner import last_log_line, run_crawl, terminate_running
from crawler.warm_pool import WarmPool
from govwatch.demo.guard import DemoServerNotRunning, demo_crawl_env
from govwatch.service.leases import (
    acquire_lease,
    new_holder,
    reclaim_dead_leases,
    release_lease,
)
from govwatch.service.queue import enqueue_crawl
from settings import Settings, get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.holders import holder_is_dead, parse_holder
from storage.models import Account, CrawlRun, Site

log = logging.getLogger("govwatch.scheduler")

#: Lease lifetime beyond the crawl time limit (the child's kill and clean-up).
LEASE_MARGIN_S = 120.0

TARGET_MODELS = {"site": Site, "account": Account}

#: The running service's warm crawl workers (None: a fresh process per crawl).
_warm_pool: WarmPool | None = None


def open_crawl_workers(settings: Settings) -> WarmPool | None:
    """Crawls of this process from now on run in warm workers (if the settings say so)."""
    global _warm_pool
    if settings.crawl_workers_warm:
        _warm_pool = WarmPool(
            settings.max_concurrent_crawls,
            settings.crawl_worker_max_crawls,
            settings.crawl_worker_max_rss_mb * 2**20,
        )
    return _warm_pool


def stop_crawls(grace_s: float) -> None:
    """Stop every running crawl (recorded as interrupted); later ones are refused.

    The warm workers stay closed until the next :func:`open_crawl_workers`.
    """
    if _warm_pool is not None:
        _warm_pool.close(grace_s)
    terminate_running(grace_s)


def close_crawl_workers(grace_s: float) -> None:
    """Stop the warm workers; crawls of this process run in fresh children again."""
    global _warm_pool
    pool, _warm_pool = _warm_pool, None
    if pool is not None:
        pool.close(grace_s)


def close_abandoned_runs() -> int:
    """Close runs left ``running`` by a process of this host that no longer runs.

    Each becomes ``failed`` with a detail starting ``interrupted``, like a crawl cut
    short by a stop. Runs of live processes, of other hosts, and older runs without
    a holder are left alone (``checks.sweep_stale_runs`` ends those after the crawl
    time limit). Returns how many runs were closed.
    """
    closed = 0
    with session_scope() as session:
        for run in session.scalars(select(CrawlRun).where(CrawlRun.outcome == "running")):
            if not holder_is_dead(run.holder):
                continue
            holder = parse_holder(run.holder)
            pid = holder.pid if holder is not None else "?"
            run.outcome, run.finished_at = "failed", utcnow()
            run.detail = (
                f"interrupted: 抓取进程(pid {pid})已不在运行,本次抓取未完成"
                "(监测服务或抓取进程被强行终止)"
            )
            log.warning(
                "crawl run %d of %s %s closed: %s",
                run.id,
                run.target_type,
                run.target_id,
                run.detail,
            )
            closed += 1
    return closed


def recover_abandoned_crawls() -> tuple[int, int]:
    """At start: close the runs and free the leases dead processes left behind.

    Returns (runs closed, leases freed).
    """
    return close_abandoned_runs(), reclaim_dead_leases()


def is_active(kind: str, target_id: str) -> bool:
    """Whether the target is registered and active (not removed from the targets file)."""
    with session_scope() as session:
        model = TARGET_MODELS[kind]
        return bool(session.scalar(select(model.active).where(model.id == target_id)))


def crawl_target(kind: str, target_id: str, stop: threading.Event | None = None) -> str:
    """Crawl (or queue) one target now; returns what happened, for the log and tests.

    ``queued`` | ``busy`` (another process crawls it) | ``inactive`` | ``stopping`` |
    ``skipped`` (a demo account without the demo server) |
    ``ok`` | ``failed`` | ``timeout`` | ``interrupted`` | ``crashed``.
    """
    settings = get_settings()
    if stop is not None and stop.is_set():
        return "stopping"
    if not is_active(kind, target_id):
        log.info("%s %s is no longer registered; not crawled", kind, target_id)
        return "inactive"
    try:
        demo_env = demo_crawl_env(kind, target_id)
    except DemoServerNotRunning as error:
        log.warning("crawl %s %s: skipped: %s", kind, target_id, error)
        return "skipped"
    if settings.redis_url and demo_env is None:
        queued = enqueue_crawl(settings.redis_url, kind, target_id, settings.crawl_timeout_s)
        return "queued" if queued else "busy"
    holder = new_holder()
    if not acquire_lease(kind, target_id, holder, settings.crawl_timeout_s + LEASE_MARGIN_S):
        log.info("%s %s is being crawled by another process; skipped", kind, target_id)
        return "busy"
    launched = utcnow()
    try:
        pool = _warm_pool
        if pool is not None and demo_env is None:
            result = pool.run(kind, target_id, settings.crawl_timeout_s)
        else:
            result = run_crawl(kind, target_id, timeout_s=settings.crawl_timeout_s, env=demo_env)
    finally:
        release_lease(kind, target_id, holder)
    # Imported here: status imports the schedule, which imports the jobs, which import us.
    from govwatch.service.status import run_result_since

    stored = run_result_since(kind, target_id, launched)
    outcome = result.reason or (stored[0] if stored else ("ok" if result.ok else "failed"))
    if outcome == "ok":
        log.info("crawl %s %s: ok in %.1fs", kind, target_id, result.seconds)
    else:
        why = (stored[1] if stored else "") or last_log_line(result.log_tail) or "原因未知"
        log.warning("crawl %s %s: %s in %.1fs: %s", kind, target_id, outcome, result.seconds, why)
    if not result.ok and result.log_tail:
        log.debug("crawl %s %s log tail:\n%s", kind, target_id, result.log_tail)
    return outcome
