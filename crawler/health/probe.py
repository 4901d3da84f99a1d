"""Homepage availability probe: does the site's homepage open, and if not, why.

A homepage that does not open is a veto item in the national inspection, so the probe
records the precise failure class. Certificates are not verified here: a site with a bad
certificate still "opens", and certificate problems are reported by tls.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import httpx

from crawler.health.soft_error import (
    SNIFF_BYTES,
    error_page_url_reason,
    is_html_content_type,
    soft_error_reason,
)
from crawler.health.transport import classify_exception, describe_exception, make_client

MAX_REDIRECTS = 10


class ProbeErrorClass(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    DNS = "dns"
    REFUSED = "refused"
    TLS = "tls"
    HTTP_5XX = "http_5xx"
    HTTP_4XX = "http_4xx"
    # Redirected to an error page, or a 200 page that says it is an error ("soft" error).
    ERROR_PAGE = "error_page"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    url: str
    probed_at: datetime  # UTC, timezone-aware
    ok: bool
    error_class: ProbeErrorClass
    http_status: int | None
    latency_ms: int | None  # time to the final response's headers, redirects included
    final_url: str | None
    detail: str


_TRANSPORT_TO_CLASS = {
    "timeout": ProbeErrorClass.TIMEOUT,
    "dns": ProbeErrorClass.DNS,
    "refused": ProbeErrorClass.REFUSED,
    "tls": ProbeErrorClass.TLS,
    "other": ProbeErrorClass.OTHER,
}


async def _read_head(response: httpx.Response, limit: int) -> bytes:
    collected = bytearray()
    async for chunk in response.aiter_bytes():
        collected += chunk
        if len(collected) >= limit:
            break
    return bytes(collected)


def _judge_response(
    url: str, status: int, final_url: str, content_type: str | None, head: bytes
) -> tuple[ProbeErrorClass, str]:
    if status >= 500:
        return ProbeErrorClass.HTTP_5XX, f"HTTP {status}"
    if status >= 400:
        return ProbeErrorClass.HTTP_4XX, f"HTTP {status}"
    if status >= 300:
        # Only reached when the redirect chain was too long or had no Location.
        return ProbeErrorClass.OTHER, f"HTTP {status} without a usable redirect"
    if final_url != url:
        reason = error_page_url_reason(final_url)
        if reason:
            return ProbeErrorClass.ERROR_PAGE, reason
    if not head.strip():
        return ProbeErrorClass.ERROR_PAGE, "homepage body is empty"
    if is_html_content_type(content_type) or content_type is None:
        reason = soft_error_reason(head, content_type)
        if reason:
            return ProbeErrorClass.ERROR_PAGE, reason
    return ProbeErrorClass.OK, f"HTTP {status}"


async def probe_homepage(
    client: httpx.AsyncClient, url: str, timeout_s: float = 15.0
) -> ProbeResult:
    """Fetch `url` following redirects and classify the outcome.

    `client` should come from transport.make_client() (TLS verification off). `timeout_s`
    bounds the whole probe, redirects and body sniffing included.
    """
    probed_at = datetime.now(UTC)
    started = time.perf_counter()
    latency_ms: int | None = None
    try:
        async with (
            asyncio.timeout(timeout_s),
            client.stream(
                "GET",
                url,
                follow_redirects=True,
                timeout=timeout_s,
            ) as response,
        ):
            latency_ms = round((time.perf_counter() - started) * 1000)
            head = await _read_head(response, SNIFF_BYTES)
    except httpx.TooManyRedirects as exc:
        return ProbeResult(
            url,
            probed_at,
            False,
            ProbeErrorClass.OTHER,
            None,
            latency_ms,
            None,
            describe_exception(exc),
        )
    except (httpx.HTTPError, OSError, TimeoutError) as exc:
        error_class = _TRANSPORT_TO_CLASS[classify_exception(exc)]
        return ProbeResult(
            url, probed_at, False, error_class, None, latency_ms, None, describe_exception(exc)
        )
    final_url = str(response.url)
    error_class, detail = _judge_response(
        url, response.status_code, final_url, response.headers.get("content-type"), head
    )
    return ProbeResult(
        url=url,
        probed_at=probed_at,
        ok=error_class is ProbeErrorClass.OK,
        error_class=error_class,
        http_status=response.status_code,
        latency_ms=latency_ms,
        final_url=final_url,
        detail=detail,
    )


async def probe_many(urls: Sequence[str], timeout_s: float, concurrency: int) -> list[ProbeResult]:
    """Probe every homepage with at most `concurrency` in flight; results in input order."""
    limit = asyncio.Semaphore(max(1, concurrency))

    async with make_client(timeout_s=timeout_s, max_connections=max(1, concurrency)) as client:
        client.max_redirects = MAX_REDIRECTS

        async def probe_one(url: str) -> ProbeResult:
            async with limit:
                return await probe_homepage(client, url, timeout_s)

        return list(await asyncio.gather(*(probe_one(url) for url in urls)))
