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
    items = tuple(
        ListedItem(f"{name}{index}", f"http://h.gov.cn/{name}/{index}.html", day)
        for index, day in enumerate(published)
    )
    listing = None
    if error_class == "ok":
        listing = ListPage(items, status or ("ok" if items else "empty"))
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
