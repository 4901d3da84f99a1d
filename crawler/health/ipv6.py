"""IPv6 support check: the host has an AAAA address and answers HTTP over IPv6.

The request goes to the literal IPv6 address with the original Host header (and SNI for
https), so the result does not depend on whether this machine prefers IPv4.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from crawler.health.transport import describe_exception, make_client

# (host, port) -> IPv6 addresses; raising socket.gaierror means "no AAAA record".
Ipv6Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


@dataclass(frozen=True, slots=True)
class Ipv6Status:
    supported: bool
    aaaa_addresses: tuple[str, ...]
    http_status: int | None
    detail: str


async def resolve_aaaa(host: str, port: int) -> Sequence[str]:
    """IPv6 addresses of `host` from the system resolver (an IPv6 literal resolves to itself)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, family=socket.AF_INET6, type=socket.SOCK_STREAM
    )
    addresses: list[str] = []
    for *_, sockaddr in infos:
        address = str(sockaddr[0])
        # An IPv4 literal comes back as ::ffff:a.b.c.d, which is still IPv4 on the wire.
        if ipaddress.IPv6Address(address.split("%", 1)[0]).ipv4_mapped is not None:
            continue
        if address not in addresses:
            addresses.append(address)
    return addresses


def _host_header(host: str, port: int | None, default_port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port in (None, default_port) else f"{shown}:{port}"


async def check_ipv6(
    url: str, timeout_s: float, resolver: Ipv6Resolver | None = None
) -> Ipv6Status:
    """Whether `url`'s host is reachable over IPv6: an AAAA record and an HTTP answer.

    Any status below 400 counts as an answer (redirects are not followed, since their
    target would be resolved again without forcing IPv6). Each AAAA address is tried in turn.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return Ipv6Status(False, (), None, f"no host in URL {url!r}")
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    resolve = resolver or resolve_aaaa
    try:
        addresses = tuple(await asyncio.wait_for(resolve(host, port), timeout_s))
    except (OSError, TimeoutError) as exc:
        return Ipv6Status(False, (), None, f"no AAAA address: {describe_exception(exc)}")
    if not addresses:
        return Ipv6Status(False, (), None, "no AAAA address")

    failures: list[str] = []
    last_status: int | None = None
    # No proxies from the environment: a proxy would make the request over its own network.
    async with make_client(timeout_s=timeout_s, max_connections=1, trust_env=False) as client:
        for address in addresses:
            literal_url = urlunsplit(
                (parts.scheme, f"[{address}]:{port}", parts.path or "/", parts.query, "")
            )
            extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
            try:
                async with asyncio.timeout(timeout_s):
                    response = await client.get(
                        literal_url,
                        headers={"Host": _host_header(host, parts.port, default_port)},
                        extensions=extensions,
                    )
            except (httpx.HTTPError, OSError, TimeoutError) as exc:
                failures.append(f"[{address}]: {describe_exception(exc)}")
                continue
            if response.status_code < 400:
                detail = f"HTTP {response.status_code} via [{address}]"
                return Ipv6Status(True, addresses, response.status_code, detail)
            last_status = response.status_code
            failures.append(f"[{address}]: HTTP {response.status_code}")
    return Ipv6Status(False, addresses, last_status, "; ".join(failures))
