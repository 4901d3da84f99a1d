"""Discover many sites at once: a few worker threads, one polite fetcher each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date

from govwatch.discovery.fetch import PageFetcher
from govwatch.discovery.site import SiteDiscovery, SiteInput, discover_site
from settings import Settings


def discover_sites(
    sites: Sequence[SiteInput],
    settings: Settings,
    today: date,
    *,
    workers: int = 4,
    max_pages: int = 80,
    budget_s: float = 300.0,
    on_done: Callable[[SiteDiscovery], None] | None = None,
) -> list[SiteDiscovery]:
    """Discover every site (in input order); ``on_done`` is called as each finishes."""

    def one(site: SiteInput) -> SiteDiscovery:
        with PageFetcher(settings) as fetcher:
            return discover_site(site, fetcher.get, today, max_pages=max_pages, budget_s=budget_s)

    results: dict[int, SiteDiscovery] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(one, site): index for index, site in enumerate(sites)}
        for future in as_completed(futures):
            found = future.result()
            results[futures[future]] = found
            if on_done is not None:
                on_done(found)
    return [results[index] for index in range(len(sites))]
