"""Shared HTTP plumbing for the health checkers: client factory and error classification.

The checkers judge availability, not certificate validity (that is tls.py's job), so every
client made here has TLS verification switched off.
"""

from __future__ import annotations

import socket
import ssl
from typing import Literal

import httpx

from settings import get_settings

TransportErrorKind = Literal["timeout", "dns", "refused", "tls", "other"]


def make_client(
    *,
    timeout_s: float,
    max_connections: int = 100,
    trust_env: bool = True,
    high_volume: bool = False,
) -> httpx.AsyncClient:
    """An AsyncClient for health checks: no TLS verification, no automatic redirects.

    `high_volume` swaps httpx's connection pool for aiohttp's (see aiohttp_transport.py);
    use it for checking thousands of URLs.
    """
    transport: httpx.AsyncBaseTransport | None = None
    if high_volume:
        # Imported here: aiohttp is only needed by the link checker.
        from crawler.health.aiohttp_transport import AiohttpTransport

        transport = AiohttpTransport(max_connections=max_connections, trust_env=trust_env)
    return httpx.AsyncClient(
        transport=transport,
        verify=False,
        follow_redirects=False,
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        # govwatch names itself (GOVWATCH_USER_AGENT / GOVWATCH_CONTACT_URL) and never poses
        # as a browser: site owners must be able to tell the inspection's requests apart.
        headers={"User-Agent": get_settings().user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
        trust_env=trust_env,
    )


def _exception_chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify_exception(exc: BaseException) -> TransportErrorKind:
    """Map an httpx/OS exception to the failure classes the inspection rules care about.

    httpx wraps the OS error (socket.gaierror, ConnectionRefusedError, ssl.SSLError) as the
    cause of its own exception, so the chain is walked; the message is the fallback because
    some backends only keep the text.
    """
    chain = _exception_chain(exc)
    # The OS-level cause is the most precise witness, so it is looked for first.
    for link in chain:
        if isinstance(link, socket.gaierror):
            return "dns"
        if isinstance(link, ConnectionRefusedError):
            return "refused"
        if isinstance(link, ssl.SSLError | ssl.CertificateError):
            return "tls"
    if any(isinstance(link, TimeoutError | httpx.TimeoutException) for link in chain):
        return "timeout"
    text = " ".join(str(link) for link in chain).lower()
    if "name or service not known" in text or "nodename nor servname" in text:
        return "dns"
    if "temporary failure in name resolution" in text or "no address associated" in text:
        return "dns"
    if "connection refused" in text or "errno 111" in text:
        return "refused"
    if "ssl" in text or "certificate" in text or "tls" in text:
        return "tls"
    return "other"


def describe_exception(exc: BaseException) -> str:
    """A one-line English description of a transport failure for the `detail` fields.

    httpx's own message is often generic ("All connection attempts failed"), so the
    innermost cause is appended when it says something more.
    """
    chain = _exception_chain(exc)
    message = str(exc).strip()
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    root = chain[-1]
    root_message = str(root).strip()
    if root is not exc and root_message and root_message not in message:
        text += f" ({type(root).__name__}: {root_message})"
    return text
