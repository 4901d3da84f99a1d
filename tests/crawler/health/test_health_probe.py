"""Homepage probe against local servers."""

from __future__ import annotations

import asyncio
import socket

import httpx
from fakes.sites import FakeResponse, FakeSite, html_page, redirect, refusing_port

from crawler.health.probe import ProbeErrorClass, probe_homepage, probe_many
from crawler.health.transport import classify_exception, make_client

HOME = FakeResponse(body=html_page("某某市人民政府门户网站", "<a href='/a.html'>政务公开</a>"))


def probe(url: str, timeout_s: float = 5.0) -> ProbeErrorClass:
    async def run() -> ProbeErrorClass:
        async with make_client(timeout_s=timeout_s) as client:
            return (await probe_homepage(client, url, timeout_s)).error_class

    return asyncio.run(run())


def test_healthy_homepage() -> None:
    with FakeSite({"/": HOME}) as site:
        [result] = asyncio.run(probe_many([site.url("/")], timeout_s=5, concurrency=2))
    assert result.ok
    assert result.error_class is ProbeErrorClass.OK
    assert result.http_status == 200
    assert result.final_url == site.url("/")
    assert result.latency_ms is not None and result.latency_ms >= 0
    assert result.probed_at.tzinfo is not None


def test_server_error() -> None:
    with FakeSite({"/": FakeResponse(status=500, body=b"oops")}) as site:
        [result] = asyncio.run(probe_many([site.url("/")], timeout_s=5, concurrency=1))
    assert not result.ok
    assert result.error_class is ProbeErrorClass.HTTP_5XX
    assert result.http_status == 500


def test_not_found_is_4xx() -> None:
    with FakeSite({}) as site:
        assert probe(site.url("/")) is ProbeErrorClass.HTTP_4XX


def test_refused() -> None:
    with refusing_port() as port:
        assert probe(f"http://127.0.0.1:{port}/") is ProbeErrorClass.REFUSED


def test_timeout() -> None:
    with FakeSite({"/": FakeResponse(hold=True)}) as site:
        assert probe(site.url("/"), timeout_s=0.3) is ProbeErrorClass.TIMEOUT


def test_redirect_to_error_page() -> None:
    routes = {
        "/": redirect("/404.html"),
        "/404.html": FakeResponse(body=html_page("温馨提示", "<p>请返回首页</p>")),
    }
    with FakeSite(routes) as site:
        [result] = asyncio.run(probe_many([site.url("/")], timeout_s=5, concurrency=1))
    assert result.error_class is ProbeErrorClass.ERROR_PAGE
    assert result.final_url == site.url("/404.html")
    assert result.http_status == 200


def test_soft_error_homepage() -> None:
    routes = {"/": FakeResponse(body=html_page("提示信息", "<p>您访问的页面不存在</p>"))}
    with FakeSite(routes) as site:
        assert probe(site.url("/")) is ProbeErrorClass.ERROR_PAGE


def test_ordinary_redirect_is_ok() -> None:
    with FakeSite({"/": redirect("/index.html"), "/index.html": HOME}) as site:
        assert probe(site.url("/")) is ProbeErrorClass.OK


def test_probe_many_keeps_input_order() -> None:
    with FakeSite({"/": HOME}) as site, refusing_port() as port:
        urls = [site.url("/"), f"http://127.0.0.1:{port}/", site.url("/missing")]
        results = asyncio.run(probe_many(urls, timeout_s=5, concurrency=3))
    assert [r.url for r in results] == urls
    assert [r.error_class for r in results] == [
        ProbeErrorClass.OK,
        ProbeErrorClass.REFUSED,
        ProbeErrorClass.HTTP_4XX,
    ]


def test_dns_failure_classification() -> None:
    # Resolving a real name would leave the machine; the wrapped error is what httpx raises.
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    error.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert classify_exception(error) == "dns"
