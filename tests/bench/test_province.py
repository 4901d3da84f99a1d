"""The province bench (bench/province.py) end to end at a tiny size: one full cycle with
the scheduler crawls every target of the simulated province, the figures come out, and
the bench leaves no server running.

One site of three columns and two accounts (a Weibo and a WeChat one): every crawl is a
fresh process, so each target costs a few seconds of CPU in imports alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench_scripts import bench_script

BENCH = Path(__file__).resolve().parents[2] / "bench" / "province.py"
# Politeness off and no article or link fetching: this checks the bench, not the speed.
FAST = (
    "GOVWATCH_DOWNLOAD_DELAY_S=0",
    "GOVWATCH_PLATFORM_DELAY_S=0",
    "GOVWATCH_ARTICLE_TEXT_PAGES=0",
    "GOVWATCH_HEALTH_ARTICLE_PAGES=0",
    "GOVWATCH_CHECK_LINKS=false",
)


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, state letter), from Linux's /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            table[int(entry)] = (int(fields[1]), fields[0])
    return table


def _children() -> list[int]:
    """Processes whose parent is this one."""
    return [pid for pid, (parent, _) in _processes().items() if parent == os.getpid()]


def test_tiny_province_cycle_crawls_every_target(tmp_path: Path, capsys) -> None:
    before = set(_children())
    figures = tmp_path / "figures.json"
    arguments = ["--sites", "1", "--accounts", "2", "--columns", "3", "--json", str(figures)]
    for setting in FAST:
        arguments += ["--setting", setting]
    assert bench_script("province").main(arguments) == 0

    result = json.loads(figures.read_text())
    assert result["targets"] == 3
    assert result["targets_crawled"] == 3
    assert result["runs"] == {"ok": 3}
    served = result["served"]
    assert served["homepage"] >= 2  # the probe and the crawl
    assert served["column list page"] >= 3
    assert served["weibo API page"] >= 2  # account 0: the profile, then its timeline
    assert served["wechat feed"] == 1  # account 1
    assert result["items"] > 0 and result["posts"] > 0
    assert result["cycle_wall_s"] > 0 and result["cycle_cpu_s"] > 0
    assert result["check_wall_s"] > 0 and result["report_wall_s"] > 0
    kinds = result["processes"]
    assert kinds["scheduler (scheduler.py --once)"]["processes"] == 1
    # The crawls ran in warm workers (a process runs crawls one after another), at most
    # one per crawl, none in a process of its own.
    assert 1 <= kinds["warm crawl worker"]["processes"] <= 3
    assert kinds["warm crawl worker"]["peak_rss_mb"] > 10
    assert not [kind for kind in kinds if kind.startswith("crawl child")]
    output = capsys.readouterr().out
    assert "targets crawled: 3 of 3" in output
    assert "settings changed from production: GOVWATCH_DOWNLOAD_DELAY_S=0" in output
    # The page server and every measured process have ended.
    assert set(_children()) <= before


@pytest.mark.parametrize(
    ("argument", "named"),
    [("--scale=0", "--scale"), ("--columns=31", "--columns"), ("--setting=DELAY=0", "--setting")],
)
def test_bad_arguments_exit_2_naming_the_option(argument: str, named: str, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench_script("province").main([argument])
    assert stopped.value.code == 2
    assert named in capsys.readouterr().err.strip().splitlines()[-1]


def _descendants(root: int) -> set[int]:
    """Every living process below ``root`` (a zombie is not running)."""
    parents = {pid: parent for pid, (parent, state) in _processes().items() if state != "Z"}
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.timeout(300)
def test_a_terminated_bench_stops_its_server_and_crawls(tmp_path: Path) -> None:
    # Politeness on: the cycle is still running when the bench is told to stop.
    bench = subprocess.Popen(
        [sys.executable, str(BENCH), "--sites", "2", "--accounts", "0"],
        cwd=BENCH.parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        seen: set[int] = set()
        while not any(_cmdline(pid).endswith("scheduler.py --once") for pid in seen):
            assert time.monotonic() < deadline, "the cycle did not start"
            assert bench.poll() is None, bench.stderr.read() if bench.stderr else ""
            time.sleep(0.2)
            seen = _descendants(bench.pid)
        bench.terminate()
        assert bench.wait(120) == 130
        assert "interrupted" in (bench.stderr.read() if bench.stderr else "")
        assert not [pid for pid in seen if _cmdline(pid)], [_cmdline(pid) for pid in seen]
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()
