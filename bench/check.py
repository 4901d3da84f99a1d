"""Benchmark: a full `govwatch check` over a generated database of realistic size.

Generates (once, then cached by its size arguments) a database of sites, columns,
accounts, items, posts, fetches, crawl runs and account fetches, then times a full check
exactly as `govwatch check` runs it (``storage.db.session_scope`` + ``monitor.check.run_check``)
twice: the first opens the findings, the second refreshes them. Each check runs in a fresh
child process, so its peak memory (ru_maxrss) is the check's own. Prints wall time, peak
memory, findings per rule, and per rule the time spent evaluating (of which SQL statement
execution) and applying findings. A second pair of checks runs under tracemalloc (which slows
Python code down, so its times are not the ones reported) for the Python heap peak.

Default size (the issue's target): 2,000 sites x 30 columns, 10,000 accounts, 5 million
items; target a check under 60 s and 1 GB on SQLite.

Run: .venv/bin/python bench/check.py [--small] [--scale X] [--sites N] [--columns-per-site N]
     [--accounts N] [--items N] [--database-url URL] [--regenerate] [--no-tracemalloc]
     [--generate-only]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import JSON, Engine, Integer, delete, event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage.clock import CHINA_TZ, end_of_china_day_utc  # noqa: E402
from storage.models import (  # noqa: E402
    HOMEPAGE_COLUMN_NAME,
    Account,
    AccountFetch,
    Base,
    CrawlRun,
    Fetch,
    Finding,
    Item,
    Post,
    Site,
    SiteColumn,
    Unit,
)

# Bump when the generated data changes, so cached databases of an older shape are not reused.
GENERATOR_VERSION = 1
CACHE_DIR = Path("/tmp/govwatch-bench")
# A fixed day judged, so a cached database means the same thing on any later day.
DEFAULT_AS_OF = date(2025, 6, 20)
SEED = 20250620
BATCH_ROWS = 20_000
HISTORY_DAYS = 270  # items are spread over the ~9 months before the day judged
QUARTER_DAYS = 91  # posts cover the quarter before the day judged
CHINA_UTC_OFFSET = CHINA_TZ.utcoffset(None)

CATEGORIES = ("news", "notice", "policy", "static", "other")
CATEGORY_WEIGHTS = (30, 20, 15, 15, 20)
PLATFORMS = ("weibo", "wechat", "douyin")
FETCH_ERRORS = (("timeout", None, "读取超时"), ("http_error", 503, ""), ("dns", None, ""))


@dataclass(frozen=True)
class Sizes:
    """What the generated database holds."""

    sites: int
    columns_per_site: int
    accounts: int
    items: int

    def cache_name(self, as_of: date) -> str:
        """The cache file name: one database per size, day judged and generator version."""
        return (
            f"check-v{GENERATOR_VERSION}-s{self.sites}-c{self.columns_per_site}"
            f"-a{self.accounts}-i{self.items}-{as_of:%Y%m%d}.sqlite"
        )


@dataclass
class ColumnPlan:
    """One column (or homepage pseudo-column) and what its data should look like."""

    column_id: int
    site_index: int
    url: str
    homepage: bool
    readable: bool
    item_count: int = 0
    newest_offset: int | None = 0  # days before the day judged; None: no dated item
    undated_share: float = 0.02


# --- generation ------------------------------------------------------------------------------


def china_moment_utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A China wall-clock moment as the naive UTC the database stores."""
    # Plain arithmetic rather than astimezone: this runs millions of times, and China
    # has had no daylight saving time since 1991.
    return datetime(day.year, day.month, day.day, hour, minute) - CHINA_UTC_OFFSET


