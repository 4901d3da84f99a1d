"""The state of every column on the day of a check, computed in SQL.

For each active column of an active site, the fetch that speaks for the day judged
(D) and whether it covers D (see ``monitor/coverage.py`` for the whole policy):

- the latest fetch at or before the end of D, when it failed (then the column is
  CHECK_FAILED until a crawl succeeds: nothing is judged from older data) or when it
  read the page on D or within ``observation_grace_days`` before it;
- otherwise the first readable fetch after D, which covers D only when its list
  reaches back to D (an item dated on or before D, or an empty list, which shows the
  column's whole content), so a first crawl can judge the past;
- otherwise none: the day is not covered, and the column is not judged (未能检查).

What the items say is taken as of D: items stated as published after it do not
exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from monitor.rules.base import CheckContext
from storage.clock import to_china_day
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
    fetch_url: str | None  # None: no fetch speaks for the day
    error_class: str | None
    error_detail: str
    list_status: str | None
    items_found: int
    newest_published_on: date | None  # newest stated date not after the day judged
    has_dated_items: bool  # any item with a stated date not after the day judged
    has_undated_items: bool
    fetched_at: datetime | None = None  # when the fetch that speaks for the day ran
    coverage_gap: str = ""  # why the day judged is not covered; "" when it is

    @property
    def target_id(self) -> str:
        """The finding target id of the column."""
        return f"{self.site_id}/{self.column_name}"

    @property
    def failed(self) -> bool:
        """Whether the latest fetch as of the day failed (CHECK_FAILED)."""
        return self.error_class is not None and self.error_class != "ok"

    @property
    def readable(self) -> bool:
        """Whether a readable fetch covers the day judged, so rules may judge it."""
        return self.error_class == "ok" and not self.coverage_gap


def column_states(context: CheckContext, page_kind: str = "column") -> list[ColumnState]:
    """Every judged column's state as of ``context.as_of`` (computed once per check).

    ``page_kind="homepage"`` gives the homepage pseudo-column of each site instead.
    """
    key = ("column_states", page_kind)
    if key not in context.memo:
        context.memo[key] = _query_column_states(context, page_kind)
    return context.memo[key]


def _fetch_columns(fetch):  # type: ignore[no-untyped-def]
    return (
        fetch.url,
        fetch.error_class,
        func.coalesce(fetch.error_detail, ""),
        fetch.list_status,
        func.coalesce(fetch.items_found, 0),
        fetch.fetched_at,
    )


def _query_column_states(context: CheckContext, page_kind: str) -> list[ColumnState]:
    cutoff = context.cutoff_utc
    kind = Fetch.page_kind == page_kind
    latest = (
        select(Fetch.column_id, func.max(Fetch.id).label("fetch_id"))
        .where(kind, Fetch.fetched_at <= cutoff)
        .group_by(Fetch.column_id)
        .subquery()
    )
    last_ok = (
        select(Fetch.column_id, func.max(Fetch.fetched_at).label("at"))
        .where(kind, Fetch.fetched_at <= cutoff, Fetch.error_class == "ok")
        .group_by(Fetch.column_id)
        .subquery()
    )
    later_ok = (
        select(Fetch.column_id, func.min(Fetch.id).label("fetch_id"))
        .where(kind, Fetch.fetched_at > cutoff, Fetch.error_class == "ok")
        .group_by(Fetch.column_id)
        .subquery()
    )
    origin_filter = (
        SiteColumn.origin == "homepage"
        if page_kind == "homepage"
        else SiteColumn.origin != "homepage"
    )
    # Per column, two seeks in the (column_id, published_on) index rather than an
    # aggregate over every item: the cost follows the number of columns, not of items
    # (grouping all items was the largest share of a check on a large database).
    newest = (
        select(func.max(Item.published_on))
        .where(Item.column_id == SiteColumn.id, Item.published_on <= context.as_of)
        .correlate(SiteColumn)
        .scalar_subquery()
    )
    has_undated = (
        select(Item.id)
        .where(Item.column_id == SiteColumn.id, Item.published_on.is_(None))
        .correlate(SiteColumn)
        .exists()
    )
    before = aliased(Fetch)
    after = aliased(Fetch)
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
            newest,
            has_undated,
            last_ok.c.at,
            *_fetch_columns(before),
            after.id,
            *_fetch_columns(after),
        )
        .join(Site, Site.id == SiteColumn.site_id)
        .outerjoin(column_unit, column_unit.id == func.coalesce(SiteColumn.unit_id, Site.unit_id))
        .outerjoin(latest, latest.c.column_id == SiteColumn.id)
        .outerjoin(before, before.id == latest.c.fetch_id)
        .outerjoin(last_ok, last_ok.c.column_id == SiteColumn.id)
        .outerjoin(later_ok, later_ok.c.column_id == SiteColumn.id)
        .outerjoin(after, after.id == later_ok.c.fetch_id)
        .where(and_(Site.active.is_(True), SiteColumn.active.is_(True), origin_filter))
        .order_by(Site.id, SiteColumn.id)
    )
    rows = context.session.execute(statement).all()
    recent_from = cutoff - timedelta(days=context.settings.observation_grace_days + 1)
    later_ids = [row[16] for row in rows if row[16] is not None]
    reach = _later_reach(context, later_ids)
    # Every check holds these states for its whole run (a province has tens of thousands
    # of columns): repeated values share one string object instead of one per row.
    shared: dict[str, str] = {}

    def same(value: Any) -> Any:
        return None if value is None else shared.setdefault(value, value)

    states = []
    for row in rows:
        # The SELECT lists: 7 identity fields (ColumnState's first 7), the newest date and
        # whether undated items exist, the last success, the latest fetch (6 fields), then
        # the later readable fetch's id and its 6 fields.
        base, newest_on, undated, last_ok_at = row[:7], row[7], row[8], row[9]
        counts = (newest_on, newest_on is not None, bool(undated))
        before_fetch, after_id, after_fetch = row[10:16], row[16], row[17:23]
        gap = ""
        if before_fetch[5] is not None and (
            before_fetch[1] != "ok" or before_fetch[5] > recent_from
        ):
            chosen = before_fetch  # failed (CHECK_FAILED), or read on the day or just before
        elif after_id is not None:
            chosen = after_fetch
            reaches, oldest = reach.get(after_id, (0, None))
            if after_fetch[4] and not reaches:
                listed = f"列表最早一条发布于 {oldest}" if oldest else "列表中没有发布日期"
                gap = (
                    f"{context.as_of} 之后的首次成功抓取在 {to_china_day(after_fetch[5])},"
                    f"其{listed},未覆盖 {context.as_of}"
                )
        else:
            chosen = before_fetch
            gap = f"{context.as_of} 当天及之后没有成功的抓取" + (
                f"(最近一次成功抓取在 {to_china_day(last_ok_at)})"
                if last_ok_at is not None
                else "(从未成功抓取)"
            )
        fetch_url, error_class, error_detail, list_status, items_found, fetched_at = chosen
        states.append(
            ColumnState(
                base[0],
                same(base[1]),  # site id, name and unit: one string per site, not per column
                same(base[2]),
                base[3],
                base[4],
                same(base[5]),
                same(base[6]),
                base[4] if fetch_url == base[4] else fetch_url,
                same(error_class),
                same(error_detail),
                same(list_status),
                items_found,
                *counts,
                fetched_at,
                gap,
            )
        )
    return states


def _later_reach(context: CheckContext, fetch_ids: list[int]) -> dict[int, tuple[int, date | None]]:
    """Per later fetch: how many items it listed dated on or before the day judged
    (undated ones do not show they existed then), and the oldest date it listed.

    An item was listed by a fetch when it was first seen at or before it and seen
    again at or after it (``last_seen_at`` moves with every sighting).
    """
    result: dict[int, tuple[int, date | None]] = {}
    for start in range(0, len(fetch_ids), 500):
        chunk = fetch_ids[start : start + 500]
        rows = context.session.execute(
            select(
                Fetch.id,
                func.count(Item.id).filter(Item.published_on <= context.as_of),
                func.min(Item.published_on),
            )
            .join(Item, Item.column_id == Fetch.column_id)
            .where(
                Fetch.id.in_(chunk),
                Item.first_seen_at <= Fetch.fetched_at,
                Item.last_seen_at >= Fetch.fetched_at,
                Item.pinned.is_(False),
            )
            .group_by(Fetch.id)
        )
        for fetch_id, reaching, oldest in rows:
            result[fetch_id] = (int(reaching), oldest)
    return result


def column_observed_from(context: CheckContext) -> dict[int, date]:
    """Per column ever read: the first day its items are known from.

    The oldest date its first readable fetch listed (the list showed everything from
    then on), or that fetch's day when the list had no date. Later crawls add what
    appears, so from that day on the column's items are counted whole.
    """
    key = "column_observed_from"
    if key in context.memo:
        return context.memo[key]
    first_ok = (
        select(Fetch.column_id, func.min(Fetch.id).label("fetch_id"))
        .where(Fetch.error_class == "ok")
        .group_by(Fetch.column_id)
        .subquery()
    )
    rows = context.session.execute(
        select(first_ok.c.column_id, Fetch.fetched_at, func.min(Item.published_on))
        .join(Fetch, Fetch.id == first_ok.c.fetch_id)
        # Items that fetch listed first were stored with its time as first_seen_at: found
        # through the (column_id, first_seen_at) index instead of scanning every item.
        .outerjoin(
            Item,
            (Item.column_id == first_ok.c.column_id) & (Item.first_seen_at == Fetch.fetched_at),
        )
        .group_by(first_ok.c.column_id, Fetch.fetched_at)
    )
    result = {
        column_id: min(oldest, to_china_day(fetched_at)) if oldest else to_china_day(fetched_at)
        for column_id, fetched_at, oldest in rows
    }
    context.memo[key] = result
    return result
