"""Site health end to end on local servers: broken images and links found by a crawl,
probes, IPv6 and TLS, each finding on the broken case and not on the healthy one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.sites import FakeResponse, FakeSite, html_page, issue_certificate, make_ca, refusing_port
from PIL import Image

from crawler.health.jobs import check_sites_and_store, probe_and_store
from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import CrawlRun, Item, LinkCheck, Site
from storage.registry import sync_targets


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def register(*sites: tuple[str, str]) -> None:
    """Register these (id, homepage) sites (a targets file replaces what it does not list)."""
    text = "sites:\n" + "".join(
        f"  - id: {site_id}\n    name: 测试网站\n    url: {url}\n" for site_id, url in sites
    )
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))


def check() -> dict[str, set[str]]:
    with session_scope() as session:
        run_check(session, china_today())
        found: dict[str, set[str]] = {}
        for finding in query_findings(session):
            found.setdefault(finding.rule, set()).add(finding.subject or finding.target_id)
        return found


@pytest.fixture
def quick_rubric(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default rubric, but judging availability on a few probes."""
    default = Path("monitor/rubric.yaml").read_text(encoding="utf-8")
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(default.replace("min_probes: 140", "min_probes: 3"), encoding="utf-8")
    monkeypatch.setenv("GOVWATCH_RUBRIC", str(rubric))
    get_settings.cache_clear()


@pytest.fixture
def broken_site() -> Iterator[FakeSite]:
    image = png()
    with refusing_port() as dead_port:
        homepage = html_page(
            "首页",
            f"""<div class="news"><ul>
            <li><a href="/a/1.html">新闻一</a><span>{china_today():%Y-%m-%d}</span></li>
            <li><a href="/a/2.html">新闻二</a><span>{china_today():%Y-%m-%d}</span></li></ul></div>
            <img src="/img/ok.png"><img src="/img/404.png"><img src="/img/empty.png">
            <img src="/img/html.png"><img data-src="/img/lazy-missing.jpg" src="/img/blank.gif">
            <a href="/dead.html">失效链接</a><a href="/soft404.html">软404</a>
            <a href="http://localhost:{dead_port}/x">外部网站</a><a href="/fine.html">正常</a>
            <a href="/waf-refuses-bots.html">防火墙拒绝</a><a href="/rate-limited.html">限流</a>""",
        )
        routes = {
            "/": FakeResponse(body=homepage),
            "/a/1.html": FakeResponse(body=html_page("正文", "<p>正文</p>")),
            "/a/2.html": FakeResponse(body=html_page("正文", "<p>正文</p>")),
            "/img/ok.png": FakeResponse(body=image, content_type="image/png"),
            "/img/blank.gif": FakeResponse(
                body=bytes.fromhex(
                    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
                ),
                content_type="image/gif",
            ),
            "/img/404.png": FakeResponse(status=404, body=b"not found"),
            "/img/empty.png": FakeResponse(body=b"", content_type="image/png"),
            "/img/html.png": FakeResponse(
                body=html_page("错误", "出错了"), content_type="image/png"
            ),
            "/dead.html": FakeResponse(status=404, body=html_page("404", "404")),
            "/soft404.html": FakeResponse(body=html_page("提示", "<h1>您访问的页面不存在</h1>")),
            "/fine.html": FakeResponse(body=html_page("正常", "<p>正常页面</p>")),
            # Refused to the checker, not shown broken to a visitor: never LINK_BROKEN.
            "/waf-refuses-bots.html": FakeResponse(status=403, body=html_page("拒绝", "禁止访问")),
            "/rate-limited.html": FakeResponse(status=429, body=b"slow down"),
        }
        with FakeSite(routes) as site:
            site.dead_port = dead_port  # type: ignore[attr-defined]
            yield site


def test_broken_images_and_links_are_found_and_weighed(
    broken_site: FakeSite, database_url: str
) -> None:
    register(("s", broken_site.url("/")))
    result = run_crawl("site", "s", timeout_s=120, env={"GOVWATCH_DATABASE_URL": database_url})
    assert result.ok, result.log_tail
    found = check()
    url = broken_site.url
    assert found["IMAGE_BROKEN"] == {
        url("/img/404.png"),
        url("/img/empty.png"),
        url("/img/html.png"),
        url("/img/lazy-missing.jpg"),
    }
    assert found["LINK_BROKEN"] == {
        url("/dead.html"),
        url("/soft404.html"),
        f"http://localhost:{broken_site.dead_port}/x",  # type: ignore[attr-defined]
    }
    with session_scope() as session:
        external = query_findings(session, rule="LINK_BROKEN")
        by_subject = {f.subject: f for f in external}
        dead = by_subject[url("/dead.html")]
        assert dead.points == 1.0  # on the homepage
        assert "首页" in dead.message and "HTTP 404" in dead.message
        outside = by_subject[f"http://localhost:{broken_site.dead_port}/x"]  # type: ignore[attr-defined]
        assert "外部" in outside.message and "连接被拒绝" in outside.message


def test_unreachable_site_is_vetoed_then_resolved(quick_rubric: None, database_url: str) -> None:
    with refusing_port() as port:
        register(("down", f"http://127.0.0.1:{port}/"))
        for _ in range(3):
            probe_and_store(["down"])
        assert "SITE_UNREACHABLE" in check()
    # The site comes back: 60 good probes bring failures under 5% of the window.
    with FakeSite({"/": FakeResponse(body=html_page("首页", "欢迎"))}) as site:
        with session_scope() as session:
            session.get(Site, "down").url = site.url("/")
        for _ in range(60):
            probe_and_store(["down"])
    found = check()
    assert "SITE_UNREACHABLE" not in found
    assert found["SITE_AVAILABILITY_LOW"] == {"down"}  # 3 of 63 failed: 4.8%
    with session_scope() as session:
        resolved = query_findings(session, rule="SITE_UNREACHABLE", status="resolved")
        assert [f.target_id for f in resolved] == ["down"]