def plan_columns(sizes: Sizes, rng: random.Random) -> list[ColumnPlan]:
    """Every column's profile: fresh, stale (older than its limits), empty or unreadable."""
    plans: list[ColumnPlan] = []
    column_id = 0
    for site_index in range(sizes.sites):
        site_url = site_url_of(site_index)
        for position in range(sizes.columns_per_site + 1):
            column_id += 1
            homepage = position == 0
            url = site_url if homepage else f"{site_url}col{position:02d}/"
            roll = rng.random()
            plan = ColumnPlan(column_id, site_index, url, homepage, readable=True)
            if roll < (0.02 if homepage else 0.03):
                plan.readable = False  # the one fetch failed (its items are from earlier crawls)
            elif not homepage and roll < 0.07:
                plan.newest_offset = None
                plan.undated_share = 0.0
                plan.item_count = -1  # empty column: no items at all
            elif roll < (0.05 if homepage else 0.20):
                plan.newest_offset = rng.randint(20, 400)  # stale
            elif roll < 0.21:
                plan.newest_offset = None  # every item undated
                plan.undated_share = 1.0
            else:
                plan.newest_offset = rng.randint(0, 10)
            plans.append(plan)
    return plans


def distribute_items(plans: list[ColumnPlan], total: int, rng: random.Random) -> None:
    """Share ``total`` items among the non-empty columns (homepages list a few dozen)."""
    holders = [plan for plan in plans if plan.item_count != -1]
    weights = [0.75 if plan.homepage else rng.uniform(0.2, 1.8) for plan in holders]
    weight_sum = sum(weights)
    assigned = 0
    for plan, weight in zip(holders, weights, strict=True):
        plan.item_count = int(total * weight / weight_sum)
        assigned += plan.item_count
    for plan in holders[: total - assigned]:
        plan.item_count += 1
    for plan in plans:
        plan.item_count = max(plan.item_count, 0)


def site_url_of(site_index: int) -> str:
    """The homepage URL of a generated site."""
    return f"https://www{site_index:05d}.bench.gov.cn/"


def site_id_of(site_index: int) -> str:
    """The id of a generated site."""
    return f"site{site_index:05d}"


