"""A small government-style demo site, served on 127.0.0.1 with dates relative to today.

The same server answers for the demo's new-media accounts (``govwatch.demo.accounts``).

It has what an inspector meets on day one: a fresh news column, a picture-news
column 20 days old (stale), a notice column 100 days old (fine), a policy column
200 days old (stale), an empty personnel column (暂无信息), a consultation column
whose server answers 500 (cannot be checked), and a GBK-encoded page with dates
written as ``[2022-05-20]``-style brackets and ``2022年5月20日``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from govwatch.demo.accounts import demo_accounts_yaml, wechat_feed, weibo_timeline

SITE_NAME = "示范县人民政府"


@dataclass(frozen=True)
class DemoColumn:
    """One column of the demo site."""

    path: str
    name: str
    category: str
    ages_in_days: tuple[int, ...]  # age of each item, newest first; () = empty column
    date_style: str = "iso"  # iso | bracket | chinese
    encoding: str = "utf-8"
    status: int = 200
    titles: tuple[str, ...] = ()  # item titles, newest first; default: 「名称」第N条信息


COLUMNS = (
    DemoColumn("/xwzx/gzdt/", "工作动态", "news", (1, 3, 6, 9, 13, 17)),
    DemoColumn("/xwzx/tpxw/", "图片新闻", "news", (20, 27, 41), date_style="bracket"),
    DemoColumn(
        "/zwgk/tzgg/", "通知公告", "notice", (100, 130, 170), encoding="gbk", date_style="chinese"
    ),
    DemoColumn("/zwgk/zcwj/", "政策文件", "policy", (200, 260, 300)),
    DemoColumn("/zwgk/rsxx/", "人事信息", "static", ()),
    DemoColumn("/hdjl/zxzx/", "政务咨询", "interaction", (2,), status=500),
    DemoColumn(
        "/zwgk/gfxwj/",
        "规范性文件",
        "policy",
        (10, 120),
        titles=(
            "关于印发《示范县农村饮水安全管理办法》的通知",
            "关于印发《示范县河道管理规定》的通知",
        ),
    ),
    DemoColumn(
        "/zwgk/zcjd/", "政策解读", "policy", (115,), titles=("《示范县河道管理规定》政策解读",)
    ),
    DemoColumn("/zwgk/ndbg/", "政府信息公开年报", "other", ()),  # titles by year, see below
    DemoColumn("/hdjl/zxft/", "在线访谈", "interaction", (400, 520)),
)
ANNUAL_REPORTS = "/zwgk/ndbg/"
#: The 政务新媒体 directory: it lists two of the three registered accounts (示范县文旅
#: is missing) and an account nobody registered.
MEDIA_DIRECTORY = """<h2>政务新媒体</h2><table class="xmt">
<tr><th>序号</th><th>账号名称</th><th>平台</th><th>主办单位</th></tr>
<tr><td>1</td><td>示范县发布</td><td>新浪微博</td><td>县政府办公室</td></tr>
<tr><td>2</td><td>示范县融媒</td><td>微信公众号</td><td>县政府办公室</td></tr>
<tr><td>3</td><td>示范县应急</td><td>抖音</td><td>县应急管理局</td></tr></table>"""
SEARCH_EMPTY = '<div class="list"><ul class="list-items"></ul><p class="empty">暂无信息</p></div>'


def _format_day(day: date, style: str) -> str:
    if style == "bracket":
        return f"[{day:%Y-%m-%d}]"
    if style == "chinese":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day:%Y-%m-%d}"


def _page(title: str, body: str, charset: str = "utf-8") -> str:
    nav = "".join(f'<li><a href="{c.path}">{c.name}</a></li>' for c in COLUMNS)
    nav += '<li><a href="/xmt/">政务新媒体</a></li>'
    # The footer shows the 网站标识码 but no ICP number, 公安 mark or 党政机关 badge.
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title} - {SITE_NAME}</title></head>
<body>
<div class="header"><h1>{SITE_NAME}</h1><ul class="nav"><li><a href="/">首页</a></li>{nav}</ul>
<form action="/search" method="get"><input type="text" name="q" placeholder="站内搜索"><button>搜索</button></form></div>
<div class="main">{body}</div>
<div class="footer"><p>主办:{SITE_NAME}办公室 网站标识码:3600000001</p>
</div>
</body></html>"""


