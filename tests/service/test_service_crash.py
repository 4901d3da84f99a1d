"""The scheduler killed outright (kill -9) mid-cycle, then started again.

Its crawl children must die with it (no orphans, checked by pid), and the next
``--once`` must crawl every target (no lease held by the dead), and close the runs
the dead left ``running`` as interrupted.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fakes.gov_pages import homepage, list_page
from service_process import FAST_SETTINGS, SchedulerProcess, wait_for
from sqlalchemy import func, select

from govwatch.service.crawls import recover_abandoned_crawls
from govwatch.service.leases import acquire_lease, new_holder
from storage.clock import china_today, utcnow
from storage.db import session_scope
from storage.holders import holder_is_dead, parse_holder, pid_alive
from storage.models import CrawlRun
from storage.service_models import CrawlLease

SITES = ("east", "west")


class StallingSite:
    """A site whose column pages hang until ``release`` is set (a crawl caught mid-way)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.column_requests = threading.Semaphore(0)
        today = china_today()
        pages = {
            "/": homepage(today).encode(),
            "/news/": list_page("工作动态", [1, 3], today, prefix="/news/").encode(),
        }
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("/", 2)[-1]  # /east/news/ -> news/
                path = "/" + path
                if path == "/news/" and not site.release.is_set():
                    site.column_requests.release()
                    site.release.wait(120)  # bounded: the test sets it
                body = pages.get(path, b"<h1>404</h1>")
                try:
                    self.send_response(200 if path in pages else 404)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the crawler that asked was killed meanwhile

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def base_url(self, site_id: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/{site_id}/"

    def __enter__(self) -> StallingSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def stalling_site() -> Iterator[StallingSite]:
    with StallingSite() as site:
        yield site


def runs_by_site() -> dict[str, list[CrawlRun]]:
    with session_scope() as session:
        runs: dict[str, list[CrawlRun]] = {site: [] for site in SITES}
        for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id)):
            runs[run.target_id].append(run)
        return runs


def lease_count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(CrawlLease)) or 0)


@pytest.mark.timeout(600)  # two scheduler cycles of real crawls on a loaded machine
def test_kill_9_mid_cycle_then_once_crawls_everything(
    stalling_site: StallingSite, database_url: str, tmp_path: Path
) -> None:
    targets = tmp_path / "targets.yaml"
    sites = "".join(
        f"""
  - id: {site_id}
    name: {site_id}县人民政府
    url: {stalling_site.base_url(site_id)}
    columns:
      - {{name: 工作动态, url: '{stalling_site.base_url(site_id)}news/', category: news}}
"""
        for site_id in SITES
    )
    targets.write_text(f"sites:{sites}", encoding="utf-8")
    env = {
        **FAST_SETTINGS,
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_TARGETS": str(targets),
        "GOVWATCH_MAX_CONCURRENT_CRAWLS": "2",
    }

    with SchedulerProcess(env, "--once") as first:
        for _site in SITES:  # both crawls are inside their column request now
            assert stalling_site.column_requests.acquire(timeout=120), first.log
        running = wait_for(
            "both runs open",
            lambda: (
                [r for rs in runs_by_site().values() for r in rs if r.outcome == "running"]
                if len([r for rs in runs_by_site().values() for r in rs]) == 2
                else None
            ),
            60,
        )
        children = [parse_holder(run.holder) for run in running]
        assert all(child is not None and pid_alive(child.pid) for child in children)
        assert lease_count() == 2
        first.kill()

    # The children die with the scheduler (their pipe to it closed), browser and all.
    for child in children:
        assert child is not None
        wait_for(f"crawl child {child.pid} gone", lambda c=child: not pid_alive(c.pid), 60)
    assert lease_count() == 2  # still held, by a dead process

    stalling_site.release.set()
    with SchedulerProcess(env, "--once") as second:
        assert second.wait(180) == 0, second.log
    assert "is being crawled by another process" not in second.log

    runs = runs_by_site()
    for site_id in SITES:
        outcomes = [(run.outcome, run.detail.split(":")[0]) for run in runs[site_id]]
        assert outcomes == [("failed", "interrupted"), ("ok", "")], outcomes
        assert "已不在运行" in runs[site_id][0].detail
    assert lease_count() == 0


def test_status_shows_a_run_of_a_dead_process_as_interrupted(
    database_url: str, govwatch_cli
) -> None:
    from govwatch.targets_file import parse_targets
    from storage.registry import sync_targets

    with session_scope() as session:
        sync_targets(
            session,
            parse_targets("sites:\n  - {id: east, name: 东, url: 'http://127.0.0.1:9/'}\n", "t"),
        )
    gone = subprocess.Popen(["true"])
    gone.wait()
    live_holder = new_holder()
    dead_holder = f"{live_holder.split(':')[0]}:{gone.pid}:s1:deadbeef"
    assert holder_is_dead(dead_holder) and not holder_is_dead(live_holder)
    with session_scope() as session:
        session.add(
            CrawlRun(target_type="site", target_id="east", started_at=utcnow(), holder=dead_holder)
        )
        session.add(
            CrawlLease(
                target_type="site",
                target_id="east",
                holder=dead_holder,
                acquired_at=utcnow(),
                expires_at=utcnow().replace(year=2100),
            )
        )
        # A run of a live process (this one) is left alone.
        session.add(
            CrawlRun(target_type="site", target_id="west", started_at=utcnow(), holder=live_holder)
        )

    before = govwatch_cli("status", "--format", "json")
    assert json.loads(before.stdout)[0]["last_outcome"] == "running"

    assert recover_abandoned_crawls() == (1, 1)
    rows = json.loads(govwatch_cli("status", "--format", "json").stdout)
    assert rows[0]["last_outcome"] == "failed"
    assert rows[0]["last_detail"].startswith("interrupted: 抓取进程(pid")
    table = govwatch_cli("status").stdout
    assert "east 失败: interrupted" in table  # listed under the runs that did not succeed
    with session_scope() as session:
        west = session.scalar(select(CrawlRun).where(CrawlRun.target_id == "west"))
        assert west is not None and west.outcome == "running"
    # The lease of the dead holder is free again; a live one's is respected.
    assert acquire_lease("site", "east", new_holder(), 60)
    assert not acquire_lease("site", "east", new_holder(), 60)
