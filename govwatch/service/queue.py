"""The Redis crawl queue shared by scaled-out workers (``GOVWATCH_REDIS_URL``).

The scheduler only pushes ``{"kind": "site"|"account", "id": ...}`` messages onto
:data:`CRAWL_REQUESTS_KEY`; worker processes (the ``worker`` spider on scrapy-redis)
pop them. A ``queued`` marker per target (``SET NX`` with the crawl time limit as
its expiry) keeps one crawl per target in flight however many schedulers enqueue;
the worker deletes it when the crawl's run is finished.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

CRAWL_REQUESTS_KEY = "govwatch:crawl_requests"
QUEUED_MARKER_KEY = "govwatch:queued:{kind}:{target_id}"


@lru_cache(maxsize=4)
def redis_client(url: str) -> Any:
    """A Redis client for ``url`` (one per URL and process)."""
    import redis  # loaded on use: single-process deployments do not need it

    return redis.Redis.from_url(url)


def enqueue_crawl(url: str, kind: str, target_id: str, ttl_s: float) -> bool:
    """Queue a crawl of one target; False when one is already queued or running."""
    client = redis_client(url)
    marker = QUEUED_MARKER_KEY.format(kind=kind, target_id=target_id)
    if not client.set(marker, "1", nx=True, ex=max(1, int(ttl_s))):
        return False
    client.lpush(CRAWL_REQUESTS_KEY, json.dumps({"kind": kind, "id": target_id}))
    return True


def clear_queued_marker(url: str, kind: str, target_id: str) -> None:
    """The target's crawl is over: the next one may be queued."""
    redis_client(url).delete(QUEUED_MARKER_KEY.format(kind=kind, target_id=target_id))
