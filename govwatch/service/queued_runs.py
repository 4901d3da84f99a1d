"""Waiting for the crawls a cycle queued for Redis workers (``scheduler.py --once``).

With workers, ``run_once`` only enqueues; it then waits for every queued target to
have a finished run before checking. One crawl's limit (``crawl_timeout_s``) is not a
limit on a whole queue: at scale, workers take many of those in turn. So the wait goes
on while the queue makes progress — a queued target's run starting or finishing moves
the deadline on — and ends only after ``crawl_timeout_s`` without any progress.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from storage.db import session_scope
from storage.models import CrawlRun

log = logging.getLogger("govwatch.scheduler")

Target = tuple[str, str]
#: How often the wait says what it still waits for.
REPORT_EVERY_S = 60.0
SHOWN = 5  # targets named in a log line; the rest are counted


class Stop(Protocol):
    """What the wait needs of a ``threading.Event``."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


def _runs_since(since: datetime) -> tuple[set[Target], set[Target]]:
    """Targets with a run started since ``since``, and those with one finished."""
    started: set[Target] = set()
    finished: set[Target] = set()
    with session_scope() as session:
        rows = session.execute(
            select(CrawlRun.target_type, CrawlRun.target_id, CrawlRun.finished_at).where(
                CrawlRun.started_at >= since
            )
        )
        for target_type, target_id, finished_at in rows:
            started.add((target_type, target_id))
            if finished_at is not None:
                finished.add((target_type, target_id))
    return started, finished


def _named(targets: set[Target]) -> str:
    shown = ", ".join(f"{kind} {target_id}" for kind, target_id in sorted(targets)[:SHOWN])
    more = len(targets) - SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def wait_for_queued_runs(
    targets: list[Target],
    since: datetime,
    stop: Stop,
    timeout_s: float,
    *,
    poll_s: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> set[Target]:
    """Wait until every queued target has a run finished since ``since``, or until
    ``timeout_s`` pass without a queued run starting or finishing, or ``stop``.
    Returns the targets still unfinished (logged as a warning)."""
    waiting = set(targets)
    seen_started: set[Target] = set()
    seen_finished: set[Target] = set()
    deadline = clock() + timeout_s
    next_report = clock() + REPORT_EVERY_S
    while waiting and not stop.is_set():
        started, finished = _runs_since(since)
        started &= set(targets)
        finished &= set(targets)
        if started - seen_started or finished - seen_finished:
            deadline = clock() + timeout_s  # the queue moves: wait on
            seen_started |= started
            seen_finished |= finished
        waiting -= finished
        if not waiting or clock() >= deadline:
            break
        if clock() >= next_report:
            running = waiting & started
            log.info(
                "waiting for %d queued crawls (%d running): %s",
                len(waiting),
                len(running),
                _named(waiting),
            )
            next_report = clock() + REPORT_EVERY_S
        stop.wait(poll_s)
    if waiting:
        running = waiting & seen_started
        log.warning(
            "crawls not finished in time (%.0f s without a queued run starting or "
            "finishing): %d running (%s), %d not started (%s)",
            timeout_s,
            len(running),
            _named(running) or "-",
            len(waiting - running),
            _named(waiting - running) or "-",
        )
    return waiting
