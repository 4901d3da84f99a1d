"""Running a spider in its own process, so any number of crawls can follow one another.

Scrapy's Twisted reactor cannot be restarted inside one process; the demo, the tests
and the scheduler with warm workers off therefore start ``scrapy crawl`` as a child
process per target, with a time limit (the scheduler's warm workers,
``crawler/warm_pool.py``, reuse a process for many crawls and record their ends the
same way, through :func:`record_cut_short`). A crash or a hang ends that child only,
and is reported as a failed crawl: a child that did not close its crawl run itself
(killed at the time limit, crashed, interrupted by a shutdown) has that run closed
here as ``failed`` with the reason, so no run stays ``running`` for ever.

Each child gets its own process group, so a kill also ends the browser it started.
:func:`terminate_running` stops every child of this process (the scheduler calls it
on SIGTERM). A child also dies with this process when it is killed outright: it
runs under ``crawler.child_guard``, which watches a pipe only this process writes
to, and kills its own group when the pipe closes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Start of the detail a run closed by the runner gets, by why it was closed.
TIMEOUT_REASON = "timeout"
INTERRUPTED_REASON = "interrupted"
CRASHED_REASON = "crashed"


@dataclass(frozen=True, slots=True)
class CrawlProcessResult:
    """How one crawl process ended."""

    spider: str
    target_id: str
    returncode: int | None  # None: killed after the time limit (or interrupted)
    seconds: float
    log_tail: str
    reason: str = ""  # timeout | interrupted | crashed | "" (ended by itself)

    @property
    def ok(self) -> bool:
        """Whether the process finished by itself without an error exit."""
        return self.returncode == 0


@dataclass(eq=False)  # identity hashing: one entry per child process
class _Child:
    process: subprocess.Popen[str]
    interrupted: bool = False


_children: set[_Child] = set()
_children_lock = threading.Lock()


def run_crawl(
    spider: str, target_id: str, timeout_s: float = 1800.0, env: dict[str, str] | None = None
) -> CrawlProcessResult:
    """Run ``scrapy crawl SPIDER -a SPIDER=TARGET`` to completion or the time limit."""
    return _run(spider, f"{spider}={target_id}", target_id, timeout_s, env, close_runs=True)


def run_crawl_url(
    url: str, timeout_s: float = 1800.0, env: dict[str, str] | None = None
) -> CrawlProcessResult:
    """Run ``scrapy crawl site -a url=URL``: an ad-hoc crawl of an unregistered site."""
    return _run("site", f"url={url}", url, timeout_s, env, close_runs=False)


def terminate_running(grace_s: float = 10.0) -> int:
    """Stop every crawl child of this process: SIGTERM, then SIGKILL after ``grace_s``.

    Their runs are recorded as failed ("interrupted") by the threads that started
    them. Returns how many children were stopped.
    """
    with _children_lock:
        children = list(_children)
    for child in children:
        child.interrupted = True
        signal_group(child.process, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        if child.process.poll() is None:
            signal_group(child.process, signal.SIGKILL)
    return len(children)


def signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    """Signal the process group ``process`` leads (it and the browser it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def crawl_child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a crawl process: ours, ``env`` over it, the project's Scrapy settings."""
    child_env = {**os.environ, **(env or {}), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    child_env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(REPO_ROOT), child_env.get("PYTHONPATH", "")) if part
    )
    return child_env


def start_guarded_scrapy(
    arguments: list[str], env: dict[str, str] | None = None, stderr: int | None = None
) -> tuple[subprocess.Popen[str], int]:
    """``scrapy ARGUMENTS`` under ``crawler.child_guard``, leading its own process group.

    Returns the process and the write end of its guard pipe: the child dies with its
    group once that end closes (when we are gone, however we went), so the caller
    closes it only after the child has ended.
    """
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.child_guard", str(read_end), *arguments],
            cwd=REPO_ROOT,
            env=crawl_child_env(env),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
            errors="replace",
            start_new_session=True,  # its own process group: a kill reaches its browser too
            pass_fds=(read_end,),
        )
    except BaseException:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    return process, write_end


