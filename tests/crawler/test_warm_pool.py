"""Warm crawl workers (crawler/warm_pool.py) on sites served on 127.0.0.1.

Several crawls in one worker store what fresh ``scrapy crawl`` children store; a
crawl past its time limit, and a worker killed mid-crawl, are recorded as the
fresh-process runner records them and the next crawl gets a new worker; workers are
replaced after their crawl count or memory limit.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fakes.routed_server import RoutedServer
from sqlalchemy import func, select

from crawler.runner import last_log_line, run_crawl
from crawler.warm_pool import WarmPool, _Worker
from govwatch.targets_file import parse_targets
from storage.clock import china_today
from storage.db import session_scope
from storage.holders import parse_holder, pid_alive
from storage.models import CrawlRun, Fetch, Item, LinkCheck, SiteObservation
from storage.registry import sync_targets

pytestmark = pytest.mark.timeout(600)  # crawls in child processes on a loaded machine

SITES = ("north", "south")
#: A limit only a hanging crawl reaches (a crawl here reads a few local pages).
LIMIT_S = 300.0


def column_page(title: str, prefix: str, ages: list[int]) -> str:
    """A column list with dated items, an image and a broken link (no outside link)."""
    today = china_today()
    rows = "".join(
        f'<li><a href="{prefix}{today - timedelta(days=age):%Y%m}/t{index}.html">'
        f"{title}信息{index}</a><span>{today - timedelta(days=age):%Y-%m-%d}</span></li>"
        for index, age in enumerate(ages)
    )
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<img src="/logo.png" alt="标识"><div class="nav"><a href="/">首页</a></div>'
        f'<ul class="list">{rows}</ul><a href="/gone/">已删除的页面</a>'
        '<div class="footer">主办:测试县人民政府办公室 网站标识码:3501040001</div></body></html>'
    )


@pytest.fixture
def sites(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoutedServer]:
    """Two registered sites on one server: a homepage, a fresh column, a broken one each;
    ``/north/hang/`` (registered as a third column of ``north``) hangs until released."""
    # Each worker reads these when it starts (the pools below start after this).
    monkeypatch.setenv("GOVWATCH_DOWNLOAD_TIMEOUT_S", "600")  # a held page never times out
    monkeypatch.setenv("GOVWATCH_RETRY_TIMES", "0")
    with RoutedServer() as server:
        server.routes.clear()
        text = "sites:\n"
        for site_id in SITES:
            base = f"{server.base_url}{site_id}/"
            server.set_html(f"/{site_id}/", column_page("首页", f"/{site_id}/home/", [1, 2]))
            server.set_html(f"/{site_id}/news/", column_page("动态", f"/{site_id}/news/", [1, 4]))
            server.set_html(f"/{site_id}/bad/", "<h1>error</h1>", status=500)
            text += (
                f"  - id: {site_id}\n    name: {site_id}县人民政府\n    url: {base}\n"
                f"    columns:\n"
                f"      - {{name: 工作动态, url: '{base}news/', category: news}}\n"
                f"      - {{name: 政务咨询, url: '{base}bad/', category: interaction}}\n"
            )
        text += (
            f"  - id: slow\n    name: 慢县人民政府\n    url: {server.base_url}slow/\n"
            f"    columns:\n      - {{name: 通知, url: '{server.base_url}hang/', category: news}}\n"
        )
        server.set_html("/slow/", column_page("首页", "/slow/home/", [1]))
        server.set_html("/hang/", column_page("通知", "/hang/", [1]))
        with session_scope() as session:
            sync_targets(session, parse_targets(text, "test.yaml"))
        yield server
        for hold in server.holds.values():
            hold.set()


def wait_for(what: str, probe: Callable[[], object], timeout_s: float) -> None:
    """Poll ``probe`` until it is truthy (a process state: nothing to await)."""
    deadline = time.monotonic() + timeout_s
    while not probe():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def run_of(target_id: str, index: int = -1) -> CrawlRun:
    with session_scope() as session:
        runs = list(
            session.scalars(
                select(CrawlRun).where(CrawlRun.target_id == target_id).order_by(CrawlRun.id)
            )
        )
        session.expunge_all()
    return runs[index]


def stored_by_run(run_id: int) -> dict[str, object]:
    """What one run stored, without ids and times: comparable between two runs."""
    with session_scope() as session:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        fetches = sorted(
            (fetch.url, fetch.http_status, fetch.error_class, fetch.items_found)
            for fetch in session.scalars(select(Fetch).where(Fetch.crawl_run_id == run_id))
        )
        links = sorted(
            (link.url, link.ok, link.http_status)
            for link in session.scalars(select(LinkCheck).where(LinkCheck.crawl_run_id == run_id))
        )
        observations = sorted(
            observation.kind
            for observation in session.scalars(
                select(SiteObservation).where(SiteObservation.crawl_run_id == run_id)
            )
        )
        return {
            "run": (run.outcome, run.pages_fetched, run.pages_failed, run.items_seen, run.detail),
            "fetches": fetches,
            "links": links,
            "observations": observations,
        }


def item_count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(Item)) or 0)


def holder_pid(run: CrawlRun) -> int:
    holder = parse_holder(run.holder)
    assert holder is not None, run.holder
    return holder.pid


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_crawls_in_one_warm_worker_store_what_fresh_children_store(
    sites: RoutedServer, database_url: str
) -> None:
    with WarmPool(size=1, max_crawls=10, max_rss_bytes=2**40) as pool:
        warm = {site_id: pool.run("site", site_id, LIMIT_S) for site_id in SITES}
        again = pool.run("site", "north", LIMIT_S)
        assert pool.stats.workers_started == 1
    items_after_warm = item_count()
    fresh = {site_id: run_crawl("site", site_id, timeout_s=LIMIT_S) for site_id in SITES}

    assert items_after_warm > 0
    assert item_count() == items_after_warm  # the fresh crawls found nothing the warm missed
    pids = set()
    for site_id in SITES:
        assert warm[site_id].ok and fresh[site_id].ok, (warm[site_id], fresh[site_id])
        assert warm[site_id].reason == fresh[site_id].reason == ""
        warm_run, fresh_run = run_of(site_id, 0), run_of(site_id, -1)
        pids.add(holder_pid(warm_run))
        warm_stored, fresh_stored = stored_by_run(warm_run.id), stored_by_run(fresh_run.id)
        assert warm_stored == fresh_stored
        assert warm_stored["run"][0] == "partial"  # the broken column, named in the detail
        assert f"/{site_id}/bad/" in str(warm_stored["run"][4])
        assert any(not ok for _, ok, _ in warm_stored["links"])  # /gone/ checked and broken
        # The same log: the crawl's own summary is its last lines, whatever the process.
        assert last_log_line(warm[site_id].log_tail) == last_log_line(fresh[site_id].log_tail)
        assert f"抓取网站 {site_id} 部分失败" in warm[site_id].log_tail
        assert " INFO" not in warm[site_id].log_tail, warm[site_id].log_tail
    # One worker process opened every warm run; a re-crawl there stores like the first.
    assert again.ok and holder_pid(run_of("north", 1)) in pids and len(pids) == 1
    assert (
        stored_by_run(run_of("north", 1).id)["fetches"]
        == stored_by_run(run_of("north", 0).id)["fetches"]
    )


@pytest.mark.database_neutral
def test_a_bad_argument_is_one_line_as_from_scrapy_crawl(
    sites: RoutedServer, database_url: str
) -> None:
    with WarmPool(size=1, max_crawls=10, max_rss_bytes=2**40) as pool:
        result = pool.run("site", "nosuch", LIMIT_S)
        fine = pool.run("site", "north", LIMIT_S)
        assert pool.stats.workers_started == 1
    fresh = run_crawl("site", "nosuch", timeout_s=LIMIT_S)
    assert (result.returncode, result.reason) == (fresh.returncode, fresh.reason) == (2, "crashed")
    assert last_log_line(result.log_tail) == last_log_line(fresh.log_tail)
    assert "未登记" in last_log_line(result.log_tail)
    assert fine.ok


@pytest.mark.database_neutral
def test_a_hanging_crawl_is_killed_at_its_limit_and_the_next_gets_a_new_worker(
    sites: RoutedServer, database_url: str
) -> None:
    sites.holds["/hang/"] = hold = threading.Event()
    with WarmPool(size=1, max_crawls=10, max_rss_bytes=2**40) as pool:
        assert pool.run("site", "north", LIMIT_S).ok
        first_pid = holder_pid(run_of("north"))
        # Any limit is reached: the page never answers (the download timeout is 600 s).
        hung = pool.run("site", "slow", 5.0)
        after = pool.run("site", "south", LIMIT_S)
        assert pool.stats.workers_started == 2
    hold.set()
    assert (hung.returncode, hung.reason) == (None, "timeout")
    slow = run_of("slow")
    assert slow.outcome == "failed" and slow.detail.startswith("timeout: 抓取超过时限 5 秒")
    assert holder_pid(slow) == first_pid  # the warm worker ran it, and was killed
    wait_for("the killed worker's group gone", lambda: group_gone(first_pid), 60)
    assert after.ok and holder_pid(run_of("south")) != first_pid


@pytest.mark.database_neutral
def test_a_worker_killed_mid_crawl_is_a_crashed_run_and_the_pool_recovers(
    sites: RoutedServer, database_url: str
) -> None:
    hold = sites.holds["/hang/"] = threading.Event()
    with WarmPool(size=1, max_crawls=10, max_rss_bytes=2**40) as pool:
        outcome: list[object] = []
        crawl = threading.Thread(target=lambda: outcome.append(pool.run("site", "slow", LIMIT_S)))
        crawl.start()
        wait_for("the crawl at its hanging page", lambda: sites.hits["/hang/"], LIMIT_S)
        worker_pid = holder_pid(run_of("slow"))
        os.kill(worker_pid, signal.SIGKILL)
        crawl.join(LIMIT_S)
        hold.set()
        after = pool.run("site", "north", LIMIT_S)
        assert pool.stats.workers_started == 2
    (crashed,) = outcome
    assert (crashed.returncode, crashed.reason) == (-9, "crashed")  # type: ignore[attr-defined]
    slow = run_of("slow")
    assert slow.outcome == "failed"
    assert slow.detail.startswith("crashed: 抓取进程异常退出(退出码 -9)"), slow.detail
    assert after.ok and holder_pid(run_of("north")) != worker_pid
    assert group_gone(worker_pid)


@pytest.mark.database_neutral
@pytest.mark.parametrize("limit", ["crawls", "memory"])
def test_workers_are_replaced_after_their_crawl_count_or_memory_limit(
    sites: RoutedServer, database_url: str, limit: str
) -> None:
    max_crawls, max_rss = (2, 2**40) if limit == "crawls" else (10, 1)
    with WarmPool(size=1, max_crawls=max_crawls, max_rss_bytes=max_rss) as pool:
        results = [pool.run("site", site_id, LIMIT_S) for site_id in ("north", "south", "north")]
        started = pool.stats.workers_started
    assert all(result.ok for result in results)
    pids = [
        holder_pid(run_of("north", 0)),
        holder_pid(run_of("south")),
        holder_pid(run_of("north")),
    ]
    if limit == "crawls":  # two crawls in the first worker, the third in a new one
        assert started == 2 and pids[0] == pids[1] != pids[2]
    else:  # every worker is above one byte after its crawl
        assert started == 3 and len(set(pids)) == 3
    for pid in pids:
        wait_for(f"worker {pid} gone", lambda pid=pid: not pid_alive(pid), 60)


JS_LIST = """<html><head><meta charset="utf-8"></head><body><div id="list"></div><script>
var days = {days};
var html = "<ul class='news'>";
for (var i = 0; i < days.length; i++) {{
  html += "<li><a href='/js/" + i + ".html'>关于开展第" + i + "批检查的通知</a><span>" + days[i] +
    "</span></li>";
}}
document.getElementById("list").innerHTML = html + "</ul>";
</script></body></html>"""


def group_members(pgid: int) -> list[int]:
    """Processes of group ``pgid`` other than its leader (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if int(fields[2]) == pgid and int(stat.parent.name) != pgid:
            members.append(int(stat.parent.name))
    return members


@pytest.mark.database_neutral
def test_browser_crawls_in_one_worker_each_start_and_close_their_browser(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_CHECK_LINKS", "false")
    today = china_today()
    days = [f"{today - timedelta(days=age):%Y-%m-%d}" for age in (1, 5, 9)]
    with RoutedServer() as server:
        server.set_html("/", column_page("首页", "/home/", [1]))
        server.set_html("/js/", JS_LIST.format(days=days))
        text = (
            f"sites:\n  - id: js\n    name: 某县\n    url: {server.base_url}\n    columns:\n"
            f"      - {{name: 工作动态, url: '{server.base_url}js/', category: news, render: js}}\n"
        )
        with session_scope() as session:
            sync_targets(session, parse_targets(text, "t.yaml"))
        with WarmPool(size=1, max_crawls=10, max_rss_bytes=2**40) as pool:
            leftovers = []
            for _ in range(2):
                result = pool.run("site", "js", LIMIT_S)
                assert result.ok, result.log_tail
                leftovers.append(group_members(holder_pid(run_of("js"))))
            assert pool.stats.workers_started == 1
    assert leftovers == [[], []]  # neither Playwright's driver nor Chromium outlives its crawl
    with session_scope() as session:
        rendered = list(
            session.scalars(select(Fetch.items_found).where(Fetch.url == f"{server.base_url}js/"))
        )
    assert rendered == [3, 3]


class _StandInWorker(_Worker):
    """A process that never reads its commands and exits soon: no crawl, no imports."""

    command = (sys.executable, "-c", "import time; time.sleep(0.3)")


@pytest.mark.database_neutral
def test_a_stop_racing_a_retirement_reaps_one_worker_from_two_threads() -> None:
    # The pool's stop and a retirement's reaper can reach one worker at once: one asks it
    # to exit while the other closes its command pipe. Unlocked, CPython's buffered pipe
    # raised "PyMemoryView_FromBuffer(): info->buf must not be NULL" (1-4 times in 40
    # rounds of this test) and the scheduler exited 1 on SIGTERM.
    errors: list[BaseException] = []
    for _round in range(40):
        worker = _StandInWorker()
        start = threading.Barrier(8)

        def ask_then_reap(
            worker: _Worker = worker, start: threading.Barrier = start, asks: int = 0
        ) -> None:
            start.wait()
            try:
                for _ in range(asks):
                    worker.ask_to_exit()
                worker.reap(5.0)
            except BaseException as error:  # collected: the assertion below names them
                errors.append(error)

        threads = [
            threading.Thread(target=ask_then_reap, args=(worker, start, 2000 * (index % 2)))
            for index in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert worker.process.poll() is not None
    assert errors == []
