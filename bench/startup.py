"""Start-up cost of the command line: ``govwatch --help``, ``findings`` and ``scores``.

Each command runs as a fresh process, as an operator runs it, alternating with
``python -c pass`` (the interpreter's own start, the floor) so that load on the
machine falls on all of them alike; the script prints the median and the fastest
wall time and the median CPU time (user + system, of the child) of each, and each
command's ratio to the floor. ``findings`` and ``scores --format json`` read a small
SQLite database the script makes first (3 sites, 12 findings) in a temporary
directory, migrated beforehand, as an operator's database is after its first command;
``--database-url`` gives them another (the 5M-item database ``bench/check.py``
generates and checks: ``sqlite:////tmp/govwatch-bench/check-v1-….sqlite``).

``--instructions`` also runs each command once under Valgrind's callgrind and prints
the instructions it executed: unlike seconds, that count does not move with the
machine's load, so runs on a busy machine compare with runs on a quiet one (about
0.7 s per 10^9 instructions on the quiet 2-core machine of bench/README.md).

    .venv/bin/python bench/startup.py [--runs 15] [--instructions] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GOVWATCH = str(Path(sys.executable).with_name("govwatch"))

TARGETS = """
units:
  - name: 示范县政府办
sites:
"""


def make_small_database(directory: Path) -> str:
    """A migrated SQLite database with 3 sites and 12 open findings; its URL."""
    url = f"sqlite:///{directory / 'small.db'}"
    targets = directory / "targets.yaml"
    sites = "".join(
        f"  - id: site{n}\n    name: 示范{n}县人民政府\n    url: http://127.0.0.1:9/{n}/\n"
        f"    unit: 示范县政府办\n"
        for n in range(3)
    )
    targets.write_text(TARGETS + sites, encoding="utf-8")
    env = {**os.environ, "GOVWATCH_DATABASE_URL": url}
    subprocess.run(
        [GOVWATCH, "targets", "load", str(targets)],
        env=env,
        check=True,
        cwd=directory,
        stderr=subprocess.DEVNULL,
    )
    code = f"""
from datetime import datetime
from storage.db import session_scope
from storage.models import Finding
now = datetime.fromisoformat({datetime.now(UTC).replace(tzinfo=None).isoformat()!r})
with session_scope({url!r}) as session:
    for n in range(12):
        session.add(Finding(
            fingerprint=f"COLUMN_STALE|column|site{{n % 3}}/栏目{{n}}|", rule="COLUMN_STALE",
            severity="deduction", points=1.0, target_type="column",
            target_id=f"site{{n % 3}}/栏目{{n}}", unit="示范县政府办",
            message=f"示范{{n % 3}}县人民政府「栏目{{n}}」栏目已20天未更新", evidence=[],
            first_seen=now, last_seen=now, status="open"))
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=REPO_ROOT)
    return url


def timed_run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``argv``; fails if the command does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def instructions(argv: list[str], env: dict[str, str], cwd: Path) -> int:
    """Instructions ``argv`` executes (user space, as counted by callgrind)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind for {argv}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each command's instructions once under valgrind (slow: minutes)",
    )
    parser.add_argument(
        "--database-url",
        help="the database findings and scores read (default: a small one made here)",
    )
    options = parser.parse_args()
    if options.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="govwatch-startup-") as temp:
        directory = Path(temp)
        url = options.database_url or make_small_database(directory)
        env = {**os.environ, "GOVWATCH_DATABASE_URL": url, "COLUMNS": "120"}
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "govwatch --help": [GOVWATCH, "--help"],
            "govwatch findings": [GOVWATCH, "findings"],
            "govwatch scores": [GOVWATCH, "scores", "--format", "json"],
        }
        for argv in commands.values():  # warm the page cache and the .pyc files
            timed_run(argv, env, directory)
        counts = {
            name: instructions(argv, env, directory) if options.instructions else 0
            for name, argv in commands.items()
        }
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.runs):
            for name, argv in commands.items():
                wall, cpu = timed_run(argv, env, directory)
                walls[name].append(wall)
                cpus[name].append(cpu)
    floor = statistics.median(walls["python -c pass"])
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, {options.runs} runs each"
        + (f", database {options.database_url}" if options.database_url else "")
    )
    header = f"{'command':<20} {'median s':>9} {'min s':>7} {'CPU s':>7} {'× pass':>7}"
    print(header + (f" {'10^6 instr':>11}" if options.instructions else ""))
    for name in commands:
        median = statistics.median(walls[name])
        line = (
            f"{name:<20} {median:>9.3f} {min(walls[name]):>7.3f} "
            f"{statistics.median(cpus[name]):>7.3f} {median / floor:>7.1f}"
        )
        print(line + (f" {counts[name] / 1e6:>11.0f}" if options.instructions else ""))


if __name__ == "__main__":
    main()