def _run(
    spider: str,
    argument: str,
    target_id: str,
    timeout_s: float,
    env: dict[str, str] | None,
    close_runs: bool,
) -> CrawlProcessResult:
    started = time.monotonic()
    launched_at = _utcnow()
    reason = ""
    process, write_end = start_guarded_scrapy(
        ["crawl", spider, "-a", argument], env=env, stderr=subprocess.PIPE
    )
    with process, _closing(write_end):
        child = _Child(process)
        with _children_lock:
            _children.add(child)
        try:
            _, stderr = process.communicate(timeout=timeout_s)
            returncode: int | None = process.returncode
        except subprocess.TimeoutExpired:
            signal_group(process, signal.SIGKILL)
            _, stderr = process.communicate()
            returncode = None
            reason = TIMEOUT_REASON
        finally:
            with _children_lock:
                _children.discard(child)
        if child.interrupted:
            returncode, reason = None, INTERRUPTED_REASON
        elif returncode not in (0, None):
            reason = CRASHED_REASON
    seconds = time.monotonic() - started
    if close_runs:
        url = (env or {}).get("GOVWATCH_DATABASE_URL")
        record_cut_short(spider, target_id, launched_at, reason, timeout_s, returncode, stderr, url)
    return CrawlProcessResult(
        spider, target_id, returncode, seconds, (stderr or "")[-4000:], reason
    )


def record_cut_short(
    spider: str,
    target_id: str,
    launched_at: datetime,
    reason: str,
    timeout_s: float,
    returncode: int | None,
    log: str | None,
    database_url: str | None = None,
) -> None:
    """A crawl that did not end by itself (``reason`` set): close its runs as failed,
    saying why (the time limit, a stop, or the exit code and the last log line)."""
    if not reason:
        return
    detail = _reason_detail(reason, timeout_s, returncode if reason == CRASHED_REASON else None)
    if reason == CRASHED_REASON and last_log_line(log):
        detail = f"{detail}: {last_log_line(log)}"  # the spider's own error, if any
    close_unfinished_runs(spider, target_id, launched_at, detail, database_url)


@contextlib.contextmanager
def _closing(fd: int):  # type: ignore[no-untyped-def]
    """Close ``fd`` on leaving the block."""
    try:
        yield
    finally:
        os.close(fd)


def last_log_line(log: str | None, limit: int = 300) -> str:
    """The last non-empty line of a crawl's log: usually the error that ended it."""
    lines = [line.strip() for line in (log or "").splitlines() if line.strip()]
    return lines[-1][:limit] if lines else ""


def _reason_detail(reason: str, timeout_s: float, returncode: int | None) -> str:
    if reason == TIMEOUT_REASON:
        return f"{TIMEOUT_REASON}: 抓取超过时限 {timeout_s:g} 秒未结束,进程已终止"
    if reason == INTERRUPTED_REASON:
        return f"{INTERRUPTED_REASON}: 监测服务停止,抓取被中断"
    return f"{CRASHED_REASON}: 抓取进程异常退出(退出码 {returncode})"


def _utcnow() -> datetime:
    from storage.clock import utcnow

    return utcnow()


def close_unfinished_runs(
    target_type: str,
    target_id: str,
    since: datetime,
    detail: str,
    database_url: str | None = None,
) -> int:
    """Close the target's runs a dead child left ``running`` as failed with ``detail``.

    When the child died before it opened a run at all, a failed run is recorded, so
    the failure shows in ``crawl_runs`` like any other. Returns how many runs changed.
    """
    # Imported here: the runner is also used by code that never touches the database.
    from sqlalchemy import select

    from storage.clock import utcnow
    from storage.db import session_scope
    from storage.models import CrawlRun

    # Clocks of the parent and the child agree, but stored times lose sub-second
    # precision on some databases: allow one second.
    window_start = since - timedelta(seconds=1)
    with session_scope(database_url) as session:
        runs = list(
            session.scalars(
                select(CrawlRun).where(
                    CrawlRun.target_type == target_type,
                    CrawlRun.target_id == target_id,
                    CrawlRun.started_at >= window_start,
                )
            )
        )
        unfinished = [run for run in runs if run.outcome == "running"]
        if not runs:
            unfinished = [CrawlRun(target_type=target_type, target_id=target_id, started_at=since)]
            session.add(unfinished[0])
        now = utcnow()
        for run in unfinished:
            run.outcome, run.finished_at = "failed", now
            run.detail = detail
        interrupted_runs = [
            run for run in runs if run.outcome != "running" and detail.startswith("interrupted")
        ]
        for run in interrupted_runs:
            # A child stopped by a shutdown may close its run itself as partial; the run
            # was still cut short, and says so.
            run.outcome, run.detail = "failed", detail
        return len(unfinished) + len(interrupted_runs)
