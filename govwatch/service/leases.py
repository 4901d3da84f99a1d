"""One crawl per target at a time, across every scheduler process on one database.

APScheduler's ``max_instances=1`` only covers one process; a lease row covers two
schedulers started by mistake, and a scheduler restarted while its old crawl child
still runs. A lease expires (the crawl time limit plus a margin), so a holder that
died does not block its target for ever; and a holder that died on this host
(killed with ``kill -9``, say) gives its leases up at once: the holder names the
process and its start time (``storage.holders``), and a dead one's lease is taken
over by the next acquirer.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import delete, select

from storage.clock import utcnow
from storage.db import session_scope
from storage.holders import holder_is_dead, this_process
from storage.service_models import CrawlLease
from storage.upsert import conflict_insert

log = logging.getLogger("govwatch.scheduler")


def new_holder() -> str:
    """A holder name unique to one acquisition, readable by an operator:
    ``host:pid:sSTART:token``."""
    return f"{this_process()}:{uuid.uuid4().hex[:8]}"


def reclaim_dead_leases(target: tuple[str, str] | None = None) -> int:
    """Delete leases (of one target, or all) whose holder died on this host."""
    with session_scope() as session:
        query = select(CrawlLease)
        if target is not None:
            query = query.where(
                CrawlLease.target_type == target[0], CrawlLease.target_id == target[1]
            )
        dead = [lease for lease in session.scalars(query) if holder_is_dead(lease.holder)]
        for lease in dead:
            log.info(
                "lease of %s %s reclaimed: holder %s is no longer running",
                lease.target_type,
                lease.target_id,
                lease.holder,
            )
            # Only if unchanged since read: a live acquirer may have taken it meanwhile.
            session.execute(
                delete(CrawlLease).where(
                    CrawlLease.target_type == lease.target_type,
                    CrawlLease.target_id == lease.target_id,
                    CrawlLease.holder == lease.holder,
                )
            )
        return len(dead)


def acquire_lease(target_type: str, target_id: str, holder: str, ttl_s: float) -> bool:
    """Take the target's lease for ``ttl_s`` seconds; False while someone else holds it
    (a live process, or one on another host whose lease has not expired)."""
    reclaim_dead_leases((target_type, target_id))
    now = utcnow()
    values = {
        "target_type": target_type,
        "target_id": target_id,
        "holder": holder,
        "acquired_at": now,
        "expires_at": now + timedelta(seconds=ttl_s),
    }
    with session_scope() as session:
        insert = conflict_insert(session.get_bind().dialect.name)(CrawlLease)
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
