"""The scheduler as a real process on local sites: cycles, restarts, time limits,
targets file reloads, shutdown, and notifications end to end."""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.gov_pages import homepage, list_page
from fakes.routed_server import RoutedServer
from service_fakes import FakeSmtp, FakeWebhook, HangingServer
from service_process import FAST_SETTINGS, SchedulerProcess, wait_for
from sqlalchemy import func, select, text

from govwatch.service.runtime import run_once
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.holders import parse_holder, pid_alive
from storage.models import CrawlRun, Finding, Probe
from storage.service_models import CrawlLease


def site_yaml(site_id: str, base_url: str) -> str:
    return f"""
  - id: {site_id}
    name: {site_id}县人民政府
    url: {base_url}
    unit: 县政府办
    columns:
      - {{name: 工作动态, url: '{base_url}news/', category: news}}
"""


#: Upper bound of each wait below. Only a hang reaches it: a loaded CI machine (a crawl
#: child can take a minute to start there) must not turn a slow pass into a failure,
#: and a passing run is as fast as before.
LIMIT_S = 400.0
pytestmark = pytest.mark.timeout(1200)


def replace_file(path: Path, text: str) -> None:
    """Write ``path`` atomically, as careful tools do: the polling scheduler reads either
    the old or the new file, never a truncated one (the watcher's own guard against
    half-written files is tested separately)."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_targets(path: Path, sites: dict[str, str]) -> None:
    body = "".join(site_yaml(site_id, url) for site_id, url in sites.items())
    replace_file(path, f"units: [{{name: 县政府办}}]\nsites:{body or ' []'}\n")


@pytest.fixture
def county_site() -> Iterator[RoutedServer]:
    """A site whose homepage has not changed for 30 days (a veto) and a fresh column."""
    today = china_today()
    with RoutedServer() as server:
        server.set_html("/", list_page("首页要闻", [30, 40], today, prefix="/home/"))
        server.set_html("/news/", list_page("工作动态", [1, 3], today, prefix="/news/"))
        yield server


@pytest.fixture
def fresh_site() -> Iterator[RoutedServer]:
    today = china_today()
    with RoutedServer() as server:
        server.set_html("/", homepage(today))
        server.set_html("/news/", list_page("工作动态", [1, 3], today, prefix="/news/"))
        yield server


def service_env(database_url: str, targets: Path, **overrides: str) -> dict[str, str]:
    env = {
        **FAST_SETTINGS,
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_TARGETS": str(targets),
    }
    env.update({f"GOVWATCH_{name.upper()}": value for name, value in overrides.items()})
    return env


def finished_runs(target_id: str) -> list[CrawlRun]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(CrawlRun)
                .where(CrawlRun.target_id == target_id, CrawlRun.finished_at.is_not(None))
                .order_by(CrawlRun.id)
            )
        )


def all_runs(target_id: str) -> list[CrawlRun]:
    with session_scope() as session:
        return list(session.scalars(select(CrawlRun).where(CrawlRun.target_id == target_id)))


def job_rows() -> dict[str, float]:
    with session_scope() as session:
        return dict(session.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all())


def test_once_runs_a_full_cycle_and_notifies_once(
    county_site: RoutedServer, database_url: str, tmp_path: Path
) -> None:
    targets = tmp_path / "targets.yaml"
    write_targets(targets, {"county": county_site.base_url})
    with FakeWebhook() as wecom, FakeWebhook() as dingtalk, FakeSmtp() as smtp:
        env = service_env(
            database_url,
            targets,
            wecom_webhook_url=wecom.url("/cgi-bin/webhook/send?key=abc"),
            dingtalk_webhook_url=dingtalk.url("/robot/send?access_token=tok"),
            dingtalk_secret="SECxyz",
            smtp_host="127.0.0.1",
            smtp_port=str(smtp.port),
            smtp_security="none",
            smtp_from="govwatch@example.org",
            smtp_to="ops@example.org",
        )
        for _cycle in range(2):
            with SchedulerProcess(env, "--once") as once:
                assert once.wait(LIMIT_S) == 0, once.log

        runs = finished_runs("county")
        assert [run.outcome for run in runs] == ["ok", "ok"]
        with session_scope() as session:
            assert session.scalar(select(func.count()).select_from(Probe)) == 2
            veto = session.scalar(select(Finding).where(Finding.rule == "HOMEPAGE_NOT_UPDATED"))
            assert veto is not None and veto.status == "open"
        # First cycle: the new veto finding and the day's digest; second cycle: nothing.
        for robot in (wecom, dingtalk):
            texts = robot.texts()
            assert len(texts) == 2, texts
            assert texts[0].startswith("【govwatch】新发现单项否决问题 1 个")
            assert "county县人民政府首页已30天未更新" in texts[0]
            assert county_site.base_url in texts[0]
            assert texts[1].startswith("【govwatch】每日监测简报")
        assert {"timestamp", "sign", "access_token"} <= set(dingtalk.received[0].query)
        assert len(smtp.messages) == 2


def test_cycles_new_and_removed_targets_then_clean_stop(
    county_site: RoutedServer, fresh_site: RoutedServer, database_url: str, tmp_path: Path
) -> None:
    targets = tmp_path / "targets.yaml"
    write_targets(targets, {"county": county_site.base_url})
    env = service_env(database_url, targets, site_crawl_interval_s="1")
    with SchedulerProcess(env) as scheduler:
        # Several crawl cycles of one site in one scheduler process, and checks after them.
        wait_for("3 crawls of county", lambda: len(finished_runs("county")) >= 3, LIMIT_S)
        wait_for("a check", lambda: _open_rules(), LIMIT_S)

        # A target added to the file is crawled without a restart; a removed one stops.
        write_targets(targets, {"fresh": fresh_site.base_url})
        wait_for("a crawl of the new site", lambda: finished_runs("fresh"), LIMIT_S)
        wait_for("county unscheduled", lambda: "crawl:site:county" not in job_rows(), LIMIT_S)
        assert "crawl:site:fresh" in job_rows()

        # A bad file is logged and changes nothing.
        replace_file(targets, "sites:\n  - id: BAD ID\n")
        scheduler.wait_for_log("targets file rejected")
        assert "crawl:site:fresh" in job_rows()

        assert scheduler.terminate() == 0, scheduler.log
    # Every run ended: ok, or failed as interrupted (in flight at SIGTERM), or crashed
    # (county's last crawl starting as it was removed from the file: its child finds it
    # unregistered). None is left running.
    runs = all_runs("county") + all_runs("fresh")
    allowed = {"fresh": ("interrupted",), "county": ("interrupted", "crashed")}
    assert all(
        run.outcome == "ok"
        or (run.outcome == "failed" and run.detail.startswith(allowed[run.target_id]))
        for run in runs
    ), [(run.target_id, run.outcome, run.detail) for run in runs]
    assert sum(run.outcome == "ok" for run in all_runs("county")) >= 3
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CrawlLease)) == 0


def _open_rules() -> set[str]:
    with session_scope() as session:
        return set(session.scalars(select(Finding.rule).where(Finding.status == "open")))


def _move_next_run(job_id: str, next_run_time: datetime) -> None:
    """Pretend the service was down: the stored job's next run lies in the past.

    Written to the job store's row directly: a scheduler opened here to do it would
    run the due job itself."""
    with session_scope() as session:
        state_blob = session.execute(
            text("SELECT job_state FROM apscheduler_jobs WHERE id = :id"), {"id": job_id}
        ).scalar_one()
        state = pickle.loads(state_blob)
        state["next_run_time"] = next_run_time
        session.execute(
            text(
                "UPDATE apscheduler_jobs SET job_state = :state, next_run_time = :next "
                "WHERE id = :id"
            ),
            {"state": pickle.dumps(state), "next": next_run_time.timestamp(), "id": job_id},
        )


def test_killed_scheduler_restarts_without_duplicates_and_coalesces(
    county_site: RoutedServer, database_url: str, tmp_path: Path
) -> None:
    targets = tmp_path / "targets.yaml"
    write_targets(targets, {"county": county_site.base_url})
    env = service_env(database_url, targets, site_crawl_interval_s="3600")
    with SchedulerProcess(env) as first:
        first.wait_for_log("crawl site county: ok", LIMIT_S)
        first.kill()
    jobs_before = job_rows()
    assert {"probe", "digest", "crawl:site:county"} <= set(jobs_before)
    assert len(finished_runs("county")) == 1

    with SchedulerProcess(env) as second:
        second.wait_for_log("scheduler started")
        second.wait_for_log("check ")  # it is up and has run a job
        assert job_rows() == jobs_before  # the same jobs, nothing re-added or moved
        assert len(all_runs("county")) == 1  # no second crawl of the same slot
        assert second.terminate() == 0

    # Down for three intervals: the restart runs the crawl once, not three times.
    missed = datetime.now(UTC) - timedelta(hours=3, minutes=1)
    _move_next_run("crawl:site:county", missed)
    with SchedulerProcess(env) as third:
        third.wait_for_log("crawl site county: ok", LIMIT_S)
        third.wait_for_log("check ")
        assert len(all_runs("county")) == 2
        next_run = job_rows()["crawl:site:county"]
        assert next_run > datetime.now(UTC).timestamp() + 3000
        assert third.terminate() == 0
    assert third.log.count("crawl site county:") == 1


@pytest.mark.database_neutral
def test_hanging_crawl_is_timed_out_and_the_others_still_run(
    fresh_site: RoutedServer,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    targets = tmp_path / "targets.yaml"
    with HangingServer() as hanging:
        write_targets(targets, {"hangs": hanging.base_url, "fresh": fresh_site.base_url})
        # The time limit must exceed a normal crawl on a loaded machine (a crawl child
        # can take most of a minute to start there); the hanging page never answers.
        env = service_env(
            database_url,
            targets,
            crawl_timeout_s="75",
            download_timeout_s="600",
            probe_timeout_s="2",
        )
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        run_once(threading.Event())
    hung = finished_runs("hangs")
    assert len(hung) == 1
    assert hung[0].outcome == "failed" and hung[0].detail.startswith("timeout")
    fresh = finished_runs("fresh")
    assert [run.outcome for run in fresh] == ["ok"], [(r.outcome, r.detail) for r in fresh]
    assert "CHECK_FAILED" in _open_rules() or "HOMEPAGE_NOT_UPDATED" not in _open_rules()


@pytest.mark.database_neutral
def test_sigterm_interrupts_a_crawl_and_records_it(database_url: str, tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    with HangingServer() as hanging:
        write_targets(targets, {"hangs": hanging.base_url})
        env = service_env(database_url, targets, crawl_timeout_s="120", probe_timeout_s="2")
        with SchedulerProcess(env) as scheduler:
            wait_for("a running crawl", lambda: all_runs("hangs"), 400)
            # A bound, not a speed claim: on a loaded machine the stop takes a while.
            assert scheduler.terminate(150) == 0, scheduler.log
    runs = all_runs("hangs")
    assert len(runs) == 1
    assert runs[0].outcome == "failed" and runs[0].detail.startswith("interrupted")
    # Nothing is left running: the crawl's process (a warm worker) and its group.
    crawler = parse_holder(runs[0].holder)
    assert crawler is not None and crawler.pid != scheduler.process.pid
    assert not pid_alive(crawler.pid)
    with pytest.raises(ProcessLookupError):
        os.killpg(crawler.pid, 0)
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CrawlLease)) == 0
