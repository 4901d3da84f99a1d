"""Benchmark: one full scheduler cycle over a simulated province served on 127.0.0.1.

A province is about 450 sites x 30 columns and 2,800 new-media accounts (issue 17).
This bench serves one, from a separate process, the way the real ones answer:

- every site on its own loopback address (``127.1.x.y``, one port for all), so Scrapy's
  per-host politeness (``DOWNLOAD_DELAY``, ``CONCURRENT_REQUESTS_PER_DOMAIN``, keyed by
  host name) applies per site exactly as in production; a homepage linking its 30 columns
  and showing the newest news, column list pages of 15 to 20 dated items (three date
  styles, a pager on most columns), article pages with a publish date, text and an image,
  a stylesheet and a logo;
- the platforms on their own addresses: a Weibo mobile API (``127.2.0.1``: profile, then
  timeline pages of 10 chained by ``since_id``, as m.weibo.cn answers) and WeChat accounts
  read through an RSS mirror (``127.2.0.2``, as wewe-rss publishes them; article links on
  ``127.2.0.3``). Accounts post at three rates (active, ordinary, quiet). Douyin and
  Toutiao are not simulated (Douyin needs a browser page per account).

Then it registers the province in a fresh database through a targets file and runs ONE
full cycle as the service runs it, ``python scheduler.py --once`` (targets file, homepage
probes, every crawl, the check, notifications) with the production settings (politeness,
crawls at once, link checks, articles opened). With ``--workers N`` the cycle queues the
crawls on Redis and N ``python scheduler.py --worker`` processes crawl them (the
scale-out). After the cycle it times ``govwatch check`` and ``govwatch report`` (the
quarter's report workbook with the 通报 draft) on the same database.

It prints the cycle's wall time, pages/s and items/s, the CPU seconds of everything the
cycle ran (scheduler, crawl children, workers; the page server is shown apart), the
peak RSS of every kind of process (sampled from ``/proc``: ``VmHWM`` of each process
while it lives), what every crawl ended as, and the load average.

    .venv/bin/python bench/province.py [--scale 1.0] [--sites N] [--accounts N]
        [--database-url URL] [--workers N --redis-url redis://…/N] [--json FILE] [--keep]

``--scale 0.1`` is 45 sites and 280 accounts. With ``--database-url`` the bench refuses a
database that holds anything but an earlier run of this bench (whose tables it empties);
with ``--redis-url`` it deletes the ``govwatch:*`` keys of that Redis database first:
give it a database of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO_ROOT = Path(__file__).resolve().parents[1]
PROVINCE_SITES = 450
PROVINCE_ACCOUNTS = 2800
COLUMNS_PER_SITE = 30
SITE_PREFIX = "bench-site-"
ACCOUNT_PREFIX = "bench-acct-"
WEIBO_HOST = "127.2.0.1"
FEED_HOST = "127.2.0.2"
WECHAT_HOST = "127.2.0.3"
OTHER_PLATFORM_HOST = "127.2.0.4"  # Douyin, Toutiao: not simulated, never reached
WEIBO_PAGE_SIZE = 10
CHINA = timedelta(hours=8)
SAMPLE_EVERY_S = 0.2

# (path, name, category): a county government site's columns.
COLUMNS = (
    ("/xwzx/gzdt/", "工作动态", "news"),
    ("/xwzx/bmdt/", "部门动态", "news"),
    ("/xwzx/xzdt/", "乡镇动态", "news"),
    ("/xwzx/tpxw/", "图片新闻", "news"),
    ("/xwzx/mtjj/", "媒体聚焦", "news"),
    ("/xwzx/rdzt/", "热点专题", "news"),
    ("/zwgk/tzgg/", "通知公告", "notice"),
    ("/zwgk/gsgg/", "公示公告", "notice"),
    ("/zwgk/zbcg/", "招标采购", "notice"),
    ("/zwgk/rsxx/", "人事信息", "notice"),
    ("/zwgk/zcwj/", "政策文件", "policy"),
    ("/zwgk/gfxwj/", "规范性文件", "policy"),
    ("/zwgk/zcjd/", "政策解读", "policy"),
    ("/zwgk/ghjh/", "规划计划", "policy"),
    ("/zwgk/jgzn/", "机构职能", "static"),
    ("/zwgk/ldxx/", "领导信息", "static"),
    ("/zwgk/xzqh/", "行政区划", "static"),
    ("/zwgk/zfxxgkzd/", "政府信息公开制度", "static"),
    ("/zwgk/czyjs/", "财政预决算", "other"),
    ("/zwgk/tjsj/", "统计数据", "other"),
    ("/zwgk/ndbg/", "政府信息公开年报", "other"),
    ("/zwgk/jytabl/", "建议提案办理", "other"),
    ("/zwgk/shgysy/", "社会公益事业", "other"),
    ("/zwgk/zdxm/", "重大项目", "other"),
    ("/zwgk/hjbh/", "环境保护", "other"),
    ("/zwgk/aqsc/", "安全生产", "other"),
    ("/zwgk/spyp/", "食品药品", "other"),
    ("/zwgk/jyxx/", "教育信息", "other"),
    ("/zwgk/ylws/", "医疗卫生", "other"),
    ("/zwgk/shbz/", "社会保障", "other"),
)
# How often a column of each category publishes (days between items), and the share
# of columns of that category left stale (their newest item long ago).
CADENCE_DAYS = {"news": (1, 4), "notice": (3, 12), "policy": (10, 40), "static": (60, 200)}
CADENCE_DAYS["other"] = (15, 60)
STALE_SHARE = 0.15
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
CSS = b"body{font:14px/1.6 sans-serif}.list li{display:flex;justify-content:space-between}"


# --- the simulated province ---------------------------------------------------------------


def site_host(index: int) -> str:
    """Site ``index``'s own loopback address."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


