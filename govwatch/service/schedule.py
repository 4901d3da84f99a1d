"""APScheduler with its job store in the project database, and the jobs kept in step
with the registry.

Persistent jobs (in ``apscheduler_jobs``, SQLite or PostgreSQL): the homepage probe,
one crawl job per active site and account, the daily digest. They keep their next
run time across restarts; a run missed while the service was down runs once
(``coalesce``) if it is within ``misfire_grace_s``, never once per missed interval.
New targets' first crawls are spread over ``schedule_spread_s`` and every interval
gets up to ``schedule_jitter_s`` of jitter, so 400 sites do not start in one second.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from govwatch.service.jobs import CRAWL_JOB, DIGEST_JOB, DISCOVERY_JOB, PROBE_JOB
from settings import Settings
from storage.db import get_engine, session_scope
from storage.models import Account, Site

log = logging.getLogger("govwatch.scheduler")

JOBS_TABLE = "apscheduler_jobs"
PERSISTENT = "default"  # the database job store
MEMORY = "memory"  # per-process housekeeping (check polling, targets file polling)
CRAWLS = "crawls"  # the executor whose pool size caps crawls at once
CHINA_ZONE = ZoneInfo("Asia/Shanghai")


def crawl_job_id(kind: str, target_id: str) -> str:
    """The job id of one target's crawl."""
    return f"crawl:{kind}:{target_id}"


class ServiceScheduler(BackgroundScheduler):
    """A background scheduler that runs jobs only while it is running.

    APScheduler 3's loop, woken by ``shutdown()``, processes due jobs once more while
    stopping: they fail to submit to the closed executors and their next run time is
    advanced anyway, so a crawl due at shutdown would be lost rather than run (once)
    after the restart. Paused and stopping schedulers here leave due jobs alone.
    """

    def _process_jobs(self):  # type: ignore[no-untyped-def]
        if self.state != STATE_RUNNING:
            return None
        return super()._process_jobs()


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    """A background scheduler on the configured database (not started)."""
    return ServiceScheduler(
        jobstores={
            PERSISTENT: SQLAlchemyJobStore(engine=get_engine(), tablename=JOBS_TABLE),
            MEMORY: MemoryJobStore(),
        },
        executors={
            "default": ThreadPoolExecutor(4),
            CRAWLS: ThreadPoolExecutor(settings.max_concurrent_crawls),
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(settings.misfire_grace_s),
        },
        timezone=UTC,
    )


def _interval(seconds: float, jitter_s: float) -> IntervalTrigger:
    jitter = int(min(jitter_s, seconds / 2)) or None
    return IntervalTrigger(seconds=seconds, jitter=jitter, timezone=UTC)


def _same_interval(job: Job, trigger: IntervalTrigger) -> bool:
    current = job.trigger
    return (
        isinstance(current, IntervalTrigger)
        and current.interval == trigger.interval
        and current.jitter == trigger.jitter
    )


def _ensure(
    scheduler: BackgroundScheduler,
    existing: dict[str, Job],
    job_id: str,
    func: str,
    trigger: IntervalTrigger | CronTrigger,
    first_run: datetime | None,
    args: tuple[str, ...] = (),
    executor: str = "default",
    name: str = "",
) -> bool:
    """Add the job if it is missing; keep an existing one's next run unless its
    interval changed. Returns whether a job was added."""
    job = existing.get(job_id)
    if job is not None:
        if isinstance(trigger, IntervalTrigger) and not _same_interval(job, trigger):
            scheduler.reschedule_job(job_id, jobstore=PERSISTENT, trigger=trigger)
        return False
    kwargs = {"next_run_time": first_run} if first_run is not None else {}
    try:
        scheduler.add_job(
            func,
            trigger=trigger,
            args=list(args),
            id=job_id,
            name=name or job_id,
            jobstore=PERSISTENT,
            executor=executor,
            replace_existing=False,
            **kwargs,
        )
    except ConflictingIdError:
        return False  # another scheduler process added it a moment ago
    return True


def active_targets() -> list[tuple[str, str]]:
    """Every active (kind, id): sites, then accounts."""
    with session_scope() as session:
        sites = session.scalars(select(Site.id).where(Site.active.is_(True)).order_by(Site.id))
        targets = [("site", site_id) for site_id in sites]
        accounts = session.scalars(
            select(Account.id).where(Account.active.is_(True)).order_by(Account.id)
        )
        targets += [("account", account_id) for account_id in accounts]
    return targets


def sync_jobs(scheduler: BackgroundScheduler, settings: Settings) -> tuple[int, int]:
    """Schedule the service jobs and one crawl per active target; unschedule removed
    targets. The scheduler must be started (paused is fine). Returns (added, removed)."""
    now = datetime.now(UTC)
    existing = {job.id: job for job in scheduler.get_jobs(jobstore=PERSISTENT)}
    added = 0
    added += _ensure(
        scheduler,
        existing,
        "probe",
        PROBE_JOB,
        _interval(settings.probe_interval_s, settings.probe_interval_s / 10),
        first_run=now,
        name="首页可用性检测",
    )
    added += _ensure(
        scheduler,
        existing,
        "digest",
        DIGEST_JOB,
        CronTrigger(hour=settings.digest_hour, minute=0, timezone=CHINA_ZONE),
        first_run=None,
        name="每日简报",
    )
    added += _ensure(
        scheduler,
        existing,
        "discovery",
        DISCOVERY_JOB,
        # Monthly, at night: site redesigns are rare and discovery reads many pages.
        CronTrigger(day=1, hour=3, minute=0, timezone=CHINA_ZONE),
        first_run=None,
        name="每月栏目发现",
    )
    intervals = {
        "site": settings.site_crawl_interval_s,
        "account": settings.account_crawl_interval_s,
    }
    wanted = {
        crawl_job_id(kind, target_id): (kind, target_id) for kind, target_id in active_targets()
    }
    for job_id, (kind, target_id) in wanted.items():
        spread = random.uniform(0, settings.schedule_spread_s)
        added += _ensure(
            scheduler,
            existing,
            job_id,
            CRAWL_JOB,
            _interval(intervals[kind], settings.schedule_jitter_s),
            first_run=now + timedelta(seconds=spread),
            args=(kind, target_id),
            executor=CRAWLS,
            name=f"抓取 {kind} {target_id}",
        )
    removed = 0
    for job_id in existing:
        if job_id.startswith("crawl:") and job_id not in wanted:
            try:
                scheduler.remove_job(job_id, jobstore=PERSISTENT)
            except JobLookupError:
                continue  # another scheduler process removed it
            removed += 1
    if added or removed:
        log.info("jobs: %d added, %d removed, %d crawl jobs", added, removed, len(wanted))
    return added, removed
