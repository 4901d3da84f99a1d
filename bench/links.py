"""Benchmark: govwatch's link checker against LinkChecker on a 10,000-URL local site.

Serves a generated site on 127.0.0.1 from a child process (a small asyncio HTTP/1.1 server
with keep-alive, so the server is not the bottleneck), then:

1. govwatch: crawls the site's pages (GET + collect_links) to gather the URLs, then runs
   check_urls over every distinct link and image; prints the checker's rate, the end-to-end
   rate (crawl + check) and peak memory (ru_maxrss of this process).
2. LinkChecker (PyPI `linkchecker`) as a subprocess on the same site, recursion on, external
   URLs checked, its per-host rate limit lifted (the server sends the `LinkChecker` header
   and maxrequestspersecond is raised) and a RegexCheck for the soft-404 phrases; prints its
   rate and peak memory.
3. The ratio, and whether both found the same broken URLs.

Run: .venv/bin/python bench/links.py [--threads N] [--skip-linkchecker]
Loopback only; every request loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# --- the site --------------------------------------------------------------------------------

PAGES = 7_600  # / and /p/{i}.html, healthy pages that link to each other
SLOW = 300  # /slow/{k}.html, healthy but answer after 200-500 ms
DEAD = 400  # /dead/{k}.html, 404
SOFT = 200  # /gone/{k}.html, 200 with "页面不存在"
REFUSED = 100  # http://127.0.0.1:{refused_port}/r{k}.html
IMAGES = 1_200  # /img/{k}.png, valid PNGs
MISSING_IMAGES = 200  # /img/missing{k}.png, 404
TOTAL_URLS = PAGES + SLOW + DEAD + SOFT + REFUSED + IMAGES + MISSING_IMAGES  # 10,000
MAX_CRAWL_PAGES = 20_000  # bound for the discovery crawl

SOFT_404_REGEX = "您访问的页面不存在|页面不存在|页面未找到|找不到该页面"


@lru_cache(maxsize=1)
def png_image() -> bytes:
    """A small valid PNG (made with Pillow, which the checker also decodes with)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _extras() -> list[str]:
    """Non-page targets (relative to the site, or absolute for the refused port)."""
    return (
        [f"/slow/{k}.html" for k in range(SLOW)]
        + [f"/dead/{k}.html" for k in range(DEAD)]
        + [f"/gone/{k}.html" for k in range(SOFT)]
        + [f"REFUSED/r{k}.html" for k in range(REFUSED)]
        + [f"/img/{k}.png" for k in range(IMAGES)]
        + [f"/img/missing{k}.png" for k in range(MISSING_IMAGES)]
    )


@lru_cache(maxsize=1)
def _extras_by_page() -> dict[int, list[str]]:
    by_page: dict[int, list[str]] = {}
    for index, target in enumerate(_extras()):
        # Each extra target is linked from two pages, so deduplication matters.
        for page in ((index * 3 + 1) % PAGES, (index * 7 + 5) % PAGES):
            by_page.setdefault(page, []).append(target)
    return by_page


def page_path(page: int) -> str:
    # Page 0 is the homepage at "/": LinkChecker treats URLs outside the start URL's
    # directory as external and skips its content checks (RegexCheck) on them.
    return "/" if page == 0 else f"/p/{page}.html"


def page_html(page: int, refused_port: int) -> bytes:
    children = [child for child in (2 * page + 1, 2 * page + 2) if child < PAGES]
    others = [(page * 7919 + step * 104_729) % PAGES for step in range(1, 4)]
    parts = [f"<html><head><meta charset='utf-8'><title>第{page}页</title></head><body>"]
    parts.append("<a href='/'>首页</a>")
    parts += [f"<a href='{page_path(target)}'>页面{target}</a>" for target in children + others]
    for target in _extras_by_page().get(page, []):
        if target.startswith("REFUSED"):
            url = f"http://127.0.0.1:{refused_port}{target.removeprefix('REFUSED')}"
            parts.append(f"<a href='{url}'>外链</a>")
        elif target.startswith("/img/"):
            parts.append(f"<img src='{target}' alt=''>")
        else:
            parts.append(f"<a href='{target}'>链接</a>")
    parts.append("<p>" + "政务公开 " * 40 + "</p></body></html>")
    return "".join(parts).encode()


