"""Writing and reading site observations (footer identity, search test, new-media
directory, column structure): one row per observation, the newest one counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage.models import SiteObservation


def record_site_fact(
    session: Session,
    crawl_run_id: int | None,
    site_id: str,
    kind: str,
    ok: bool,
    url: str,
    data: dict[str, Any],
    detail: str,
    seen_at: datetime,
) -> None:
    """Store one observation of a site."""
    session.add(
        SiteObservation(
            crawl_run_id=crawl_run_id,
            site_id=site_id,
            kind=kind,
            observed_at=seen_at,
            ok=ok,
            url=url[:2000],
            data=data,
            detail=detail[:2000],
        )
    )


def latest_site_facts(session: Session, kind: str, cutoff: datetime) -> dict[str, SiteObservation]:
    """Per site, its newest observation of ``kind`` at or before ``cutoff``."""
    newest = (
        select(SiteObservation.site_id, func.max(SiteObservation.id).label("fact_id"))
        .where(SiteObservation.kind == kind, SiteObservation.observed_at <= cutoff)
        .group_by(SiteObservation.site_id)
        .subquery()
    )
    chosen = aliased(SiteObservation)
    rows = session.scalars(select(chosen).join(newest, newest.c.fact_id == chosen.id))
    return {row.site_id: row for row in rows}
