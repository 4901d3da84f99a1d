"""A column list's reading (:class:`ListPage`) as JSON text and back, unchanged.

The crawl keeps the reading of every list page (``storage/page_listings.py``) so a
page that comes back byte for byte the same is not read again
(``crawler/listing_cache.py``). Written by hand over the standard ``json`` module:
the two value types are small and flat, and a generic serializer would need to be
taught dates, datetimes and tuples all the same.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from crawler.extract.types import ListedItem, ListPage


def listing_to_json(listing: ListPage) -> str:
    """``listing`` as compact JSON text (keys short: a province keeps tens of thousands)."""
    return json.dumps(
        {
            "items": [_item_fields(item) for item in listing.items],
            "status": listing.status,
            "detail": listing.detail,
            "next": list(listing.next_page_urls),
            "doubts": list(listing.doubts),
            "review": listing.review_reason,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def listing_from_json(text: str) -> ListPage:
    """The :class:`ListPage` :func:`listing_to_json` wrote (``ValueError`` if it is not one)."""
    try:
        data = json.loads(text)
        return ListPage(
            items=tuple(_item(fields) for fields in data["items"]),
            status=data["status"],
            detail=data["detail"],
            next_page_urls=tuple(data["next"]),
            doubts=tuple(data["doubts"]),
            review_reason=data["review"],
        )
    except (KeyError, TypeError, IndexError) as error:
        raise ValueError(f"not a stored list reading: {error!r}") from error


def _item_fields(item: ListedItem) -> list[Any]:
    return [
        item.title,
        item.url,
        item.published_on.isoformat() if item.published_on else None,
        item.published_at.isoformat() if item.published_at else None,
        item.pinned,
        item.year_inferred,
    ]


def _item(fields: list[Any]) -> ListedItem:
    title, url, published_on, published_at, pinned, year_inferred = fields
    return ListedItem(
        title=title,
        url=url,
        published_on=date.fromisoformat(published_on) if published_on else None,
        published_at=datetime.fromisoformat(published_at) if published_at else None,
        pinned=pinned,
        year_inferred=year_inferred,
    )
