"""The service's small parts on their own: leases, status, metrics, targets watching,
and the runner closing the run of a child that died."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from service_fakes import free_port
from sqlalchemy import select
from typer.testing import CliRunner

from crawler.runner import close_unfinished_runs
from govwatch.cli import app
from govwatch.service import runtime
from govwatch.service.leases import acquire_lease, release_lease
from govwatch.service.metrics import start_metrics_server
from govwatch.service.schedule import build_scheduler, sync_jobs
from govwatch.service.targets_watch import TargetsWatcher
from settings import get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import CrawlRun, Finding, Site

TARGETS = """
sites:
  - id: {site_id}
    name: 测试县人民政府
    url: http://127.0.0.1:9/
"""


def load(tmp_path: Path, site_id: str = "county", settle_s: float = 0.0) -> TargetsWatcher:
    """A watcher that has loaded one site; ``settle_s`` 0: every write counts as complete."""
    path = tmp_path / "targets.yaml"
    path.write_text(TARGETS.format(site_id=site_id), encoding="utf-8")
    watcher = TargetsWatcher(path, settle_s=settle_s)
    assert watcher.poll()
    return watcher


def add_run(target_id: str, outcome: str, minutes_ago: int, detail: str = "") -> None:
    started = utcnow() - timedelta(minutes=minutes_ago)
    with session_scope() as session:
        session.add(
            CrawlRun(
                target_type="site",
                target_id=target_id,
                started_at=started,
                finished_at=started + timedelta(seconds=30),
                outcome=outcome,
                pages_fetched=3,
                detail=detail,
            )
        )


def test_one_lease_holder_at_a_time(database_url: str) -> None:
    assert acquire_lease("site", "county", "a", ttl_s=60)
    assert not acquire_lease("site", "county", "b", ttl_s=60)
    assert acquire_lease("site", "other", "b", ttl_s=60)
    release_lease("site", "county", "b")  # not b's: nothing happens
    assert not acquire_lease("site", "county", "b", ttl_s=60)
    release_lease("site", "county", "a")
    assert acquire_lease("site", "county", "b", ttl_s=-1)  # taken, already expired
    assert acquire_lease("site", "county", "c", ttl_s=60)  # so it can be taken over


def test_targets_watcher_reloads_changes_and_keeps_the_registry_on_a_bad_file(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    watcher = load(tmp_path)
    assert not watcher.poll()  # unchanged
    watcher.path.write_text("sites:\n  - id: Bad Id\n    url: nope\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="govwatch.scheduler"):
        assert not watcher.poll()
    assert "targets file rejected" in caplog.text
    with session_scope() as session:
        assert session.scalars(select(Site.id).where(Site.active.is_(True))).all() == ["county"]
    watcher.path.write_text(TARGETS.format(site_id="town"), encoding="utf-8")
    assert watcher.poll()
    with session_scope() as session:
        assert session.scalars(select(Site.id).where(Site.active.is_(True))).all() == ["town"]


def active_sites() -> list[str]:
    with session_scope() as session:
        return list(session.scalars(select(Site.id).where(Site.active.is_(True))))


@pytest.mark.parametrize(
    "text", ["", "# 暂时清空\n", "units:\n  - name: 县政府办\n", "sites: []\naccounts: []\n"]
)
def test_targets_watcher_refuses_a_file_without_targets(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    watcher = load(tmp_path)
    watcher.path.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="govwatch.scheduler"):
        assert not watcher.poll()
    assert "targets file rejected" in caplog.text
    assert "没有任何目标" in caplog.text
    assert active_sites() == ["county"]


def test_targets_watcher_waits_for_a_write_to_finish(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # settle_s is far away: only "the same content on two polls in a row" completes a write.
    watcher = load(tmp_path, settle_s=3600)
    half_written = TARGETS.format(site_id="town")[:30]  # an editor's save, caught midway
    watcher.path.write_text(half_written, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="govwatch.scheduler"):
        assert not watcher.poll()
    assert "rejected" not in caplog.text  # not judged before it is complete
    assert active_sites() == ["county"]
    watcher.path.write_text(TARGETS.format(site_id="town"), encoding="utf-8")
    assert not watcher.poll()  # new content: read once more before it counts
    assert active_sites() == ["county"]
    assert watcher.poll()
    assert active_sites() == ["town"]


def test_targets_watcher_explains_a_directory_in_place_of_the_file(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "targets.yaml"
    path.mkdir()  # what `docker compose up` leaves when ./targets.yaml does not exist
    with caplog.at_level(logging.ERROR, logger="govwatch.scheduler"):
        assert not TargetsWatcher(path).poll()
    assert "is a directory, not a file" in caplog.text
    assert "Docker" in caplog.text


def test_status_shows_last_run_next_run_and_failing_targets(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(
        TARGETS.format(site_id="county") + TARGETS.format(site_id="town").split("sites:")[1],
        encoding="utf-8",
    )
    assert TargetsWatcher(path).poll()
    add_run("county", "ok", 90)
    add_run("county", "partial", 30)
    for minutes in (50, 40, 30):
        add_run("town", "failed", minutes, detail="timeout: 抓取超过时限")
    monkeypatch.setenv("GOVWATCH_SCHEDULE_SPREAD_S", "0")
    get_settings.cache_clear()
    scheduler = build_scheduler(get_settings())
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, get_settings())
    finally:
        scheduler.shutdown(wait=False)

    result = CliRunner().invoke(app, ["status", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["target_id"]: row for row in json.loads(result.output)}
    assert rows["county"]["last_outcome"] == "partial" and not rows["county"]["failing"]
    assert rows["county"]["next_run_at"] is not None
    assert rows["town"]["failing"] and rows["town"]["consecutive_failures"] == 3
    assert rows["town"]["last_detail"].startswith("timeout")

    table = CliRunner().invoke(app, ["status"])
    assert table.exit_code == 0, table.output
    assert "最近 3 次抓取均失败: town" in table.output
    # Every target whose last run did not succeed is listed with the stored reason.
    assert "网站 town 失败: timeout: 抓取超过时限" in table.output
    assert "网站 county 部分失败: 未记录原因" in table.output


def test_metrics_endpoint(database_url: str) -> None:
    add_run("county", "ok", 20)
    add_run("county", "failed", 10)
    now = utcnow()
    with session_scope() as session:
        session.add(
            Finding(
                fingerprint="COLUMN_EMPTY|column|county/人事信息|",
                rule="COLUMN_EMPTY",
                severity="deduction",
                target_type="column",
                target_id="county/人事信息",
                message="空白栏目",
                evidence=[],
                first_seen=now,
                last_seen=now,
            )
        )
    port = free_port()
    server = start_metrics_server(port, "127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            body = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert 'govwatch_crawls_total{target_type="site"} 2.0' in body
    assert 'govwatch_crawls_failed_total{target_type="site"} 1.0' in body
    assert 'govwatch_pages_fetched_total{target_type="site"} 6.0' in body
    assert 'govwatch_findings_open{rule="COLUMN_EMPTY",severity="deduction"} 1.0' in body
    assert 'govwatch_last_success_timestamp_seconds{target_id="county",target_type="site"}' in body
    assert start_metrics_server(0, "127.0.0.1") is None


def test_runner_closes_the_run_a_dead_child_left_running(database_url: str) -> None:
    launched = utcnow()
    with session_scope() as session:
        session.add(CrawlRun(target_type="site", target_id="county", started_at=launched))
    assert close_unfinished_runs("site", "county", launched, "timeout: 超时") == 1
    # A child that died before opening a run still leaves a failed run behind.
    assert close_unfinished_runs("site", "town", launched, "crashed: 退出码 1") == 1
    with session_scope() as session:
        runs = {run.target_id: run for run in session.scalars(select(CrawlRun))}
    assert runs["county"].outcome == "failed" and runs["county"].finished_at is not None
    assert runs["town"].outcome == "failed" and runs["town"].detail == "crashed: 退出码 1"


def test_stop_during_a_targets_tick_does_not_deadlock(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """APScheduler's shutdown holds its job-store lock while it waits for running jobs;
    a targets tick that adds jobs at that moment waited on it for ever (seen in CI)."""

    path = tmp_path / "targets.yaml"
    path.write_text(TARGETS.format(site_id="county"), encoding="utf-8")
    for name, value in {
        "TARGETS": str(path),
        "TARGETS_POLL_S": "0.1",
        "CHECK_POLL_S": "3600",
    }.items():
        monkeypatch.setenv(f"GOVWATCH_{name}", value)
    monkeypatch.setenv("GOVWATCH_SITE_CRAWL_INTERVAL_S", "3600")
    monkeypatch.setenv("GOVWATCH_SCHEDULE_SPREAD_S", "3600")  # no crawl starts in the test
    get_settings.cache_clear()

    stop = threading.Event()
    in_tick = threading.Event()
    real_sync_jobs = runtime.sync_jobs
    calls = 0

    def sync_jobs_while_stopping(scheduler, settings):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:  # the first tick: stop arrives while it is changing jobs
            in_tick.set()
            stop.wait()
            time.sleep(0.5)  # where the old code's shutdown took the job-store lock
        return real_sync_jobs(scheduler, settings)

    monkeypatch.setattr(runtime, "sync_jobs", sync_jobs_while_stopping)
    service = threading.Thread(target=runtime.run_forever, args=(stop,), daemon=True)
    service.start()
    assert in_tick.wait(60), "the targets tick never ran"
    stop.set()
    service.join(60)
    assert not service.is_alive(), "the service did not stop: deadlock between tick and shutdown"
