"""A site crawl records the homepage facts (identity marks, the search test, the
政务新媒体 directory) as site observations, and the rules judge only those."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from fakes.routed_server import RoutedServer
from sqlalchemy import select

from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import SiteObservation
from storage.registry import sync_targets


def _homepage(today_items: str) -> str:
    return f"""<html><head><meta charset="utf-8"><title>首页 - 测试县人民政府</title></head><body>
<ul class="nav"><li><a href="/xmt/">政务新媒体</a></li></ul>
<form action="/search" method="get"><input type="text" name="searchword"><button>搜索</button></form>
<ul class="news">{today_items}</ul>
<div class="footer">网站标识码:3600000009 赣ICP备12345678号 赣公网安备36010202000123号
<a href="https://bszs.conac.cn/sitename?method=show&id=1"><img src="/red.png"></a></div>
</body></html>"""


def test_a_crawl_stores_homepage_facts_and_a_healthy_site_is_quiet(database_url: str) -> None:
    today = china_today()
    items = "".join(
        f"<li><a href='/xw/t{(today - timedelta(days=i)):%Y%m%d}_{i}.html'>县长调研乡村振兴第{i}项工作</a>"
        f"<span>{(today - timedelta(days=i)):%Y-%m-%d}</span></li>"
        for i in range(1, 6)
    )
    newest = f"/xw/t{(today - timedelta(days=1)):%Y%m%d}_1.html"
    with RoutedServer() as server:
        server.set_html("/", _homepage(items))
        words = "县长调研乡村振兴第1项工作"
        server.set_html(
            "/search?" + urlencode({"searchword": words}),
            f"<ul class='list'><li><a href='{newest}'>{words}</a><span>{today:%Y-%m-%d}</span></li></ul>",
        )
        server.set_html(
            "/xmt/",
            "<table><tr><th>账号名称</th><th>平台</th></tr>"
            "<tr><td>测试县发布</td><td>新浪微博</td></tr></table>",
        )
        text = f"""
units: [{{name: 测试县人民政府, kind: government}}]
sites:
  - {{id: t, name: 测试县人民政府, url: '{server.base_url}', unit: 测试县人民政府}}
accounts:
  - {{id: fabu, name: 测试县发布, platform: weibo, uid: '1', unit: 测试县人民政府}}
"""
        with session_scope() as session:
            sync_targets(session, parse_targets(text, "t.yaml"))
        result = run_crawl("site", "t", timeout_s=300, env={"GOVWATCH_DATABASE_URL": database_url})
        assert result.ok, result.log_tail
    with session_scope() as session:
        facts = {row.kind: row for row in session.scalars(select(SiteObservation))}
        assert facts["identity"].ok and facts["identity"].data["icp"] == "赣ICP备12345678号"
        assert facts["identity"].data["party_government_mark"] is True
        assert facts["search"].ok and facts["search"].data["found"] is True, facts["search"].data
        listed = facts["media_directory"].data["accounts"]
        assert [(a["platform"], a["name"]) for a in listed] == [("weibo", "测试县发布")]
        run_check(session, today)
        rules = {f.rule for f in query_findings(session)}
    quiet = {
        "SITE_IDENTITY_MISSING",
        "SEARCH_BROKEN",
        "ACCOUNT_NOT_LISTED",
        "LISTED_ACCOUNT_UNKNOWN",
    }
    assert not rules & quiet, rules
