"""Continuous background monitoring (issue 8): probes, crawls, checks, notifications.

    python scheduler.py           run until SIGTERM/SIGINT (jobs in the database)
    python scheduler.py --once    one full cycle over every target, then exit
    python scheduler.py --worker  a crawl worker on the Redis queue (GOVWATCH_REDIS_URL)

What runs when is set in ``settings.py`` (the "scheduler and notifications" block);
``govwatch status`` shows what ran last and what runs next. The pieces live in
``govwatch/service/``.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="govwatch 常态化监测服务")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="完整检查一轮后退出")
    mode.add_argument("--worker", action="store_true", help="作为 Redis 队列的抓取工作进程运行")
    args = parser.parse_args(argv)
    # `kill -USR1 <pid>` prints every thread's stack to the log: what a stuck service
    # is waiting on, without stopping it. The process's own stderr: sys.stderr may be a
    # stream without a file descriptor (a test's capture), which faulthandler refuses.
    faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)
    from govwatch.logging_setup import configure_logging

    configure_logging()  # GOVWATCH_LOG_LEVEL; secrets redacted from every record
    # APScheduler logs every job start at INFO; one line per crawl is ours to write.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    # Migrations on first use and each probe request are not news in a service log.
    for chatty in ("alembic", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)

    from govwatch.service.runtime import run_forever, run_once, run_worker
    from settings import InvalidSettingError, get_settings
    from storage.db import DatabaseError

    try:
        get_settings()  # a bad setting is reported now, in one line, not as a traceback
    except InvalidSettingError as error:
        print(f"错误: {error}", file=sys.stderr)
        return 2

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.worker:
        run_worker(stop)
        return 0
    try:
        if args.once:
            run_once(stop)
        else:
            run_forever(stop)
    except DatabaseError as error:
        print(f"错误: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
