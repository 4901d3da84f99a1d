"""Warm crawl workers: long-lived crawl processes the scheduler reuses, one crawl at a time.

A fresh ``scrapy crawl`` process per target (``crawler/runner.py``) pays a second or
two of CPU for imports, Twisted, settings and the database before it fetches
anything; a province's daily cycle is thousands of crawls (issue 17). The pool keeps
at most ``size`` worker processes (``crawler/warm_worker.py``, the scheduler's
``GOVWATCH_MAX_CONCURRENT_CRAWLS``), started when a crawl needs one, and hands each
crawl to an idle one. A crawl in a warm worker stores exactly what ``scrapy crawl``
stores; the worker runs the same spiders with the same settings.

Isolation stays what the fresh-process runner gives:

- each worker is the leader of its own process group: a kill reaches the browser it
  started;
- a crawl past its time limit has its worker's group killed (``timeout``); a worker
  that dies mid-crawl (``crashed``, with its exit code and last log line) or is stopped
  by :meth:`WarmPool.close` (``interrupted``) is recorded exactly as the runner records
  a child that did (``runner.record_cut_short``), and is replaced by a new process
  for the next crawl;
- a worker is retired after ``max_crawls`` crawls, or once its resident memory after a
  crawl passes ``max_rss_bytes`` (long-lived Scrapy processes do leak);
- workers die with the scheduler however it ends: a worker's standard input is a pipe
  only the scheduler holds, and a worker kills its own group at end-of-file
  (``crawler.child_guard``).

Crawls that need their own environment (the demo's platform overrides) do not come
here: settings are read once per process, so they run in a fresh child.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from crawler.runner import (
    CRASHED_REASON,
    INTERRUPTED_REASON,
    REPO_ROOT,
    TIMEOUT_REASON,
    CrawlProcessResult,
    crawl_child_env,
    record_cut_short,
    signal_group,
)
from crawler.warm_worker import RESULT_MARKER

log = logging.getLogger("govwatch.scheduler")

#: Log lines kept per crawl (the runner keeps the last 4,000 characters as well).
LOG_LINES_KEPT = 400
#: Workers whose peak memory the pool's statistics keep (the newest).
PEAKS_KEPT = 1000
#: Seconds a retiring idle worker gets to exit before its group is killed.
RETIRE_GRACE_S = 30.0


@dataclass(eq=False)
class _Job:
    """One crawl handed to a worker: its log lines and, when it ended by itself, its result."""

    lines: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_LINES_KEPT))
    result: dict[str, Any] | None = None
    done: threading.Event = field(default_factory=threading.Event)


class _Worker:
    """One warm worker process, its log reader and its exit watcher."""

    command = (sys.executable, "-m", "crawler.warm_worker")

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO_ROOT,
            env=crawl_child_env(),
            stdin=subprocess.PIPE,  # commands; its end-of-file tells the worker we are gone
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,  # the crawls' logs and result lines
            text=True,
            errors="replace",
            bufsize=1,
            start_new_session=True,  # its own process group: a kill reaches its browser too
        )
        self.crawls = 0
        self.interrupted = False
        self.peak_rss = 0
        self._lock = threading.Lock()
        # Writes to and the close of the command pipe: the pool's stop and a retirement's
        # reaper can reach one worker at once, and a buffered pipe closed by one thread
        # while another writes or closes it raises from inside CPython's io module.
        self._stdin_lock = threading.Lock()
        self._job: _Job | None = None
        # Lines logged outside a crawl (start-up warnings): they open the next crawl's log.
        self._between: deque[str] = deque(maxlen=50)
        self._reader = threading.Thread(target=self._read, name="warm-worker-log", daemon=True)
        self._reader.start()
        self.exited = threading.Event()
        threading.Thread(target=self._watch_exit, name="warm-worker-exit", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            marker = line.find(RESULT_MARKER)
            with self._lock:
                job = self._job
                if marker < 0:
                    (job.lines if job is not None else self._between).append(line)
                    continue
                if line[:marker].strip():  # a browser's partial line, written just before
                    (job.lines if job is not None else self._between).append(line[:marker])
                try:
                    result = json.loads(line[marker + len(RESULT_MARKER) :])
                except ValueError:  # cut by another process's write: the crawl times out
                    (job.lines if job is not None else self._between).append(line)
                    continue
                if job is not None:
                    job.result = result
                    self.peak_rss = max(self.peak_rss, int(result.get("peak_rss", 0)))
                    self._job = None
                    job.done.set()

    def _watch_exit(self) -> None:
        self.process.wait()
        # A browser it started may outlive it, holding the log pipe open.
        self.signal_group(signal.SIGKILL)
        self._reader.join(10)  # its last lines (and a result written just before) first
        self.exited.set()
        with self._lock:
            job = self._job
        if job is not None:
            job.done.set()

    def start(self, job: _Job, spider: str, arguments: dict[str, str]) -> bool:
        """Hand the worker a crawl; False when it is already gone."""
        with self._lock:
            job.lines.extend(self._between)
            self._between.clear()
            self._job = job
        command = json.dumps({"spider": spider, "arguments": arguments}, ensure_ascii=False)
        if not self._send(command):  # a closed pipe: the worker died while idle
            with self._lock:
                self._job = None
            return False
        return True

    def _send(self, line: str) -> bool:
        with self._stdin_lock:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(line + "\n")
                self.process.stdin.flush()
            except (OSError, ValueError):  # closed by us, or by the worker's death
                return False
        return True

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        signal_group(self.process, signum)

    def log_tail(self, job: _Job) -> str:
        """The crawl's log; after a death, once the reader has taken what was written."""
        if job.result is None:
            self.exited.wait(15)
        with self._lock:
            return "".join(job.lines)

    def ask_to_exit(self) -> None:
        """An idle worker: finish and exit (a stopped reactor, closed connections)."""
        self._send('{"exit": true}')

    def reap(self, grace_s: float) -> None:
        """Wait up to ``grace_s`` for the process to end, then kill its group."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=max(0.0, grace_s))
        if self.process.poll() is None:
            self.signal_group(signal.SIGKILL)
            self.process.wait()
        self.exited.wait(10)
        with self._stdin_lock, contextlib.suppress(OSError, ValueError):
            if self.process.stdin is not None and not self.process.stdin.closed:
                self.process.stdin.close()


@dataclass
class PoolStats:
    """What the pool did, for benchmarks and the log."""

    workers_started: int = 0
    crawls: int = 0
    peak_rss_by_pid: dict[int, int] = field(default_factory=dict)


class WarmPool:
    """At most ``size`` warm workers; :meth:`run` crawls one target in one of them."""

    def __init__(self, size: int, max_crawls: int, max_rss_bytes: int) -> None:
        self.size = size
        self.max_crawls = max_crawls
        self.max_rss_bytes = max_rss_bytes
        self.stats = PoolStats()
        self._condition = threading.Condition()
        self._workers: set[_Worker] = set()  # every process not yet reaped
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._closed = False
        self._reapers: list[threading.Thread] = []
        # One close at a time: a second SIGTERM would force Scrapy's unclean shutdown.
        self._closing = threading.Lock()

    def run(self, spider: str, target_id: str, timeout_s: float) -> CrawlProcessResult:
        """Crawl ``spider`` ``target_id`` in a warm worker, to its end or the time limit.

        Returns what :func:`crawler.runner.run_crawl` returns for the same crawl, and
        closes the runs of a crawl cut short the same way.
        """
        from storage.clock import utcnow

        started, launched_at = time.monotonic(), utcnow()
        job, worker = _Job(), None
        for _attempt in range(2):  # a second worker if the first died while idle
            worker = self._checkout()
            if worker is None or worker.start(job, spider, {spider: target_id}):
                break
            self._discard(worker)
            worker = None
        if worker is None:  # the pool was closed (the service stops), or workers die at once
            why = INTERRUPTED_REASON if self._closed else CRASHED_REASON
            record_cut_short(spider, target_id, launched_at, why, timeout_s, None, "")
            return CrawlProcessResult(spider, target_id, None, 0.0, "", why)

        reason, returncode, reusable = "", None, False
        if not job.done.wait(timeout_s):
            worker.signal_group(signal.SIGKILL)
            reason = TIMEOUT_REASON
        elif job.result is not None:  # the crawl ended by itself; the worker lives on
            returncode, reusable = int(job.result["returncode"]), True
        else:  # the process ended mid-crawl
            worker.process.wait()
            returncode = worker.process.returncode
        if worker.interrupted:
            returncode, reason, reusable = None, INTERRUPTED_REASON, False
        elif returncode not in (0, None):
            # As for a fresh child: a bad argument or a crawl that could not start (exit
            # 2 or 1, the worker still fine) and a death mid-crawl are all "crashed".
            reason = CRASHED_REASON
        log_text = worker.log_tail(job)
        if reusable:
            self._check_in(worker, job)
        else:
            self._discard(worker)
        record_cut_short(spider, target_id, launched_at, reason, timeout_s, returncode, log_text)
        return CrawlProcessResult(
            spider, target_id, returncode, time.monotonic() - started, log_text[-4000:], reason
        )

    def _checkout(self) -> _Worker | None:
        with self._condition:
            while not self._closed:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        self._busy.add(worker)
                        return worker
                    self._forget(worker)
                if len(self._workers) < self.size:
                    worker = _Worker()
                    self.stats.workers_started += 1
                    self._workers.add(worker)
                    self._busy.add(worker)
                    return worker
                self._condition.wait()
            return None

    def _check_in(self, worker: _Worker, job: _Job) -> None:
        worker.crawls += 1
        rss = int((job.result or {}).get("rss", 0))
        with self._condition:
            self.stats.crawls += 1
            self.stats.peak_rss_by_pid[worker.pid] = worker.peak_rss
            self._busy.discard(worker)
            if self._closed or worker.crawls >= self.max_crawls or rss > self.max_rss_bytes:
                if not self._closed:
                    log.info(
                        "crawl worker %d replaced after %d crawls (%d MB resident)",
                        worker.pid,
                        worker.crawls,
                        rss // 2**20,
                    )
                self._retire(worker)
            else:
                self._idle.append(worker)
            self._condition.notify()

    def _discard(self, worker: _Worker) -> None:
        """A worker that was killed or died: reap it; the next crawl gets a new one."""
        worker.signal_group(signal.SIGKILL)
        with self._condition:
            self._busy.discard(worker)
            self._retire(worker)
            self._condition.notify()

    def _retire(self, worker: _Worker) -> None:
        # Under the condition. Reaped in the background: the caller's crawl is over.
        worker.ask_to_exit()
        reaper = threading.Thread(target=self._reap, args=(worker,), daemon=True)
        # Started before it is listed: close() joins every listed reaper, and joining a
        # thread not yet started raises (a stop racing a retirement crashed the scheduler).
        reaper.start()
        self._reapers = [running for running in self._reapers if running.is_alive()]
        self._reapers.append(reaper)

    def _reap(self, worker: _Worker) -> None:
        worker.reap(RETIRE_GRACE_S)
        with self._condition:
            self.stats.peak_rss_by_pid.setdefault(worker.pid, worker.peak_rss)
            self._forget(worker)
            self._condition.notify()

    def _forget(self, worker: _Worker) -> None:
        while len(self.stats.peak_rss_by_pid) > PEAKS_KEPT:  # a service runs for months
            del self.stats.peak_rss_by_pid[next(iter(self.stats.peak_rss_by_pid))]
        self._workers.discard(worker)
        self._busy.discard(worker)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)

    def close(self, grace_s: float = 10.0) -> None:
        """Stop every worker: a running crawl gets SIGTERM (Scrapy's graceful stop) and
        ``grace_s`` seconds, then its group is killed; its run is recorded as
        interrupted by the thread that started it. Crawls asked for later are not run."""
        with self._closing:
            self._close(grace_s)

    def _close(self, grace_s: float) -> None:
        with self._condition:
            self._closed = True
            busy, idle = list(self._busy), list(self._idle)
            self._idle.clear()
            self._condition.notify_all()
            workers = list(self._workers)
        for worker in busy:
            worker.interrupted = True
            worker.signal_group(signal.SIGTERM)
        for worker in idle:
            worker.ask_to_exit()
        deadline = time.monotonic() + grace_s
        for worker in workers:
            worker.reap(deadline - time.monotonic())
        with self._condition:  # retirements list their reapers under it, started
            reapers = list(self._reapers)
        for reaper in reapers:
            reaper.join(RETIRE_GRACE_S + 15)
        with self._condition:
            for worker in workers:
                self.stats.peak_rss_by_pid.setdefault(worker.pid, worker.peak_rss)
                self._forget(worker)

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
