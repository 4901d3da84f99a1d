"""check_urls against local sites: every kind of broken link and image the inspection counts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable

from fakes.sites import FakeResponse, FakeSite, html_page, redirect, refusing_port

from crawler.health.links import LinkCheck, check_urls
from crawler.health.page_links import collect_links

SITE_HOSTS = {"127.0.0.1"}


def check(
    links: Iterable[str] = (),
    images: Iterable[str] = (),
    *,
    site_hosts: set[str] = SITE_HOSTS,
    timeout_s: float = 5.0,
    per_host_concurrency: int = 4,
    total_concurrency: int = 64,
) -> dict[str, LinkCheck]:
    return asyncio.run(
        check_urls(
            links,
            images,
            site_hosts=site_hosts,
            timeout_s=timeout_s,
            per_host_concurrency=per_host_concurrency,
            total_concurrency=total_concurrency,
        )
    )


def image_response(body: bytes, content_type: str = "image/png") -> FakeResponse:
    return FakeResponse(body=body, content_type=content_type)


def test_healthy_page_link_and_image(png_bytes: bytes) -> None:
    routes = {
        "/ok.html": FakeResponse(body=html_page("政务公开", "<p>正文</p>")),
        "/ok.png": image_response(png_bytes),
    }
    with FakeSite(routes) as site:
        results = check([site.url("/ok.html")], [site.url("/ok.png")])
    link, image = results[site.url("/ok.html")], results[site.url("/ok.png")]
    assert (link.ok, link.kind, link.problem, link.http_status) == (True, "link", None, 200)
    assert (image.ok, image.kind, image.problem) == (True, "image", None)
    assert not link.external


def test_broken_images(png_bytes: bytes) -> None:
    routes = {
        "/empty.png": image_response(b""),
        "/html.png": image_response(html_page("首页", "<p>not a picture</p>")),
        "/truncated.png": image_response(png_bytes[: len(png_bytes) // 2]),
        "/text.png": image_response(b"just some bytes", "application/octet-stream"),
    }
    with FakeSite(routes) as site:
        urls = {name: site.url(f"/{name}.png") for name in ["missing", *[p[1:-4] for p in routes]]}
        results = check(images=urls.values())
    problems = {name: results[url].problem for name, url in urls.items()}
    assert problems == {
        "missing": "http_error",
        "empty": "empty_body",
        "html": "not_an_image",
        "truncated": "undecodable_image",
        "text": "not_an_image",
    }
    assert results[urls["missing"]].http_status == 404
    assert not any(result.ok for result in results.values())


def test_lazy_loaded_broken_image_is_found(png_bytes: bytes) -> None:
    page = html_page("图片新闻", '<img src="/img/loading.png" data-src="/img/photo-gone.jpg">')
    with FakeSite({"/img/loading.png": image_response(png_bytes)}) as site:
        _, images = collect_links(page.decode(), site.url("/news/1.html"))
        results = check(images=images)
    assert results[site.url("/img/loading.png")].ok
    gone = results[site.url("/img/photo-gone.jpg")]
    assert (gone.ok, gone.problem, gone.http_status) == (False, "http_error", 404)


def test_broken_links() -> None:
    routes = {
        "/soft.html": FakeResponse(body=html_page("提示信息", "<p>您访问的页面不存在！</p>")),
        "/moved.html": redirect("/error/404.html"),
        "/error/404.html": FakeResponse(body=html_page("温馨提示", "<p>请返回首页</p>")),
        "/blank.html": FakeResponse(body=b""),
        "/boom.html": FakeResponse(status=500, body=b"error"),
    }
    with FakeSite(routes) as site, refusing_port() as dead_port:
        urls = {
            "dead": site.url("/dead.html"),
            "soft": site.url("/soft.html"),
            "moved": site.url("/moved.html"),
            "blank": site.url("/blank.html"),
            "boom": site.url("/boom.html"),
            "refused": f"http://127.0.0.1:{dead_port}/index.html",
        }
        results = check(urls.values())
    problems = {name: results[url].problem for name, url in urls.items()}
    assert problems == {
        "dead": "http_error",
        "soft": "soft_404",
        "moved": "soft_404",
        "blank": "empty_body",
        "boom": "http_error",
        "refused": "refused",
    }
    assert results[urls["dead"]].http_status == 404
    assert results[urls["boom"]].http_status == 500


def test_timeout() -> None:
    with FakeSite({"/slow.html": FakeResponse(hold=True)}) as site:
        results = check([site.url("/slow.html")], timeout_s=0.3)
    result = results[site.url("/slow.html")]
    assert (result.ok, result.problem) == (False, "timeout")


def test_external_failures_are_reported_and_flagged() -> None:
    with refusing_port() as port:
        url = f"http://127.0.0.1:{port}/"
        results = check([url], site_hosts={"www.example.gov.cn"})
    assert results[url].problem == "refused"
    assert results[url].external


def test_redirect_to_a_good_page_is_ok() -> None:
    routes = {"/old": redirect("/new.html", 301), "/new.html": FakeResponse(body=html_page("新"))}
    with FakeSite(routes) as site:
        result = check([site.url("/old")])[site.url("/old")]
    assert (result.ok, result.http_status) == (True, 200)


def test_attachment_uses_head_only() -> None:
    pdf = FakeResponse(body=b"%PDF-1.4 ...", content_type="application/pdf")
    with FakeSite({"/files/notice.pdf": pdf}) as site:
        result = check([site.url("/files/notice.pdf")])[site.url("/files/notice.pdf")]
        assert site.count("/files/notice.pdf", "HEAD") == 1
        assert site.count("/files/notice.pdf", "GET") == 0
    assert result.ok


def test_head_refused_falls_back_to_get() -> None:
    routes = {
        "/files/a.pdf": FakeResponse(
            body=b"%PDF-1.4", content_type="application/pdf", head_status=405
        ),
        "/files/b.doc": FakeResponse(
            body=b"doc", content_type="application/msword", drop_head=True
        ),
    }
    with FakeSite(routes) as site:
        results = check([site.url("/files/a.pdf"), site.url("/files/b.doc")])
        assert site.count("/files/a.pdf", "HEAD") == 1
        assert site.count("/files/a.pdf", "GET") == 1
        assert site.count("/files/b.doc", "GET") == 1
    assert results[site.url("/files/a.pdf")].ok
    assert results[site.url("/files/b.doc")].ok


def test_attachment_redirected_to_soft_error_page() -> None:
    routes = {
        "/files/old.pdf": redirect("/notice.html"),
        "/notice.html": FakeResponse(body=html_page("提示", "<h1>页面不存在</h1>")),
    }
    with FakeSite(routes) as site:
        result = check([site.url("/files/old.pdf")])[site.url("/files/old.pdf")]
    assert result.problem == "soft_404"


def test_same_url_from_many_pages_is_checked_once(png_bytes: bytes) -> None:
    routes = {
        "/shared.html": FakeResponse(body=html_page("共享")),
        "/logo.png": image_response(png_bytes),
    }
    body = '<a href="/shared.html">链接</a><a href="/shared.html#x">锚</a><img src="/logo.png">'
    pages = [html_page(f"第{n}页", body).decode() for n in range(20)]
    with FakeSite(routes) as site:
        all_links: list[str] = []
        all_images: list[str] = []
        for n, page in enumerate(pages):
            links, images = collect_links(page, site.url(f"/p{n}.html"))
            all_links += links
            all_images += images
        # A fragment variant passed in by the caller still shares the one request.
        results = check([*all_links, site.url("/shared.html#x")], all_images)
        assert site.count("/shared.html") == 1
        assert site.count("/logo.png") == 1
    assert len(all_links) == 20
    assert results[site.url("/shared.html")].ok
    assert results[site.url("/shared.html#x")].url == site.url("/shared.html#x")
    assert results[site.url("/logo.png")].ok


def test_per_host_concurrency_is_honoured() -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()
    # Requests pair up at the barrier: if more than two were allowed at once, the peak
    # would exceed two; the barrier's own timeout only matters if pairing is impossible.
    barrier = threading.Barrier(2, timeout=2)

    def counted(method: str, path: str) -> FakeResponse:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            barrier.reset()
        finally:
            with lock:
                in_flight -= 1
        return FakeResponse(body=html_page("ok"))

    with FakeSite({f"/p{n}.html": counted for n in range(10)}) as site:
        results = check(
            [site.url(f"/p{n}.html") for n in range(10)],
            per_host_concurrency=2,
            total_concurrency=64,
        )
    assert all(result.ok for result in results.values())
    assert peak == 2