def site_index(host: str) -> int | None:
    """The site served on ``host``, or None."""
    parts = host.split(".")
    if len(parts) != 4 or parts[:2] != ["127", "1"]:
        return None
    return int(parts[2]) * 250 + int(parts[3]) - 1


def county_name(index: int) -> str:
    return f"示范{index + 1}县"


def china_today() -> date:
    return (datetime.now(UTC) + CHINA).date()


@dataclass(frozen=True)
class ColumnItems:
    """One column's items, newest first: (day, article number)."""

    days: tuple[date, ...]
    pages: int


@lru_cache(maxsize=4096)
def column_items(site: int, column: int, today: date) -> ColumnItems:
    """What column ``column`` of site ``site`` lists on ``today`` (deterministic)."""
    category = COLUMNS[column][2]
    rng = random.Random(f"{site}/{column}")
    low, high = CADENCE_DAYS[category]
    newest = rng.randint(0, low)
    if rng.random() < STALE_SHARE:
        newest += rng.randint(high, high * 3)
    count = rng.choice((15, 20, 20, 20))
    days, age = [], newest
    for _ in range(count):
        days.append(today - timedelta(days=age))
        age += rng.randint(low, high)
    return ColumnItems(tuple(days), pages=rng.choice((1, 3, 8, 25)))


def date_text(day: date, style: int) -> str:
    if style == 1:
        return f"[{day:%Y-%m-%d}]"
    if style == 2:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    return f"{day:%Y-%m-%d}"


def article_path(column: int, day: date, number: int) -> str:
    return f"{COLUMNS[column][0]}{day:%Y%m}/t{day:%Y%m%d}_{number}.html"


def page_html(site: int, title: str, body: str) -> bytes:
    """A county site's page: header, navigation of every column, body, footer."""
    name = f"{county_name(site)}人民政府"
    nav = "".join(f'<li><a href="{path}">{label}</a></li>' for path, label, _ in COLUMNS)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="SiteName" content="{name}">
