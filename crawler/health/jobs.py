"""Running the site-level health checks and storing what they saw.

``probe_and_store`` probes homepages (availability, many times a day);
``check_sites_and_store`` adds the slower technical checks (IPv6, TLS certificate).
Both run the async checkers of this package on their own event loop, so they can be
called from the command line, the scheduler, or a test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urlsplit

from sqlalchemy import select

from crawler.health.ipv6 import Ipv6Status, check_ipv6
from crawler.health.probe import ProbeResult, probe_many
from crawler.health.tls import TlsStatus, check_certificate_async
from settings import get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Probe, Site, SiteCheck


@dataclass(frozen=True, slots=True)
class SiteHealth:
    """One site's probe, and (when checked) its IPv6 and TLS status."""

    site_id: str
    url: str
    probe: ProbeResult
    ipv6: Ipv6Status | None = None
    tls: TlsStatus | None = None  # None for plain-HTTP sites


def _active_sites(site_ids: Sequence[str] | None) -> list[tuple[str, str]]:
    with session_scope() as session:
        statement = select(Site.id, Site.url).where(Site.active.is_(True)).order_by(Site.id)
        if site_ids:
            statement = statement.where(Site.id.in_(list(site_ids)))
        return [(site_id, url) for site_id, url in session.execute(statement)]


def _store_probes(sites: list[tuple[str, str]], results: list[ProbeResult]) -> None:
    with session_scope() as session:
        for (site_id, url), result in zip(sites, results, strict=True):
            session.add(
                Probe(
                    site_id=site_id,
                    url=url,
                    probed_at=result.probed_at.astimezone(UTC).replace(tzinfo=None),
                    ok=result.ok,
                    error_class=result.error_class.value,
                    http_status=result.http_status,
                    latency_ms=result.latency_ms,
                    final_url=result.final_url,
                    detail=result.detail[:2000],
                )
            )


def probe_and_store(site_ids: Sequence[str] | None = None) -> int:
    """Probe the homepages of the given (default: all active) sites; returns how many."""
    sites = _active_sites(site_ids)
    if not sites:
        return 0
    settings = get_settings()
    results = asyncio.run(
        probe_many([url for _, url in sites], settings.probe_timeout_s, settings.probe_concurrency)
    )
    _store_probes(sites, results)
    return len(results)


async def _technical(url: str, timeout_s: float) -> tuple[Ipv6Status, TlsStatus | None]:
    parts = urlsplit(url)
    ipv6 = await check_ipv6(url, timeout_s)
    tls = None
    if parts.scheme == "https" and parts.hostname:
        tls = await check_certificate_async(parts.hostname, parts.port or 443, timeout_s)
    return ipv6, tls


async def _check_all(sites: list[tuple[str, str]]) -> list[SiteHealth]:
    settings = get_settings()
    probes = await probe_many(
        [url for _, url in sites], settings.probe_timeout_s, settings.probe_concurrency
    )
    limit = asyncio.Semaphore(max(1, settings.probe_concurrency))

    async def technical(url: str) -> tuple[Ipv6Status, TlsStatus | None]:
        async with limit:
            return await _technical(url, settings.probe_timeout_s)

    extras = await asyncio.gather(*(technical(url) for _, url in sites))
    return [
        SiteHealth(site_id, url, probe, ipv6, tls)
        for (site_id, url), probe, (ipv6, tls) in zip(sites, probes, extras, strict=True)
    ]


def check_sites_and_store(site_ids: Sequence[str] | None = None) -> list[SiteHealth]:
    """Probe, and check IPv6 and TLS of, the given (default: all active) sites; store all."""
    sites = _active_sites(site_ids)
    if not sites:
        return []
    results = asyncio.run(_check_all(sites))
    _store_probes(sites, [health.probe for health in results])
    now = utcnow()
    with session_scope() as session:
        for health in results:
            if health.ipv6 is not None:
                session.add(
                    SiteCheck(
                        site_id=health.site_id,
                        kind="ipv6",
                        checked_at=now,
                        ok=health.ipv6.supported,
                        problem=None if health.ipv6.supported else "ipv6_unsupported",
                        detail=health.ipv6.detail[:2000],
                    )
                )
            if health.tls is not None:
                session.add(
                    SiteCheck(
                        site_id=health.site_id,
                        kind="tls",
                        checked_at=now,
                        ok=health.tls.valid,
                        problem=health.tls.problem,
                        detail=health.tls.detail[:2000],
                    )
                )
    return results
