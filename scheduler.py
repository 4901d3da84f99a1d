"""Continuous background monitoring: crawl every registered target, then check.

This first version runs cycles in one process: each crawl in its own child process
(Scrapy's reactor cannot restart in-process), one at a time, then a check. Issue 8
replaces the loop with APScheduler jobs, notifications and metrics.

    python scheduler.py           cycle until SIGTERM/SIGINT
    python scheduler.py --once    one full cycle over every target, then exit
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

from sqlalchemy import select

from crawler.runner import run_crawl
from govwatch.targets_file import TargetsFileError, read_targets_file
from monitor.check import run_check
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.models import Site
from storage.registry import sync_targets

log = logging.getLogger("govwatch.scheduler")


def load_targets_if_present() -> None:
    """Load the configured targets file into the registry, if there is one."""
    path = Path(get_settings().targets)
    if not path.is_file():
        log.info("targets file %s not found; using what is registered", path)
        return
    try:
        targets = read_targets_file(path)
    except TargetsFileError as error:
        log.error("targets file rejected, keeping the registry as it was:\n%s", error)
        return
    with session_scope() as session:
        sync_targets(session, targets)


def run_cycle(stop: threading.Event) -> None:
    """Crawl every active site once, then check as of today."""
    load_targets_if_present()
    with session_scope() as session:
        site_ids = list(session.scalars(select(Site.id).where(Site.active.is_(True))))
    for site_id in site_ids:
        if stop.is_set():
            return
        result = run_crawl("site", site_id, timeout_s=get_settings().crawl_timeout_s)
        log.info("crawl site %s: exit %s in %.1fs", site_id, result.returncode, result.seconds)
    with session_scope() as session:
        run_check(session, china_today())


def main() -> None:
    parser = argparse.ArgumentParser(description="govwatch continuous monitoring")
    parser.add_argument("--once", action="store_true", help="one full cycle, then exit")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set():
        run_cycle(stop)
        if args.once:
            break
        stop.wait(get_settings().cycle_interval_s)


if __name__ == "__main__":
    main()
