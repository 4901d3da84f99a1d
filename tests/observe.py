"""Building stored observations directly, for rule tests that need no crawl."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from crawler.extract.types import ListedItem, ListPage
from crawler.observations import ColumnRef, PageObservation
from govwatch.targets_file import parse_targets
from storage.db import session_scope
from storage.observations import record_page
from storage.registry import sync_targets


def register_columns(columns: dict[str, str], site_id: str = "s") -> None:
    """Register site ``site_id`` with columns name -> category."""
    lines = "\n".join(
        f"      - {{name: {name}, url: 'http://h.gov.cn/{index}/', category: {category}}}"
        for index, (name, category) in enumerate(columns.items())
    )
    text = f"""
units: [{{name: 办公室}}]
sites:
  - id: {site_id}
    name: 某县政府
    url: http://h.gov.cn/
    unit: 办公室
    columns:
{lines}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))


def observe_column(
    name: str,
    published: list[date | None],
    seen_at: datetime,
    *,
    site_id: str = "s",
    error_class: str = "ok",
    status: str | None = None,
    homepage: bool = False,
) -> None:
    """Store one fetch of column ``name`` (or of the homepage) listing items with these dates."""
    # URLs follow the date (and its repeat count), so a later crawl listing more items
    # keeps the URLs of the ones it shares with an earlier crawl, as real sites do.
    seen_days: dict[date | None, int] = {}
    items = []
    for day in published:
        repeat = seen_days[day] = seen_days.get(day, -1) + 1
        slug = f"{day.isoformat() if day else 'undated'}-{repeat}"
        items.append(ListedItem(f"{name}{slug}", f"http://h.gov.cn/{name}/{slug}.html", day))
    listing = None
    if error_class == "ok":
        listing = ListPage(tuple(items), status or ("ok" if items else "empty"))
    page = PageObservation(
        site_id,
        "homepage" if homepage else "column",
        f"http://h.gov.cn/{name}/",
        200 if error_class == "ok" else 500,
        error_class,
        "" if error_class == "ok" else "HTTP 500",
        ColumnRef(
            name, f"http://h.gov.cn/{name}/", origin="homepage" if homepage else "registered"
        ),
        listing,
    )
    with session_scope() as session:
        record_page(session, None, page, seen_at)


def days_before(day: date, *ages: int) -> list[date | None]:
    """Dates ``ages`` days before ``day``."""
    return [day - timedelta(days=age) for age in ages]


def add_posts(
    account_id: str,
    days: list[date],
    platform: str = "weibo",
    *,
    seen_at: datetime = datetime(2026, 9, 30, 2),
    complete_from: date | None = date.min,
    error_class: str = "ok",
    block_reason: str | None = None,
) -> None:
    """Register account ``account_id`` (if needed) and store one read of its timeline.

    ``complete_from``: from which day the platform proved the timeline complete (None:
    a partial read); ``error_class`` other than ok: a failed read (no posts).
    """
    from crawler.observations import AccountPageObservation
    from crawler.platforms.base import Post
    from storage.clock import CHINA_TZ
    from storage.models import Account
    from storage.observations import finish_crawl_run, record_account_page, start_crawl_run

    with session_scope() as session:
        if session.get(Account, account_id) is None:
            session.add(Account(id=account_id, name=f"{account_id}号", platform=platform, uid="1"))
            session.flush()
        run_id = start_crawl_run(session, "account", account_id)
        posts = tuple(
            Post(
                f"{account_id}-{day}-{index}",
                f"http://m.weibo.cn/{account_id}/{index}",
                f"第{index}条",
                datetime(day.year, day.month, day.day, 10, tzinfo=CHINA_TZ),
                False,
                False,
            )
            for index, day in enumerate(days)
        )
        if error_class == "ok":
            page = AccountPageObservation(
                account_id, "http://m.weibo.cn/api", 1, 200, "ok", None, "", posts, complete_from
            )
        else:
            page = AccountPageObservation(
                account_id, "http://m.weibo.cn/api", 1, 200, error_class, block_reason, "拒绝"
            )
        record_account_page(session, run_id, page, seen_at)
        finish_crawl_run(session, run_id)
