"""``run_once`` with Redis workers waits for its queued crawls while they progress
(``govwatch/service/queued_runs.py``): a run starting or finishing moves the deadline
on; only ``crawl_timeout_s`` without progress ends the wait.

The clock is fake: each poll advances it and applies what the "workers" did by then,
so the test is exact and takes no wall time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from govwatch.service.queued_runs import wait_for_queued_runs
from storage.clock import utcnow
from storage.db import session_scope
from storage.observations import finish_crawl_run, start_crawl_run

TIMEOUT_S = 10.0
QUEUED = [("site", "a"), ("site", "b"), ("account", "c")]


class ScriptedWorkers:
    """A stop event whose waits advance a fake clock and run the workers' script."""

    def __init__(self, script: dict[float, Callable[[], None]]) -> None:
        self.now = 0.0
        self.script = dict(script)
        self.polls = 0

    def clock(self) -> float:
        return self.now

    def is_set(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        self.polls += 1
        assert self.polls < 1000, "the wait never ended"
        self.now += timeout or 0.0
        for at in sorted(self.script):
            if at <= self.now:
                self.script.pop(at)()
        return False


def start(kind: str, target_id: str, runs: dict[str, int]) -> Callable[[], None]:
    def step() -> None:
        with session_scope() as session:
            runs[target_id] = start_crawl_run(session, kind, target_id)

    return step


def finish(target_id: str, runs: dict[str, int]) -> Callable[[], None]:
    def step() -> None:
        with session_scope() as session:
            finish_crawl_run(session, runs[target_id])

    return step


def test_the_wait_goes_on_while_queued_runs_start_and_finish(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    runs: dict[str, int] = {}
    # Each step comes less than TIMEOUT_S after the one before; all three crawls take
    # 29 s in turn, three times one crawl's limit.
    workers = ScriptedWorkers(
        {
            5: start("site", "a", runs),
            12: finish("a", runs),
            20: start("site", "b", runs),
            27: finish("b", runs),
            29: start("account", "c", runs),
            38: finish("c", runs),
        }
    )
    since = utcnow()
    with caplog.at_level(logging.INFO, logger="govwatch.scheduler"):
        left = wait_for_queued_runs(QUEUED, since, workers, TIMEOUT_S, clock=workers.clock)
    assert left == set()
    assert workers.now == 38  # ended at the last finish, not at the first deadline
    assert "not finished in time" not in caplog.text


def test_the_wait_ends_after_the_limit_without_progress_naming_what_is_left(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    runs: dict[str, int] = {}
    workers = ScriptedWorkers(
        {3: start("site", "a", runs), 6: finish("a", runs), 8: start("site", "b", runs)}
    )
    since = utcnow()
    with caplog.at_level(logging.INFO, logger="govwatch.scheduler"):
        left = wait_for_queued_runs(QUEUED, since, workers, TIMEOUT_S, clock=workers.clock)
    assert left == {("site", "b"), ("account", "c")}
    assert workers.now == 8 + TIMEOUT_S  # the limit counts from the last progress
    warning = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warning) == 1
    assert "1 running (site b), 1 not started (account c)" in warning[0].getMessage()


def test_runs_from_before_the_cycle_and_other_targets_are_not_progress(
    database_url: str,
) -> None:
    with session_scope() as session:
        old = start_crawl_run(session, "site", "a")
        finish_crawl_run(session, old)
    since = utcnow()
    workers = ScriptedWorkers({4: start("site", "other", {})})
    left = wait_for_queued_runs(QUEUED, since, workers, TIMEOUT_S, clock=workers.clock)
    assert left == set(QUEUED)
    assert workers.now == TIMEOUT_S
