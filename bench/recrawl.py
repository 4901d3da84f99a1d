"""Benchmark: govwatch's site crawl against a bare Scrapy spider on the same pages.

Serves N static column list pages (20 dated items each, with the navigation and
footer a county site's page has) on 127.0.0.1 from a separate process, registers
one site with those N columns in a fresh database, crawls it once with govwatch
(items stored for the first time), then, in the same run, alternates:

- the bare spider: ``scrapy runspider`` of a spider that requests the same N URLs
  and does nothing with the answers (Scrapy's own ceiling on this machine);
- govwatch's re-crawl: ``scrapy crawl site -a site=bench``, as the scheduler starts
  it, every page's items stored again (they are already stored: a re-crawl); the pages
  are unchanged, so their readings kept by the crawl before stand for reading them
  (``crawler/listing_cache.py``);
- with ``--changed``, govwatch's re-crawl of the same pages with a visit counter in
  their footers, so that every page differs from the one the crawl before read and is
  read again (then an unmeasured crawl of the pages without the counter, so that the
  next unchanged re-crawl finds their readings kept);
- with ``--without-storage``, govwatch's crawl with its item pipelines switched off.

Both crawlers get the same politeness settings (no delay, 16 requests at once to
the one host) and Scrapy tuning (``CONCURRENT_ITEMS``); govwatch's link check,
article opening and render fallback are off, since the bare spider does none of them. Each crawl is a fresh process, so its time
includes start-up; CPU is the crawl process's user + system time. Prints pages/s
and CPU seconds of each and the ratio govwatch / bare (the issue's target: ≥ 0.6).

    .venv/bin/python bench/recrawl.py [--pages 6000] [--repeat 1] [--changed] [--without-storage]
        [--database-url URL]   (default: a temporary SQLite file)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.request import urlopen

REPO_ROOT = Path(__file__).resolve().parents[1]
ITEMS_PER_PAGE = 20
CONCURRENCY = 16

BARE_SPIDER = '''
"""A spider that fetches every URL of a file and keeps nothing: Scrapy's ceiling."""
import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str, **kwargs):
        super().__init__(**kwargs)
        self.urls = open(urls, encoding="utf-8").read().split()

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):
        pass
