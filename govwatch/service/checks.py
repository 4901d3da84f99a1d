"""The debounced check: one check shortly after crawls finish, not one per crawl.

The check job runs every ``check_poll_s``; it checks when a crawl run has finished
since the last check (or the last check is older than ``check_max_age_s``, so probes
and the calendar are judged too), then queues and sends veto notifications. It also
closes crawl runs left ``running`` past the crawl time limit (a worker or a scheduler
that died), so they count as failed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from govwatch.service.channels import configured_channels
from govwatch.service.notify import deliver_pending, queue_veto_notifications
from monitor.check import CheckSummary, run_check
from settings import get_settings
from storage.clock import china_today, utcnow
from storage.db import session_scope
from storage.models import CrawlRun

log = logging.getLogger("govwatch.scheduler")

#: How much longer than the crawl time limit a run may stay "running" before the sweep.
STALE_MARGIN_S = 300.0


@dataclass
class CheckState:
    """When this process last checked (in memory: a restart checks once at start)."""

    last_check_at: datetime | None = None


def sweep_stale_runs(now: datetime | None = None) -> int:
    """Close runs ``running`` for longer than the crawl time limit allows, as failed."""
    settings = get_settings()
    now = now or utcnow()
    cutoff = now - timedelta(seconds=settings.crawl_timeout_s + STALE_MARGIN_S)
    with session_scope() as session:
        result = session.execute(
            update(CrawlRun)
            .where(CrawlRun.outcome == "running", CrawlRun.started_at < cutoff)
            .values(
                outcome="failed",
                finished_at=now,
                detail="timeout: 抓取进程失联,超过时限仍未结束",
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def check_is_due(state: CheckState, now: datetime) -> bool:
    """Whether a crawl finished since the last check, or the last check is too old."""
    if state.last_check_at is None:
        return True
    if now - state.last_check_at >= timedelta(seconds=get_settings().check_max_age_s):
        return True
    with session_scope() as session:
        finished = session.scalar(
            select(func.count()).where(CrawlRun.finished_at >= state.last_check_at)
        )
    return bool(finished)


def check_and_notify(stop: threading.Event | None = None) -> CheckSummary:
    """Check as of today, queue new veto findings on every channel, and send."""
    sweep_stale_runs()
    today = china_today()
    settings = get_settings()
    channels = configured_channels(settings)
    with session_scope() as session:
        summary = run_check(session, today)
        queued = queue_veto_notifications(session, summary.opened_ids, today, channels)
    log.info(
        "check %s: %d opened, %d resolved, %d veto to notify",
        today,
        sum(summary.opened.values()),
        sum(summary.resolved.values()),
        queued,
    )
    deliver_pending(settings, channels, stop)
    return summary


def debounced_check(state: CheckState, stop: threading.Event | None = None) -> bool:
    """Check (and notify) if due; returns whether a check ran."""
    started = utcnow()
    if not check_is_due(state, started):
        return False
    check_and_notify(stop)
    state.last_check_at = started
    return True
