"""Benchmark: many small site crawls through the scheduler's path, fresh children vs warm workers.

Serves N small sites (a homepage and C columns each, 10 dated items per list, the
articles they link to) on 127.0.0.1 from a separate process, registers them in a fresh
database, and crawls every site the way ``scheduler.py --once`` does (``crawl_target``
for each active target, ``GOVWATCH_MAX_CONCURRENT_CRAWLS`` at once, each under its
lease), in a child "scheduler" process per pass:

- ``fresh``: ``GOVWATCH_CRAWL_WORKERS_WARM=false``, a new ``scrapy crawl`` process per site;
- ``warm``: the warm worker pool (``crawler/warm_pool.py``).

A first, unmeasured warm pass stores every item, so each measured pass is a re-crawl
of the same pages; the measured passes alternate (fresh, warm, fresh, warm, ...) so
the machine's load falls on both alike. Per pass it prints wall time, crawls/s, CPU
seconds of the scheduler and every crawl process it started (user + system), crawl
processes started, the scheduler's peak RSS and the largest crawl process's peak
RSS, and, warm, every worker's peak RSS.

    .venv/bin/python bench/warm.py [--sites 100] [--columns 3] [--repeat 1]
        [--concurrency N] [--database-url URL]   (default: a temporary SQLite file)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ITEMS_PER_PAGE = 10


def list_page(site: int, column: int, today: date) -> bytes:
    """Column ``column`` of site ``site``: 10 dated items, newest first."""
    rows = "".join(
        f'<li><a href="/s{site}/c{column}/t{index}.html">关于第{index}项工作的通知</a>'
        f'<span class="date">{today - timedelta(days=column + index * 2):%Y-%m-%d}</span></li>'
        for index in range(ITEMS_PER_PAGE)
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>栏目{column}</title></head>
<body><div class="nav"><a href="/s{site}/">首页</a></div>
<div class="main"><ul class="list">{rows}</ul></div>
<div class="footer">主办:示范{site}县人民政府办公室 网站标识码:35010400{site:02d}</div>
</body></html>""".encode()


def article(site: int, title: str) -> bytes:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><div class="info">发布时间:{date.today():%Y-%m-%d}</div>
<div class="content"><p>示范{site}县人民政府关于做好有关工作的通知。各乡镇人民政府,县直各单位:
现将有关事项通知如下。</p></div></body></html>""".encode()


def serve(sites: int, columns: int) -> None:
    """The page server (run in its own process): prints its port, serves until killed."""
    import asyncio

    from aiohttp import web

    today = date.today()
    bodies: dict[str, bytes] = {}
    for site in range(sites):
        bodies[f"/s{site}/"] = list_page(site, 0, today).replace(
            b"<title>", "<title>首页 ".encode()
        )
        for column in range(columns):
            bodies[f"/s{site}/c{column}/"] = list_page(site, column, today)
            for index in range(ITEMS_PER_PAGE):
                bodies[f"/s{site}/c{column}/t{index}.html"] = article(site, f"通知{index}")

    async def page(request: web.Request) -> web.Response:
        body = bodies.get(request.path)
        if body is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(port, flush=True)
        while True:
            await asyncio.sleep(3600)

    asyncio.run(main())


def drive() -> None:
    """One pass (run as the bench's "scheduler" child): crawl every active target as
    ``run_once`` does, and print what it cost as one JSON line."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from govwatch.service.crawls import close_crawl_workers, crawl_target, open_crawl_workers
    from govwatch.service.schedule import active_targets
    from settings import get_settings

    settings = get_settings()
    targets = active_targets()
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    pool = open_crawl_workers(settings)
    try:
        with ThreadPoolExecutor(settings.max_concurrent_crawls) as executor:
            outcomes = list(executor.map(lambda target: crawl_target(*target), targets))
    finally:
        close_crawl_workers(settings.crawl_stop_grace_s)  # reaps the workers: their CPU counts
    wall = time.perf_counter() - started
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)

    def cpu(after: resource.struct_rusage, before: resource.struct_rusage) -> float:
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    print(
        json.dumps(
            {
                "outcomes": Counter(outcomes),
                "wall": wall,
                "cpu_scheduler": cpu(after_self, before_self),
                "cpu_crawls": cpu(after_children, before_children),
                "processes": pool.stats.workers_started if pool else len(targets),
                "peak_rss_scheduler": after_self.ru_maxrss * 1024,
                "peak_rss_largest_crawl": after_children.ru_maxrss * 1024,
                "peak_rss_workers": sorted(pool.stats.peak_rss_by_pid.values()) if pool else [],
            }
        )
    )


