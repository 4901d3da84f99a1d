"""Counting queries the reports and the dashboard read: items per unit per month, posts
per account per month, newest posts, per-column summaries, newest items and findings.

Every count is a SQL ``GROUP BY``; Python only fills the months nobody published in
with zeros. Months are grouped with ``extract`` (SQLite and PostgreSQL both compile
it) so the same query runs in tests on either database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from storage.clock import CHINA_TZ, to_china_day
from storage.models import Account, AccountFetch, Fetch, Finding, Item, Post, Site, SiteColumn, Unit


def month_keys(start: date, end: date) -> list[str]:
    """The months ("YYYY-MM") that the period [start, end] touches, in order."""
    keys = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _month_key(year: object, month: object) -> str:
    # PostgreSQL's extract returns numeric (Decimal), SQLite's an integer.
    return f"{int(year):04d}-{int(month):02d}"  # type: ignore[call-overload]


def _year_month(column: ColumnElement[date]) -> tuple[ColumnElement[int], ColumnElement[int]]:
    return func.extract("year", column), func.extract("month", column)


@dataclass(frozen=True, slots=True)
class UnitMonthCount:
    """Items a unit published in one month of a period, in the columns it maintains."""

    unit_name: str
    unit_kind: str
    month: str  # YYYY-MM
    count: int
    maintains_columns: bool  # False: the unit is registered but maintains no site column


@dataclass(frozen=True, slots=True)
class AccountMonthCount:
    """Posts one account published in one month of a period."""

    account_id: str
    account_name: str
    platform: str
    unit_name: str | None
    month: str  # YYYY-MM
    count: int


def _unit_of_column() -> ColumnElement[int | None]:
    # A column without its own unit is maintained by the site's unit.
    return func.coalesce(SiteColumn.unit_id, Site.unit_id)


def unit_monthly_item_counts(session: Session, start: date, end: date) -> list[UnitMonthCount]:
    """Items per active unit per month, published in [start, end], homepage excluded.

    Every active unit appears for every month of the period (0 where it published
    nothing), ordered by unit name then month.
    """
    unit_id = _unit_of_column()
    year, month = _year_month(Item.published_on)
    counted = session.execute(
        select(unit_id, year, month, func.count(Item.id))
        .join(SiteColumn, SiteColumn.id == Item.column_id)
        .join(Site, Site.id == SiteColumn.site_id)
        .where(
            SiteColumn.origin != "homepage",
            Item.published_on >= start,
            Item.published_on <= end,
        )
        .group_by(unit_id, year, month)
    )
    per_unit_month = {
        (owner, _month_key(year_value, month_value)): count
        for owner, year_value, month_value, count in counted
        if owner is not None
    }
    maintaining = set(
        session.scalars(
            select(unit_id)
            .select_from(SiteColumn)
            .join(Site, Site.id == SiteColumn.site_id)
            .where(SiteColumn.active.is_(True), SiteColumn.origin != "homepage")
            .distinct()
        )
    )
    units = session.execute(
        select(Unit.id, Unit.name, Unit.kind).where(Unit.active.is_(True)).order_by(Unit.name)
    ).all()
    months = month_keys(start, end)
    return [
        UnitMonthCount(
            name, kind or "", key, per_unit_month.get((unit_pk, key), 0), unit_pk in maintaining
        )
        for unit_pk, name, kind in units
        for key in months
    ]


def account_monthly_post_counts(
    session: Session, start: date, end: date
) -> list[AccountMonthCount]:
    """Posts per active account per month published in [start, end] (China calendar days).

    Every active account appears for every month of the period, ordered by account id.
    """
    year, month = _year_month(Post.published_on)
    counted = session.execute(
        select(Post.account_id, year, month, func.count(Post.id))
        .where(Post.published_on >= start, Post.published_on <= end)
        .group_by(Post.account_id, year, month)
    )
    per_account_month = {
        (account_id, _month_key(year_value, month_value)): count
        for account_id, year_value, month_value, count in counted
    }
    accounts = session.execute(
        select(Account.id, Account.name, Account.platform, Unit.name)
        .outerjoin(Unit, Unit.id == Account.unit_id)
        .where(Account.active.is_(True))
        .order_by(Account.id)
    ).all()
    months = month_keys(start, end)
    return [
        AccountMonthCount(
            account_id,
            name,
            platform,
            unit_name,
            key,
            per_account_month.get((account_id, key), 0),
        )
        for account_id, name, platform, unit_name in accounts
        for key in months
    ]


def newest_post_days(session: Session, on_or_before: date) -> dict[str, date]:
    """Each account's newest post day, counting only posts published by ``on_or_before``."""
    rows = session.execute(
        select(Post.account_id, func.max(Post.published_on))
        .where(Post.published_on <= on_or_before)
        .group_by(Post.account_id)
    )
    return {account_id: newest for account_id, newest in rows if newest is not None}


