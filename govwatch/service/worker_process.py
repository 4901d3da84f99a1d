"""``python scheduler.py --worker``: the Redis crawl worker in a child process, restarted.

The ``worker`` spider (``crawler/spiders/worker.py``) already runs every crawl it takes
in one long-lived Scrapy process, so it pays no start-up per crawl; what a crash or a
leak in it would cost is the worker itself. With ``GOVWATCH_CRAWL_WORKERS_WARM`` (the
default) this command therefore supervises it, as the scheduler's warm pool does its
workers (``crawler/warm_pool.py``):

- the spider runs as ``scrapy crawl worker`` in its own process group, under
  ``crawler.child_guard``, so it dies with this process, browser and all;
- a worker that dies (a crash, ``kill -9``, the out-of-memory killer) is started again,
  after a pause that doubles while it keeps dying at once (up to a minute);
- a worker above ``GOVWATCH_CRAWL_WORKER_MAX_RSS_MB`` closes itself (Scrapy's
  ``MEMUSAGE_LIMIT_MB``, set by the spider) and is replaced;
- SIGTERM/SIGINT reach the worker as SIGTERM, Scrapy's graceful stop (the requests it
  holds finish; the shared queue stays in Redis), and a kill follows after
  ``GOVWATCH_CRAWL_STOP_GRACE_S``.

Requests a dead worker held are lost with it, as before; their runs are closed by the
stale-run sweep (``govwatch/service/checks.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time

from crawler.runner import signal_group, start_guarded_scrapy
from settings import Settings

log = logging.getLogger("govwatch.scheduler")

#: Longest pause before a worker that keeps dying is started again.
MAX_RESTART_PAUSE_S = 60.0
#: A worker that ran this long before it died is restarted at once (not a start-up fault).
HEALTHY_RUN_S = 60.0


def supervise_worker(stop: threading.Event, settings: Settings) -> None:
    """Keep one Redis crawl worker running until ``stop`` is set, then stop it."""
    pause_s = 1.0
    while not stop.is_set():
        process, guard = start_guarded_scrapy(["crawl", "worker"])
        started = time.monotonic()
        log.info("crawl worker started (pid %d)", process.pid)
        try:
            while process.poll() is None and not stop.wait(0.5):
                pass
            if stop.is_set():
                signal_group(process, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=settings.crawl_stop_grace_s)
                signal_group(process, signal.SIGKILL)  # and whatever it started
                process.wait()
                break
            signal_group(process, signal.SIGKILL)  # a browser it left behind
        finally:
            os.close(guard)
        ran_s = time.monotonic() - started
        pause_s = 1.0 if ran_s > HEALTHY_RUN_S else min(MAX_RESTART_PAUSE_S, pause_s * 2)
        log.warning(
            "crawl worker (pid %d) ended with exit code %s after %.0f s; a new one starts in %.0f s",
            process.pid,
            process.returncode,
            ran_s,
            pause_s,
        )
        stop.wait(pause_s)
    log.info("crawl worker stopped")