def unit_rows(sizes: Sizes) -> list[dict[str, Any]]:
    """One unit per site (towns and departments) plus departments that keep other columns."""
    extra_departments = max(1, sizes.sites // 10)
    rows = []
    for index in range(sizes.sites + extra_departments):
        kind = "town" if index < sizes.sites and index % 5 < 3 else "department"
        suffix = "镇人民政府" if kind == "town" else "局"
        rows.append(
            {"id": index + 1, "name": f"测试{index:05d}{suffix}", "kind": kind, "active": True}
        )
    return rows


def site_rows(sizes: Sizes, crawled_at: datetime) -> Iterator[dict[str, Any]]:
    """The sites, each kept by its own unit."""
    for index in range(sizes.sites):
        yield {
            "id": site_id_of(index),
            "name": f"测试网站{index:05d}",
            "url": site_url_of(index),
            "unit_id": index + 1,
            "site_code": f"BENCH{index:05d}",
            "discover_columns": False,
            "active": True,
            "updated_at": crawled_at,
        }


def column_rows(
    sizes: Sizes, plans: list[ColumnPlan], rng: random.Random
) -> Iterator[dict[str, Any]]:
    """Site columns: the homepage pseudo-column, then registered columns of mixed categories."""
    extra_departments = max(1, sizes.sites // 10)
    for plan in plans:
        position = (plan.column_id - 1) % (sizes.columns_per_site + 1)
        category = "homepage" if plan.homepage else rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        unit_id = None
        if not plan.homepage and rng.random() < 0.1:
            unit_id = sizes.sites + 1 + rng.randrange(extra_departments)
        yield {
            "id": plan.column_id,
            "site_id": site_id_of(plan.site_index),
            "name": HOMEPAGE_COLUMN_NAME if plan.homepage else f"栏目{position:02d}",
            "url": plan.url,
            "category": category,
            "unit_id": unit_id,
            "render": "static",
            "selectors": None,
            "origin": "homepage" if plan.homepage else "registered",
            "active": True,
        }


def site_run_rows(sizes: Sizes, crawled_at: datetime) -> Iterator[dict[str, Any]]:
    """One crawl run per site (ids 1..sites)."""
    for index in range(sizes.sites):
        yield crawl_run_row(index + 1, "site", site_id_of(index), crawled_at, "ok")


def crawl_run_row(
    run_id: int, target_type: str, target_id: str, started_at: datetime, outcome: str
) -> dict[str, Any]:
    """A finished crawl run."""
    return {
        "id": run_id,
        "target_type": target_type,
        "target_id": target_id,
        "started_at": started_at,
        "finished_at": started_at + timedelta(minutes=20),
        "outcome": outcome,
        "pages_fetched": 1,
        "pages_failed": 0 if outcome == "ok" else 1,
        "items_seen": 0,
        "detail": "",
    }


def fetch_rows(
    plans: list[ColumnPlan], crawled_at: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """One fetch per column and homepage (fetch id = column id), most of them successful."""
    for plan in plans:
        error_class, status, detail = "ok", 200, ""
        list_status: str | None = "ok" if plan.item_count else "empty"
        if not plan.readable:
            error_class, status, detail = rng.choice(FETCH_ERRORS)
            list_status = None
        yield {
            "id": plan.column_id,
            "crawl_run_id": plan.site_index + 1,
            "site_id": site_id_of(plan.site_index),
            "column_id": plan.column_id,
            "page_kind": "homepage" if plan.homepage else "column",
            "url": plan.url,
            "fetched_at": crawled_at + timedelta(seconds=plan.column_id % 1200),
            "http_status": status,
            "error_class": error_class,
            "error_detail": detail,
            "list_status": list_status,
            "items_found": min(plan.item_count, 20) if plan.readable else 0,
        }


def item_rows(
    plans: list[ColumnPlan], as_of: date, crawled_at: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """Each column's items, URLs in order, dates spread back from the column's newest."""
    for plan in plans:
        if plan.item_count <= 0:
            continue
        newest_offset = plan.newest_offset if plan.newest_offset is not None else 0
        newest = as_of - timedelta(days=newest_offset)
        fetch_at = crawled_at + timedelta(seconds=plan.column_id % 1200)
        for number in range(plan.item_count):
            published_on: date | None = None
            published_at: datetime | None = None
            if rng.random() >= plan.undated_share:
                age = 0 if number == 0 else rng.randrange(HISTORY_DAYS)
                published_on = newest - timedelta(days=age)
                published_at = china_moment_utc(published_on, 9 + number % 9, number % 60)
            first_seen_at = (
                min(published_at + timedelta(hours=20), fetch_at) if published_at else fetch_at
            )
            yield {
                "column_id": plan.column_id,
                "url": f"{plan.url}t{number:06d}.html",
                "title": f"关于做好第{number}项重点工作的通知({plan.column_id})",
                "published_on": published_on,
                "published_at": published_at,
                "pinned": number == 0 and plan.column_id % 17 == 0,
                "first_seen_at": first_seen_at,
                "last_seen_at": fetch_at,
                "first_fetch_id": plan.column_id,
            }


@dataclass
class AccountPlan:
    """One account and how it behaves."""

    index: int
    readable: bool
    weekly_posts: tuple[int, ...]  # choices of posts per week in the quarter; () silent
    ever_posted: bool = True


def plan_accounts(sizes: Sizes, rng: random.Random) -> list[AccountPlan]:
    """Mostly ~2 posts a week; some low-frequency, some silent, some empty, some blocked."""
    plans = []
    for index in range(sizes.accounts):
        roll = rng.random()
        if roll < 0.04:
            plans.append(AccountPlan(index, False, (1, 2, 3)))
        elif roll < 0.05:
            plans.append(AccountPlan(index, True, (), ever_posted=False))
        elif roll < 0.10:
            plans.append(AccountPlan(index, True, ()))
        elif roll < 0.20:
            plans.append(AccountPlan(index, True, (0, 1, 1, 2)))
        else:
            plans.append(AccountPlan(index, True, (1, 2, 2, 3, 3)))
    return plans


def account_id_of(index: int) -> str:
    """The id of a generated account."""
    return f"acct{index:05d}"


def account_rows(
    sizes: Sizes, plans: list[AccountPlan], crawled_at: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """The accounts, spread over the platforms and units."""
    unit_count = sizes.sites + max(1, sizes.sites // 10)
    for plan in plans:
        yield {
            "id": account_id_of(plan.index),
            "name": f"测试政务号{plan.index:05d}",
            "platform": PLATFORMS[plan.index % len(PLATFORMS)],
            "uid": str(7_000_000_000 + plan.index),
            "feed": None,
            "unit_id": 1 + rng.randrange(unit_count),
            "active": True,
            "updated_at": crawled_at,
        }


def account_run_rows(
    sizes: Sizes, plans: list[AccountPlan], crawled_at: datetime
) -> Iterator[dict[str, Any]]:
    """One crawl run per account (ids after the sites' runs)."""
    for plan in plans:
        outcome = "ok" if plan.readable else "failed"
        yield crawl_run_row(
            sizes.sites + 1 + plan.index, "account", account_id_of(plan.index), crawled_at, outcome
        )


def account_fetch_rows(
    sizes: Sizes, plans: list[AccountPlan], as_of: date, crawled_at: datetime
) -> Iterator[dict[str, Any]]:
    """The first timeline page of each account's crawl; complete back past the quarter."""
    for plan in plans:
        blocked = not plan.readable
        yield {
            "id": plan.index + 1,
            "crawl_run_id": sizes.sites + 1 + plan.index,
            "account_id": account_id_of(plan.index),
            "url": f"https://m.weibo.cn/u/{7_000_000_000 + plan.index}",
            "page_number": 1,
            "fetched_at": crawled_at + timedelta(seconds=plan.index % 1200),
            "http_status": 403 if blocked else 200,
            "error_class": "blocked" if blocked else "ok",
            "block_reason": "login_wall" if blocked else None,
            "error_detail": "",
            "posts_found": 0 if blocked else 20,
            "complete_from": None if blocked else as_of - timedelta(days=QUARTER_DAYS + 10),
        }


def post_rows(
    plans: list[AccountPlan], as_of: date, crawled_at: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """Posts over the quarter, week by week; silent accounts only posted long ago."""
    for plan in plans:
        days: list[date] = []
        if plan.weekly_posts:
            for week in range(QUARTER_DAYS // 7 + 1):
                for _ in range(rng.choice(plan.weekly_posts)):
                    days.append(as_of - timedelta(days=week * 7 + rng.randrange(7)))
        elif plan.ever_posted:
            days = [as_of - timedelta(days=rng.randint(100, 300)) for _ in range(5)]
        for number, day in enumerate(sorted(days)):
            published_at = china_moment_utc(day, 8 + number % 12, number % 60)
            yield {
                "account_id": account_id_of(plan.index),
                "platform_post_id": f"{plan.index}-{number}",
                "url": f"https://m.weibo.cn/status/{plan.index}{number:04d}",
                "title": f"【政务公开】第{number}期便民服务信息发布",
                "published_at": published_at,
                "published_on": day,
                "has_images": number % 3 == 0,
                "has_video": False,
                "pinned": False,
                "first_seen_at": min(published_at + timedelta(hours=6), crawled_at),
                "last_seen_at": crawled_at,
            }


def _insert_all(
    engine: Engine,
    progress: Progress,
    model: type[Base],
    rows: Iterator[dict[str, Any]],
    total: int,
) -> None:
    task = progress.add_task(model.__tablename__, total=total)
    if engine.dialect.name == "postgresql":
        _copy_all(engine, progress, task, model, rows)
        return
    statement = insert(model)
    batch: list[dict[str, Any]] = []
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # A throwaway bench database: durability of each batch does not matter.
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                connection.execute(statement, batch)
                connection.commit()
                progress.advance(task, len(batch))
                batch = []
        if batch:
            connection.execute(statement, batch)
            connection.commit()
            progress.advance(task, len(batch))


class _RowContext:
    """What a context-sensitive column default (``Item.url_hash``) reads: the row's values."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def get_current_parameters(self) -> dict[str, Any]:
        return self.row


def _copy_all(
    engine: Engine,
    progress: Progress,
    task: TaskID,
    model: type[Base],
    rows: Iterator[dict[str, Any]],
) -> None:
    """PostgreSQL: the rows through ``COPY … FROM STDIN``, one transaction per table.

    An ``INSERT`` executemany of millions of rows into indexed tables ran at a few hundred
    rows per second on a loaded machine (5M items would take hours); COPY is PostgreSQL's
    bulk loader. COPY applies no Python-side column defaults, so they are filled in here
    exactly as an ``INSERT`` through SQLAlchemy fills them: the two databases hold the
    same rows. Columns left out (the serial ids, nullable columns no row names) take the
    server's default."""
    table = model.__table__
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    names = [c.name for c in table.columns if c.name in first or c.default is not None]
    columns = [table.c[name] for name in names]
    json_columns = {c.name for c in columns if isinstance(c.type, JSON)}

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for column in columns:
            if column.name in row:
                value = row[column.name]
            elif column.default.is_callable:  # type: ignore[union-attr]
                value = column.default.arg(_RowContext(row))  # type: ignore[union-attr]
            else:
                value = column.default.arg  # type: ignore[union-attr]
            if column.name in json_columns and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            out.append(value)
        return tuple(out)

    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            done = 0
            for row in itertools.chain((first,), rows):
                copy.write_row(values(row))
                done += 1
                if done % BATCH_ROWS == 0:
                    progress.advance(task, BATCH_ROWS)
        raw.commit()
        progress.advance(task, done % BATCH_ROWS)
    finally:
        raw.close()
    if "id" in names and isinstance(table.c.id.type, Integer):
        # Ids given explicitly leave the serial's sequence behind: move it past them, so
        # a later insert without an id does not collide with them.
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
            )


def generate(engine: Engine, sizes: Sizes, as_of: date, console: Console) -> None:
    """Fill an empty, migrated database with the generated observations."""
    rng = random.Random(SEED)
    crawled_at = china_moment_utc(as_of, 3)  # the day's crawl, early morning in China
    plans = plan_columns(sizes, rng)
    distribute_items(plans, sizes.items, rng)
    accounts = plan_accounts(sizes, rng)
    weeks = QUARTER_DAYS // 7 + 1
    expected_posts = sum(  # for the progress bar only
        round(sum(p.weekly_posts) / len(p.weekly_posts) * weeks) if p.weekly_posts else 5
        for p in accounts
    )
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        units = unit_rows(sizes)
        _insert_all(engine, progress, Unit, iter(units), len(units))
        _insert_all(engine, progress, Site, site_rows(sizes, crawled_at), sizes.sites)
        _insert_all(engine, progress, SiteColumn, column_rows(sizes, plans, rng), len(plans))
        runs = sizes.sites + sizes.accounts
        _insert_all(
            engine,
            progress,
            CrawlRun,
            (*site_run_rows(sizes, crawled_at), *account_run_rows(sizes, accounts, crawled_at)),
            runs,
        )
        _insert_all(engine, progress, Fetch, fetch_rows(plans, crawled_at, rng), len(plans))
        _insert_all(engine, progress, Item, item_rows(plans, as_of, crawled_at, rng), sizes.items)
        _insert_all(
            engine,
            progress,
            Account,
            account_rows(sizes, accounts, crawled_at, rng),
            sizes.accounts,
        )
        _insert_all(
            engine,
            progress,
            AccountFetch,
            account_fetch_rows(sizes, accounts, as_of, crawled_at),
            sizes.accounts,
        )
        _insert_all(
            engine, progress, Post, post_rows(accounts, as_of, crawled_at, rng), expected_posts
        )
    console.print(f"generated in {time.perf_counter() - started:.0f} s")


def bench_marker(engine: Engine) -> tuple[int, int, int, int]:
    """What a database holds: (sites, columns, accounts, items)."""
    with engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            connection.scalar(select(func.count()).select_from(model)) or 0
            for model in (Site, SiteColumn, Account, Item)
        )


def prepare_database(
    database_url: str | None, sizes: Sizes, as_of: date, regenerate: bool, console: Console
) -> str:
    """The URL of a database holding the generated data (generated unless cached)."""
    from storage.db import dispose_engines, get_engine

    expected = (
        sizes.sites,
        sizes.sites * (sizes.columns_per_site + 1),
        sizes.accounts,
        sizes.items,
    )
    if database_url is None:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        path = CACHE_DIR / sizes.cache_name(as_of)
        if path.exists() and not regenerate:
            console.print(f"reusing cached database {path} ({path.stat().st_size / 1e9:.2f} GB)")
            return f"sqlite:///{path}"
        building = path.with_suffix(".building")
        for stale in (path, building):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{stale}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{building}"
        engine = get_engine(url)  # creates the schema through the migrations
        generate(engine, sizes, as_of, console)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        dispose_engines()
        building.rename(path)
        console.print(f"cached as {path} ({path.stat().st_size / 1e9:.2f} GB)")
        return f"sqlite:///{path}"
    engine = get_engine(database_url)
    held = bench_marker(engine)
    if held == expected and not regenerate:
        console.print(f"reusing the data already in {make_url(database_url).database}")
        return database_url
    if any(held) and not regenerate:
        raise SystemExit(
            f"{make_url(database_url).database} holds other data {held}; "
            "pass --regenerate to empty it (every table) and generate the bench data"
        )
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    generate(engine, sizes, as_of, console)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM ANALYZE")
            # Write the loaded pages out now: otherwise the checkpoints after a load of
            # millions of rows fall in the first measured check (133 s instead of 36 s
            # once, at twice the size).
            autocommit.exec_driver_sql("CHECKPOINT")
    return database_url


# --- measuring a check -----------------------------------------------------------------------


@dataclass
class RuleTiming:
    """Where one rule's time went in one check."""

    evaluate_s: float = 0.0
    evaluate_sql_s: float = 0.0  # statement execution (cursor.execute) inside evaluate
    apply_s: float = 0.0
    apply_sql_s: float = 0.0  # statement execution inside apply (finding look-ups, flush)
    statements: int = 0
    judgements: int = 0


@dataclass
class CheckRun:
    """What one measured check did and cost."""

    wall_s: float
    cpu_s: float  # user + system CPU of the check's process over the same span
    check_s: float
    commit_s: float
    maxrss_mb: float
    tracemalloc_peak_mb: float | None
    rules: dict[str, RuleTiming]
    shared_s: dict[str, float]
    opened: Counter[str]
    refreshed: Counter[str]
    resolved: Counter[str]
    rule_order: list[str] = field(default_factory=list)


def _instrument(engine: Engine) -> tuple[dict[str, RuleTiming], dict[str, float]]:
    """Time each rule's evaluate and apply, and SQL execution, by wrapping them in place."""
    import monitor.account_state as account_state
    import monitor.check as check_module
    import monitor.column_state as column_state
    from monitor.rules import RULES

    timings: dict[str, RuleTiming] = {}
    shared: dict[str, float] = Counter()
    current: list[str] = ["(outside rules)", "evaluate"]  # rule code, phase

    def timing() -> RuleTiming:
        return timings.setdefault(current[0], RuleTiming())

    def wrap_evaluate(original: Any) -> Any:
        def evaluate(self: Any, context: Any) -> list[Any]:
            current[:] = [self.code, "evaluate"]
            started = time.perf_counter()
            judgements = list(original(self, context))
            timing().evaluate_s += time.perf_counter() - started
            timing().judgements += len(judgements)
            return judgements

        return evaluate

    patched: set[type] = set()
    for rule_class in RULES:
        for klass in rule_class.__mro__:
            if "evaluate" in klass.__dict__ and klass not in patched and klass.__name__ != "Rule":
                klass.evaluate = wrap_evaluate(klass.__dict__["evaluate"])  # type: ignore[attr-defined]
                patched.add(klass)

    original_apply = check_module._apply

    def apply(session: Any, rule: Any, *args: Any) -> None:
        current[:] = [rule.code, "apply"]
        started = time.perf_counter()
        original_apply(session, rule, *args)
        timing().apply_s += time.perf_counter() - started
        current[:] = ["(outside rules)", "evaluate"]

    check_module._apply = apply  # type: ignore[assignment]

    def wrap_shared(module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        def shared_query(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = original(*args, **kwargs)
            shared[f"{label} (in {current[0]})"] += time.perf_counter() - started
            return result

        setattr(module, name, shared_query)

    wrap_shared(column_state, "_query_column_states", "column_states query")
    wrap_shared(account_state, "_query", "account_states query")

    starts: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def before(*_: Any) -> None:
        starts.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def after(*_: Any) -> None:
        elapsed = time.perf_counter() - starts.pop()
        timing().statements += 1
        if current[1] == "apply":
            timing().apply_sql_s += elapsed
        else:
            timing().evaluate_sql_s += elapsed

    return timings, shared


def measure_check(database_url: str, as_of: date, trace: bool) -> CheckRun:
    """Run one full check as `govwatch check` does, in this (fresh) process, and measure it."""
    from monitor.check import run_check
    from monitor.rules import RULES
    from storage.db import get_engine, session_scope

    engine = get_engine(database_url)  # migrations checked before the clock starts
    timings, shared = _instrument(engine)
    if trace:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    with session_scope(database_url) as session:
        summary = run_check(session, as_of)
        checked = time.perf_counter()
    finished, cpu_finished = time.perf_counter(), time.process_time()
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    tracemalloc.stop()
    return CheckRun(
        wall_s=finished - started,
        cpu_s=cpu_finished - cpu_started,
        check_s=checked - started,
        commit_s=finished - checked,
        maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        tracemalloc_peak_mb=peak,
        rules=timings,
        shared_s=dict(shared),
        opened=summary.opened,
        refreshed=summary.refreshed,
        resolved=summary.resolved,
        rule_order=[rule.code for rule in RULES],
    )


def in_child(database_url: str, as_of: date, trace: bool) -> CheckRun:
    """Measure a check in a fresh process, so its memory peak is its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(measure_check, (database_url, as_of, trace))


def clear_findings(database_url: str) -> None:
    """Forget earlier findings, so the first check opens every one."""
    from storage.db import dispose_engines, get_engine

    engine = get_engine(database_url)
    with engine.begin() as connection:
        connection.execute(delete(Finding))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute(text("SELECT 1"))
    if engine.dialect.name == "postgresql":
        # The deleted rows stay in the table and its indexes as dead tuples until a
        # vacuum; a deployment never deletes every finding at once, so neither should the
        # check measured carry them (every new finding's unique-key check walked them).
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE findings"
            )
    dispose_engines()


# --- report ----------------------------------------------------------------------------------


def print_report(console: Console, runs: dict[str, CheckRun]) -> None:
    """The overall figures, then per rule, then the shared state queries."""
    overall = Table(title="full check (each in a fresh process)")
    for heading in (
        "pass",
        "wall s",
        "CPU s",
        "rules s",
        "commit s",
        "ru_maxrss MB",
        "tracemalloc peak MB",
        "opened",
        "refreshed",
        "resolved",
    ):
        overall.add_column(heading, justify="right" if heading != "pass" else "left")
    for label, run in runs.items():
        overall.add_row(
            label,
            f"{run.wall_s:.1f}",
            f"{run.cpu_s:.1f}",
            f"{run.check_s:.1f}",
            f"{run.commit_s:.1f}",
            f"{run.maxrss_mb:.0f}",
            "-" if run.tracemalloc_peak_mb is None else f"{run.tracemalloc_peak_mb:.0f}",
            str(sum(run.opened.values())),
            str(sum(run.refreshed.values())),
            str(sum(run.resolved.values())),
        )
    console.print(overall)

    first = runs["1 open"]
    second = runs.get(
        "2 refresh", CheckRun(0, 0, 0, 0, 0, None, {}, {}, Counter(), Counter(), Counter())
    )
    per_rule = Table(
        title="per rule, seconds: evaluate (of which SQL execute) and apply (of which SQL)"
    )
    for heading in (
        "rule",
        "judged",
        "1: eval",
        "(sql)",
        "1: apply",
        "(sql)",
        "stmts",
        "opened",
        "2: eval",
        "(sql)",
        "2: apply",
        "(sql)",
        "stmts",
        "refreshed",
    ):
        per_rule.add_column(heading, justify="left" if heading == "rule" else "right")
    for code in first.rule_order:
        a = first.rules.get(code, RuleTiming())
        b = second.rules.get(code, RuleTiming())
        per_rule.add_row(
            code,
            str(a.judgements),
            f"{a.evaluate_s:.2f}",
            f"{a.evaluate_sql_s:.2f}",
            f"{a.apply_s:.2f}",
            f"{a.apply_sql_s:.2f}",
            str(a.statements),
            str(first.opened[code]),
            f"{b.evaluate_s:.2f}",
            f"{b.evaluate_sql_s:.2f}",
            f"{b.apply_s:.2f}",
            f"{b.apply_sql_s:.2f}",
            str(b.statements),
            str(second.refreshed[code]),
        )
    total_a = sum(t.evaluate_s + t.apply_s for t in first.rules.values())
    total_b = sum(t.evaluate_s + t.apply_s for t in second.rules.values())
    per_rule.add_row("(all rules)", "", f"{total_a:.2f}", "", "", "", "", "", f"{total_b:.2f}")
    console.print(per_rule)
    for label, run in runs.items():
        shared = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in run.shared_s.items())
        console.print(f"[{label}] shared state, counted in the rule that first asked: {shared}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--columns-per-site", type=int, default=30)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=5_000_000)
    parser.add_argument(
        "--small", action="store_true", help="200 sites, 1,000 accounts, 500k items"
    )
    parser.add_argument(
        "--database-url", help="another database (e.g. PostgreSQL) instead of a cached SQLite file"
    )
    parser.add_argument("--regenerate", action="store_true", help="generate even if cached")
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the two checks under tracemalloc"
    )
    parser.add_argument(
        "--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF, help="the day judged"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply sites, accounts and items (columns per site stay): 2 is twice the size",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate (or find) the database, then stop"
    )
    parser.add_argument(
        "--first-only",
        action="store_true",
        help="only the first check (the one opening every finding); implies --no-tracemalloc",
    )
    args = parser.parse_args()
    if args.small:
        sizes = Sizes(200, args.columns_per_site, 1000, 500_000)
    else:
        sizes = Sizes(args.sites, args.columns_per_site, args.accounts, args.items)
    if args.scale <= 0:
        parser.error(f"--scale {args.scale} must be above 0")
    sizes = Sizes(
        round(sizes.sites * args.scale),
        sizes.columns_per_site,
        round(sizes.accounts * args.scale),
        round(sizes.items * args.scale),
    )
    console = Console(width=150)
    console.print(
        f"{sizes.sites} sites x {sizes.columns_per_site} columns, {sizes.accounts} accounts, "
        f"{sizes.items:,} items; as of {args.as_of} (cut-off {end_of_china_day_utc(args.as_of)} UTC)"
    )
    url = prepare_database(args.database_url, sizes, args.as_of, args.regenerate, console)
    if args.generate_only:
        return
    runs: dict[str, CheckRun] = {}
    clear_findings(url)
    runs["1 open"] = in_child(url, args.as_of, trace=False)
    if args.first_only:
        print_report(console, runs)
        return
    runs["2 refresh"] = in_child(url, args.as_of, trace=False)
    if not args.no_tracemalloc:
        clear_findings(url)
        runs["3 open, traced"] = in_child(url, args.as_of, trace=True)
        runs["4 refresh, traced"] = in_child(url, args.as_of, trace=True)
    print_report(console, runs)


if __name__ == "__main__":
    main()
