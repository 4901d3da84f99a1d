"""IPv6 reachability against servers on ::1 and on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence

from fakes.sites import FakeResponse, FakeSite, refusing_port

from crawler.health.ipv6 import check_ipv6

PAGE = {"/": FakeResponse(body=b"<html><title>home</title></html>")}


def test_server_on_ipv6_loopback_literal() -> None:
    with FakeSite(PAGE, host="::1") as site:
        status = asyncio.run(check_ipv6(site.url("/"), timeout_s=5))
    assert status.supported, status.detail
    assert status.aaaa_addresses == ("::1",)
    assert status.http_status == 200


def test_named_host_resolving_to_ipv6_loopback() -> None:
    seen_hosts: list[str] = []

    async def resolver(host: str, port: int) -> Sequence[str]:
        seen_hosts.append(host)
        return ["::1"]

    with FakeSite(PAGE, host="::1") as site:
        url = f"http://www.example.gov.cn:{site.port}/"
        status = asyncio.run(check_ipv6(url, timeout_s=5, resolver=resolver))
    assert status.supported, status.detail
    assert seen_hosts == ["www.example.gov.cn"]


def test_ipv4_only_server_is_unsupported() -> None:
    with FakeSite(PAGE, host="127.0.0.1") as site:
        status = asyncio.run(check_ipv6(site.url("/"), timeout_s=5))
    assert not status.supported
    assert status.aaaa_addresses == ()


def test_aaaa_exists_but_http_over_ipv6_refused() -> None:
    async def resolver(host: str, port: int) -> Sequence[str]:
        return ["::1"]

    with refusing_port("::1") as v6_port:
        url = f"http://www.example.gov.cn:{v6_port}/"
        status = asyncio.run(check_ipv6(url, timeout_s=5, resolver=resolver))
    assert not status.supported
    assert status.aaaa_addresses == ("::1",)
    assert status.http_status is None
    assert "refused" in status.detail.lower()


def test_no_aaaa_record() -> None:
    async def resolver(host: str, port: int) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_NODATA, "No address associated with hostname")

    status = asyncio.run(check_ipv6("http://www.example.gov.cn/", timeout_s=5, resolver=resolver))
    assert not status.supported
    assert status.aaaa_addresses == ()
    assert "no AAAA" in status.detail
