"""Running a spider in its own process, so any number of crawls can follow one another.

Scrapy's Twisted reactor cannot be restarted inside one process; the scheduler and
the demo therefore start ``scrapy crawl`` as a child process per target, with a time
limit. A crash or a hang ends that child only, and is reported as a failed crawl.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class CrawlProcessResult:
    """How one crawl process ended."""

    spider: str
    target_id: str
    returncode: int | None  # None: killed after the time limit
    seconds: float
    log_tail: str

    @property
    def ok(self) -> bool:
        """Whether the process finished by itself without an error exit."""
        return self.returncode == 0


def run_crawl(
    spider: str, target_id: str, timeout_s: float = 1800.0, env: dict[str, str] | None = None
) -> CrawlProcessResult:
    """Run ``scrapy crawl SPIDER -a SPIDER=TARGET`` to completion or the time limit."""
    return _run(spider, f"{spider}={target_id}", target_id, timeout_s, env)


def run_crawl_url(
    url: str, timeout_s: float = 1800.0, env: dict[str, str] | None = None
) -> CrawlProcessResult:
    """Run ``scrapy crawl site -a url=URL``: an ad-hoc crawl of an unregistered site."""
    return _run("site", f"url={url}", url, timeout_s, env)


def _run(
    spider: str, argument: str, target_id: str, timeout_s: float, env: dict[str, str] | None
) -> CrawlProcessResult:
    child_env = {**os.environ, **(env or {}), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    child_env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(REPO_ROOT), child_env.get("PYTHONPATH", "")) if part
    )
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", argument]
    started = time.monotonic()
    with subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    ) as process:
        try:
            _, stderr = process.communicate(timeout=timeout_s)
            returncode: int | None = process.returncode
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
            returncode = None
    return CrawlProcessResult(
        spider, target_id, returncode, time.monotonic() - started, (stderr or "")[-4000:]
    )
