"""What ``govwatch status`` shows: last run per target, next run, and what keeps failing.

Last runs come from ``crawl_runs``; next runs from the scheduler's job store table,
read as plain rows (no scheduler is started, nothing is unpickled).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from govwatch.service.schedule import JOBS_TABLE, crawl_job_id
from storage.clock import to_iso_utc
from storage.db import session_scope
from storage.models import Account, CrawlRun, Site


def _next_runs(session: Session) -> dict[str, datetime | None]:
    bind = session.get_bind()
    if not inspect(bind).has_table(JOBS_TABLE):
        return {}
    rows = session.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}"))
    return {
        job_id: None if next_run is None else datetime.fromtimestamp(float(next_run), UTC)
        for job_id, next_run in rows
    }


def _recent_runs(session: Session, target_type: str, target_id: str, limit: int) -> list[CrawlRun]:
    return list(
        session.scalars(
            select(CrawlRun)
            .where(CrawlRun.target_type == target_type, CrawlRun.target_id == target_id)
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(limit)
        )
    )


def status_rows(session: Session, failing_after_runs: int) -> list[dict[str, Any]]:
    """One row per active site and account, sites first."""
    next_runs = _next_runs(session)
    targets: list[tuple[str, str, str]] = [
        ("site", site.id, site.name)
        for site in session.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.id))
    ]
    targets += [
        ("account", account.id, account.name)
        for account in session.scalars(
            select(Account).where(Account.active.is_(True)).order_by(Account.id)
        )
    ]
    rows: list[dict[str, Any]] = []
    for target_type, target_id, name in targets:
        recent = _recent_runs(session, target_type, target_id, max(failing_after_runs, 1))
        last = recent[0] if recent else None
        consecutive_failures = 0
        for run in recent:
            if run.outcome != "failed":
                break
            consecutive_failures += 1
        next_run = next_runs.get(crawl_job_id(target_type, target_id))
        rows.append(
            {
                "target_type": target_type,
                "target_id": target_id,
                "name": name,
                "last_started_at": to_iso_utc(last.started_at) if last else None,
                "last_finished_at": to_iso_utc(last.finished_at) if last else None,
                "last_outcome": last.outcome if last else None,
                "last_detail": last.detail if last else None,
                "pages_fetched": last.pages_fetched if last else None,
                "next_run_at": next_run.replace(microsecond=0).isoformat() if next_run else None,
                "consecutive_failures": consecutive_failures,
                "failing": consecutive_failures >= failing_after_runs,
            }
        )
    return rows


def run_result_since(target_type: str, target_id: str, since: datetime) -> tuple[str, str] | None:
    """(outcome, detail) of the target's newest run started since ``since``, if any.

    A crawl process can end well (exit 0) and still have failed to read anything: the
    run's stored outcome, not the exit code, says how the crawl went.
    """
    with session_scope() as session:
        run = session.scalars(
            select(CrawlRun)
            .where(
                CrawlRun.target_type == target_type,
                CrawlRun.target_id == target_id,
                # stored times may lose sub-second precision
                CrawlRun.started_at >= since - timedelta(seconds=1),
            )
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(1)
        ).first()
        return None if run is None else (run.outcome, run.detail or "")
