"""Site health as of the day of a check, from stored probes, link checks and site checks."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from monitor.rules.base import CheckContext
from storage.models import LinkCheck, Probe, Site, SiteCheck, Unit


@dataclass(frozen=True, slots=True)
class ProbeWindow:
    """A site's homepage probes over the window ending on the day judged."""

    site_id: str
    site_name: str
    url: str
    unit: str | None
    probes: int
    failed: int
    probe_days: int  # distinct days with probes
    last_failure_detail: str

    @property
    def failed_share(self) -> float:
        """Failed probes as a share of all probes in the window."""
        return self.failed / self.probes if self.probes else 0.0


@dataclass(frozen=True, slots=True)
class SiteIdentity:
    """A site's name, homepage and unit."""

    site_id: str
    name: str
    url: str
    unit: str | None


def sites(context: CheckContext) -> dict[str, SiteIdentity]:
    """Every active site (computed once per check)."""
    if "sites" not in context.memo:
        rows = context.session.execute(
            select(Site.id, Site.name, Site.url, Unit.name)
            .outerjoin(Unit, Unit.id == Site.unit_id)
            .where(Site.active.is_(True))
        )
        context.memo["sites"] = {row[0]: SiteIdentity(*row) for row in rows}
    return context.memo["sites"]


def probe_windows(context: CheckContext, window_days: int) -> list[ProbeWindow]:
    """Probe counts per active site over the ``window_days`` ending on the day judged."""
    start = context.cutoff_utc - timedelta(days=window_days)
    in_window = (Probe.probed_at > start) & (Probe.probed_at <= context.cutoff_utc)
    counts = {
        row[0]: tuple(row[1:])
        for row in context.session.execute(
            select(
                Probe.site_id,
                func.count(Probe.id),
                func.count(Probe.id).filter(Probe.ok.is_(False)),
                func.count(func.distinct(func.date(Probe.probed_at))),
            )
            .where(in_window)
            .group_by(Probe.site_id)
        )
    }
    last_failure = dict(
        context.session.execute(
            select(Probe.site_id, func.max(Probe.detail))
            .where(in_window, Probe.ok.is_(False))
            .group_by(Probe.site_id)
        ).all()
    )
    windows = []
    for site in sites(context).values():
        total, failed, days = counts.get(site.site_id, (0, 0, 0))
        windows.append(
            ProbeWindow(
                site.site_id,
                site.name,
                site.url,
                site.unit,
                total,
                failed,
                days,
                last_failure.get(site.site_id) or "",
            )
        )
    return windows


@dataclass(frozen=True, slots=True)
class FailedLink:
    """A link or image of a site's latest link check that did not open."""

    url: str
    kind: str  # link | image
    found_on: list[str]
    on_homepage: bool
    external: bool
    problem: str | None
    http_status: int | None


@dataclass(frozen=True, slots=True)
class LinkCheckState:
    """The latest link check at or before the cut-off: which sites had one, and per site
    what failed in it. Only the failures are read: a province's check holds hundreds of
    thousands of links that opened, and the rules need none of them (issue 17)."""

    checked_sites: frozenset[str]
    failed: dict[str, list[FailedLink]]


def latest_link_checks(context: CheckContext) -> LinkCheckState:
    """Per site, its latest checked crawl run at or before the cut-off and its failures."""
    if "link_checks" in context.memo:
        return context.memo["link_checks"]
    latest = (
        select(LinkCheck.site_id, func.max(LinkCheck.crawl_run_id).label("run_id"))
        .where(LinkCheck.checked_at <= context.cutoff_utc)
        .group_by(LinkCheck.site_id)
        .subquery()
    )
    checked_sites = frozenset(context.session.scalars(select(latest.c.site_id)))
    # FailedLink's fields are LinkCheck's columns of the same names, in its order.
    link_columns = [getattr(LinkCheck, field.name) for field in fields(FailedLink)]
    rows = context.session.execute(
        select(LinkCheck.site_id, *link_columns)
        .join(
            latest,
            (latest.c.site_id == LinkCheck.site_id) & (latest.c.run_id == LinkCheck.crawl_run_id),
        )
        .where(LinkCheck.ok.is_(False))
        .order_by(LinkCheck.site_id, LinkCheck.id)
    )
    failed: dict[str, list[FailedLink]] = {}
    for site_id, *values in rows:
        failed.setdefault(site_id, []).append(FailedLink(*values))
    state = LinkCheckState(checked_sites, failed)
    context.memo["link_checks"] = state
    return state


def latest_site_checks(context: CheckContext, kind: str) -> dict[str, SiteCheck]:
    """Per site, its latest check of ``kind`` (ipv6 | tls) at or before the cut-off."""
    newest = (
        select(SiteCheck.site_id, func.max(SiteCheck.id).label("check_id"))
        .where(SiteCheck.kind == kind, SiteCheck.checked_at <= context.cutoff_utc)
        .group_by(SiteCheck.site_id)
        .subquery()
    )
    chosen = aliased(SiteCheck)
    rows = context.session.scalars(select(chosen).join(newest, newest.c.check_id == chosen.id))
    return {row.site_id: row for row in rows}
