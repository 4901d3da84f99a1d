"""The fault corpus: one local server, one fault per homepage or column, crawled with
the real ``scrapy crawl site`` and checked. Every faulty target must end CHECK_FAILED
with a reason naming its fault, and nothing else; a healthy control column next to
them is still judged normally.

The browser fallback is off here (the WAF pages would send Chromium to the internet);
tests/crawler/test_browser_limits.py covers the browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes.gov_pages import homepage, list_page
from fakes.sites import FakeResponse, FakeSite, html_page, redirect

from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.registry import sync_targets

pytestmark = pytest.mark.database_neutral
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "site_faults"
TODAY = china_today()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def html(text: str, status: int = 200) -> FakeResponse:
    return FakeResponse(status=status, body=text.encode())


UNDATED = """<html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<div class="list"><ul>
<li><a href="{p}1.html">关于开展安全生产检查的通知</a></li>
<li><a href="{p}2.html">关于做好防汛工作的通知</a></li>
<li><a href="{p}3.html">关于公布第二批名单的公告</a></li>
</ul></div></body></html>"""

SCRIPT_LIST = """<html><head><meta charset="utf-8"><title>工作动态</title></head><body>
<div class="nav"><a href="/">首页</a></div><ul id="newslist"></ul>
<script>$.ajax({url: "/api/news?page=1", dataType: "json"}).done(function (rows) {
  $("#newslist").html(rows.map(function (r) { return "<li>" + r.title + "</li>"; }).join(""));
});</script></body></html>"""


@dataclass(frozen=True)
class Fault:
    """One faulty page, where it is served, and words its CHECK_FAILED reason must hold."""

    path: str
    response: FakeResponse
    named: tuple[str, ...]


# Homepage faults: one site each (a site has one homepage).
HOMEPAGE_FAULTS = {
    "hp-safedog": Fault("/safedog/", FakeResponse(body=fixture("safedog_403.html")), ("安全狗",)),
    "hp-yunsuo": Fault("/yunsuo/", FakeResponse(body=fixture("yunsuo_autojump.html")), ("云锁",)),
    "hp-jiasule": Fault(
        "/jsl/", FakeResponse(status=521, body=fixture("jiasule_521.html")), ("加速乐", "521")
    ),
    "hp-webshield": Fault(
        "/webshield/", FakeResponse(body=fixture("webshield_jumpself.html")), ("防火墙",)
    ),
    "hp-nojs": Fault(
        "/nojs/",
        html(html_page("提示", "<p>请开启JavaScript并刷新该页</p>").decode()),
        ("JavaScript",),
    ),
    "hp-captcha": Fault(
        "/captcha/",
        html(
            html_page(
                "安全验证",
                '<form><p>请输入验证码后继续访问</p><img src="/code.jpg"><input name="c"></form>',
            ).decode()
        ),
        ("验证码",),
    ),
    "hp-maintenance": Fault(
        "/maint/", html(html_page("维护通知", "<h1>网站维护中,暂停访问</h1>").decode()), ("维护",)
    ),
    "hp-empty": Fault("/empty/", FakeResponse(body=b""), ("内容为空",)),
    "hp-soft404": Fault(
        "/soft404/",
        html(html_page("提示", "<h2>抱歉,您访问的页面不存在</h2><a href='/'>返回</a>").decode()),
        ("不存在",),
    ),
    "hp-jsapp": Fault(
        "/app/",
        html(
            html_page(
                "",
                '<div id="app"></div><script src="/js/chunk-vendors.1c2e.js"></script>'
                '<script src="/js/app.9f3b.js"></script>',
            ).decode()
        ),
        ("JavaScript",),
    ),
}


def column_faults(parking: FakeSite) -> dict[str, Fault]:
    """Column faults, all on one healthy site."""
    future = list_page("图片新闻", [-40, -70, -100], TODAY, prefix="/c/future/")
    return {
        "安全狗栏目": Fault(
            "/c/safedog/", FakeResponse(body=fixture("safedog_403.html")), ("安全狗",)
        ),
        "云锁栏目": Fault(
            "/c/yunsuo/", FakeResponse(body=fixture("yunsuo_autojump.html")), ("云锁",)
        ),
        "停放域名": Fault("/c/parked/", redirect(parking.url("/")), ("站外域名", parking.host)),
        "转到首页": Fault("/c/moved/", redirect("/index.html"), ("首页",)),
        "脚本列表": Fault("/c/script/", html(SCRIPT_LIST), ("脚本", "render: js")),
        "未来日期": Fault("/c/future/", html(future), ("晚于今天",)),
        "文章500": Fault("/c/a500/", html(UNDATED.format(p="/a500/")), ("HTTP 500", "发布日期")),
        "文章防火墙": Fault("/c/awaf/", html(UNDATED.format(p="/awaf/")), ("云锁", "发布日期")),
        "文章挂起": Fault("/c/ahang/", html(UNDATED.format(p="/ahang/")), ("超时", "发布日期")),
        "空白栏目": Fault("/c/blank/", FakeResponse(body=b""), ("内容为空",)),
    }


def serve_articles(site: FakeSite) -> None:
    for index in (1, 2, 3):
        site.add(f"/a500/{index}.html", html("<h1>Internal Server Error</h1>", status=500))
        site.add(f"/awaf/{index}.html", FakeResponse(body=fixture("yunsuo_autojump.html")))
        site.add(f"/ahang/{index}.html", FakeResponse(hold=True))


@pytest.fixture
def servers() -> Iterator[tuple[FakeSite, FakeSite]]:
    parking = FakeSite(
        {"/": html(html_page("域名出售", "<p>This domain is for sale! 此域名出售</p>").decode())},
        host="127.0.0.2",
    )
    with FakeSite() as site, parking:
        yield site, parking


def crawl(site_id: str, database_url: str) -> None:
    result = run_crawl(
        "site",
        site_id,
        timeout_s=600,
        env={
            "GOVWATCH_DATABASE_URL": database_url,
            "GOVWATCH_RENDER_FALLBACK": "false",
            "GOVWATCH_CHECK_LINKS": "false",
            "GOVWATCH_RETRY_TIMES": "0",
            "GOVWATCH_ARTICLE_DATE_PROBES": "1",
            "GOVWATCH_ARTICLE_PROBE_TIMEOUT_S": "2",
            "GOVWATCH_DOWNLOAD_TIMEOUT_S": "20",
        },
    )
    assert result.ok, result.log_tail


def findings() -> dict[str, list[tuple[str, str]]]:
    with session_scope() as session:
        run_check(session, TODAY)
        by_target: dict[str, list[tuple[str, str]]] = {}
        for finding in query_findings(session):
            by_target.setdefault(finding.target_id, []).append((finding.rule, finding.message))
        return by_target


@pytest.mark.timeout(1500)
def test_every_fault_is_check_failed_only(
    servers: tuple[FakeSite, FakeSite], database_url: str
) -> None:
    site, parking = servers
    faults = column_faults(parking)
    for fault in [*HOMEPAGE_FAULTS.values(), *faults.values()]:
        site.add(fault.path, fault.response)
    serve_articles(site)
    site.add("/", html(homepage(TODAY)))
    site.add("/index.html", html(homepage(TODAY)))
    site.add("/c/fresh/", html(list_page("工作动态", [1, 3], TODAY, prefix="/c/fresh/")))
    site.add("/c/stale/", html(list_page("政策解读", [40, 60], TODAY, prefix="/c/stale/")))

    lines = ["sites:"]
    for site_id, fault in HOMEPAGE_FAULTS.items():
        lines += [f"  - id: {site_id}", f"    name: {site_id}", f"    url: {site.url(fault.path)}"]
    lines += ["  - id: cols", "    name: 故障栏目网站", f"    url: {site.url('/')}", "    columns:"]
    for name, fault in faults.items():
        lines.append(f"      - {{name: {name}, url: '{site.url(fault.path)}', category: news}}")
    lines.append(f"      - {{name: 工作动态, url: '{site.url('/c/fresh/')}', category: news}}")
    lines.append(f"      - {{name: 政策解读, url: '{site.url('/c/stale/')}', category: news}}")
    with session_scope() as session:
        sync_targets(session, parse_targets("\n".join(lines) + "\n", "faults.yaml"))

    # Separate crawl processes, a few at a time (each is mostly waiting on start-up).
    with ThreadPoolExecutor(max_workers=3) as pool:
        for done in pool.map(
            lambda site_id: crawl(site_id, database_url), [*HOMEPAGE_FAULTS, "cols"]
        ):
            assert done is None

    found = findings()
    expected = {site_id: HOMEPAGE_FAULTS[site_id].named for site_id in HOMEPAGE_FAULTS}
    expected |= {f"cols/{name}": fault.named for name, fault in faults.items()}
    for target, words in expected.items():
        rules = [rule for rule, _ in found.get(target, [])]
        assert rules == ["CHECK_FAILED"], (target, found.get(target))
        message = found[target][0][1]
        for word in words:
            assert word in message, (target, word, message)
    # The control columns next to the faults are judged as always.
    control = {rule for rule, _ in found.get("cols/政策解读", [])}
    assert "COLUMN_STALE" in control and "CHECK_FAILED" not in control
    assert "cols/工作动态" not in found
    # The faulty pages' hosts never had an article fetched off the site.
    assert parking.count("/") == 1
    assert site.count("/ahang/1.html") >= 1  # the hanging probe was tried, and given up