SOFT_404_PAGE = (
    "<html><head><meta charset='utf-8'><title>提示信息</title></head>"
    "<body><h1>您访问的页面不存在</h1><a href='/'>返回首页</a></body></html>"
).encode()
SLOW_PAGE = (
    "<html><head><meta charset='utf-8'><title>慢页面</title></head>"
    "<body><p>内容</p><a href='/'>返回首页</a></body></html>"
).encode()
NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body>404</body></html>"

_PAGE_PATH = re.compile(r"^/p/(\d+)\.html$")
_SLOW_PATH = re.compile(r"^/slow/(\d+)\.html$")


def route(path: str, refused_port: int) -> tuple[int, str, bytes, float]:
    """(status, content type, body, delay in seconds) for a request path."""
    html = "text/html; charset=utf-8"
    if path == "/":
        return 200, html, page_html(0, refused_port), 0.0
    match = _PAGE_PATH.match(path)
    if match and 0 < int(match.group(1)) < PAGES:
        return 200, html, page_html(int(match.group(1)), refused_port), 0.0
    match = _SLOW_PATH.match(path)
    if match:
        return 200, html, SLOW_PAGE, 0.2 + (int(match.group(1)) % 4) * 0.1
    if path.startswith("/gone/"):
        return 200, html, SOFT_404_PAGE, 0.0
    if path.startswith("/img/") and not path.startswith("/img/missing"):
        return 200, "image/png", png_image(), 0.0
    return 404, html, NOT_FOUND, 0.0


# --- the server (child process) -------------------------------------------------------------

_REASONS = {200: "OK", 404: "Not Found", 400: "Bad Request"}


async def _serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, refused_port: int
) -> None:
    try:
        for _request in range(100_000):  # bounded keep-alive loop
            request_line = await reader.readline()
            if not request_line:
                break
            keep_alive = True
            for _header in range(200):
                header = await reader.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                lowered = header.lower()
                if lowered.startswith(b"connection:") and b"close" in lowered:
                    keep_alive = False
            try:
                method, target, _version = request_line.decode("latin-1").split(" ", 2)
            except ValueError:
                method, target = "GET", "/bad"
            status, content_type, body, delay_s = route(target.split("?", 1)[0], refused_port)
            if delay_s:
                await asyncio.sleep(delay_s)  # the simulated slow server
            head = (
                f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "LinkChecker: bench\r\n"
                f"{'' if keep_alive else 'Connection: close' + chr(13) + chr(10)}\r\n"
            ).encode()
            writer.write(head if method == "HEAD" else head + body)
            await writer.drain()
            if not keep_alive:
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def serve_forever(refused_port: int) -> None:
    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _serve_connection(r, w, refused_port), "127.0.0.1", 0, backlog=1024
        )
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        # Stop when the parent closes our stdin.
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        server.close()

    asyncio.run(main())


# --- govwatch run ---------------------------------------------------------------------------


