"""Running ``scheduler.py`` as a real process in tests, and waiting on database state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

#: Short intervals so several cycles fit in a test; jitter and spread off.
FAST_SETTINGS = {
    "GOVWATCH_PROBE_INTERVAL_S": "3600",
    "GOVWATCH_SCHEDULE_JITTER_S": "0",
    "GOVWATCH_SCHEDULE_SPREAD_S": "0",
    "GOVWATCH_CHECK_POLL_S": "1",
    "GOVWATCH_TARGETS_POLL_S": "0.5",
    "GOVWATCH_CHECK_LINKS": "false",
    "GOVWATCH_RENDER_FALLBACK": "false",
    "GOVWATCH_ARTICLE_DATE_PROBES": "0",
    "GOVWATCH_ARTICLE_TEXT_PAGES": "0",
    "GOVWATCH_DOWNLOAD_DELAY_S": "0",
    "GOVWATCH_RETRY_TIMES": "0",
    "GOVWATCH_NOTIFY_BACKOFF_S": "0",
    "GOVWATCH_CRAWL_STOP_GRACE_S": "3",
}


def wait_for(what: str, probe: Callable[[], T], timeout_s: float = 60.0) -> T:
    """Poll ``probe`` until it returns something truthy, or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {value!r})")
        time.sleep(0.2)


class SchedulerProcess:
    """``python scheduler.py [args]`` with its log collected, stopped at exit."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "scheduler.py"), *args],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_for_log(self, text: str, timeout_s: float = 300.0) -> None:
        wait_for(f"log line {text!r}", lambda: text in self.log or self.process.poll(), timeout_s)
        assert text in self.log, self.log

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout_s: float = 120.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            # Where it is stuck: the scheduler prints every thread's stack on SIGUSR1.
            self.process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            raise AssertionError(
                f"scheduler did not stop within {timeout_s:.0f} s of SIGTERM; its log:\n{self.log}"
            ) from None

    def wait(self, timeout_s: float) -> int:
        return self.process.wait(timeout_s)

    def __enter__(self) -> SchedulerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._reader.join(5)
