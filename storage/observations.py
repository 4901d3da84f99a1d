"""Writing what crawlers saw: crawl runs, page fetches and listed items.

Items are upserted with the database's own ``INSERT ... ON CONFLICT`` (SQLite and
PostgreSQL both have it), so two crawls of one page, even running at once, store
one row per (column, URL). URLs are stored whole, however long; uniqueness is on
their hash (``url_hash``), which both databases index at any URL length.

A crawl stores its pages in batches (:func:`record_observations`, one transaction
each; issue 17): the fetch rows in one multi-row INSERT, their items in one upsert
statement executed for every row, compiled once per process. A page's fetch row and
its items are always in the same transaction, so no page is ever recorded as read
without what it listed. Column ids come from the crawl plan (:class:`ColumnIds`),
not from a query per page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Dialect, Insert, func, insert, select, update
from sqlalchemy.orm import Session

from crawler.extract.types import ListedItem
from crawler.observations import (
    AccountPageObservation,
    ArticleObservation,
    ColumnRef,
    MessagesObservation,
    PageObservation,
    ReadingObservation,
)
from storage.clock import CHINA_TZ, utcnow
from storage.holders import this_process
from storage.models import (
    AccountFetch,
    Article,
    CrawlRun,
    Fetch,
    InteractionMessage,
    Item,
    Post,
    SiteColumn,
    url_hash,
)
from storage.page_readings import record_readings
from storage.upsert import conflict_insert


def start_crawl_run(session: Session, target_type: str, target_id: str) -> int:
    """Open a crawl run record, naming this process as its holder, and return its id."""
    run = CrawlRun(
        target_type=target_type, target_id=target_id, started_at=utcnow(), holder=this_process()
    )
    session.add(run)
    session.flush()
    return run.id


def finish_crawl_run(session: Session, crawl_run_id: int, finish_reason: str = "") -> None:
    """Close a crawl run: its outcome follows from how its fetches ended."""
    run = session.get(CrawlRun, crawl_run_id)
    table, found = (
        (AccountFetch, AccountFetch.posts_found)
        if run is not None and run.target_type == "account"
        else (Fetch, Fetch.items_found)
    )
    counts = session.execute(
        select(
            func.count(table.id),
            func.count(table.id).filter(table.error_class != "ok"),
            func.coalesce(func.sum(found), 0),
        ).where(table.crawl_run_id == crawl_run_id)
    ).one()
    pages, failed, items = int(counts[0]), int(counts[1]), int(counts[2])
    if pages == 0 or failed == pages:
        outcome = "failed"
    elif failed:
        outcome = "partial"
    else:
        outcome = "ok"
    if finish_reason and finish_reason != "finished":
        outcome = "failed" if pages == 0 else "partial"
    detail = "" if finish_reason == "finished" else finish_reason
    if outcome != "ok":
        why = _failed_pages_detail(session, table, crawl_run_id, pages, failed)
        detail = "; ".join(part for part in (detail, why) if part)
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == crawl_run_id)
        .values(
            finished_at=utcnow(),
            outcome=outcome,
            pages_fetched=pages,
            pages_failed=failed,
            items_seen=items,
            detail=detail[:2000],
        )
    )


#: Failed pages a run's detail names (the rest are counted).
_DETAIL_PAGES = 3


def _failed_pages_detail(
    session: Session, table: type[Fetch] | type[AccountFetch], run_id: int, pages: int, failed: int
) -> str:
    """Why a run failed or was partial, from its failed fetches: ``status`` shows it."""
    if pages == 0:
        return "未读取到任何页面"
    rows = session.execute(
        select(table.url, table.error_class, table.http_status, table.error_detail)
        .where(table.crawl_run_id == run_id, table.error_class != "ok")
        .order_by(table.id)
        .limit(_DETAIL_PAGES)
    ).all()
    named = []
    for url, error_class, status, error_detail in rows:
        what = f"HTTP {status}" if error_class == "http_error" and status else error_class
        note = " ".join((error_detail or "").split())[:120]
        named.append(f"{url} {what}" + (f"({note})" if note else ""))
    more = f" 等 {failed} 个" if failed > len(named) else ""
    return f"{failed}/{pages} 个页面读取失败: " + "; ".join(named) + more


def _column_id(session: Session, site_id: str, ref: ColumnRef) -> int:
    column_id = session.scalar(
        select(SiteColumn.id).where(SiteColumn.site_id == site_id, SiteColumn.name == ref.name)
    )
    if column_id is not None:
        return column_id
    column = SiteColumn(
        site_id=site_id, name=ref.name, url=ref.url, category=ref.category, origin=ref.origin
    )
    session.add(column)
    session.flush()
    return column.id


class ColumnIds:
    """Column ids by (site, column name) for one crawl: the plan's, and the others
    (the homepage's pseudo-column, discovered columns) looked up or registered once.

    An id registered in a transaction that is then rolled back is forgotten
    (:meth:`rolled_back`), so it is registered again in the next one.
    """

    def __init__(self, known: Mapping[tuple[str, str], int] | None = None) -> None:
        self._ids: dict[tuple[str, str], int] = dict(known or {})
        self._uncommitted: set[tuple[str, str]] = set()

    def get(self, session: Session, site_id: str, ref: ColumnRef) -> int:
        """The id of column ``ref`` of ``site_id``, registering a new column."""
        key = (site_id, ref.name)
        column_id = self._ids.get(key)
        if column_id is None:
            column_id = self._ids[key] = _column_id(session, site_id, ref)
            self._uncommitted.add(key)
        return column_id

    def committed(self) -> None:
        """The transaction the last ids were found in was committed."""
        self._uncommitted.clear()

    def rolled_back(self) -> None:
        """The transaction was rolled back: forget ids it may have registered."""
        for key in self._uncommitted:
            self._ids.pop(key, None)
        self._uncommitted.clear()


@cache
def _item_upsert(dialect_name: str) -> Insert:
    """The items upsert, built once per dialect and executed with many rows at a time
    (an executemany: compiled once, not a new multi-row statement per page)."""
    table = Item.__table__
    statement = conflict_insert(dialect_name)(table)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[table.c.column_id, table.c.url_hash],
        set_={
            "last_seen_at": excluded.last_seen_at,
            "title": excluded.title,
            "pinned": excluded.pinned,
            # A date once read is kept if a later page shows none.
            "published_on": func.coalesce(excluded.published_on, table.c.published_on),
            "published_at": func.coalesce(excluded.published_at, table.c.published_at),
        },
    )


@lru_cache(maxsize=8)
def _item_upsert_sql(dialect: Dialect) -> str:
    """The items upsert as the driver's SQL text: SQLite's parameters positional (``?``,
    in :data:`_ITEM_COLUMNS` order), PostgreSQL's named (psycopg's ``%(name)s``).

    A re-crawl upserts twenty items per page, and SQLAlchemy's per-row parameter
    processing cost more than SQLite's own work on them (issue 17): the statement is
    compiled once and the rows go to the driver's ``executemany`` as they are. Every
    column but the id is given, so no Python-side default is skipped; SQLite's rows
    are converted as SQLAlchemy's types would (:func:`_sqlite_rows`).
    """
    compiled = _item_upsert(dialect.name).compile(dialect=dialect, column_keys=list(_ITEM_COLUMNS))
    order = compiled.positiontup
    expected = _ITEM_COLUMNS if dialect.name == "sqlite" else None
    if (tuple(order) if order is not None else None) != expected:
        raise RuntimeError(f"items upsert parameters on {dialect.name}: {order}")
    return str(compiled)


#: Every items column but the id, as :func:`_item_rows` gives them.
_ITEM_COLUMNS = (
    "column_id",
    "url",
    "url_hash",
    "title",
    "published_on",
    "published_at",
    "pinned",
    "first_seen_at",
    "last_seen_at",
    "first_fetch_id",
)


def _sqlite_rows(rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Item rows as SQLAlchemy's SQLite types store them, in :data:`_ITEM_COLUMNS` order:
    dates and datetimes as ISO text (``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS.ffffff``).
    The sighting times repeat for a page's every item and are written out once each."""
    moments: dict[datetime, str] = {}
    result = []
    for row in rows:
        first_seen, last_seen, day, moment = (
            row["first_seen_at"],
            row["last_seen_at"],
            row["published_on"],
            row["published_at"],
        )
        if (first := moments.get(first_seen)) is None:
            first = moments[first_seen] = first_seen.isoformat(" ", "microseconds")
        if (last := moments.get(last_seen)) is None:
            last = moments[last_seen] = last_seen.isoformat(" ", "microseconds")
        result.append(
            (
                row["column_id"],
                row["url"],
                row["url_hash"],
                row["title"],
                day.isoformat() if day is not None else None,
                moment.isoformat(" ", "microseconds") if moment is not None else None,
                row["pinned"],
                first,
                last,
                row["first_fetch_id"],
            )
        )
    return result


