"""Which process holds something (a crawl run, a lease), and whether it still lives.

A holder is ``host:pid:sSTART``: the host name, the process id, and the process's
start time in clock ticks since boot (Linux ``/proc/PID/stat``; empty elsewhere),
marked with ``s`` so it is never mistaken for the token older lease holders had.
The start time tells a live holder from a new process that got the same pid after
a restart, which happens in containers, where the scheduler is often pid 1.

Liveness can only be judged on this host: a holder on another host is never
declared dead here (its lease still expires).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Holder:
    """A parsed holder string."""

    host: str
    pid: int
    start: str  # "" when unknown


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/PID/stat`` after the command name (``None``: no such process)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name is in parentheses and may itself hold spaces or parentheses.
    return text[text.rfind(")") + 2 :].split()


def process_start(pid: int) -> str:
    """The start time of ``pid`` in ticks since boot, or "" where /proc is missing."""
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else ""


def this_process() -> str:
    """The holder string of the calling process."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:s{process_start(pid)}"


def parse_holder(holder: str | None) -> Holder | None:
    """``host:pid[:sSTART][:anything]`` as a :class:`Holder`; None if it is not one."""
    if not holder:
        return None
    parts = holder.split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    # Older lease holders were host:pid:token (8 hex digits, no start time).
    marked = parts[2] if len(parts) > 2 else ""
    start = marked[1:] if marked.startswith("s") and marked[1:].isdigit() else ""
    return Holder(parts[0], int(parts[1]), start)


def pid_alive(pid: int, start: str = "") -> bool:
    """Whether ``pid`` runs (a zombie does not) and, if ``start`` is given, is the same
    process that started then."""
    fields = _stat_fields(pid)
    if fields is not None:
        if fields[0] in ("Z", "X"):  # exited; waiting to be reaped
            return False
        return not start or len(fields) <= 19 or fields[19] == start
    if Path("/proc/self/stat").exists():
        return False  # Linux: no /proc entry, no process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_is_dead(holder: str | None) -> bool:
    """Whether ``holder`` is a process on this host that no longer runs.

    False when that cannot be known: another host, or not a holder string.
    """
    parsed = parse_holder(holder)
    if parsed is None or parsed.host != socket.gethostname():
        return False
    return not pid_alive(parsed.pid, parsed.start)
