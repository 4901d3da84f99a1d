"""The page-fault classifier on real WAF pages (tests/fixtures/site_faults) and on
written captcha, maintenance, empty, soft-404 and JavaScript-only pages; real gov
pages from the shared corpus must never be taken for a fault."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.page_faults import (
    CAPTCHA,
    EMPTY_PAGE,
    IMPLAUSIBLE_DATES,
    JS_LIST,
    JS_REQUIRED,
    MAINTENANCE,
    REDIRECTED,
    SOFT_404,
    WAF,
    future_dates_fault,
    page_fault,
    redirect_fault,
    same_site,
    script_list_fault,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "site_faults"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "product"),
    [
        ("yunsuo_autojump.html", "云锁"),
        ("jiasule_521.html", "加速乐"),
        ("webshield_jumpself.html", "安全狗"),
        ("safedog_403.html", "安全狗"),
    ],
)
def test_real_waf_pages_name_the_product(name: str, product: str) -> None:
    fault = page_fault(fixture(name))
    assert fault is not None
    assert fault.kind == WAF
    assert product in fault.detail and "防火墙" in fault.detail


def page(body: str, title: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    )


@pytest.mark.parametrize(
    ("html", "kind", "named"),
    [
        ("", EMPTY_PAGE, "内容为空"),
        ("   \n ", EMPTY_PAGE, "内容为空"),
        (page(""), EMPTY_PAGE, "没有任何文字"),
        (
            page("<p>请开启JavaScript并刷新该页.</p>"),
            JS_REQUIRED,
            "JavaScript",
        ),
        (
            page(
                '<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>'
            ),
            JS_REQUIRED,
            "JavaScript",
        ),
        (
            page('<div id="app"></div><script src="/static/js/chunk-vendors.4f2a.js"></script>'),
            JS_REQUIRED,
            "JavaScript 脚本",
        ),
        (
            page("<h1>网站维护中</h1><p>给您带来不便,敬请谅解。</p>", "系统维护"),
            MAINTENANCE,
            "网站维护中",
        ),
        (
            page('<form><p>请输入验证码</p><img src="/captcha.jpg"><input name="code"></form>'),
            CAPTCHA,
            "验证码",
        ),
        (page("<h2>抱歉,您访问的页面不存在</h2><a href='/'>返回首页</a>"), SOFT_404, "软 404"),
        (
            page("<p>您的请求带有不合法参数,已被网站管理员设置拦截!</p>", "网站防火墙"),
            WAF,
            "防火墙",
        ),
        (
            page("", "").replace(
                "<body>", "<body><script>document.cookie='t=1';location.reload();</script>"
            ),
            WAF,
            "验证跳转页",
        ),
        (
            page("<p>This domain is for sale!</p>"),
            REDIRECTED,
            "域名停放",
        ),
        (
            page('<script>window.location.href="/portal/index.html";</script>'),
            JS_REQUIRED,
            "/portal/index.html",
        ),
    ],
)
def test_written_fault_pages(html: str, kind: str, named: str) -> None:
    fault = page_fault(html)
    assert fault is not None, html
    assert fault.kind == kind
    assert named in fault.detail


def test_header_names_the_product_of_a_bare_challenge() -> None:
    html = "<html><script>document.cookie='x=1';location.href=location.pathname</script></html>"
    fault = page_fault(html, headers={"Set-Cookie": "yunsuo_session_verify=abc; path=/"})
    assert fault is not None and "云锁" in fault.detail


def real_pages() -> list[Path]:
    from corpus import corpus_dir

    found: list[Path] = []
    for folder in ("gov-list", "gov-article", "nongov-list"):
        directory = corpus_dir() / folder
        if directory.is_dir():
            found += sorted(p for p in directory.iterdir() if p.suffix in {".html", ".jsp"})
    return found


def test_real_gov_pages_are_not_faults() -> None:
    pages = real_pages()
    if not pages:
        pytest.skip("shared corpus not available")
    for path in pages:
        html = path.read_bytes().decode("utf-8", "replace")
        assert page_fault(html) is None, path.name


def test_big_page_mentioning_firewalls_is_read() -> None:
    rows = "".join(f"<li><a href='/a/{i}.html'>网站防火墙建设通知{i}</a></li>" for i in range(30))
    html = page(f"<ul>{rows}</ul><p>请开启JavaScript以获得更好体验;网站维护中的栏目</p>")
    assert page_fault(html) is None


def test_script_list_is_named_unless_the_page_says_empty() -> None:
    html = page(
        '<ul id="list"></ul><script>$.ajax({url:"/api/list"}).done(function(d){'
        '$("#list").html(render(d));});</script>'
    )
    fault = script_list_fault(html)
    assert fault is not None and fault.kind == JS_LIST and "render: js" in fault.detail
    assert script_list_fault(html.replace("<ul id", "<p>暂无信息</p><ul id")) is None
    assert script_list_fault(page("<ul class='list'></ul>")) is None


def test_redirects_off_site_or_to_the_homepage() -> None:
    hosts = {"www.xx.gov.cn"}
    home = "http://www.xx.gov.cn/"
    off = redirect_fault("http://www.xx.gov.cn/gzdt/", "http://parked.example.com/", home, hosts)
    assert off is not None and off.kind == REDIRECTED and "parked.example.com" in off.detail
    to_home = redirect_fault(
        "http://www.xx.gov.cn/gzdt/", "http://www.xx.gov.cn/index.html", home, hosts
    )
    assert to_home is not None and "首页" in to_home.detail
    # http -> https, www. and subdomains, a moved column inside the site: not faults.
    assert (
        redirect_fault("http://www.xx.gov.cn/gzdt/", "https://www.xx.gov.cn/gzdt/", home, hosts)
        is None
    )
    assert (
        redirect_fault(
            "http://www.xx.gov.cn/gzdt/", "http://xx.gov.cn/gzdt/index.html", home, hosts
        )
        is None
    )
    assert (
        redirect_fault("http://www.xx.gov.cn/gzdt/", "http://www.xx.gov.cn/xwzx/gzdt/", home, hosts)
        is None
    )
    assert same_site("zwgk.xx.gov.cn", hosts) and not same_site("xx.gov.cn.parked.com", hosts)


def test_future_dates() -> None:
    today = date(2026, 6, 1)
    fault = future_dates_fault([date(2027, 1, 2), date(2026, 9, 1), None], today)
    assert fault is not None and fault.kind == IMPLAUSIBLE_DATES and "2026-09-01" in fault.detail
    assert future_dates_fault([date(2027, 1, 2), date(2026, 5, 30)], today) is None
    assert future_dates_fault([None, None], today) is None
    assert future_dates_fault([today], today) is None
