"""Crawled links never reach beyond the web: no ``file:`` fetch, no non-http(s) link
stored, articles opened only on the site's own hosts (sites served on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fakes.sites import FakeResponse, FakeSite, redirect
from sqlalchemy import select

from crawler.runner import run_crawl, run_crawl_url
from crawler.scheme_guard import _plainly_web_url, is_web_url
from govwatch.targets_file import parse_targets
from storage.clock import china_today
from storage.db import session_scope
from storage.models import Article, Fetch, Item, LinkCheck, Site
from storage.registry import sync_targets

pytestmark = pytest.mark.database_neutral
TODAY = china_today()
SECRET = "GOVWATCH-LOCAL-FILE-SECRET-7f3a"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.html"
    path.write_text(
        f"<html><body><h1>{SECRET}</h1><p>{SECRET} 本地文件内容</p></body></html>", "utf-8"
    )
    return path


def day(age: int) -> str:
    return f"{TODAY - timedelta(days=age):%Y-%m-%d}"


def hostile_list(secret: Path, offsite: str) -> str:
    """A column list whose items link to a local file, script, data, mail and another host."""
    rows = [
        (f"file://{secret}", "关于本地文件的通知"),
        ("javascript:alert(document.cookie)", "关于脚本链接的通知"),
        ("data:text/html,<script>alert(1)</script>", "关于数据链接的通知"),
        ("mailto:office@example.gov.cn", "关于邮件链接的通知"),
        (offsite, "关于转载外站文章的通知"),
        ("/art/1.html", "关于本站文章的通知"),
        ("/art/2.html", "关于本站第二篇文章的通知"),
    ]
    items = "".join(
        f'<li><a href="{href}">{title}</a><span>{day(index + 1)}</span></li>'
        for index, (href, title) in enumerate(rows)
    )
    extra = (
        f'<p><a href="file://{secret}">附件</a> <img src="file://{secret}">'
        '<a href="javascript:void(0)">打印</a></p>'
    )
    return (
        "<html><head><meta charset='utf-8'><title>工作动态</title></head><body>"
        f"<div class='list'><ul>{items}</ul></div>{extra}</body></html>"
    )


def article(title: str) -> FakeResponse:
    body = (
        "<html><head><meta charset='utf-8'></head><body><div class='article'>"
        f"<h1>{title}</h1><p>县政府召开常务会议,研究部署近期重点工作,会议要求各部门抓好落实。</p>"
        "</div></body></html>"
    )
    return FakeResponse(body=body.encode())


@pytest.fixture
def sites(secret_file: Path) -> Iterator[tuple[FakeSite, FakeSite]]:
    offsite = FakeSite({"/other/1.html": article("外站文章")}, host="127.0.0.2")
    with FakeSite() as site, offsite:
        site.add("/", FakeResponse(body="<html><body><p>首页</p></body></html>".encode()))
        site.add(
            "/dt/",
            FakeResponse(body=hostile_list(secret_file, offsite.url("/other/1.html")).encode()),
        )
        site.add("/art/1.html", article("本站文章一"))
        site.add("/art/2.html", article("本站文章二"))
        site.add("/to-file/", redirect(f"file://{secret_file}"))
        yield site, offsite


def register(site: FakeSite) -> None:
    text = f"""sites:
  - id: s
    name: 某县
    url: {site.url("/")}
    columns:
      - {{name: 工作动态, url: '{site.url("/dt/")}', category: news}}
      - {{name: 跳转栏目, url: '{site.url("/to-file/")}', category: news}}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))


def stored_texts() -> list[str]:
    """Every text column a crawl may have filled, as one list of strings."""
    with session_scope() as session:
        texts = [*session.scalars(select(Article.text)), *session.scalars(select(Article.url))]
        texts += [*session.scalars(select(Item.url)), *session.scalars(select(Item.title))]
        texts += [*session.scalars(select(LinkCheck.url)), *session.scalars(select(Fetch.url))]
        texts += [d or "" for d in session.scalars(select(Fetch.error_detail))]
    return texts


def test_crawled_links_never_leave_the_web(
    sites: tuple[FakeSite, FakeSite], database_url: str
) -> None:
    site, offsite = sites
    register(site)
    result = run_crawl(
        "site",
        "s",
        timeout_s=300,
        env={
            "GOVWATCH_DATABASE_URL": database_url,
            "GOVWATCH_RENDER_FALLBACK": "false",
            "GOVWATCH_ARTICLE_TEXT_PAGES": "10",
            "GOVWATCH_HEALTH_ARTICLE_PAGES": "10",
            "GOVWATCH_CHECK_ARTICLE_LINKS": "true",
        },
    )
    assert result.ok, result.log_tail

    texts = stored_texts()
    assert not any(SECRET in text for text in texts)  # the local file was never read
    with session_scope() as session:
        item_urls = set(session.scalars(select(Item.url)))
        article_urls = set(session.scalars(select(Article.url)))
        checked = set(session.scalars(select(LinkCheck.url)))
        redirected = session.scalars(
            select(Fetch).where(Fetch.url.like("%to-file%"), Fetch.page_kind == "column")
        ).one()
    # Items: only the http(s) ones, the other host's reprint included (it is listed).
    assert item_urls == {
        site.url("/art/1.html"),
        site.url("/art/2.html"),
        offsite.url("/other/1.html"),
    }
    # Articles are opened only on the site's own host.
    assert article_urls == {site.url("/art/1.html"), site.url("/art/2.html")}
    assert checked and all(is_web_url(url) for url in checked)
    # A column redirected to a local file is not read: it is unreadable, nothing more.
    assert redirected.error_class != "ok"


