"""The scheduler's crawls in warm workers (``GOVWATCH_CRAWL_WORKERS_WARM``), and their
settings checked like every other."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.gov_pages import homepage, list_page
from fakes.routed_server import RoutedServer
from service_process import FAST_SETTINGS, SchedulerProcess, wait_for
from sqlalchemy import select

from govwatch.service.runtime import run_once
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.holders import parse_holder, pid_alive
from storage.models import CrawlRun

pytestmark = pytest.mark.timeout(900)
SITES = ("east", "west", "north")


@pytest.fixture
def three_sites() -> Iterator[RoutedServer]:
    today = china_today()
    with RoutedServer() as server:
        for site_id in SITES:
            server.set_html(f"/{site_id}/", homepage(today))
            server.set_html(
                f"/{site_id}/news/", list_page("工作动态", [1, 3], today, prefix=f"/{site_id}/n/")
            )
        yield server


def cycle(server: RoutedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: str) -> None:
    """One ``--once`` cycle over the three sites, one crawl at a time."""
    targets = tmp_path / "targets.yaml"
    sites = "".join(
        f"  - id: {site_id}\n    name: {site_id}县人民政府\n    url: {server.base_url}{site_id}/\n"
        f"    columns:\n"
        f"      - {{name: 工作动态, url: '{server.base_url}{site_id}/news/', category: news}}\n"
        for site_id in SITES
    )
    targets.write_text(f"sites:\n{sites}", encoding="utf-8")
    settings = {
        **FAST_SETTINGS,
        "GOVWATCH_TARGETS": str(targets),
        "GOVWATCH_MAX_CONCURRENT_CRAWLS": "1",
        "GOVWATCH_CRAWL_WORKERS_WARM": warm,
        "GOVWATCH_CRAWL_WORKER_MAX_CRAWLS": "2",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    run_once(threading.Event())


def crawl_pids() -> list[int]:
    """The process that ran each crawl, in crawl order (every run must be ok)."""
    with session_scope() as session:
        runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    assert [run.outcome for run in runs] == ["ok"] * len(SITES), [
        (run.target_id, run.outcome, run.detail) for run in runs
    ]
    pids = []
    for run in runs:
        holder = parse_holder(run.holder)
        assert holder is not None
        pids.append(holder.pid)
    return pids


def test_a_cycle_crawls_in_warm_workers_replaced_after_their_count(
    three_sites: RoutedServer, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle(three_sites, tmp_path, monkeypatch, warm="true")
    first, second, third = crawl_pids()
    # One worker at a time: two crawls in the first (GOVWATCH_CRAWL_WORKER_MAX_CRAWLS=2),
    # the third in its replacement; none left running after the cycle.
    assert first == second != third
    assert not pid_alive(first) and not pid_alive(third)


@pytest.mark.database_neutral
def test_warm_workers_off_is_a_process_per_crawl(
    three_sites: RoutedServer, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle(three_sites, tmp_path, monkeypatch, warm="false")
    assert len(set(crawl_pids())) == len(SITES)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("GOVWATCH_CRAWL_WORKERS_WARM", "sometimes", "应为 true 或 false"),
        ("GOVWATCH_CRAWL_WORKER_MAX_CRAWLS", "0", "应大于或等于 1"),
        ("GOVWATCH_CRAWL_WORKER_MAX_RSS_MB", "10", "应大于或等于 64"),
    ],
)
def test_scheduler_refuses_a_bad_warm_worker_setting(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    expected: str,
) -> None:
    import scheduler

    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    assert scheduler.main(["--once"]) == 2
    assert capsys.readouterr().err.strip() == f"错误: 设置 {variable}={value} 无效: {expected}"


@pytest.mark.database_neutral
def test_a_redis_worker_killed_is_replaced_and_crawls_on(
    three_sites: RoutedServer, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"sites:\n  - id: east\n    name: 东县人民政府\n    url: {three_sites.base_url}east/\n"
        f"    columns:\n"
        f"      - {{name: 工作动态, url: '{three_sites.base_url}east/news/', category: news}}\n",
        encoding="utf-8",
    )
    env = {
        **FAST_SETTINGS,
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_TARGETS": str(targets),
        "GOVWATCH_REDIS_URL": redis_url,
    }
    started = re.compile(r"crawl worker started \(pid (\d+)\)")
    with SchedulerProcess(env, "--worker") as supervisor:
        supervisor.wait_for_log("crawl worker started")
        (first,) = (int(pid) for pid in started.findall(supervisor.log))
        os.kill(first, signal.SIGKILL)
        wait_for("a second worker", lambda: len(started.findall(supervisor.log)) == 2, 120)
        second = int(started.findall(supervisor.log)[1])
        assert f"crawl worker (pid {first}) ended with exit code -9" in supervisor.log
        with SchedulerProcess(env, "--once") as once:
            assert once.wait(300) == 0, once.log
        assert supervisor.terminate(60) == 0, supervisor.log
    with session_scope() as session:
        runs = list(session.scalars(select(CrawlRun)))
    assert [(run.target_id, run.outcome) for run in runs] == [("east", "ok")]
    holder = parse_holder(runs[0].holder)
    assert holder is not None and holder.pid == second  # the replacement crawled it
    assert not pid_alive(second)
