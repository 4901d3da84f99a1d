"""What the homepage-fact rules read: each site's newest observation of a kind
(identity marks, search test, 政务新媒体 directory, column structure) and its unit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from monitor.rules.base import CheckContext
from storage.models import Site, SiteObservation, Unit
from storage.site_facts import latest_site_facts


@dataclass(frozen=True, slots=True)
class SiteUnit:
    """A site with its unit's name and kind (empty kind: not declared)."""

    site_id: str
    name: str
    url: str
    unit: str | None
    unit_kind: str
    unit_id: int | None


def site_units(context: CheckContext) -> dict[str, SiteUnit]:
    """Every active site with its unit (computed once per check)."""
    if "site_units" not in context.memo:
        rows = context.session.execute(
            select(Site.id, Site.name, Site.url, Unit.name, Unit.kind, Site.unit_id)
            .outerjoin(Unit, Unit.id == Site.unit_id)
            .where(Site.active.is_(True))
            .order_by(Site.id)
        )
        context.memo["site_units"] = {
            row[0]: SiteUnit(row[0], row[1], row[2], row[3], (row[4] or "").strip(), row[5])
            for row in rows
        }
    return context.memo["site_units"]


def latest_facts(context: CheckContext, kind: str) -> dict[str, SiteObservation]:
    """Per site, its newest observation of ``kind`` up to the day judged (memoised)."""
    key = ("site_facts", kind)
    if key not in context.memo:
        context.memo[key] = latest_site_facts(context.session, kind, context.cutoff_utc)
    return context.memo[key]
