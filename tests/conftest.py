"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when asked).

Set ``GOVWATCH_TEST_DATABASE_URL`` to a PostgreSQL URL to run the suite on it; each
test then starts from an empty ``public`` schema. Without it, each test gets its own
SQLite file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
        _reset_postgresql(url)
    dispose_engines()
    monkeypatch.setenv("GOVWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    dispose_engines()
    get_settings.cache_clear()