<title>{title}_{name}</title><link rel="stylesheet" href="/css/style.css"></head>
<body><div class="header"><img src="/images/logo.png" alt="{name}"><span>{name}</span>
<form action="/search" method="get"><input name="q" placeholder="站内搜索"><button>搜索</button></form></div>
<ul class="nav"><li><a href="/">首页</a></li>{nav}</ul>
<div class="main">{body}</div>
<div class="footer"><p>主办:{name}办公室 承办:{county_name(site)}大数据中心</p>
<p>网站标识码:35{site:08d} 闽ICP备{site:08d}号 闽公网安备 350{site:011d}号</p>
<p>地址:{county_name(site)}人民路1号 邮编:350000 电话:0591-0000000</p></div>
</body></html>""".encode()


def list_rows(site: int, column: int, items: ColumnItems, style: int, limit: int) -> str:
    name = COLUMNS[column][1]
    rows = []
    for number, day in enumerate(items.days[:limit], start=1):
        title = f"{county_name(site)}{name}:关于做好第{number}批重点工作的通知"
        rows.append(
            f'<li><a href="{article_path(column, day, number)}" target="_blank" '
            f'title="{title}">{title}</a><span class="date">{date_text(day, style)}</span></li>'
        )
    return "".join(rows)


def column_page(site: int, column: int, today: date) -> bytes:
    path, name, _ = COLUMNS[column]
    items = column_items(site, column, today)
    style = site % 3
    pager = ""
    if items.pages > 1:
        pager = (
            f'<div class="page">共{items.pages}页 <a href="{path}">首页</a> '
            f'<a href="{path}index_1.html">下一页</a> '
            f'<a href="{path}index_{items.pages - 1}.html">尾页</a></div>'
        )
    body = (
        f'<div class="position">当前位置:<a href="/">首页</a> &gt; <a href="{path}">{name}</a>'
        f'</div><div class="list"><h2>{name}</h2><ul class="list-items">'
        f"{list_rows(site, column, items, style, len(items.days))}</ul>{pager}</div>"
    )
    return page_html(site, name, body)


def homepage(site: int, today: date) -> bytes:
    blocks = []
    for column in (0, 1, 6, 10):
        items = column_items(site, column, today)
        path, name, _ = COLUMNS[column]
        blocks.append(
            f'<div class="block"><h2><a href="{path}">{name}</a></h2><ul>'
            f"{list_rows(site, column, items, site % 3, 8)}</ul></div>"
        )
    banner = '<div class="banner"><img src="/images/banner.jpg" alt="专题"></div>'
    return page_html(site, "首页", banner + "".join(blocks))


def article_page(site: int, path: str) -> bytes | None:
    """An article: title, publish time, text, an image (None: no such article)."""
    column = next((n for n, (p, _, _) in enumerate(COLUMNS) if path.startswith(p)), None)
    stem = path.rsplit("/", 1)[-1]
    if column is None or not stem.startswith("t") or "_" not in stem:
        return None
    try:
        day = datetime.strptime(stem[1:9], "%Y%m%d").date()
        number = int(stem.split("_", 1)[1].removesuffix(".html"))
    except ValueError:
        return None
    title = f"{county_name(site)}{COLUMNS[column][1]}:关于做好第{number}批重点工作的通知"
    text = "".join(
        f"<p>为深入贯彻落实上级部署,进一步做好第{number}批重点工作,现就有关事项通知如下。"
        f"第{paragraph}条:各乡镇、各部门要高度重视,压实责任,确保各项任务按期完成。</p>"
        for paragraph in range(1, 7)
    )
    body = (
        f'<div class="article"><h1>{title}</h1><div class="info">发布时间:{day:%Y-%m-%d} 10:30'
        f" 来源:{county_name(site)}人民政府办公室</div>"
        f'<div class="content">{text}<p><img src="/images/{day:%Y%m}/{number}.jpg"></p></div></div>'
    )
    return page_html(site, title, body)


@dataclass(frozen=True)
class AccountPlan:
    """One simulated account: platform, uid, and its posts' ages in days (newest first)."""

    index: int
    platform: str  # weibo | wechat
    uid: str
    ages: tuple[float, ...]

    @property
    def account_id(self) -> str:
        return f"{ACCOUNT_PREFIX}{self.index:05d}"

    @property
    def name(self) -> str:
        return f"示范{self.index // 6 + 1}县{('发布', '融媒', '文旅', '应急', '公安', '教育')[self.index % 6]}"


def account_plan(index: int) -> AccountPlan:
    """Account ``index``: 55% WeChat (through an RSS mirror), 45% Weibo; active (1.5 posts
    a day), ordinary (one in three days) or quiet (one in twenty days)."""
    rng = random.Random(f"account/{index}")
    platform = "wechat" if rng.random() < 0.55 else "weibo"
    rate = rng.choices((1.5, 0.33, 0.05), weights=(20, 50, 30))[0]
    ages, age = [], rng.uniform(0.1, 3.0 / rate if rate < 1 else 1.0)
    while age < 120:
        ages.append(round(age, 3))
        age += rng.expovariate(rate)
    uid = f"{5_100_000_000 + index}" if platform == "weibo" else f"wx{index:05d}"
    return AccountPlan(index, platform, uid, tuple(ages))


def weibo_answer(query: dict[str, str], accounts: dict[str, AccountPlan]) -> bytes | None:
    """m.weibo.cn's ``getIndex``: a profile (``100505uid``) or a timeline page (``107603uid``)."""
    container = query.get("containerid", "")
    uid = container[6:]
    account = accounts.get(uid)
    if account is None or account.platform != "weibo":
        return None
    if container.startswith("100505"):
        tabs = [{"tabKey": "weibo", "tab_type": "weibo", "title": "微博"}]
        tabs[0]["containerid"] = f"107603{uid}"
        user = {"id": int(uid), "screen_name": account.name, "statuses_count": len(account.ages)}
        data = {"userInfo": user, "tabsInfo": {"selectedTab": 1, "tabs": tabs}}
        return json.dumps({"ok": 1, "data": data}, ensure_ascii=False).encode()
    if not container.startswith("107603"):
        return None
    now = datetime.now(UTC) + CHINA
    start = int(query.get("since_id") or 0)
    cards = []
    for number, age in enumerate(account.ages[start : start + WEIBO_PAGE_SIZE], start=start):
        published = now - timedelta(days=age)
        text = f"{account.name}:第{number + 1}条政务信息,欢迎关注。"
        mblog = {"id": f"{uid}{number:05d}", "text": text, "pics": []}
        mblog["created_at"] = published.strftime("%a %b %d %H:%M:%S +0800 %Y")
        cards.append({"card_type": 9, "mblog": mblog})
    if not cards and start == 0:
        return json.dumps({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}).encode()
    more = start + WEIBO_PAGE_SIZE < len(account.ages)
    info = {"since_id": start + WEIBO_PAGE_SIZE} if more else {}
    return json.dumps({"ok": 1, "data": {"cardlistInfo": info, "cards": cards}}).encode()