def _annual_reports(today: date) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Reports up to the year before last: last year's report is missing (and late
    once 31 January has passed, the deadline of the department running the site)."""
    years = (today.year - 2, today.year - 3)
    ages = tuple((today - date(year + 1, 1, 20)).days for year in years)
    return ages, tuple(f"示范县{year}年政府信息公开工作年度报告" for year in years)


def render_column(column: DemoColumn, today: date) -> str:
    """The list page of ``column`` as it reads on ``today``."""
    if column.path == ANNUAL_REPORTS:
        ages, titles = _annual_reports(today)
        column = DemoColumn(column.path, column.name, column.category, ages, titles=titles)
    if not column.ages_in_days:
        body = '<div class="list"><ul class="list-items"></ul><p class="empty">暂无信息</p></div>'
    else:
        rows = []
        for index, age in enumerate(column.ages_in_days):
            day = today - timedelta(days=age)
            url = f"{column.path}{day:%Y%m}/t{day:%Y%m%d}_{index + 1}.html"
            title = column.titles[index] if column.titles else f"{column.name}第{index + 1}条信息"
            rows.append(
                f'<li><a href="{url}" target="_blank">{title}</a>'
                f'<span class="date">{_format_day(day, column.date_style)}</span></li>'
            )
        body = f'<div class="list"><h2>{column.name}</h2><ul class="list-items">{"".join(rows)}</ul></div>'
    return _page(column.name, body, "gbk" if column.encoding == "gbk" else "utf-8")


def render_homepage(today: date) -> str:
    """The homepage: navigation, and the newest items of the news column."""
    news = COLUMNS[0]
    rows = "".join(
        f'<li><a href="{news.path}{(today - timedelta(days=age)):%Y%m}/t'
        f'{(today - timedelta(days=age)):%Y%m%d}_{index + 1}.html">{news.name}第{index + 1}条信息</a>'
        f"<span>{(today - timedelta(days=age)):%Y-%m-%d}</span></li>"
        for index, age in enumerate(news.ages_in_days)
    )
    return _page("首页", f'<div class="focus"><h2>要闻动态</h2><ul>{rows}</ul></div>')


def _handler(today_of: Callable[[], date]) -> type[BaseHTTPRequestHandler]:
    class DemoHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            today = today_of()
            path = self.path.split("?", 1)[0]
            column = next((c for c in COLUMNS if c.path in (path, path + "/")), None)
            now = datetime.now(UTC)
            query = self.path.split("?", 1)[1] if "?" in self.path else ""
            if path == "/api/container/getIndex" and (payload := weibo_timeline(query, now)):
                self._send_bytes(200, payload, "application/json; charset=utf-8")
            elif path.startswith("/feeds/") and (feed := wechat_feed(path, now)):
                self._send_bytes(200, feed, "application/rss+xml; charset=utf-8")
            elif path in ("/", "/index.html"):
                self._send(200, render_homepage(today), "utf-8")
            elif path == "/search":  # the site search finds nothing
                self._send(200, _page("搜索结果", SEARCH_EMPTY), "utf-8")
            elif path in ("/xmt/", "/xmt"):
                self._send(200, _page("政务新媒体", MEDIA_DIRECTORY), "utf-8")
            elif column is not None and column.status != 200:
                self._send(column.status, "<h1>Internal Server Error</h1>", "utf-8")
            elif column is not None:
                self._send(200, render_column(column, today), column.encoding)
            elif path.endswith(".html"):
                self._send(
                    200, _page("正文", "<div class='article'><p>正文内容</p></div>"), "utf-8"
                )
            else:
                self._send(404, "<h1>404 页面不存在</h1>", "utf-8")

        def _send(self, status: int, html: str, encoding: str) -> None:
            self._send_bytes(status, html.encode(encoding), f"text/html; charset={encoding}")

        def _send_bytes(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # keep the demo's terminal for findings

    return DemoHandler


class DemoServer:
    """The demo site on a background thread; use as a context manager."""

    def __init__(self, today_of: Callable[[], date], host: str = "127.0.0.1", port: int = 0):
        self._server = ThreadingHTTPServer((host, port), _handler(today_of))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The site's root URL, ending in a slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def demo_targets_yaml(base_url: str) -> str:
    """A targets file registering the demo site and its columns."""
    root = base_url.rstrip("/")
    columns = "\n".join(
        f"""      - name: {c.name}
        url: {root}{c.path}
        category: {c.category}
        unit: {"示范镇" if c.category == "news" else "县政府办公室"}"""
        for c in COLUMNS
    )
    return f"""# Generated by `govwatch demo`: the bundled demo site served on {root}
units:
  - name: 县政府办公室
    kind: department
  - name: 示范镇
    kind: town
sites:
  - id: demo
    name: {SITE_NAME}
    url: {root}/
    unit: 县政府办公室
    site_code: "3600000001"
    columns:
{columns}
{demo_accounts_yaml(base_url)}"""
