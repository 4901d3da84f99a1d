"""The state of every column on the day of a check, computed in SQL.

For each active column of an active site: the fetch that speaks for that day (the
last one at or before the cut-off; for a day before the first crawl, the first one
after it, so a first crawl can judge the past), how it ended, and what its items say
about that day (items stated as published after it do not exist yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from monitor.rules.base import CheckContext
from storage.models import Fetch, Item, Site, SiteColumn, Unit


@dataclass(frozen=True, slots=True)
class ColumnState:
    """One column as a check sees it."""

    column_id: int
    site_id: str
    site_name: str
    column_name: str
    column_url: str
    category: str
    unit: str | None
    fetch_url: str | None  # None: never fetched
    error_class: str | None
    error_detail: str
    list_status: str | None
    items_found: int
    newest_published_on: date | None  # newest stated date not after the day judged
    dated_items: int  # items with a stated date not after the day judged
    undated_items: int

    @property
    def target_id(self) -> str:
        """The finding target id of the column."""
        return f"{self.site_id}/{self.column_name}"

    @property
    def readable(self) -> bool:
        """Whether the fetch that speaks for the day read the page."""
        return self.error_class == "ok"


def column_states(context: CheckContext, page_kind: str = "column") -> list[ColumnState]:
    """Every judged column's state as of ``context.as_of`` (computed once per check).

    ``page_kind="homepage"`` gives the homepage pseudo-column of each site instead.
    """
    key = ("column_states", page_kind)
    if key not in context.memo:
        context.memo[key] = _query_column_states(context, page_kind)
    return context.memo[key]


def _query_column_states(context: CheckContext, page_kind: str) -> list[ColumnState]:
    before = (
        select(Fetch.column_id, func.max(Fetch.id).label("fetch_id"))
        .where(Fetch.page_kind == page_kind, Fetch.fetched_at <= context.cutoff_utc)
        .group_by(Fetch.column_id)
        .subquery()
    )
    after = (
        select(Fetch.column_id, func.min(Fetch.id).label("fetch_id"))
        .where(Fetch.page_kind == page_kind, Fetch.fetched_at > context.cutoff_utc)
        .group_by(Fetch.column_id)
        .subquery()
    )
    origin_filter = (
        SiteColumn.origin == "homepage"
        if page_kind == "homepage"
        else SiteColumn.origin != "homepage"
    )
    # Only this page kind's columns: the homepage call otherwise scans every item too.
    items = (
        select(
            Item.column_id,
            func.max(Item.published_on).filter(Item.published_on <= context.as_of).label("newest"),
            func.count(Item.id).filter(Item.published_on <= context.as_of).label("dated"),
            func.count(Item.id).filter(Item.published_on.is_(None)).label("undated"),
        )
        .where(Item.column_id.in_(select(SiteColumn.id).where(origin_filter)))
        .group_by(Item.column_id)
        .subquery()
    )
    chosen = aliased(Fetch)
    column_unit = aliased(Unit)
    statement = (
        select(
            SiteColumn.id,
            Site.id,
            Site.name,
            SiteColumn.name,
            SiteColumn.url,
            SiteColumn.category,
            column_unit.name,
            chosen.url,
            chosen.error_class,
            func.coalesce(chosen.error_detail, ""),
            chosen.list_status,
            func.coalesce(chosen.items_found, 0),
            items.c.newest,
            func.coalesce(items.c.dated, 0),
            func.coalesce(items.c.undated, 0),
        )
        .join(Site, Site.id == SiteColumn.site_id)
        .outerjoin(column_unit, column_unit.id == func.coalesce(SiteColumn.unit_id, Site.unit_id))
        .outerjoin(before, before.c.column_id == SiteColumn.id)
        .outerjoin(after, after.c.column_id == SiteColumn.id)
        .outerjoin(chosen, chosen.id == func.coalesce(before.c.fetch_id, after.c.fetch_id))
        .outerjoin(items, items.c.column_id == SiteColumn.id)
        .where(and_(Site.active.is_(True), SiteColumn.active.is_(True), origin_filter))
        .order_by(Site.id, SiteColumn.id)
    )
    # The SELECT lists the columns in ColumnState's field order.
    return [ColumnState(*row) for row in context.session.execute(statement)]
