"""A warm crawl worker: ``python -m crawler.warm_worker``, one process of the scheduler's pool.

A fresh ``scrapy crawl`` per target pays for importing Scrapy and the project, setting
up Twisted, the settings and the database every time (issue 17): at province scale,
thousands of times a day. A warm worker pays once, then runs the crawls the pool
(``crawler/warm_pool.py``) sends, one after another, on one reactor, exactly as
``scrapy crawl SPIDER -a NAME=VALUE`` runs one: the same project settings
(``crawler/settings.py`` through Scrapy's ``AsyncCrawlerProcess``, as ``scrapy
crawl`` builds it), the same argument check first (``crawler/commands/crawl.py``),
the same spiders and pipelines, the same log on standard error.

Protocol. Standard input carries one JSON object per line: ``{"spider": "site",
"arguments": {"site": "ID"}}`` runs one crawl; ``{"exit": true}`` ends the worker.
Each crawl's end is one marker line on standard error (:data:`RESULT_MARKER` and a
JSON object: the exit code ``scrapy crawl`` would have had, and this process's memory),
so the pool knows which log lines belong to which crawl, in order.

Isolation is the pool's: it kills this process group at a crawl's time limit or when
the process dies, and records the crawl as the fresh-process runner does. Standard
input reaching end-of-file means the pool is gone (the scheduler exited, however it
exited): the whole group is killed, browser included (``crawler.child_guard``).
SIGTERM is Scrapy's graceful shutdown, as for ``scrapy crawl``: the running crawl
closes (reason ``shutdown``) and the process exits.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import threading
from typing import Any

from crawler.child_guard import kill_own_group

#: Start of the line that ends each crawl's log on standard error.
RESULT_MARKER = "\x1egovwatch-warm-worker-result "

log = logging.getLogger("govwatch.warm_worker")


def memory_now() -> tuple[int, int]:
    """(resident bytes now, peak resident bytes) of this process."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            resident_pages = int(statm.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE"), peak
    except (OSError, ValueError, IndexError):
        return peak, peak  # no /proc: the peak is the best bound we have


def report(returncode: int) -> None:
    """End the current crawl's log with its result line."""
    resident, peak = memory_now()
    line = json.dumps({"returncode": returncode, "rss": resident, "peak_rss": peak})
    sys.stderr.write(f"{RESULT_MARKER}{line}\n")  # the stream logging writes to: in order
    sys.stderr.flush()


class Worker:
    """Runs one crawl at a time in the process's ``AsyncCrawlerProcess``."""

    def __init__(self, process: Any) -> None:
        self.process = process

    def read_commands(self) -> None:
        """The stdin thread: pass each command to the reactor; end-of-file: the pool is gone."""
        from twisted.internet import reactor

        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            if command.get("exit"):
                # Stopping the reactor first stops any crawl gracefully (Scrapy's trigger).
                reactor.callFromThread(reactor.stop)
                return
            reactor.callFromThread(self.crawl, command["spider"], command.get("arguments", {}))
        kill_own_group()

    def crawl(self, spider: str, arguments: dict[str, str]) -> None:
        """Start one crawl (in the reactor thread); its result line follows when it ends."""
        from crawler.spider_args import SpiderArgumentError, check_crawl_arguments
        from storage.db import DatabaseError

        # As crawler/commands/crawl.py does before `scrapy crawl` starts: one line, exit 2
        # for an argument, exit 1 when the database cannot be opened.
        try:
            check_crawl_arguments(spider, arguments)
        except SpiderArgumentError as error:
            print(f"错误: {error}", file=sys.stderr)
            report(2)
            return
        except DatabaseError as error:
            print(f"错误: {error}", file=sys.stderr)
            report(1)
            return
        try:
            task = self.process.crawl(spider, **arguments)
        except Exception:
            log.exception("crawl %s %s could not start", spider, arguments)
            report(1)
            return
        task.add_done_callback(self._finished)

    def _finished(self, task: Any) -> None:
        # `scrapy crawl` exits 1 when the crawler failed to start (its spider was never
        # built, or crawling raised); a crawl that ran, however its pages went, exits 0.
        failed = task.cancelled() or task.exception() is not None
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("crawl failed: %s", error, exc_info=(type(error), error, error.__traceback__))
        report(1 if failed else 0)


def main() -> None:
    """Set up Scrapy once, then run crawls until told to exit (or killed)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.utils.project import get_project_settings

    # What `scrapy crawl` builds (scrapy.cmdline.execute): the project settings, the
    # process (logging configured, reactor installed), Scrapy's SIGTERM/SIGINT handling.
    process = AsyncCrawlerProcess(get_project_settings())
    worker = Worker(process)
    threading.Thread(target=worker.read_commands, name="pool-commands", daemon=True).start()
    process.start(stop_after_crawl=False)


if __name__ == "__main__":
    main()