#: One fetch row per page, its id returned in the order of the rows.
_FETCH_INSERT = insert(Fetch.__table__).returning(
    Fetch.__table__.c.id, sort_by_parameter_order=True
)


def _item_rows(
    column_id: int, items: Sequence[ListedItem], seen_at: datetime, fetch_id: int | None
) -> list[dict[str, Any]]:
    unique = {item.url: item for item in reversed(items)}  # first occurrence on the page wins
    return [
        {
            "column_id": column_id,
            "url": item.url,
            "url_hash": url_hash(item.url),
            "title": item.title,
            "published_on": item.published_on,
            "published_at": item.published_at,
            "pinned": item.pinned,
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
            "first_fetch_id": fetch_id,
        }
        for item in unique.values()
    ]


def _upsert_item_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Upsert item rows; a (column, URL) listed again later in ``rows`` (a column's next
    page, a re-read) counts as a later sighting of the first, as in separate writes."""
    merged: dict[tuple[int, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["column_id"], row["url"])
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = row
            continue
        merged[key] = {
            **row,
            "first_seen_at": earlier["first_seen_at"],
            "first_fetch_id": earlier["first_fetch_id"],
            "published_on": _later_or_earlier(row, earlier, "published_on"),
            "published_at": _later_or_earlier(row, earlier, "published_at"),
        }
    if not merged:
        return
    dialect = session.get_bind().dialect
    sql = _item_upsert_sql(dialect)
    params = _sqlite_rows(merged.values()) if dialect.name == "sqlite" else list(merged.values())
    session.connection().exec_driver_sql(sql, params)


def _later_or_earlier(later: dict[str, Any], earlier: dict[str, Any], key: str) -> Any:
    """``COALESCE(later, earlier)``, as the upsert keeps a date once read."""
    return later[key] if later[key] is not None else earlier[key]


def upsert_items(
    session: Session,
    column_id: int,
    items: Sequence[ListedItem],
    seen_at: datetime,
    fetch_id: int | None,
) -> None:
    """Store listed items once per (column, URL); later sightings refresh last_seen_at."""
    _upsert_item_rows(session, _item_rows(column_id, items, seen_at, fetch_id))


def record_pages(
    session: Session,
    crawl_run_id: int | None,
    pages: Sequence[tuple[PageObservation, datetime]],
    column_ids: ColumnIds | None = None,
) -> list[int]:
    """Store page observations (fetch rows and their items) in ``session``'s
    transaction; returns the fetch ids, in order."""
    if not pages:
        return []
    column_ids = column_ids or ColumnIds()
    fetch_rows = []
    page_columns: list[int | None] = []
    for page, seen_at in pages:
        column_id = column_ids.get(session, page.site_id, page.column) if page.column else None
        page_columns.append(column_id)
        listing = page.list_page
        fetch_rows.append(
            {
                "crawl_run_id": crawl_run_id,
                "site_id": page.site_id,
                "column_id": column_id,
                "page_kind": page.page_kind,
                "url": page.url,
                "fetched_at": seen_at,
                "http_status": page.http_status,
                "error_class": page.error_class,
                "error_detail": page.error_detail[:2000],
                "list_status": listing.status if listing is not None else None,
                "items_found": len(listing.items) if listing is not None else 0,
            }
        )
    session.flush()  # columns registered above go first (items refer to them)
    fetch_ids = list(session.execute(_FETCH_INSERT, fetch_rows).scalars())
    item_rows: list[dict[str, Any]] = []
    for (page, seen_at), column_id, fetch_id in zip(pages, page_columns, fetch_ids, strict=True):
        if column_id is not None and page.list_page is not None and page.succeeded:
            item_rows += _item_rows(column_id, page.list_page.items, seen_at, fetch_id)
    _upsert_item_rows(session, item_rows)
    return fetch_ids


def record_page(
    session: Session, crawl_run_id: int | None, page: PageObservation, seen_at: datetime
) -> int:
    """Store one page observation (fetch row, and its items); returns the fetch id."""
    return record_pages(session, crawl_run_id, [(page, seen_at)])[0]


def record_observations(
    session: Session,
    crawl_run_id: int | None,
    observations: Sequence[tuple[Any, datetime]],
    column_ids: ColumnIds | None = None,
) -> None:
    """Store a batch of a crawl's observations, each with when it was seen, in
    ``session``'s transaction (one commit for the batch)."""
    column_ids = column_ids or ColumnIds()
    record_pages(
        session,
        crawl_run_id,
        [(seen, at) for seen, at in observations if isinstance(seen, PageObservation)],
        column_ids,
    )
    record_readings(
        session, [(seen, at) for seen, at in observations if isinstance(seen, ReadingObservation)]
    )
    for seen, at in observations:
        if isinstance(seen, AccountPageObservation):
            record_account_page(session, crawl_run_id, seen, seen_at=at)
        elif isinstance(seen, ArticleObservation):
            record_article(session, seen, seen_at=at, column_ids=column_ids)
        elif isinstance(seen, MessagesObservation):
            record_messages(session, seen, seen_at=at, column_ids=column_ids)


def record_account_page(
    session: Session,
    crawl_run_id: int | None,
    page: AccountPageObservation,
    seen_at: datetime,
) -> int:
    """Store one timeline page (fetch row, and its posts once each); returns the fetch id."""
    fetch = AccountFetch(
        crawl_run_id=crawl_run_id,
        account_id=page.account_id,
        url=page.url,
        page_number=page.page_number,
        fetched_at=seen_at,
        http_status=page.http_status,
        error_class=page.error_class,
        block_reason=page.block_reason,
        error_detail=page.error_detail[:2000],
        posts_found=len(page.posts),
        complete_from=page.complete_from,
    )
    session.add(fetch)
    session.flush()
    unique = {post.platform_post_id: post for post in page.posts}
    if not unique:
        return fetch.id
    rows = [
        {
            "account_id": page.account_id,
            "platform_post_id": post.platform_post_id,
            "url": post.url,
            "title": post.title,
            "published_at": post.published_at.astimezone(UTC).replace(tzinfo=None),
            "published_on": post.published_at.astimezone(CHINA_TZ).date(),
            "has_images": post.has_images,
            "has_video": post.has_video,
            "pinned": post.pinned,
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
        }
        for post in unique.values()
    ]
    insert = conflict_insert(session.get_bind().dialect.name)(Post).values(rows)
    excluded = insert.excluded
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[Post.account_id, Post.platform_post_id],
            set_={
                "last_seen_at": excluded.last_seen_at,
                "title": excluded.title,
                "url": excluded.url,
                "pinned": excluded.pinned,
                "has_images": excluded.has_images,
                "has_video": excluded.has_video,
            },
        )
    )
    return fetch.id