async def crawl(start_url: str, concurrency: int) -> tuple[list[str], list[str], int]:
    """Discover the site's links and images the way a spider would: GET internal pages."""
    import httpx

    from crawler.health.page_links import collect_links
    from crawler.health.transport import make_client

    site_netloc = urlsplit(start_url).netloc
    links: dict[str, None] = {start_url: None}
    images: dict[str, None] = {}
    queue: deque[str] = deque([start_url])
    seen = {start_url}
    fetched = 0
    idle = asyncio.Event()
    active = 0

    async with make_client(
        timeout_s=10, max_connections=concurrency, trust_env=False, high_volume=True
    ) as client:

        async def worker() -> None:
            nonlocal fetched, active
            while fetched < MAX_CRAWL_PAGES:
                if not queue:
                    if active == 0:
                        idle.set()
                        return
                    idle.clear()
                    await idle.wait()
                    continue
                url = queue.popleft()
                active += 1
                fetched += 1
                try:
                    response = await client.get(url)
                    content_type = response.headers.get("content-type", "")
                    if response.status_code == 200 and "html" in content_type:
                        page_links, page_images = collect_links(response.text, url)
                        for link in page_links:
                            links[link] = None
                            if link not in seen and urlsplit(link).netloc == site_netloc:
                                seen.add(link)
                                queue.append(link)
                        for image in page_images:
                            images[image] = None
                except httpx.HTTPError:
                    pass
                finally:
                    active -= 1
                    idle.set()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return list(links), list(images), fetched


@dataclass(frozen=True)
class GovwatchRun:
    checked: int
    pages_fetched: int
    crawl_s: float
    check_s: float
    broken: set[str]
    problems: dict[str, int]
    peak_rss_mb: float
    rss_before_mb: float


@dataclass(frozen=True)
class LinkCheckerRun:
    checked: int
    elapsed_s: float
    broken: set[str]
    peak_rss_mb: float
    returncode: int
    stderr_tail: str


def run_govwatch(start_url: str, concurrency: int) -> GovwatchRun:
    from crawler.health.links import check_urls

    rss_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    crawl_started = time.perf_counter()
    links, images, pages_fetched = asyncio.run(crawl(start_url, concurrency))
    crawl_s = time.perf_counter() - crawl_started
    check_started = time.perf_counter()
    results = asyncio.run(
        check_urls(
            links,
            images,
            site_hosts={"127.0.0.1"},
            # One host here, so the per-host limit is the total limit (LinkChecker's
            # per-host limit is lifted the same way).
            per_host_concurrency=concurrency,
            total_concurrency=concurrency,
            timeout_s=10,
        )
    )
    check_s = time.perf_counter() - check_started
    peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    broken = {url for url, result in results.items() if not result.ok}
    problems: dict[str, int] = {}
    for result in results.values():
        if result.problem:
            problems[result.problem] = problems.get(result.problem, 0) + 1
    return GovwatchRun(
        checked=len(results),
        pages_fetched=pages_fetched,
        crawl_s=crawl_s,
        check_s=check_s,
        broken=broken,
        problems=problems,
        peak_rss_mb=peak_rss_kb / 1024,
        rss_before_mb=rss_before_kb / 1024,
    )


# --- LinkChecker run ------------------------------------------------------------------------