def wechat_feed(account: AccountPlan, port: int) -> bytes:
    """The RSS mirror of a WeChat account (wewe-rss shape)."""
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>{escape(account.name)}:第{number + 1}期</title>"
        f"<link>http://{WECHAT_HOST}:{port}/s/{account.uid}{number:05d}</link>"
        f"<guid>{account.uid}{number:05d}</guid>"
        f"<pubDate>{format_datetime(now - timedelta(days=age))}</pubDate></item>"
        for number, age in enumerate(account.ages)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(account.name)}</title><link>http://{WECHAT_HOST}:{port}/</link>"
        f"<description>微信公众号</description>{items}</channel></rss>"
    ).encode()


STATS_PATH = "/__served"


def served_kind(host: str, path: str, status: int) -> str:
    """What a request the server answered was, for the bench's page counts."""
    if status != 200:
        return "not found"
    if host == WEIBO_HOST:
        return "weibo API page"
    if host == FEED_HOST:
        return "wechat feed"
    if host == WECHAT_HOST:
        return "wechat article"
    if path in ("/", "/index.html"):
        return "homepage"
    if path.startswith(("/css/", "/images/")):
        return "stylesheet or image"
    if path.endswith(".html") and "/index_" not in path:
        return "article"
    return "column list page"


PAGE_KINDS = ("homepage", "column list page", "article", "weibo API page", "wechat feed")


def served_counts(port: int) -> dict[str, int]:
    """What the page server has answered so far, by kind."""
    from urllib.request import urlopen

    with urlopen(f"http://{OTHER_PLATFORM_HOST}:{port}{STATS_PATH}", timeout=30) as answer:
        return json.loads(answer.read())


def serve(sites: int, accounts: int) -> None:
    """The province's server (its own process): prints its port, serves until killed."""
    import asyncio

    from aiohttp import web

    plans = [account_plan(index) for index in range(accounts)]
    by_uid = {plan.uid: plan for plan in plans}
    state = {"port": 0}
    served: Counter[str] = Counter()

    def html(body: bytes, status: int = 200) -> web.Response:
        return web.Response(body=body, status=status, content_type="text/html", charset="utf-8")

    not_found = "<h1>404 页面不存在</h1>".encode()

    async def answer(request: web.Request) -> web.Response:
        host = request.host.rsplit(":", 1)[0]
        path = request.path
        if host == OTHER_PLATFORM_HOST and path == STATS_PATH:
            return web.json_response(dict(served))
        response = route(host, path, request)
        served[served_kind(host, path, response.status)] += 1
        return response

    def route(host: str, path: str, request: web.Request) -> web.Response:
        if host == WEIBO_HOST and path == "/api/container/getIndex":
            payload = weibo_answer(dict(request.query), by_uid)
            if payload is None:
                payload = json.dumps(
                    {"ok": 0, "msg": "这里还没有内容"}, ensure_ascii=False
                ).encode()
            return web.Response(body=payload, content_type="application/json", charset="utf-8")
        if host == FEED_HOST and path.startswith("/feeds/"):
            plan = by_uid.get(path.rsplit("/", 1)[-1].removesuffix(".xml"))
            if plan is None or plan.platform != "wechat":
                return html(not_found, 404)
            body = wechat_feed(plan, state["port"])
            return web.Response(body=body, content_type="application/rss+xml", charset="utf-8")
        if host == WECHAT_HOST and path.startswith("/s/"):
            return html(f"<html><body><h1>{path}</h1><p>正文</p></body></html>".encode())
        site = site_index(host)
        if site is None or site >= sites:
            return html(not_found, 404)
        today = china_today()
        if path in ("/", "/index.html"):
            return html(homepage(site, today))
        if path == "/css/style.css":
            return web.Response(body=CSS, content_type="text/css")
        if path.startswith("/images/"):
            return web.Response(body=GIF, content_type="image/gif")
        if path == "/search":
            return html(page_html(site, "搜索", '<div class="list"><p>暂无信息</p></div>'))
        for column, (column_path, _, _) in enumerate(COLUMNS):
            if path == column_path or (path.startswith(column_path + "index_")):
                return html(column_page(site, column, today))
        article = article_page(site, path)
        return html(article) if article is not None else html(not_found, 404)

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        hosts = [site_host(n) for n in range(sites)]
        hosts += [WEIBO_HOST, FEED_HOST, WECHAT_HOST, OTHER_PLATFORM_HOST]
        first = web.TCPSite(runner, hosts[0], 0, backlog=1024)
        await first.start()
        port = first._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        state["port"] = port
        for host in hosts[1:]:
            await web.TCPSite(runner, host, port, backlog=1024).start()
        print(port, flush=True)
        while True:
            await asyncio.sleep(3600)

    asyncio.run(main())