def record_article(
    session: Session,
    article: ArticleObservation,
    seen_at: datetime,
    column_ids: ColumnIds | None = None,
) -> None:
    """Store an article's text once per URL (a later fetch refreshes it)."""
    column_id = (column_ids or ColumnIds()).get(session, article.site_id, article.column)
    values = {
        "url": article.url,
        "url_hash": url_hash(article.url),
        "site_id": article.site_id,
        "column_id": column_id,
        "title": article.title,
        "text": article.text,
        "fetched_at": seen_at,
    }
    insert = conflict_insert(session.get_bind().dialect.name)(Article).values(values)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[Article.url_hash],
            set_={"title": insert.excluded.title, "text": insert.excluded.text},
        )
    )


def record_messages(
    session: Session,
    observed: MessagesObservation,
    seen_at: datetime,
    column_ids: ColumnIds | None = None,
) -> None:
    """Store an interaction column's messages once each; a reply seen later updates it."""
    column_id = (column_ids or ColumnIds()).get(session, observed.site_id, observed.column)
    rows = {}
    for message in observed.messages:
        key = message.url or f"{message.title}|{message.asked_on}"
        rows[key[:2000]] = {
            "column_id": column_id,
            "message_key": key[:2000],
            "title": message.title,
            "url": message.url,
            "asked_on": message.asked_on,
            "answered_on": message.answered_on,
            "status": message.status,
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
        }
    if not rows:
        return
    insert = conflict_insert(session.get_bind().dialect.name)(InteractionMessage).values(
        list(rows.values())
    )
    excluded = insert.excluded
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[InteractionMessage.column_id, InteractionMessage.message_key],
            set_={
                "answered_on": func.coalesce(excluded.answered_on, InteractionMessage.answered_on),
                "status": excluded.status,
                "last_seen_at": excluded.last_seen_at,
            },
        )
    )
