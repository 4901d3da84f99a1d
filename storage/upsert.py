"""The database's own ``INSERT ... ON CONFLICT``, for the dialect in use.

SQLite and PostgreSQL both have it, and SQLAlchemy builds it from each dialect's own
``insert``; every idempotent write (items, posts, page readings, leases,
notifications) starts from this one choice.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.dialects import postgresql, sqlite


def conflict_insert(dialect_name: str) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    """``insert`` of ``dialect_name`` (``"postgresql"``, else SQLite), with ``on_conflict_*``."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert
