"""The site spider on the awkward cases: undated lists, JS lists, login walls, GBK,
pagination and ad-hoc crawls with column discovery (sites served on 127.0.0.1)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fakes.gov_pages import list_page
from fakes.routed_server import Page, RoutedServer
from sqlalchemy import select

from crawler.runner import run_crawl, run_crawl_url
from crawler.spiders.site import RENDERED_NOTE
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import Fetch, Item, SiteColumn
from storage.registry import sync_targets

TODAY = china_today()
COLUMN_RULES = {"COLUMN_STALE", "COLUMN_EMPTY", "CHECK_FAILED"}  # what these tests are about


def register(server: RoutedServer, columns: dict[str, tuple[str, str]], extra: str = "") -> None:
    lines = "\n".join(
        f"      - {{name: {name}, url: '{server.url(path)}', category: {category}{extra}}}"
        for path, (name, category) in columns.items()
    )
    text = f"sites:\n  - id: s\n    name: 某县\n    url: {server.base_url}\n    columns:\n{lines}\n"
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))


def crawl(database_url: str, *args: str, **env: str) -> None:
    result = run_crawl(
        "site", "s", timeout_s=180, env={"GOVWATCH_DATABASE_URL": database_url, **env}
    )
    assert result.ok, result.log_tail


def findings_by_target() -> dict[str, set[str]]:
    with session_scope() as session:
        run_check(session, TODAY)
        result: dict[str, set[str]] = {}
        for finding in query_findings(session):
            if finding.rule in COLUMN_RULES:
                result.setdefault(finding.target_id, set()).add(finding.rule)
        return result


@pytest.fixture
def server() -> Iterator[RoutedServer]:
    with RoutedServer() as running:
        running.set_html("/", "<html><body><p>首页</p></body></html>")
        yield running


UNDATED_LIST = """<html><body><div class="list"><ul>
<li><a href="/a/1.html">关于开展安全生产检查的通知</a></li>
<li><a href="/a/2.html">关于做好防汛工作的通知</a></li>
<li><a href="/a/3.html">关于公布第二批名单的公告</a></li>
<li><a href="/a/4.html">关于召开全县工作会议的通知</a></li>
</ul></div></body></html>"""


def article(day: str) -> str:
    return f"<html><head><meta name='PubDate' content='{day} 09:30'></head><body>正文</body></html>"


@pytest.mark.database_neutral
def test_undated_list_takes_dates_from_its_articles(
    server: RoutedServer, database_url: str
) -> None:
    server.set_html("/tzgg/", UNDATED_LIST)
    for index, age in enumerate((3, 30, 60, 90), start=1):
        server.set_html(f"/a/{index}.html", article(f"{TODAY - timedelta(days=age):%Y-%m-%d}"))
    register(server, {"/tzgg/": ("工作动态", "news")})
    crawl(database_url)
    with session_scope() as session:
        dates = dict(session.execute(select(Item.url, Item.published_on)).all())
    assert dates[server.url("/a/1.html")] == TODAY - timedelta(days=3)
    assert dates[server.url("/a/3.html")] == TODAY - timedelta(days=60)
    assert dates[server.url("/a/4.html")] is None  # only the newest 3 are opened
    assert findings_by_target() == {}


@pytest.mark.database_neutral
def test_undated_list_with_undated_articles_counts_as_not_updated(
    server: RoutedServer, database_url: str
) -> None:
    server.set_html("/tzgg/", UNDATED_LIST)
    register(server, {"/tzgg/": ("工作动态", "news")})
    crawl(database_url)
    assert findings_by_target() == {"s/工作动态": {"COLUMN_STALE"}}


JS_LIST = """<html><head><meta charset="utf-8"></head><body><div id="list"></div>
<script>
var rows = [["{a}", "/a/1.html", "关于开展安全生产检查的通知"], ["{b}", "/a/2.html", "关于做好防汛工作的通知"],
            ["{c}", "/a/3.html", "关于公布第二批名单的公告"]];
