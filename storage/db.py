"""Database engines and sessions, brought to the newest schema on first use.

Every entry point (commands, spiders, the scheduler) calls :func:`session_scope`
or :func:`get_engine`; the first call in a process runs the Alembic migrations up
to head, so no user ever runs Alembic by hand. SQLite gets WAL journaling and a
busy timeout so a crawl and a check can share one file.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from settings import get_settings

if TYPE_CHECKING:
    # Imported where used: a reader that needs no ORM objects (`govwatch findings`)
    # does not pay for importing the ORM (issue 17).
    from sqlalchemy.orm import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_DIR = REPO_ROOT / "alembic"

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


#: ``revision = "0008"`` / ``down_revision = "0007"`` lines of a revision file (with or
#: without a type annotation); a merge revision's ``down_revision`` is a tuple.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def script_head() -> str | None:
    """The single head revision, read from the revision files' text; None if unclear.

    Importing Alembic and loading every revision module costs more than a small
    command's own work (issue 17), so a database already at this head is not handed
    to Alembic at all. Anything this reading cannot decide (a file without a plain
    ``revision = "…"`` line, several heads) returns None and Alembic decides.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (ALEMBIC_DIR / "versions").glob("*.py"):
        found = dict(
            (name, value) for name, value in _REVISION_LINE.findall(path.read_text("utf-8"))
        )
        revision = _QUOTED.fullmatch(found.get("revision", "").strip())
        if revision is None or "down_revision" not in found:
            return None
        revisions.add(revision.group(1))
        parents.update(_QUOTED.findall(found["down_revision"]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


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