def register(base_url: str, sites: int, columns: int, env: dict[str, str]) -> None:
    """``sites`` sites of ``columns`` news columns each, in the benchmark's database."""
    text = "sites:\n"
    for site in range(sites):
        text += f"  - id: s{site}\n    name: 示范{site}县人民政府\n    url: {base_url}s{site}/\n"
        text += "    columns:\n"
        text += "".join(
            f"      - {{name: 栏目{column}, url: '{base_url}s{site}/c{column}/', category: news}}\n"
            for column in range(columns)
        )
    code = (
        "import sys\n"
        "from govwatch.targets_file import parse_targets\n"
        "from storage.db import session_scope\n"
        "from storage.registry import sync_targets\n"
        "with session_scope() as session:\n"
        "    sync_targets(session, parse_targets(sys.stdin.read(), 'bench.yaml'))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], input=text, text=True, env=env, cwd=REPO_ROOT, check=True
    )


def one_pass(mode: str, env: dict[str, str]) -> dict[str, object]:
    warm = "true" if mode == "warm" else "false"
    done = subprocess.run(
        [sys.executable, __file__, "--drive"],
        env={**env, "GOVWATCH_CRAWL_WORKERS_WARM": warm},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"{mode} pass failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100, help="sites served and crawled")
    parser.add_argument("--columns", type=int, default=3, help="columns per site")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of measured passes")
    parser.add_argument("--concurrency", type=int, help="GOVWATCH_MAX_CONCURRENT_CRAWLS")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--serve", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(*options.serve)
        return
    if options.drive:
        drive()
        return

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(options.sites), str(options.columns)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = f"http://127.0.0.1:{server.stdout.readline().strip()}/"
        with tempfile.TemporaryDirectory(prefix="govwatch-warm-") as temp:
            run(Path(temp), base_url, options)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(temp: Path, base_url: str, options: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "GOVWATCH_DATABASE_URL": options.database_url or f"sqlite:///{temp / 'bench.db'}",
        "GOVWATCH_DOWNLOAD_DELAY_S": "0",  # the same in both modes; politeness is not measured
        "GOVWATCH_RENDER_FALLBACK": "false",
        "GOVWATCH_SCREENSHOTS": "false",
        "GOVWATCH_LOG_LEVEL": "WARNING",
    }
    if options.concurrency:
        env["GOVWATCH_MAX_CONCURRENT_CRAWLS"] = str(options.concurrency)
    register(base_url, options.sites, options.columns, env)
    print(
        f"{options.sites} sites x (homepage + {options.columns} columns of {ITEMS_PER_PAGE} items,"
        f" their articles) on {base_url}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
    priming = one_pass("warm", env)
    print(f"priming pass (warm, items stored the first time): {priming['wall']:.1f} s wall")
    passes: dict[str, list[dict[str, object]]] = {"fresh": [], "warm": []}
    for _ in range(options.repeat):
        for mode in ("fresh", "warm"):
            passes[mode].append(one_pass(mode, env))
    print(f"load average after: {os.getloadavg()[0]:.1f}; medians of {options.repeat}")
    header = (
        f"{'mode':<6} {'outcomes':<18} {'wall s':>7} {'crawls/s':>8} {'CPU s':>7} "
        f"{'CPU/crawl':>9} {'procs':>5} {'RSS sched':>9} {'RSS crawl':>9}"
    )
    print(header)
    medians = {}
    for mode, results in passes.items():

        def median(key: str, results: list[dict[str, object]] = results) -> float:
            return statistics.median(float(result[key]) for result in results)  # type: ignore[arg-type]

        wall = median("wall")
        cpu = statistics.median(
            float(r["cpu_scheduler"]) + float(r["cpu_crawls"])  # type: ignore[arg-type]
            for r in results
        )
        medians[mode] = (wall, cpu)
        outcomes = ",".join(f"{k}:{v}" for k, v in results[-1]["outcomes"].items())  # type: ignore[attr-defined]
        print(
            f"{mode:<6} {outcomes:<18} {wall:>7.1f} {options.sites / wall:>8.2f} {cpu:>7.1f} "
            f"{cpu / options.sites:>9.2f} {median('processes'):>5.0f} "
            f"{median('peak_rss_scheduler') / 2**20:>7.0f}MB "
            f"{median('peak_rss_largest_crawl') / 2**20:>7.0f}MB"
        )
        workers = results[-1]["peak_rss_workers"]
        if workers:
            shown = ", ".join(f"{rss / 2**20:.0f}" for rss in workers)  # type: ignore[attr-defined]
            print(f"       warm workers' peak RSS, MB: {shown}")
    (fresh_wall, fresh_cpu), (warm_wall, warm_cpu) = medians["fresh"], medians["warm"]
    print(
        f"warm / fresh: {fresh_wall / warm_wall:.1f}x the crawls/s, "
        f"{warm_cpu / fresh_cpu:.2f}x the CPU"
    )


if __name__ == "__main__":
    main()