def site_monthly_item_counts(
    session: Session, site_id: str, start: date, end: date
) -> dict[str, int]:
    """Items per month published in [start, end] on one site (homepage excluded)."""
    year, month = _year_month(Item.published_on)
    rows = session.execute(
        select(year, month, func.count(Item.id))
        .join(SiteColumn, SiteColumn.id == Item.column_id)
        .where(
            SiteColumn.site_id == site_id,
            SiteColumn.origin != "homepage",
            Item.published_on >= start,
            Item.published_on <= end,
        )
        .group_by(year, month)
    )
    counts = dict.fromkeys(month_keys(start, end), 0)
    for year_value, month_value, count in rows:
        counts[_month_key(year_value, month_value)] = count
    return counts


def _month_end(key: str) -> date:
    """The last day of month ``YYYY-MM``."""
    year, month = int(key[:4]), int(key[5:7])
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def account_observed_span(session: Session, account_id: str) -> tuple[date, date] | None:
    """The days an account's timeline was read over: (from, until); None: never read.

    From the earliest of what its readable crawls proved complete (``complete_from``)
    and the oldest post they read (a timeline is read newest first, so everything from
    that post on was seen), until the day of its last readable read.
    """
    complete, last_read = session.execute(
        select(func.min(AccountFetch.complete_from), func.max(AccountFetch.fetched_at)).where(
            AccountFetch.account_id == account_id, AccountFetch.error_class == "ok"
        )
    ).one()
    if last_read is None:
        return None
    oldest = session.scalar(
        select(func.min(Post.published_on)).where(
            Post.account_id == account_id, Post.pinned.is_(False)
        )
    )
    until = to_china_day(last_read)
    days = [day for day in (complete, oldest) if day is not None]
    return (min(days) if days else until), until


def account_monthly_counts(
    session: Session, account_id: str, start: date, end: date
) -> dict[str, int | None]:
    """Posts per month published in [start, end] by one account.

    A month wholly before the account was first read, or after its last read, is None
    (未观测), not 0.
    """
    year, month = _year_month(Post.published_on)
    rows = session.execute(
        select(year, month, func.count(Post.id))
        .where(
            Post.account_id == account_id,
            Post.published_on >= start,
            Post.published_on <= end,
        )
        .group_by(year, month)
    )
    span = account_observed_span(session, account_id)
    counts: dict[str, int | None] = {
        key: 0
        if span is not None and _month_end(key) >= span[0] and f"{span[1]:%Y-%m}" >= key
        else None
        for key in month_keys(start, end)
    }
    for year_value, month_value, count in rows:
        counts[_month_key(year_value, month_value)] = count
    return counts


@dataclass(frozen=True, slots=True)
class ColumnSummary:
    """One column of a site as the dashboard lists it."""

    column_id: int
    name: str
    category: str
    url: str
    origin: str
    unit_name: str | None
    item_count: int
    newest_published_on: date | None
    last_fetched_at: datetime | None
    # How the newest fetch of the column ended: a column that answered 500 is not an
    # empty column, and the page must not show it as one.
    last_error_class: str | None = None
    last_http_status: int | None = None

    @property
    def last_fetched_china(self) -> datetime | None:
        """The last fetch time in China time (stored times are naive UTC)."""
        if self.last_fetched_at is None:
            return None
        return self.last_fetched_at.replace(tzinfo=UTC).astimezone(CHINA_TZ)

    @property
    def last_fetch_failed(self) -> bool:
        """Whether the newest fetch could not read the column."""
        return self.last_error_class not in (None, "ok")

    @property
    def failure_label(self) -> str:
        """The newest fetch's failure in words, e.g. ``读取失败(HTTP 500)``."""
        if not self.last_fetch_failed:
            return ""
        if self.last_http_status and self.last_error_class == "http_error":
            return f"读取失败(HTTP {self.last_http_status})"
        return f"读取失败({self.last_error_class})"


