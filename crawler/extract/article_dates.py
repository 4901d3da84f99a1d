"""Filling a list's missing dates from its articles' own publish dates.

Some columns print no date in the list; the indicators count an item without a date
as no update unless the article itself states one. The spider opens the newest few
undated articles and hands their dates here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from crawler.extract.types import ListPage


def undated_urls(listing: ListPage, limit: int) -> list[str]:
    """The first ``limit`` undated items' URLs, in page order (newest first on these sites)."""
    return [item.url for item in listing.items if item.published_on is None][:limit]


def with_article_dates(listing: ListPage, found: Mapping[str, date | datetime | None]) -> ListPage:
    """``listing`` with dates read from articles filled into the items that had none."""
    items = []
    for item in listing.items:
        published = found.get(item.url)
        if item.published_on is None and published is not None:
            if isinstance(published, datetime):
                item = replace(item, published_on=published.date(), published_at=published)
            else:
                item = replace(item, published_on=published)
        items.append(item)
    return replace(listing, items=tuple(items))
