"""How a crawl child dies with its parent: ``python -m crawler.child_guard FD ARGS``.

The runner starts every crawl as this module with the read end of a pipe whose
write end only the parent holds. The parent never writes; when it exits, however
it exits (``kill -9`` included), the pipe reaches end-of-file, and a thread here
kills this child's whole process group: Scrapy and the browser it started. Then
``scrapy ARGS`` runs as usual.

A pipe rather than Linux's ``prctl(PR_SET_PDEATHSIG)``: that signal would end the
Scrapy process alone, not the browser it started, it is tied to the parent *thread*
that forked, and it exists on Linux only.
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def kill_own_group() -> None:
    """Kill this process group (when this process leads one), then this process."""
    # The runner starts each child as the leader of a new process group; if this
    # module was started some other way, end this process only.
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def watch_parent(read_fd: int) -> threading.Thread:
    """Kill this process group once every writer of ``read_fd`` is gone."""

    def wait_for_end_of_file() -> None:
        try:
            while os.read(read_fd, 1):
                pass
        except OSError:
            pass
        kill_own_group()

    thread = threading.Thread(target=wait_for_end_of_file, name="parent-watch", daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> None:
    """``FD scrapy-arguments...``: watch the parent, then run Scrapy's command line."""
    watch_parent(int(argv[0]))
    from scrapy.cmdline import execute

    execute(["scrapy", *argv[1:]])


if __name__ == "__main__":
    main(sys.argv[1:])