var html = "<ul class='news'>";
for (var i = 0; i < rows.length; i++) {{
  html += "<li><a href='" + rows[i][1] + "'>" + rows[i][2] + "</a><span>" + rows[i][0] + "</span></li>";
}}
document.getElementById("list").innerHTML = html + "</ul>";
</script></body></html>"""


@pytest.mark.database_neutral
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed")
def test_static_page_without_list_is_rendered_and_reported(
    server: RoutedServer, database_url: str
) -> None:
    days = [f"{TODAY - timedelta(days=age):%Y-%m-%d}" for age in (1, 5, 9)]
    server.set_html("/dt/", JS_LIST.format(a=days[0], b=days[1], c=days[2]))
    register(server, {"/dt/": ("工作动态", "news")})
    crawl(database_url)
    with session_scope() as session:
        fetch = session.scalars(select(Fetch).where(Fetch.page_kind == "column")).one()
        assert fetch.error_class == "ok"
        assert fetch.items_found == 3
        assert fetch.error_detail == RENDERED_NOTE
    assert findings_by_target() == {}


@pytest.mark.database_neutral
def test_redirect_to_login_page_is_check_failed(server: RoutedServer, database_url: str) -> None:
    server.routes["/ldxx/"] = Page(b"", status=302, headers={"Location": "/sso/login.jsp"})
    server.set_html("/sso/login.jsp", "<form><input name=u><input type=password name=p></form>")
    register(server, {"/ldxx/": ("工作动态", "news")})
    crawl(database_url)
    assert findings_by_target() == {"s/工作动态": {"CHECK_FAILED"}}
    with session_scope() as session:
        (finding,) = query_findings(session, rule="CHECK_FAILED")
        assert "需要登录" in finding.message


@pytest.mark.database_neutral
def test_gbk_page_declared_only_in_http_header(server: RoutedServer, database_url: str) -> None:
    html = list_page("通知公告", [2, 40], TODAY, prefix="/tz/").replace(
        '<meta charset="utf-8">', ""
    )
    server.routes["/tz/"] = Page(html.encode("gbk"), content_type="text/html; charset=GBK")
    register(server, {"/tz/": ("通知公告", "notice")})
    crawl(database_url)
    with session_scope() as session:
        titles = set(
            session.scalars(
                select(Item.title).join(SiteColumn).where(SiteColumn.name == "通知公告")
            )
        )
    assert titles == {"通知公告信息0", "通知公告信息1"}


@pytest.mark.database_neutral
def test_pagination_follows_configured_pages(server: RoutedServer, database_url: str) -> None:
    first = list_page("工作动态", [1, 2], TODAY, prefix="/dt/").replace(
        "</ul>", '</ul><div class="page"><a href="index_1.html">下一页</a></div>'
    )
    second = list_page("工作动态", [20, 30], TODAY, prefix="/dt/p2/")
    server.set_html("/dt/", first)
    server.set_html("/dt/index_1.html", second)
    register(server, {"/dt/": ("工作动态", "news")})
    crawl(database_url, GOVWATCH_MAX_LIST_PAGES="2")
    with session_scope() as session:
        assert (
            len(
                session.scalars(
                    select(Item).join(SiteColumn).where(SiteColumn.name == "工作动态")
                ).all()
            )
            == 4
        )
        kinds = sorted(session.scalars(select(Fetch.page_kind).where(Fetch.column_id.is_not(None))))
    assert kinds == ["column", "column_more", "homepage"]


@pytest.mark.database_neutral
def test_adhoc_crawl_discovers_columns(server: RoutedServer, database_url: str) -> None:
    server.set_html(
        "/",
        """<html><body><div class="nav"><a href="/">首页</a><a href="/xwzx/gzdt/">工作动态</a>
        <a href="/zwgk/tzgg/">通知公告</a></div></body></html>""",
    )
    server.set_html("/xwzx/gzdt/", list_page("工作动态", [30, 40], TODAY, prefix="/xwzx/gzdt/"))
    server.set_html("/zwgk/tzgg/", list_page("通知公告", [10], TODAY, prefix="/zwgk/tzgg/"))
    result = run_crawl("site", "unused", timeout_s=120, env={"GOVWATCH_DATABASE_URL": database_url})
    assert not result.ok  # an unregistered id is refused ...
    result = run_crawl_url(
        server.base_url, timeout_s=120, env={"GOVWATCH_DATABASE_URL": database_url}
    )
    assert result.ok, result.log_tail  # ... while -a url= registers the site ad hoc
    with session_scope() as session:
        columns = {
            c.name: c.category
            for c in session.scalars(select(SiteColumn).where(SiteColumn.origin == "discovered"))
        }
    assert columns == {"工作动态": "news", "通知公告": "notice"}
    assert {t.split("/")[1]: r for t, r in findings_by_target().items()} == {
        "工作动态": {"COLUMN_STALE"}
    }


MAILBOX = """<html><body><table class="xx-list">
<tr><th>信件标题</th><th>来信时间</th><th>回复时间</th><th>办理状态</th></tr>
<tr><td><a href="/xx/1.html">关于道路破损的反映</a></td><td>{old}</td><td></td><td>办理中</td></tr>
<tr><td><a href="/xx/2.html">咨询医保参保流程</a></td><td>{recent}</td><td>{recent}</td><td>已回复</td></tr>
<tr><td><a href="/xx/3.html">关于路灯维修的建议</a></td><td>{recent}</td><td></td><td>办理中</td></tr>
</table></body></html>"""


def test_mailbox_messages_and_new_article_text_are_judged(
    server: RoutedServer, database_url: str
) -> None:
    server.set_html(
        "/xx/",
        MAILBOX.format(
            old=f"{TODAY - timedelta(days=120):%Y-%m-%d}",
            recent=f"{TODAY - timedelta(days=5):%Y-%m-%d}",
        ),
    )
    server.set_html("/dt/", list_page("工作动态", [1, 2], TODAY, prefix="/dt/"))
    day1, day2 = (f"{TODAY - timedelta(days=age):%Y%m%d}" for age in (1, 2))
    server.set_html(
        f"/dt/{TODAY - timedelta(days=1):%Y%m}/t{day1}_0.html",
        "<html><body><div class='article'><h1>关于开展专项检查的通知</h1>"
        "<p>根据国家工商行政管理总局的统一部署,我县于近日开展了市场秩序专项检查工作。</p>"
        "<p>检查覆盖全县各乡镇的农贸市场和商超,共出动检查人员一百二十人次。</p></div></body></html>",
    )
    server.set_html(
        f"/dt/{TODAY - timedelta(days=2):%Y%m}/t{day2}_1.html",
        "<html><body><div class='article'><p>县市场监督管理局召开全体干部会议,传达学习上级文件精神。"
        "会议要求各股室抓好落实。</p></div></body></html>",
    )
    register(server, {"/xx/": ("县长信箱", "interaction"), "/dt/": ("工作动态", "news")})
    crawl(database_url)
    with session_scope() as session:
        run_check(session, TODAY)
        unanswered = query_findings(session, rule="INTERACTION_UNANSWERED")
        wrong = query_findings(session, rule="WRONG_EXPRESSION")
    assert [f.evidence for f in unanswered] == [[server.url("/xx/1.html")]]
    assert "已120天未答复" in unanswered[0].message
    assert len(wrong) == 1 and "国家工商行政管理总局" in wrong[0].message
    assert wrong[0].evidence == [server.url(f"/dt/{TODAY - timedelta(days=1):%Y%m}/t{day1}_0.html")]