'''


def list_page(column: int, today: date) -> bytes:
    """Column ``column``'s list page: 20 items, a few days apart, newest first."""
    rows = []
    for index in range(ITEMS_PER_PAGE):
        day = today - timedelta(days=(column % 7) + index * 3)
        rows.append(
            f'<li><a href="/c{column}/{day:%Y%m}/t{day:%Y%m%d}_{column}_{index}.html" '
            f'title="关于做好第{index}批重点工作的通知">关于做好第{index}批重点工作的通知</a>'
            f'<span class="date">{day:%Y-%m-%d}</span></li>'
        )
    nav = "".join(f'<li><a href="/c{n}/">栏目{n}</a></li>' for n in range(12))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>栏目{column}_示范县人民政府</title><link rel="stylesheet" href="/css/style.css"></head>
<body><div class="header"><img src="/images/logo.png" alt="示范县人民政府"></div>
<ul class="nav">{nav}</ul>
<div class="position">当前位置:<a href="/">首页</a> &gt; <a href="/c{column}/">栏目{column}</a></div>
<div class="main"><div class="title">栏目{column}</div><ul class="list">{"".join(rows)}</ul>
<div class="page">共1页 <a href="#">首页</a> <a href="#">尾页</a></div></div>
<div class="footer"><p>主办:示范县人民政府办公室 地址:示范县人民路1号</p>
<p>网站标识码:3501040001 <a href="https://beian.miit.gov.cn/">闽ICP备00000000号</a></p></div>
</body></html>""".encode()


def serve(pages: int) -> None:
    """The page server (run in its own process): prints its port, serves until killed."""
    import asyncio

    from aiohttp import web

    today = date.today()
    bodies = {f"/c{n}/": list_page(n, today) for n in range(pages)}
    bodies["/"] = list_page(0, today).replace(b"<title>", b"<title>\xe9\xa6\x96\xe9\xa1\xb5 ")

    visits = {"counting": False, "count": 0}

    async def page(request: web.Request) -> web.Response:
        if request.path.startswith("/__visits/"):  # the bench turns the counter on and off
            visits["counting"] = request.path.endswith("/on")
            return web.Response(text="ok")
        body = bodies.get(request.path)
        if body is None:
            return web.Response(status=404, text="not found")
        if visits["counting"]:  # every answer differs, as on a page with a visit counter
            visits["count"] += 1
            counter = f'<p class="visits">访问量:{visits["count"]}</p></body>'.encode()
            body = body.replace(b"</body>", counter)
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


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv[:4])} failed:\n{done.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def register(base_url: str, pages: int, database_url: str) -> None:
    """One site with ``pages`` news columns, in the benchmark's database."""
    columns = "\n".join(
        f"      - {{name: 栏目{n}, url: '{base_url}c{n}/', category: news}}" for n in range(pages)
    )
    targets = f"sites:\n  - id: bench\n    name: 示范县人民政府\n    url: {base_url}\n"
    targets += f"    columns:\n{columns}\n"
    code = (
        "import sys\n"
        "from govwatch.targets_file import parse_targets\n"
        "from storage.db import session_scope\n"
        "from storage.registry import sync_targets\n"
        "with session_scope() as session:\n"
        "    sync_targets(session, parse_targets(sys.stdin.read(), 'bench.yaml'))\n"
    )
    env = {**os.environ, "GOVWATCH_DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-c", code], input=targets, text=True, env=env, cwd=REPO_ROOT, check=True
    )


def stored_counts(database_url: str) -> tuple[int, int]:
    """(items, fetches) stored in the benchmark's database."""
    code = (
        "from sqlalchemy import func, select\n"
        "from storage.db import session_scope\n"
        "from storage.models import Fetch, Item\n"
        "with session_scope() as s:\n"
        "    print(s.scalar(select(func.count(Item.id))), s.scalar(select(func.count(Fetch.id))))\n"
    )
    env = {**os.environ, "GOVWATCH_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO_ROOT, check=True, capture_output=True
    )
    items, fetches = done.stdout.split()
    return int(items), int(fetches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6000, help="column list pages served")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of measured crawls")
    parser.add_argument("--without-storage", action="store_true", help="also crawl unstored")
    parser.add_argument(
        "--changed", action="store_true", help="also re-crawl pages that changed since (re-read)"
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the page server
    options = parser.parse_args()
    if options.serve is not None:
        serve(options.serve)
        return

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(options.pages)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base_url = f"http://127.0.0.1:{server.stdout.readline().strip()}/"
        with tempfile.TemporaryDirectory(prefix="govwatch-recrawl-") as temp:
            run(Path(temp), base_url, options)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(temp: Path, base_url: str, options: argparse.Namespace) -> None:
    pages = options.pages
    database_url = options.database_url or f"sqlite:///{temp / 'bench.db'}"
    register(base_url, pages, database_url)
    urls = temp / "urls.txt"
    urls.write_text("\n".join([base_url, *(f"{base_url}c{n}/" for n in range(pages))]))
    (temp / "bare.py").write_text(BARE_SPIDER)
    python = [sys.executable, "-m", "scrapy"]
    bare = [*python, "runspider", "bare.py", "-a", f"urls={urls}", "-L", "WARNING"]
    bare += ["-s", f"CONCURRENT_REQUESTS={CONCURRENCY}"]
    bare += ["-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}", "-s", "DOWNLOAD_DELAY=0"]
    bare += ["-s", "TELNETCONSOLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False"]
    # govwatch's own Scrapy tuning that is not govwatch's work (crawler/settings.py):
    # the bare spider gets it too, so the ratio compares like with like.
    bare += ["-s", "CONCURRENT_ITEMS=8"]
    govwatch = [*python, "crawl", "site", "-a", "site=bench"]
    env = {
        **os.environ,
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_DOWNLOAD_DELAY_S": "0",
        "GOVWATCH_CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
        "GOVWATCH_CHECK_LINKS": "false",
        "GOVWATCH_ARTICLE_TEXT_PAGES": "0",
        "GOVWATCH_RENDER_FALLBACK": "false",
        "GOVWATCH_SCREENSHOTS": "false",
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
    }
    bare_env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    fetched = pages + 1  # the columns and the homepage

    print(f"{pages} column pages + homepage on {base_url}, {ITEMS_PER_PAGE} items each")
    first_wall, first_cpu = timed(govwatch, env, REPO_ROOT)
    items, fetches = stored_counts(database_url)
    print(
        f"govwatch first crawl: {fetched / first_wall:.1f} pages/s, {first_cpu:.1f} s CPU "
        f"({items} items and {fetches} fetches stored)"
    )
    results: dict[str, list[tuple[float, float]]] = {
        "bare": [],
        "govwatch": [],
        "changed": [],
        "unstored": [],
    }
    for _ in range(options.repeat):
        results["bare"].append(timed(bare, bare_env, temp))
        results["govwatch"].append(timed(govwatch, env, REPO_ROOT))
        if options.changed:
            urlopen(f"{base_url}__visits/on").read()
            results["changed"].append(timed(govwatch, env, REPO_ROOT))
            urlopen(f"{base_url}__visits/off").read()
            timed(govwatch, env, REPO_ROOT)  # unmeasured: keeps the unchanged pages' readings
        if options.without_storage:
            unstored = [*govwatch, "-s", "ITEM_PIPELINES={}"]
            results["unstored"].append(timed(unstored, env, REPO_ROOT))
    items_after, fetches_after = stored_counts(database_url)
    assert items_after == items, f"a re-crawl changed the item count: {items} -> {items_after}"
    print(f"after the re-crawls: {items_after} items, {fetches_after} fetches stored")

    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs; medians of {options.repeat}")
    print(f"{'crawl':<34} {'pages/s':>8} {'wall s':>8} {'CPU s':>7}")
    rates = {}
    for name, label in (
        ("bare", "bare Scrapy spider"),
        ("govwatch", "govwatch re-crawl (stored)"),
        ("changed", "govwatch re-crawl, pages changed"),
        ("unstored", "govwatch crawl, storage off"),
    ):
        if not results[name]:
            continue
        wall = statistics.median(w for w, _ in results[name])
        cpu = statistics.median(c for _, c in results[name])
        rates[name] = (fetched / wall, cpu)
        print(f"{label:<34} {fetched / wall:>8.1f} {wall:>8.1f} {cpu:>7.1f}")
    ratio = rates["govwatch"][0] / rates["bare"][0]
    cpu_ratio = rates["govwatch"][1] / rates["bare"][1]
    print(f"govwatch / bare: {ratio:.2f}× the pages/s, {cpu_ratio:.1f}× the CPU")
    pairs = zip(results["bare"], results["govwatch"], strict=True)
    print(
        "each pair, bare wall / govwatch wall:",
        " ".join(f"{b / g:.2f}" for (b, _), (g, _) in pairs),
    )
    if "changed" in rates:
        ratio = rates["changed"][0] / rates["bare"][0]
        cpu_ratio = rates["changed"][1] / rates["bare"][1]
        print(f"govwatch, pages changed / bare: {ratio:.2f}× the pages/s, {cpu_ratio:.1f}× the CPU")


if __name__ == "__main__":
    main()