def test_adhoc_crawl_of_a_local_file_is_refused(secret_file: Path, database_url: str) -> None:
    result = run_crawl_url(
        f"file://{secret_file}", timeout_s=120, env={"GOVWATCH_DATABASE_URL": database_url}
    )
    assert not result.ok
    assert "http:// 或 https://" in result.log_tail
    assert SECRET not in result.log_tail
    with session_scope() as session:
        assert session.scalars(select(Site)).all() == []
    assert not any(SECRET in text for text in stored_texts())


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://www.xx.gov.cn/a.html", True),
        ("HTTPS://www.xx.gov.cn/", True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        ("mailto:a@b.cn", False),
        ("ftp://x.cn/f", False),
        ("http:///nohost", False),
        ("//www.xx.gov.cn/a.html", False),
        ("http://:80/a.html", False),
        ("http://@/a.html", False),
        ("http://h:@/a.html", False),
        ("http://\t/a.html", False),
        ("http://user@www.xx.gov.cn/", True),
        ("http://[::1]:8080/", True),
        ("http://例子.政务/路径", True),
        (" http://www.xx.gov.cn/a.html\n", True),
    ],
)
def test_only_absolute_http_urls_are_web_urls(url: str, allowed: bool) -> None:
    assert is_web_url(url) is allowed


def test_the_quick_web_url_test_agrees_with_urlsplit() -> None:
    """The shortcut for plain URLs says yes only where urlsplit's host test does."""
    hosts = ["www.xx.gov.cn", "", ":80", "h:", "h:8a", "u@h", "@", "[::1]", "a b", "a\tb"]
    hosts += ["例子.中国", "a\uff03b", "h\\x", "h:80@x", "10.0.0.1:8080"]
    tails = ["", "/", "/a.html", "?p=1", "#top", "/p@x:y", "\n"]
    for scheme in ("http://", "https://", "HTTP://", "ftp://", "http:/"):
        for host in hosts:
            for tail in tails:
                url = scheme + host + tail
                try:
                    parts = urlsplit(url.strip())
                    expected = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
                except ValueError:
                    expected = False
                assert is_web_url(url) is expected, url
                if _plainly_web_url(url):
                    assert expected, url


def test_discovered_columns_are_only_the_sites_web_pages(
    secret_file: Path, database_url: str
) -> None:
    from fakes.gov_pages import list_page

    from storage.models import SiteColumn

    nav = (
        '<div class="nav"><a href="/">首页</a><a href="/xwzx/gzdt/">工作动态</a>'
        f'<a href="file://{secret_file}">通知公告</a>'
        '<a href="javascript:openColumn(3)">政策文件</a>'
        '<a href="http://127.0.0.2:9/zwgk/">政务公开</a></div>'
    )
    with FakeSite() as site:
        site.add("/", FakeResponse(body=f"<html><body>{nav}</body></html>".encode()))
        site.add(
            "/xwzx/gzdt/",
            FakeResponse(body=list_page("工作动态", [3, 9], TODAY, "/xwzx/gzdt/").encode()),
        )
        result = run_crawl_url(
            site.url("/"),
            timeout_s=300,
            env={"GOVWATCH_DATABASE_URL": database_url, "GOVWATCH_CHECK_LINKS": "false"},
        )
        assert result.ok, result.log_tail
        with session_scope() as session:
            urls = {
                c.url
                for c in session.scalars(
                    select(SiteColumn).where(SiteColumn.origin == "discovered")
                )
            }
    assert urls == {site.url("/xwzx/gzdt/")}
    assert not any(SECRET in text for text in stored_texts())


def test_scheme_guard_lets_only_web_requests_and_the_worker_start_through() -> None:
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest

    from crawler.scheme_guard import WORKER_START_URL, SchemeGuardMiddleware

    guard = SchemeGuardMiddleware()
    assert guard.process_request(Request("https://www.xx.gov.cn/")) is None
    assert guard.process_request(Request(WORKER_START_URL)) is None
    for url in ("file:///etc/passwd", "data:text/html,<h1>x</h1>", "ftp://x.cn/f"):
        with pytest.raises(IgnoreRequest):
            guard.process_request(Request(url))
