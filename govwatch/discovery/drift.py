"""The monthly discovery of registered sites: each site's column structure against the
registry, stored as a ``structure`` observation for SITE_STRUCTURE_CHANGED."""

from __future__ import annotations

import logging
import threading
from datetime import date

from sqlalchemy import select

from govwatch.discovery.diff import diff_columns, registered_columns
from govwatch.discovery.fetch import PageFetcher
from govwatch.discovery.site import SiteDiscovery, SiteInput, discover_site
from settings import Settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Site
from storage.site_facts import record_site_fact

log = logging.getLogger("govwatch.discovery")


def record_structure(site_id: str, registered: dict[str, str], found: SiteDiscovery) -> None:
    """Store what one discovery says about the site's structure."""
    with session_scope() as session:
        if not found.ok:
            record_site_fact(
                session,
                None,
                site_id,
                "structure",
                False,
                found.site.url,
                {},
                found.failure or "",
                utcnow(),
            )
            return
        discovered = {column.name: column.url for column in found.columns}
        diff = diff_columns(registered, discovered)
        record_site_fact(
            session, None, site_id, "structure", True, found.site.url, diff.as_dict(), "", utcnow()
        )


def discover_registered_sites(
    settings: Settings, today: date, stop: threading.Event | None = None
) -> int:
    """Rediscover every active site with registered columns; returns sites read."""
    with session_scope() as session:
        sites = [
            (site_id, url, name, registered_columns(session, site_id))
            for site_id, url, name in session.execute(
                select(Site.id, Site.url, Site.name).where(Site.active.is_(True)).order_by(Site.id)
            )
        ]
    read = 0
    for site_id, url, name, registered in sites:
        if stop is not None and stop.is_set():
            break
        if not registered:
            continue  # a site checked only by discovery has nothing to drift from
        with PageFetcher(settings) as fetcher:
            found = discover_site(SiteInput(url, name=name, site_id=site_id), fetcher.get, today)
        record_structure(site_id, registered, found)
        read += found.ok
        log.info("discovery %s: %s", site_id, "ok" if found.ok else found.failure)
    return read