def test_ipv6_and_tls(tmp_path: Path, database_url: str) -> None:
    ca = make_ca(tmp_path)
    expired = issue_certificate(
        ca,
        ["127.0.0.1"],
        directory=tmp_path,
        stem="expired",
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        valid_until=datetime(2021, 1, 1, tzinfo=UTC),
    )
    page = FakeResponse(body=html_page("首页", "欢迎"))
    with (
        FakeSite({"/": page}, host="::1") as v6,
        FakeSite({"/": page}) as v4_only,
        FakeSite({"/": page}, tls=expired.server_context()) as bad_tls,
    ):
        register(("v6", v6.url("/")), ("v4", v4_only.url("/")), ("tls", bad_tls.url("/")))
        results = {health.site_id: health for health in check_sites_and_store()}
        assert results["tls"].probe.ok  # the site still opens; the certificate is the problem
    found = check()
    assert found["IPV6_UNSUPPORTED"] == {"v4", "tls"}
    assert found["TLS_INVALID"] == {"tls"}
    with session_scope() as session:
        (tls,) = query_findings(session, rule="TLS_INVALID")
        assert "证书已过期" in tls.message


@pytest.mark.database_neutral
def test_crawl_still_reads_a_site_with_an_expired_certificate(
    tmp_path: Path, database_url: str
) -> None:
    expired = issue_certificate(
        make_ca(tmp_path),
        ["127.0.0.1"],
        directory=tmp_path,
        stem="expired",
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        valid_until=datetime(2021, 1, 1, tzinfo=UTC),
    )
    today = china_today()
    listing = html_page(
        "工作动态",
        f"""<ul class="list"><li><a href="/a/1.html">关于开展检查的通知</a><span>{today:%Y-%m-%d}</span></li>
        <li><a href="/a/2.html">关于召开会议的通知</a><span>{today:%Y-%m-%d}</span></li>
        <li><a href="/a/3.html">关于公布名单的公告</a><span>{today:%Y-%m-%d}</span></li></ul>""",
    )
    routes = {"/": FakeResponse(body=listing), "/dt/": FakeResponse(body=listing)}
    with FakeSite(routes, tls=expired.server_context()) as site:
        text = f"sites:\n  - id: tls\n    name: 过期证书网站\n    url: {site.url('/')}\n    columns:\n      - {{name: 工作动态, url: '{site.url('/dt/')}', category: news}}\n"
        with session_scope() as session:
            sync_targets(session, parse_targets(text, "t.yaml"))
        result = run_crawl(
            "site", "tls", timeout_s=120, env={"GOVWATCH_DATABASE_URL": database_url}
        )
        assert result.ok, result.log_tail
        check_sites_and_store(["tls"])
    found = check()
    assert found["TLS_INVALID"] == {"tls"}
    assert "CHECK_FAILED" not in found and "COLUMN_STALE" not in found
    with session_scope() as session:
        assert session.query(Item).count() == 3 + 3  # the column's and the homepage's items


def _link_run(session, site_id: str, checked_at: datetime, links: dict[str, bool]) -> None:  # type: ignore[no-untyped-def]
    run = CrawlRun(target_type="site", target_id=site_id, started_at=checked_at, outcome="ok")
    session.add(run)
    session.flush()
    for url, opened in links.items():
        session.add(
            LinkCheck(
                crawl_run_id=run.id,
                site_id=site_id,
                url=url,
                kind="link",
                found_on=["http://h.gov.cn/"],
                on_homepage=True,
                checked_at=checked_at,
                ok=opened,
                problem=None if opened else "http_error",
                http_status=200 if opened else 404,
            )
        )


def test_link_rules_read_only_the_failures_of_each_sites_latest_check(database_url: str) -> None:
    # A province's latest link checks are hundreds of thousands of links that opened;
    # the check held every one as an ORM object (600 MB at province size).
    targets = """
units: [{name: 办公室}]
sites:
  - {id: a, name: 甲县政府, url: 'http://a.gov.cn/', unit: 办公室}
  - {id: b, name: 乙县政府, url: 'http://b.gov.cn/', unit: 办公室}
  - {id: c, name: 丙县政府, url: 'http://c.gov.cn/', unit: 办公室}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(targets, "t.yaml"))
    earlier, later = datetime(2026, 1, 1, 2), datetime(2026, 1, 2, 2)
    with session_scope() as session:
        _link_run(session, "a", earlier, {"http://a.gov.cn/gone": False})
        _link_run(session, "b", earlier, {"http://b.gov.cn/gone": False})
        ok_links = {f"http://a.gov.cn/{n}.html": True for n in range(50)}
        _link_run(session, "a", later, {**ok_links, "http://a.gov.cn/dead": False})
        _link_run(session, "b", later, {"http://b.gov.cn/fixed": True})  # all open now
    found = check()
    assert found["LINK_BROKEN"] == {"http://a.gov.cn/dead"}  # the latest check only
    with session_scope() as session:
        from monitor.check import make_context
        from monitor.site_health_state import latest_link_checks

        state = latest_link_checks(make_context(session, china_today()))
        assert state.checked_sites == {"a", "b"}  # c: never checked, not judged
        assert {site: [link.url for link in links] for site, links in state.failed.items()} == {
            "a": ["http://a.gov.cn/dead"]
        }