def run_linkchecker(start_url: str, threads: int, workdir: Path) -> LinkCheckerRun:
    executable = shutil.which("linkchecker", path=str(Path(sys.executable).parent))
    if executable is None:
        raise SystemExit("linkchecker is not installed in this environment (pip install it)")
    config = workdir / "linkcheckerrc"
    config.write_text(
        "[checking]\n"
        f"threads={threads}\n"
        "maxrequestspersecond=10000\n"
        "timeout=10\n"
        "[filtering]\n"
        "checkextern=1\n"
        "[RegexCheck]\n"
        f"warningregex={SOFT_404_REGEX}\n",
        encoding="utf-8",
    )
    config.chmod(0o644)  # LinkChecker drops root privileges to "nobody" before reading it
    command = [
        executable,
        "--config",
        str(config),
        "--check-extern",
        "--no-status",
        "--verbose",
        "--output",
        "csv/utf-8",
        "--recursion-level=-1",
        start_url,
    ]
    env = {**os.environ, "HOME": str(workdir)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=workdir
    )
    stdout, stderr = process.communicate(timeout=600)
    elapsed_s = time.perf_counter() - started
    # communicate() already reaped the child; its rusage is folded into RUSAGE_CHILDREN.
    peak_rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    text = stdout.decode("utf-8", "replace")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";")
    checked: set[str] = set()
    broken: set[str] = set()
    for row in reader:
        url = row.get("url") or row.get("urlname") or ""
        if not url:
            continue
        checked.add(url)
        if row.get("valid", "").strip().lower() in {"false", "0"} or (
            "Found" in (row.get("warningstring") or "")
            and "link contents" in (row.get("warningstring") or "")
        ):
            broken.add(url)
    return LinkCheckerRun(
        checked=len(checked),
        elapsed_s=elapsed_s,
        broken=broken,
        peak_rss_mb=peak_rss_kb / 1024,
        returncode=process.returncode,
        stderr_tail=stderr.decode("utf-8", "replace")[-600:],
    )


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=int, metavar="REFUSED_PORT", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=64, help="govwatch in-flight limit")
    parser.add_argument("--threads", type=int, default=10, help="LinkChecker threads (its default)")
    parser.add_argument("--skip-linkchecker", action="store_true")
    args = parser.parse_args()
    if args.serve is not None:
        serve_forever(args.serve)
        return

    # Bound but never listening: connections to it are refused.
    reserved = socket.socket()
    reserved.bind(("127.0.0.1", 0))
    refused_port = reserved.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(refused_port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        start_url = f"http://127.0.0.1:{port}/"
        print(
            f"site: {TOTAL_URLS} distinct URLs ({PAGES} pages, {SLOW} slow 200-500 ms, "
            f"{DEAD} 404, {SOFT} soft 404, {REFUSED} refused, {IMAGES} images, "
            f"{MISSING_IMAGES} missing images); each non-page target linked from 2 pages"
        )

        ours = run_govwatch(start_url, args.concurrency)
        check_rate = ours.checked / ours.check_s
        end_to_end_rate = ours.checked / (ours.crawl_s + ours.check_s)
        print(f"govwatch: {ours.checked} URLs checked, concurrency {args.concurrency}")
        print(f"  crawl (GET {ours.pages_fetched} internal URLs + parse): {ours.crawl_s:.1f} s")
        print(f"  check_urls: {ours.check_s:.1f} s -> {check_rate:.0f} URLs/s")
        print(f"  end to end (crawl + check): {end_to_end_rate:.0f} URLs/s")
        print(f"  peak RSS: {ours.peak_rss_mb:.0f} MB (before run {ours.rss_before_mb:.0f})")
        print(f"  problems: {ours.problems}")
        if args.skip_linkchecker:
            return

        with tempfile.TemporaryDirectory(prefix="bench-linkchecker-") as workdir:
            os.chmod(workdir, 0o755)
            theirs = run_linkchecker(start_url, args.threads, Path(workdir))
        their_rate = theirs.checked / theirs.elapsed_s
        print(f"LinkChecker: {theirs.checked} URLs checked, {args.threads} threads, recursion on")
        print(f"  elapsed: {theirs.elapsed_s:.1f} s -> {their_rate:.0f} URLs/s")
        print(f"  peak RSS: {theirs.peak_rss_mb:.0f} MB (exit code {theirs.returncode})")
        if not theirs.checked:
            print(f"  stderr: {theirs.stderr_tail}")
            return
        print(f"ratio check_urls / LinkChecker: {check_rate / their_rate:.1f}x")
        print(f"ratio end to end / LinkChecker: {end_to_end_rate / their_rate:.1f}x")
        same = ours.broken == theirs.broken
        print(
            f"broken: govwatch {len(ours.broken)}, LinkChecker {len(theirs.broken)}, "
            f"same set: {'yes' if same else 'no'}"
        )
        if not same:
            print(f"  only govwatch: {sorted(ours.broken - theirs.broken)[:10]}")
            print(f"  only LinkChecker: {sorted(theirs.broken - ours.broken)[:10]}")
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        reserved.close()


if __name__ == "__main__":
    main()
