"""What each persistent scheduled job does.

The job store pickles a job as a reference to a function here plus plain arguments
(``"govwatch.service.jobs:crawl_job", ["site", "cangshan"]``), so these stay
module-level functions with string arguments; what they share with the running
service (the stop flag) lives in module state.
"""

from __future__ import annotations

import logging
import threading

from govwatch.service.channels import configured_channels
from govwatch.service.crawls import crawl_target
from govwatch.service.notify import deliver_pending, queue_digest
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope

log = logging.getLogger("govwatch.scheduler")

#: Set when the service stops: jobs that fire after it start no new work.
STOP = threading.Event()

PROBE_JOB = "govwatch.service.jobs:probe_job"
CRAWL_JOB = "govwatch.service.jobs:crawl_job"
DIGEST_JOB = "govwatch.service.jobs:digest_job"
DISCOVERY_JOB = "govwatch.service.jobs:discovery_job"


def probe_job() -> int:
    """Probe every active site's homepage and store the probes."""
    if STOP.is_set():
        return 0
    # Loaded on use: the probe stack (httpx, aiohttp) is not needed to schedule.
    from crawler.health.jobs import probe_and_store

    probed = probe_and_store()
    log.info("probed %d homepages", probed)
    return probed


def crawl_job(kind: str, target_id: str) -> str:
    """Crawl one target (or queue it for the workers)."""
    return crawl_target(kind, target_id, STOP)


def digest_job() -> int:
    """Queue today's digest on every channel and send what is pending."""
    settings = get_settings()
    channels = configured_channels(settings)
    if not channels:
        return 0
    with session_scope() as session:
        queue_digest(session, china_today(), channels)
    return deliver_pending(settings, channels, STOP)


def discovery_job() -> int:
    """Rediscover every registered site's columns; drift becomes SITE_STRUCTURE_CHANGED."""
    if STOP.is_set():
        return 0
    # Loaded on use, like the probe stack.
    from govwatch.discovery.drift import discover_registered_sites

    read = discover_registered_sites(get_settings(), china_today(), STOP)
    log.info("discovery read %d sites", read)
    return read
