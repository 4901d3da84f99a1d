"""Reading findings back, with the filters of ``govwatch findings``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.clock import to_iso_utc
from storage.models import Finding


def query_findings(
    session: Session,
    *,
    site: str | None = None,
    account: str | None = None,
    unit: str | None = None,
    rule: str | None = None,
    status: str = "open",
) -> list[Finding]:
    """Findings matching every given filter; ``site`` includes the site's columns."""
    statement = select(Finding)
    if site is not None:
        statement = statement.where(
            or_(
                (Finding.target_type == "site") & (Finding.target_id == site),
                # autoescape: "_" and "%" in a site id are literal, not LIKE wildcards.
                (Finding.target_type == "column")
                & Finding.target_id.startswith(f"{site}/", autoescape=True),
            )
        )
    if account is not None:
        statement = statement.where(Finding.target_type == "account", Finding.target_id == account)
    if unit is not None:
        statement = statement.where(Finding.unit == unit)
    if rule is not None:
        statement = statement.where(Finding.rule == rule)
    if status != "all":
        statement = statement.where(Finding.status == status)
    statement = statement.order_by(Finding.target_type, Finding.target_id, Finding.rule, Finding.id)
    return list(session.scalars(statement))


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as the JSON object docs/findings.md describes."""
    return {
        "id": finding.id,
        "rule": finding.rule,
        "severity": finding.severity,
        "points": finding.points,
        "target_type": finding.target_type,
        "target_id": finding.target_id,
        "unit": finding.unit,
        "message": finding.message,
        "evidence": list(finding.evidence or []),
        "first_seen": to_iso_utc(finding.first_seen),
        "last_seen": to_iso_utc(finding.last_seen),
        "status": finding.status,
        "resolved_at": to_iso_utc(finding.resolved_at),
    }
