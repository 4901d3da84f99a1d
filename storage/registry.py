"""The registry tables kept in step with a validated targets file.

Loading a file again updates rows in place. Targets that disappeared from the file
are deactivated, not deleted, so the observations and findings about them stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.platforms.base import AccountRef
from govwatch.targets_file import TargetsFile
from storage.clock import utcnow
from storage.models import Account, Item, Site, SiteColumn, Unit


@dataclass
class SyncSummary:
    """What a load changed, for the operator."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def _unit_ids(session: Session, targets: TargetsFile, summary: SyncSummary) -> dict[str, int]:
    existing = {unit.name: unit for unit in session.scalars(select(Unit))}
    for spec in targets.units:
        unit = existing.get(spec.name)
        if unit is None:
            unit = Unit(name=spec.name, kind=spec.kind)
            session.add(unit)
            existing[spec.name] = unit
            summary.added.append(f"单位 {spec.name}")
        else:
            unit.kind, unit.active = spec.kind, True
    session.flush()
    return {name: unit.id for name, unit in existing.items()}


def sync_targets(session: Session, targets: TargetsFile) -> SyncSummary:
    """Upsert ``targets`` into the registry tables of ``session``'s database."""
    summary = SyncSummary()
    unit_ids = _unit_ids(session, targets, summary)

    def unit_id(name: str | None) -> int | None:
        return unit_ids[name] if name is not None else None

    sites = {site.id: site for site in session.scalars(select(Site))}
    for spec in targets.sites:
        site = sites.get(spec.id)
        if site is None:
            site = Site(id=spec.id)
            session.add(site)
            summary.added.append(f"网站 {spec.id}")
        else:
            summary.updated.append(f"网站 {spec.id}")
        site.name, site.url, site.unit_id = spec.name, spec.url, unit_id(spec.unit)
        site.site_code, site.discover_columns = spec.site_code, spec.discover_columns
        site.active, site.updated_at = True, utcnow()
        session.flush()
        columns = {
            column.name: column
            for column in session.scalars(select(SiteColumn).where(SiteColumn.site_id == spec.id))
        }
        for column_spec in spec.columns:
            column = columns.pop(column_spec.name, None)
            if column is None:
                column = SiteColumn(site_id=spec.id, name=column_spec.name)
                session.add(column)
            column.url, column.category = column_spec.url, column_spec.category
            column.unit_id = unit_id(column_spec.unit or spec.unit)
            column.render, column.origin, column.active = column_spec.render, "registered", True
            column.selectors = (
                column_spec.selectors.model_dump(exclude_none=True)
                if column_spec.selectors
                else None
            )
        for leftover in columns.values():
            if leftover.origin == "registered" and leftover.active:
                leftover.active = False
                summary.deactivated.append(f"栏目 {leftover.target_id}")
    listed_sites = {spec.id for spec in targets.sites}
    for site_id, site in sites.items():
        if site_id not in listed_sites and site.active:
            site.active = False
            summary.deactivated.append(f"网站 {site_id}")

    accounts = {account.id: account for account in session.scalars(select(Account))}
    for account_spec in targets.accounts:
        account = accounts.get(account_spec.id)
        if account is None:
            account = Account(id=account_spec.id)
            session.add(account)
            summary.added.append(f"账号 {account_spec.id}")
        else:
            summary.updated.append(f"账号 {account_spec.id}")
        account.name, account.platform = account_spec.name, account_spec.platform
        account.uid, account.feed = account_spec.uid, account_spec.feed
        account.unit_id, account.active = unit_id(account_spec.unit), True
        account.updated_at = utcnow()
    listed_accounts = {spec.id for spec in targets.accounts}
    for account_id, account in accounts.items():
        if account_id not in listed_accounts and account.active:
            account.active = False
            summary.deactivated.append(f"账号 {account_id}")
    session.flush()
    return summary


@dataclass(frozen=True)
class ColumnPlan:
    """What a crawl needs to know about one column."""

    name: str
    url: str
    category: str
    render: str
    selectors: dict[str, str] | None
    origin: str
    column_id: int | None = None  # None: a column found by this crawl, not yet stored


@dataclass(frozen=True)
class SitePlan:
    """What a crawl of one site reads: its homepage and its active columns."""

    site_id: str
    name: str
    url: str
    discover_columns: bool
    columns: tuple[ColumnPlan, ...]


class UnknownTargetError(LookupError):
    """A target id that is not registered (or was removed from the targets file)."""


#: How many registered ids a message lists before pointing to ``targets list``.
LISTED_IDS = 10
LIST_HINT = "用 govwatch targets list 查看全部检查对象"


def known_targets_hint(session: Session, model: type[Site] | type[Account]) -> str:
    """What an operator may give instead of an unknown id: the first ids, and where to
    see them all (a region registers hundreds)."""
    ids = list(
        session.scalars(
            select(model.id).where(model.active.is_(True)).order_by(model.id).limit(LISTED_IDS + 1)
        )
    )
    if not ids:
        return "还没有登记任何检查对象,请先运行 govwatch targets load FILE"
    more = " 等" if len(ids) > LISTED_IDS else ""
    return f"已登记: {', '.join(ids[:LISTED_IDS])}{more}({LIST_HINT})"


def site_crawl_plan(session: Session, site_id: str) -> SitePlan:
    """The crawl plan of a registered, active site."""
    site = session.get(Site, site_id)
    if site is None or not site.active:
        raise UnknownTargetError(
            f"网站 {site_id!r} 未登记或已停用;{known_targets_hint(session, Site)}"
        )
    columns = session.scalars(
        select(SiteColumn)
        .where(
            SiteColumn.site_id == site_id,
            SiteColumn.active.is_(True),
            # The homepage's pseudo-column (its items) is read as the homepage, not
            # fetched a second time as a column.
            SiteColumn.origin != "homepage",
        )
        .order_by(SiteColumn.id)
    )
    return SitePlan(
        site_id=site.id,
        name=site.name,
        url=site.url,
        discover_columns=site.discover_columns,
        columns=tuple(
            ColumnPlan(c.name, c.url, c.category, c.render, c.selectors, c.origin, c.id)
            for c in columns
        ),
    )


def register_adhoc_site(session: Session, url: str) -> str:
    """Register an unlisted site for an ad-hoc crawl; its id is derived from the host."""
    from urllib.parse import urlparse

    host = urlparse(url).hostname or "site"
    site_id = "adhoc-" + "".join(ch if ch.isalnum() else "-" for ch in host.lower())
    site = session.get(Site, site_id)
    if site is None:
        site = Site(id=site_id, name=host, url=url, discover_columns=True)
        session.add(site)
    site.url, site.active, site.discover_columns = url, True, True
    session.flush()
    return site_id


def account_ref(session: Session, account_id: str) -> AccountRef:
    """What the platform adapters need to know about a registered, active account."""
    account = session.get(Account, account_id)
    if account is None or not account.active:
        raise UnknownTargetError(
            f"账号 {account_id!r} 未登记或已停用;{known_targets_hint(session, Account)}"
        )
    return AccountRef(account.id, account.platform, account.uid, account.feed, account.name)


def known_item_urls(session: Session, site_id: str) -> set[str]:
    """Every item URL already stored for a site's columns (to tell new items from old)."""
    # Through the connection: a site's every item URL, without the ORM's row handling.
    return set(
        session.connection().scalars(
            select(Item.url)
            .join(SiteColumn, SiteColumn.id == Item.column_id)
            .where(SiteColumn.site_id == site_id)
        )
    )
