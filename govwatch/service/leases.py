"""One crawl per target at a time, across every scheduler process on one database.

APScheduler's ``max_instances=1`` only covers one process; a lease row covers two
schedulers started by mistake, and a scheduler restarted while its old crawl child
still runs. A lease expires (the crawl time limit plus a margin), so a holder that
died does not block its target for ever.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.clock import utcnow
from storage.db import session_scope
from storage.service_models import CrawlLease


def new_holder() -> str:
    """A holder name unique to one acquisition, readable by an operator."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(target_type: str, target_id: str, holder: str, ttl_s: float) -> bool:
    """Take the target's lease for ``ttl_s`` seconds; False while someone else holds it."""
    now = utcnow()
    values = {
        "target_type": target_type,
        "target_id": target_id,
        "holder": holder,
        "acquired_at": now,
        "expires_at": now + timedelta(seconds=ttl_s),
    }
    with session_scope() as session:
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(CrawlLease)
        statement = insert.values(values)
        # One statement: a new row, or a takeover of an expired one; a live lease of
        # another holder is left alone (the WHERE fails, nothing is written).
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[CrawlLease.target_type, CrawlLease.target_id],
                set_={
                    "holder": statement.excluded.holder,
                    "acquired_at": statement.excluded.acquired_at,
                    "expires_at": statement.excluded.expires_at,
                },
                where=CrawlLease.expires_at < now,
            )
        )
    with session_scope() as session:
        current = session.scalar(
            select(CrawlLease.holder).where(
                CrawlLease.target_type == target_type, CrawlLease.target_id == target_id
            )
        )
    return current == holder


def release_lease(target_type: str, target_id: str, holder: str) -> None:
    """Give the lease back (only if still ours)."""
    with session_scope() as session:
        session.execute(
            delete(CrawlLease).where(
                CrawlLease.target_type == target_type,
                CrawlLease.target_id == target_id,
                CrawlLease.holder == holder,
            )
        )
