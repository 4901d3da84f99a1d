"""The Prometheus endpoint: crawl, page and finding counts, read from the database.

Every value is computed from the tables at scrape time (a custom collector), so the
numbers are the same whichever process serves them, and include crawls that
scaled-out workers ran. ``GOVWATCH_METRICS_PORT=0`` (the default) serves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import CrawlRun, Finding

log = logging.getLogger("govwatch.scheduler")

#: Outcomes that count as a successful crawl (something was read).
SUCCESS_OUTCOMES = ("ok", "partial")


class DatabaseCollector(Collector):
    """Metrics computed from ``crawl_runs`` and ``findings``."""

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily("govwatch_crawls", "Crawl runs recorded", labels=["target_type"])
        failed = CounterMetricFamily(
            "govwatch_crawls_failed", "Crawl runs that failed", labels=["target_type"]
        )
        pages = CounterMetricFamily(
            "govwatch_pages_fetched", "Pages fetched by crawl runs", labels=["target_type"]
        )
        open_findings = GaugeMetricFamily(
            "govwatch_findings_open", "Open findings", labels=["rule", "severity"]
        )
        last_success = GaugeMetricFamily(
            "govwatch_last_success_timestamp_seconds",
            "When the target's last successful crawl finished (Unix time)",
            labels=["target_type", "target_id"],
        )
        with session_scope() as session:
            for target_type, count, failures, fetched in session.execute(
                select(
                    CrawlRun.target_type,
                    func.count(),
                    func.count().filter(CrawlRun.outcome == "failed"),
                    func.coalesce(func.sum(CrawlRun.pages_fetched), 0),
                ).group_by(CrawlRun.target_type)
            ):
                runs.add_metric([target_type], float(count))
                failed.add_metric([target_type], float(failures))
                pages.add_metric([target_type], float(fetched))
            for rule, severity, count in session.execute(
                select(Finding.rule, Finding.severity, func.count())
                .where(Finding.status == "open")
                .group_by(Finding.rule, Finding.severity)
            ):
                open_findings.add_metric([rule, severity], float(count))
            for target_type, target_id, finished_at in session.execute(
                select(CrawlRun.target_type, CrawlRun.target_id, func.max(CrawlRun.finished_at))
                .where(CrawlRun.outcome.in_(SUCCESS_OUTCOMES))
                .group_by(CrawlRun.target_type, CrawlRun.target_id)
            ):
                if finished_at is not None:
                    last_success.add_metric([target_type, target_id], _unix_seconds(finished_at))
        yield from (runs, failed, pages, open_findings, last_success)


def _unix_seconds(naive_utc: Any) -> float:
    from datetime import UTC

    return float(naive_utc.replace(tzinfo=UTC).timestamp())


def metrics_registry() -> CollectorRegistry:
    """A registry holding the database collector (and nothing process-specific)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return registry


def start_metrics_server(port: int, host: str) -> Any | None:
    """Serve ``/metrics`` on ``host:port`` in a daemon thread; None when ``port`` is 0."""
    if port == 0:
        return None
    server, _thread = start_http_server(port, addr=host, registry=metrics_registry())
    log.info("metrics on http://%s:%d/metrics", host, server.server_port)
    return server