def targets_yaml(sites: int, accounts: int, port: int, columns: int = COLUMNS_PER_SITE) -> str:
    """The province's targets file: a unit per county, its site and its accounts."""
    lines = ["units:"]
    counties = max(sites, (accounts + 5) // 6, 1)
    for county in range(counties):
        lines += [f"  - name: {county_name(county)}人民政府", "    kind: county"]
    lines.append("sites:" if sites else "sites: []")
    for site in range(sites):
        root = f"http://{site_host(site)}:{port}"
        lines += [
            f"  - id: {SITE_PREFIX}{site:04d}",
            f"    name: {county_name(site)}人民政府",
            f"    url: {root}/",
            f"    unit: {county_name(site)}人民政府",
            f'    site_code: "35{site:08d}"',
            "    columns:",
        ]
        for path, name, category in COLUMNS[:columns]:
            lines.append(f"      - {{name: {name}, url: '{root}{path}', category: {category}}}")
    lines.append("accounts:" if accounts else "accounts: []")
    for index in range(accounts):
        plan = account_plan(index)
        lines += [
            f"  - id: {plan.account_id}",
            f"    name: {plan.name}",
            f"    platform: {plan.platform}",
            f'    uid: "{plan.uid}"',
            f"    unit: {county_name(index // 6)}人民政府",
        ]
        if plan.platform == "wechat":
            lines.append(f"    feed: http://{FEED_HOST}:{port}/feeds/{plan.uid}.xml")
    return "\n".join(lines) + "\n"


# --- measuring ------------------------------------------------------------------------------


def process_kind(argv: list[str]) -> str | None:
    """What a process of the cycle is, from its command line (None: not ours to count)."""
    line = " ".join(argv)
    if "scheduler.py" in line and "--worker" in line:
        return "worker (scheduler.py --worker)"
    if "scheduler.py" in line:
        return "scheduler (scheduler.py --once)"
    if "crawler.warm_worker" in line:
        return "warm crawl worker"
    if "crawler.child_guard" in line:
        spider = "account" if " crawl account" in line else "site"
        return f"crawl child ({spider})"
    if "chrom" in line or "playwright" in line or "node" in argv[:1]:
        return "browser (Playwright, Chromium)"
    if argv and "python" in Path(argv[0]).name:
        return "other python"
    return "other"


@dataclass
class KindStats:
    processes: int = 0
    peak_rss_mb: float = 0.0


class ProcessSampler(threading.Thread):
    """Samples every descendant of this process (but the page server) from ``/proc``:
    each process's own peak RSS (``VmHWM``), by kind."""

    def __init__(self, exclude: set[int]) -> None:
        super().__init__(daemon=True)
        self.exclude = exclude
        self.stop = threading.Event()
        self.peaks: dict[int, tuple[str, float]] = {}

    def run(self) -> None:
        root = os.getpid()
        while not self.stop.is_set():
            children: dict[int, list[int]] = {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            todo = [pid for pid in children.get(root, []) if pid not in self.exclude]
            while todo:
                pid = todo.pop()
                todo += children.get(pid, [])
                self._sample(pid)
            self.stop.wait(SAMPLE_EVERY_S)

    def _sample(self, pid: int) -> None:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        parts = [part for part in argv.split("\0") if part]
        if not parts:
            return  # exiting, or not yet exec'd: sampled again next time
        kind = process_kind(parts)
        hwm = next(
            (line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")), "0"
        )
        if kind is None:
            return
        previous = self.peaks.get(pid, (kind, 0.0))[1]
        self.peaks[pid] = (kind, max(previous, int(hwm) / 1024))

    def by_kind(self) -> dict[str, KindStats]:
        kinds: dict[str, KindStats] = {}
        for kind, peak in self.peaks.values():
            stats = kinds.setdefault(kind, KindStats())
            stats.processes += 1
            stats.peak_rss_mb = max(stats.peak_rss_mb, peak)
        return kinds


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_cpu(process: subprocess.Popen[Any], timeout_s: float | None = None) -> tuple[float, float]:
    """Wait for a child (killed after ``timeout_s``): (CPU s, peak RSS MB) of it and of
    the descendants it waited for."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(process.pid, 0 if deadline is None else os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:  # type: ignore[operator]
            process.kill()
            deadline = None
        else:
            time.sleep(0.2)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def timed_command(argv: list[str], env: dict[str, str], log: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one command run to its end."""
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            argv, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        cpu, rss = wait_cpu(process)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(argv[:3])} failed ({process.returncode}):\n{tail}")
    return wall, cpu, rss


@dataclass
class Result:
    """Everything one run measured."""

    mode: str
    sites: int
    columns: int
    accounts: int
    database: str
    workers: int
    settings: dict[str, str] = field(default_factory=dict)
    cycle_wall_s: float = 0.0
    all_runs_done_s: float = 0.0
    cycle_cpu_s: float = 0.0
    pages: int = 0
    account_pages: int = 0
    link_checks: int = 0
    items: int = 0
    posts: int = 0
    runs: dict[str, int] = field(default_factory=dict)
    targets_crawled: int = 0
    targets: int = 0
    findings_open: int = 0
    check_wall_s: float = 0.0
    check_cpu_s: float = 0.0
    check_rss_mb: float = 0.0
    report_wall_s: float = 0.0
    report_cpu_s: float = 0.0
    report_rss_mb: float = 0.0
    server_cpu_s: float = 0.0
    served: dict[str, int] = field(default_factory=dict)
    processes: dict[str, dict[str, float]] = field(default_factory=dict)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)


@lru_cache(maxsize=2)
def bench_engine(database_url: str) -> Any:
    """A plain engine on the bench database, for counting from this process (whose CPU
    is not in the figures): no migrations, no project settings."""
    from sqlalchemy import create_engine

    return create_engine(database_url)


def stored_counts(database_url: str) -> dict[str, Any]:
    """What the cycle stored: pages, items, runs by outcome, targets crawled, findings."""
    from sqlalchemy import func, select

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from storage.models import AccountFetch, CrawlRun, Fetch, Finding, Item, LinkCheck, Post

    with bench_engine(database_url).connect() as c:
        runs = dict(
            list(c.execute(select(CrawlRun.outcome, func.count()).group_by(CrawlRun.outcome)))
        )
        finished = (
            select(CrawlRun.target_type, CrawlRun.target_id)
            .where(CrawlRun.finished_at.is_not(None))
            .distinct()
            .subquery()
        )
        return {
            "pages": c.scalar(select(func.count(Fetch.id))),
            "account_pages": c.scalar(select(func.count(AccountFetch.id))),
            "link_checks": c.scalar(select(func.count(LinkCheck.id))),
            "items": c.scalar(select(func.count(Item.id))),
            "posts": c.scalar(select(func.count(Post.id))),
            "runs": runs,
            "crawled": c.scalar(select(func.count()).select_from(finished)),
            "running": runs.get("running", 0),
            "findings": c.scalar(select(func.count(Finding.id)).where(Finding.status == "open")),
        }


PREPARE_SCRIPT = """
import sys
from sqlalchemy import delete, func, select
from storage.db import get_engine
from storage.models import Account, Base, Site
engine = get_engine()
with engine.connect() as c:
    sites = list(c.scalars(select(Site.id)))
    accounts = list(c.scalars(select(Account.id)))
    held = {t.name: c.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables}
ours = all(i.startswith("{site}") for i in sites) and all(
    i.startswith("{account}") for i in accounts)
if any(held.values()) and not (ours and (sites or accounts)):
    print("holds other data: " + ", ".join(f"{{k}} {{v}}" for k, v in held.items() if v))
    sys.exit(3)
with engine.begin() as c:
    for table in reversed(Base.metadata.sorted_tables):
        c.execute(table.delete())
""".replace("{site}", SITE_PREFIX).replace("{account}", ACCOUNT_PREFIX)


def prepare_database(env: dict[str, str]) -> None:
    """Empty the bench database; refuse one that holds anything but the bench's data."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARE_SCRIPT],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode == 3:
        raise SystemExit(
            f"错误: {env['GOVWATCH_DATABASE_URL'].split('@')[-1]} 中有本基准以外的数据"
            f"({done.stdout.strip().removeprefix('holds other data: ')}),不会清空;"
            "请给本基准一个专用的空数据库"
        )
    if done.returncode != 0:
        raise SystemExit(f"preparing the database failed:\n{done.stderr[-3000:]}")


def clear_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match="govwatch:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def bench_env(temp: Path, database_url: str, port: int, redis_url: str) -> dict[str, str]:
    """The environment of every measured process: production settings but for where the
    data lives and where the platforms are (every other GOVWATCH_* variable dropped)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    env.update(
        GOVWATCH_DATABASE_URL=database_url,
        GOVWATCH_TARGETS=str(temp / "province.yaml"),
        GOVWATCH_WEIBO_BASE_URL=f"http://{WEIBO_HOST}:{port}",
        GOVWATCH_WECHAT_BASE_URL=f"http://{WECHAT_HOST}:{port}",
        GOVWATCH_DOUYIN_BASE_URL=f"http://{OTHER_PLATFORM_HOST}:{port}",
        GOVWATCH_TOUTIAO_BASE_URL=f"http://{OTHER_PLATFORM_HOST}:{port}",
        GOVWATCH_LOG_LEVEL="INFO",
    )
    if redis_url:
        env["GOVWATCH_REDIS_URL"] = redis_url
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


def wait_for_runs(database_url: str, targets: int, deadline_s: float) -> dict[str, Any]:
    """Poll the database until every target has a finished run and none runs (or time)."""
    deadline = time.monotonic() + deadline_s
    while True:
        counts = stored_counts(database_url)
        if (counts["crawled"] >= targets and not counts["running"]) or time.monotonic() > deadline:
            return counts
        time.sleep(1.0)


def run_cycle(options: argparse.Namespace, temp: Path, port: int, server_pid: int) -> Result:
    """Register the province, run one cycle, then the check and the report; measure all."""
    sites, accounts = options.sites, options.accounts
    database_url = options.database_url or f"sqlite:///{temp / 'province.db'}"
    redis_url = options.redis_url if options.workers else ""
    env = bench_env(temp, database_url, port, redis_url)
    env.update(options.setting)
    targets = targets_yaml(sites, accounts, port, options.columns)
    (temp / "province.yaml").write_text(targets, encoding="utf-8")
    prepare_database(env)  # the schema now, so the cycle does not pay for migrations
    if redis_url:
        clear_redis(redis_url)
    mode = f"{options.workers} worker(s) on Redis" if options.workers else "scheduler, no Redis"
    result = Result(
        mode=mode,
        sites=sites,
        columns=options.columns,
        settings=dict(options.setting),
        accounts=accounts,
        database=database_url.split(":", 1)[0].split("+", 1)[0],
        workers=options.workers,
        targets=sites + accounts,
    )
    sampler = ProcessSampler(exclude={server_pid})
    sampler.start()
    result.load_before = os.getloadavg()
    log_path = temp / "scheduler.log"
    with log_path.open("w") as log, _stopped_at_exit() as children:
        workers = [
            subprocess.Popen(
                [sys.executable, "scheduler.py", "--worker"],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for _ in range(options.workers)
        ]
        children.extend(workers)
        started = time.perf_counter()
        scheduler = subprocess.Popen(
            [sys.executable, "scheduler.py", "--once"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        children.append(scheduler)
        cpu, _ = wait_cpu(scheduler)
        result.cycle_wall_s = time.perf_counter() - started
        if workers:  # the scheduler stops waiting after the crawl time limit
            counts = wait_for_runs(database_url, result.targets, options.wait_s)
            result.all_runs_done_s = time.perf_counter() - started
        else:
            counts = stored_counts(database_url)
            result.all_runs_done_s = result.cycle_wall_s
        for worker in workers:
            worker.send_signal(signal.SIGINT)  # Scrapy's graceful stop
        for worker in workers:
            cpu += wait_cpu(worker, timeout_s=60)[0]
    result.cycle_cpu_s = cpu
    result.load_after = os.getloadavg()
    sampler.stop.set()
    sampler.join()
    if scheduler.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise SystemExit(f"scheduler.py --once failed ({scheduler.returncode}):\n{tail}")
    result.pages, result.account_pages = counts["pages"], counts["account_pages"]
    result.link_checks, result.items = counts["link_checks"], counts["items"]
    result.posts, result.runs = counts["posts"], counts["runs"]
    result.targets_crawled = counts["crawled"]
    result.served = served_counts(port)
    result.processes = {kind: asdict(stats) for kind, stats in sampler.by_kind().items()}

    govwatch = str(Path(sys.executable).parent / "govwatch")
    result.check_wall_s, result.check_cpu_s, result.check_rss_mb = timed_command(
        [govwatch, "check"], env, temp / "check.log"
    )
    today = china_today()
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    report = [govwatch, "report", "--from", f"{quarter_start}", "--to", f"{today}"]
    report += ["--out", str(temp / "report.xlsx")]
    result.report_wall_s, result.report_cpu_s, result.report_rss_mb = timed_command(
        report, env, temp / "report.log"
    )
    result.findings_open = stored_counts(database_url)["findings"]
    bench_engine(database_url).dispose()
    return result


def server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_result(result: Result) -> None:
    load = " ".join(f"{value:.1f}" for value in result.load_before)
    load_after = " ".join(f"{value:.1f}" for value in result.load_after)
    fetched = sum(result.served.get(kind, 0) for kind in PAGE_KINDS)
    wall = result.all_runs_done_s or result.cycle_wall_s
    print(
        f"province: {result.sites} sites x {result.columns} columns, {result.accounts} accounts; "
        f"{result.database}; {result.mode}"
    )
    if result.settings:
        changed = ", ".join(f"{name}={value}" for name, value in result.settings.items())
        print(f"settings changed from production: {changed}")
    print(f"load average before {load}, after {load_after} on {os.cpu_count()} CPUs")
    print(f"cycle (scheduler.py --once): {result.cycle_wall_s:.1f} s wall", end="")
    if result.workers:
        print(f", every queued run finished at {result.all_runs_done_s:.1f} s", end="")
    print(f"; {result.cycle_cpu_s:.1f} s CPU (scheduler, crawls, workers; server apart)")
    print(
        f"targets crawled: {result.targets_crawled} of {result.targets}; runs: "
        + ", ".join(f"{outcome} {count}" for outcome, count in sorted(result.runs.items()))
    )
    print(
        f"pages served: {fetched}, {fetched / wall:.1f} pages/s ("
        + ", ".join(f"{kind} {result.served.get(kind, 0)}" for kind in PAGE_KINDS)
        + "); other requests: "
        + ", ".join(f"{k} {n}" for k, n in sorted(result.served.items()) if k not in PAGE_KINDS)
    )
    print(
        f"stored: {result.pages} list-page fetches, {result.account_pages} timeline fetches, "
        f"{result.link_checks} link checks"
    )
    print(
        f"stored: {result.items} items + {result.posts} posts, "
        f"{(result.items + result.posts) / wall:.1f} items/s; "
        f"{result.findings_open} open findings"
    )
    print(f"{'process kind':<34} {'processes':>9} {'peak RSS MB':>12}")
    for kind, stats in sorted(result.processes.items()):
        print(f"{kind:<34} {stats['processes']:>9} {stats['peak_rss_mb']:>12.0f}")
    print(
        f"govwatch check after the cycle: {result.check_wall_s:.1f} s wall, "
        f"{result.check_cpu_s:.1f} s CPU, {result.check_rss_mb:.0f} MB"
    )
    print(
        f"govwatch report (quarter, .xlsx): {result.report_wall_s:.1f} s wall, "
        f"{result.report_cpu_s:.1f} s CPU, {result.report_rss_mb:.0f} MB"
    )
    print(f"page server (not in the figures above): {result.server_cpu_s:.1f} s CPU")


def setting_argument(text: str) -> tuple[str, str]:
    """``GOVWATCH_NAME=VALUE`` of ``--setting``."""
    name, equals, value = text.partition("=")
    if not equals or not name.startswith("GOVWATCH_"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected GOVWATCH_NAME=VALUE")
    return name, value


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stopped_at_exit() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes added to the yielded list are stopped (SIGINT, then a kill) if the
    block is left while they still run: an error or an interrupted bench leaves none."""
    children: list[subprocess.Popen[bytes]] = []
    try:
        yield children
    finally:
        running = [child for child in children if child.poll() is None]
        for child in running:
            child.send_signal(signal.SIGINT)  # the scheduler's and Scrapy's graceful stop
        for child in running:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the province")
    parser.add_argument("--sites", type=int, help="sites (default: 450 x scale)")
    parser.add_argument("--accounts", type=int, help="accounts (default: 2,800 x scale)")
    parser.add_argument(
        "--columns", type=int, default=COLUMNS_PER_SITE, help="registered columns per site"
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        type=setting_argument,
        metavar="GOVWATCH_NAME=VALUE",
        help="change a production setting (repeatable; printed with the figures)",
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--workers", type=int, default=0, help="scrapy-redis workers (0: none)")
    parser.add_argument("--redis-url", default="", help="Redis database for --workers")
    parser.add_argument(
        "--wait-s", type=float, default=6 * 3600, help="with workers: wait this long for the runs"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--serve", nargs=2, type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        serve(*options.serve)
        return 0
    if options.scale <= 0:
        parser.error("--scale must be above 0")
    options.sites = (
        options.sites if options.sites is not None else round(PROVINCE_SITES * options.scale)
    )
    options.accounts = (
        options.accounts
        if options.accounts is not None
        else round(PROVINCE_ACCOUNTS * options.scale)
    )
    if options.sites < 0 or options.accounts < 0 or options.sites > 250 * 250:
        parser.error("--sites and --accounts must be 0 or more (sites at most 62,500)")
    if not 1 <= options.columns <= len(COLUMNS):
        parser.error(f"--columns must be 1 to {len(COLUMNS)}")
    if options.workers < 0 or (options.workers and not options.redis_url):
        parser.error("--workers N needs --redis-url redis://HOST:PORT/DB")

    # A SIGTERM unwinds like Ctrl-C: the page server, scheduler and workers are stopped.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(options.sites), str(options.accounts)],
        stdout=subprocess.PIPE,
        text=True,
    )
    temp = Path(tempfile.mkdtemp(prefix="govwatch-province-"))
    try:
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        if not line.isdigit():
            raise SystemExit("the province's page server did not start")
        result = run_cycle(options, temp, int(line), server.pid)
        result.server_cpu_s = server_cpu(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if options.keep:
            print(f"kept {temp}")
        else:
            import shutil

            shutil.rmtree(temp, ignore_errors=True)
    print_result(result)
    if options.json:
        options.json.write_text(json.dumps(asdict(result), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM; what it started is stopped
        print("province bench interrupted: its page server and crawls are stopped", file=sys.stderr)
        sys.exit(130)