def column_summaries(session: Session, site_id: str) -> list[ColumnSummary]:
    """A site's active columns with their item count, newest item and last fetch."""
    items = (
        select(
            Item.column_id.label("column_id"),
            func.count(Item.id).label("item_count"),
            func.max(Item.published_on).label("newest"),
        )
        .group_by(Item.column_id)
        .subquery()
    )
    fetches = (
        select(Fetch.column_id.label("column_id"), func.max(Fetch.fetched_at).label("fetched"))
        .where(Fetch.site_id == site_id)
        .group_by(Fetch.column_id)
        .subquery()
    )
    rows = session.execute(
        select(
            SiteColumn.id,
            SiteColumn.name,
            SiteColumn.category,
            SiteColumn.url,
            SiteColumn.origin,
            Unit.name,
            func.coalesce(items.c.item_count, 0),
            items.c.newest,
            fetches.c.fetched,
        )
        .join(Site, Site.id == SiteColumn.site_id)
        .outerjoin(Unit, Unit.id == _unit_of_column())
        .outerjoin(items, items.c.column_id == SiteColumn.id)
        .outerjoin(fetches, fetches.c.column_id == SiteColumn.id)
        .where(SiteColumn.site_id == site_id, SiteColumn.active.is_(True))
        .order_by(SiteColumn.origin != "homepage", SiteColumn.id)
    )
    summaries = [ColumnSummary(*row) for row in rows]
    newest_fetch = (
        select(Fetch.column_id, Fetch.error_class, Fetch.http_status)
        .where(Fetch.site_id == site_id, Fetch.column_id.is_not(None))
        .order_by(Fetch.column_id, Fetch.fetched_at.desc(), Fetch.id.desc())
    )
    last: dict[int, tuple[str, int | None]] = {}
    for column_id, error_class, http_status in session.execute(newest_fetch):
        last.setdefault(column_id, (error_class, http_status))
    for index, summary in enumerate(summaries):
        if summary.column_id in last:
            error_class, http_status = last[summary.column_id]
            summaries[index] = replace(
                summary, last_error_class=error_class, last_http_status=http_status
            )
    return summaries


@dataclass(frozen=True, slots=True)
class ListedEntry:
    """An item or a post, as a newest-first list shows it."""

    title: str
    url: str
    published_on: date | None
    where: str  # the column name (items) or "" (posts)


def newest_site_items(session: Session, site_id: str, limit: int = 20) -> list[ListedEntry]:
    """A site's newest items by published date (undated ones last), each article once.

    An article linked from the homepage and listed in its column is one row per place
    in ``items``; it is shown once, under its column rather than 首页.
    """
    rows = session.execute(
        select(Item.title, Item.url, Item.published_on, SiteColumn.name, SiteColumn.origin)
        .join(SiteColumn, SiteColumn.id == Item.column_id)
        .where(SiteColumn.site_id == site_id)
        .order_by(Item.published_on.desc().nulls_last(), Item.id.desc())
        .limit(limit * 3)  # room for the duplicates dropped below
    )
    entries: dict[str, ListedEntry] = {}
    for title, url, published_on, where, origin in rows:
        seen = entries.get(url)
        if seen is None:
            entries[url] = ListedEntry(title, url, published_on, where)
        elif origin != "homepage":
            entries[url] = ListedEntry(title, url, published_on, where)  # its column wins
    return list(entries.values())[:limit]


def newest_account_posts(session: Session, account_id: str, limit: int = 20) -> list[ListedEntry]:
    """An account's newest posts."""
    rows = session.execute(
        select(Post.title, Post.url, Post.published_on)
        .where(Post.account_id == account_id)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return [ListedEntry(title, url, published_on, "") for title, url, published_on in rows]


def open_finding_counts(session: Session) -> dict[str, int]:
    """Open findings per severity (veto, deduction, info)."""
    rows = session.execute(
        select(Finding.severity, func.count(Finding.id))
        .where(Finding.status == "open")
        .group_by(Finding.severity)
    )
    return {severity: count for severity, count in rows}


def newest_findings(
    session: Session, severities: Sequence[str] = ("veto",), limit: int = 10
) -> list[Finding]:
    """The open findings of these severities first seen most recently."""
    return list(
        session.scalars(
            select(Finding)
            .where(Finding.status == "open", Finding.severity.in_(severities))
            .order_by(Finding.first_seen.desc(), Finding.id.desc())
            .limit(limit)
        )
    )


def registered_counts(session: Session) -> dict[str, int]:
    """How many active sites, columns (homepage excluded), accounts and units are registered."""
    return {
        "sites": session.scalar(select(func.count(Site.id)).where(Site.active.is_(True))) or 0,
        "columns": session.scalar(
            select(func.count(SiteColumn.id)).where(
                SiteColumn.active.is_(True), SiteColumn.origin != "homepage"
            )
        )
        or 0,
        "accounts": session.scalar(select(func.count(Account.id)).where(Account.active.is_(True)))
        or 0,
        "units": session.scalar(select(func.count(Unit.id)).where(Unit.active.is_(True))) or 0,
    }
