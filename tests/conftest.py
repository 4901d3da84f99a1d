"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when asked).

Set ``GOVWATCH_TEST_DATABASE_URL`` to a PostgreSQL URL to run the suite on it; each
test then starts from an empty ``public`` schema (under pytest-xdist, each worker in a
database of its own, named after the worker). Without it, each test gets its own
SQLite file.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from settings import get_settings
from storage.db import dispose_engines

TEST_DATABASE_ENV = "GOVWATCH_TEST_DATABASE_URL"

# Local test servers need no politeness; crawls in child processes inherit these.
os.environ.setdefault("GOVWATCH_DOWNLOAD_DELAY_S", "0")
os.environ.setdefault("GOVWATCH_PLATFORM_DELAY_S", "0")
os.environ.setdefault("GOVWATCH_RATE_LIMIT_BACKOFF_S", "0")
os.environ.setdefault("GOVWATCH_SCREENSHOTS", "false")  # tests that want them say so


@functools.cache
def _worker_postgresql(url: str) -> str:
    """The database of this pytest-xdist worker: ``<name>_gw0``, ``<name>_gw1``, …,
    created on first use, so that parallel workers never reset each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _reset_postgresql(url: str) -> None:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database, configured as GOVWATCH_DATABASE_URL for this test."""
    url = os.environ.get(TEST_DATABASE_ENV) or f"sqlite:///{tmp_path / 'govwatch.db'}"
    if url.startswith("postgresql"):
        url = _worker_postgresql(url)
        _reset_postgresql(url)
    dispose_engines()
    monkeypatch.setenv("GOVWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    dispose_engines()
    get_settings.cache_clear()


@dataclass
class CliResult:
    """What a command printed and how it exited."""

    returncode: int
    stdout: str
    stderr: str


TEST_REDIS_ENV = "GOVWATCH_TEST_REDIS_URL"


@pytest.fixture
def redis_url() -> str:
    """An empty Redis database of this pytest process's own (skips without a server).

    ``./test.sh`` gives the SQLite run database 1 and the PostgreSQL run database 2;
    with pytest-xdist, worker N of a run takes that number plus 2N, so two tests that
    empty "their" database never empty each other's queue (Redis has 16 databases).
    """
    base = os.environ.get(TEST_REDIS_ENV, "")
    if not base:
        pytest.skip(f"{TEST_REDIS_ENV} not set (./test.sh starts a redis-server)")
    import redis

    parts = urlsplit(base)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    database = int(parts.path.strip("/") or 0) + 2 * worker
    own = urlunsplit(parts._replace(path=f"/{database}"))
    client = redis.Redis.from_url(own)
    client.flushdb()
    client.close()
    return own


@pytest.fixture
def govwatch_cli(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run a ``govwatch`` command in this process (as the console script does), on the
    test's database; much faster than a child process per call."""
    from govwatch.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["govwatch", *args])
        monkeypatch.setenv("COLUMNS", "200")
        code = 0
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run only what can behave differently there.

    A test without the ``database_url`` fixture never touches a database (parsers,
    the targets file, the CLI's argument checks): its PostgreSQL run would repeat its
    SQLite run exactly, at the cost of minutes of CI. Neither does a test marked
    ``database_neutral`` differ there: a crawl whose subject is a page's fault, a
    platform's answer or the browser stores what any crawl stores, and the crawls
    kept here (storing once, batches, long URLs, timelines, the demo, the scheduler)
    cover that path on PostgreSQL.
    """
    if not os.environ.get(TEST_DATABASE_ENV):
        return
    keep: list[pytest.Item] = []
    skip: list[pytest.Item] = []
    first_cases: set[tuple[str, str]] = set()
    for item in items:
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        if item.get_closest_marker("database_neutral") is not None:
            uses_database = False
        if uses_database and hasattr(item, "callspec"):
            # The cases of a parametrized test vary what is read or typed (a platform's
            # answer, a wrong argument), which the SQLite run covers case by case; the
            # storage path they share runs here once, in the first case.
            case_of = (item.nodeid.split("::")[0], getattr(item, "originalname", item.name))
            uses_database = case_of not in first_cases
            first_cases.add(case_of)
        (keep if uses_database else skip).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep
