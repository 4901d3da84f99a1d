"""Kept readings of list pages: loaded for a site's crawl, written as the crawl reads.

One row per (site, page URL), replaced when the page is read afresh
(``crawler/listing_cache.py`` says when a kept reading may stand for a new one).
Written in the crawl's storage batches, in the same transaction as the pages' fetch
rows, with the database's own ``INSERT ... ON CONFLICT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Insert, select
from sqlalchemy.orm import Session

from crawler.extract.listing_json import listing_to_json
from crawler.observations import ReadingObservation
from storage.models import PageReading, url_hash
from storage.upsert import conflict_insert


@dataclass(frozen=True, slots=True)
class KeptReading:
    """A page's reading as the last crawl stored it."""

    key: str
    listing_json: str
    read_on: date  # the China day it was read
    reads_the_day: bool


def kept_readings(session: Session, site_id: str) -> dict[str, KeptReading]:
    """The kept reading of every page of ``site_id``, by URL."""
    rows = session.connection().execute(  # plain rows: no ORM row handling needed
        select(
            PageReading.url,
            PageReading.reading_key,
            PageReading.listing,
            PageReading.read_on,
            PageReading.reads_the_day,
        ).where(PageReading.site_id == site_id)
    )
    return {url: KeptReading(key, text, day, bool(flag)) for url, key, text, day, flag in rows}


@cache
def _reading_upsert(dialect_name: str) -> Insert:
    """The upsert of one page's reading, built once per dialect."""
    table = PageReading.__table__
    statement = conflict_insert(dialect_name)(table)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[table.c.site_id, table.c.url_hash],
        set_={
            column: excluded[column]
            for column in ("url", "reading_key", "listing", "read_on", "reads_the_day", "stored_at")
        },
    )


def record_readings(
    session: Session, readings: Sequence[tuple[ReadingObservation, datetime]]
) -> None:
    """Keep each page's newest reading (a later one of the same page in ``readings`` wins)."""
    rows = {
        (reading.site_id, reading.url): {
            "site_id": reading.site_id,
            "url": reading.url,
            "url_hash": url_hash(reading.url),
            "reading_key": reading.key,
            "listing": listing_to_json(reading.listing),
            "read_on": reading.read_on,
            "reads_the_day": reading.listing.reads_the_day,
            "stored_at": seen_at,
        }
        for reading, seen_at in readings
    }
    if rows:
        statement = _reading_upsert(session.get_bind().dialect.name)
        session.execute(statement, list(rows.values()))
