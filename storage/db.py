"""Database engines and sessions, brought to the newest schema on first use.

Every entry point (commands, spiders, the scheduler) calls :func:`session_scope`
or :func:`get_engine`; the first call in a process runs the Alembic migrations up
to head, so no user ever runs Alembic by hand. SQLite gets WAL journaling and a
busy timeout so a crawl and a check can share one file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from settings import get_settings
from storage.migration_head import ALEMBIC_DIR, script_head

if TYPE_CHECKING:
    # Imported where used: a reader that needs no ORM objects (`govwatch findings`)
    # does not pay for importing the ORM (issue 17).
    from sqlalchemy.orm import Session

    from storage.findings_rows import Execute

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class DatabaseError(RuntimeError):
    """The database could not be opened or migrated; the message says which and why."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # Plain postgresql:// means psycopg (v3), the driver we install.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


def _stored_revisions(engine: Engine) -> set[str] | None:
    """The revisions the database says it is at; None when it has no version table."""
    try:
        with engine.connect() as connection:
            return set(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except Exception:  # no table yet (a new database): Alembic creates it
        return None


def migrate(engine: Engine) -> None:
    """Bring the database behind ``engine`` to the newest Alembic revision."""
    head = script_head()
    if head is not None and _stored_revisions(engine) == {head}:
        return
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from alembic import command

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the configured database), migrated to head."""
    url = url or get_settings().database_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            try:
                engine = _create_engine(url)
                migrate(engine)
            except Exception as error:
                safe_url = make_url(url).render_as_string(hide_password=True)
                raise DatabaseError(f"无法打开数据库 {safe_url}: {error}") from error
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, and before a process forks)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on any error."""
    from sqlalchemy.orm import sessionmaker

    factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def connection_scope(url: str | None = None) -> Iterator[Connection]:
    """A Core connection in one transaction, committed when the block ends and rolled
    back on any error: for readers of plain rows, which need neither the ORM nor the
    models (importing them is most of a small command's start-up, issue 17)."""
    with get_engine(url).begin() as connection:
        yield connection


def text_executor(connection: Connection | Session) -> Execute:
    """Runs SQL text with named parameters (``:name``) on ``connection`` and returns the
    rows as mappings: plain-SQL readers (:mod:`storage.findings_rows`) through SQLAlchemy."""

    def execute(sql: str, parameters: dict[str, Any]) -> Iterable[Mapping[str, Any]]:
        return connection.execute(text(sql), parameters).mappings()

    return execute
