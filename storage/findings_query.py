"""Reading findings back, with the filters of ``govwatch findings``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from storage.clock import to_china_day, to_iso_utc
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
    statement = _filtered(select(Finding), site, account, unit, rule, status)
    return list(session.scalars(statement))


#: What a listing shows of a finding, and what its JSON record adds (the evidence).
LISTED_COLUMNS = (
    "id",
    "rule",
    "severity",
    "points",
    "target_type",
    "target_id",
    "unit",
    "message",
    "first_seen",
    "last_seen",
    "status",
    "resolved_at",
)


def finding_records(
    session: Session,
    *,
    site: str | None = None,
    account: str | None = None,
    unit: str | None = None,
    rule: str | None = None,
    status: str = "open",
    evidence: bool = True,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The records (``finding_record``) of the findings ``query_findings`` selects, read
    as plain rows: no finding object is built, and ``evidence=False`` leaves the
    evidence out (a table does not show it), so listing a province's findings costs
    little more than printing them. Each record also has ``first_seen_day``, the China
    day people read. ``limit``: the first that many, in listing order."""
    table = Finding.__table__
    columns = [table.c[name] for name in LISTED_COLUMNS]
    if evidence:
        columns.append(table.c.evidence)
    statement = _filtered(select(*columns), site, account, unit, rule, status)
    if limit:
        statement = statement.limit(limit)
    records = []
    for row in session.execute(statement):
        record = {
            "id": row.id,
            "rule": row.rule,
            "severity": row.severity,
            "points": row.points,
            "target_type": row.target_type,
            "target_id": row.target_id,
            "unit": row.unit,
            "message": row.message,
        }
        if evidence:
            record["evidence"] = list(row.evidence or [])
        record |= {
            "first_seen": to_iso_utc(row.first_seen),
            "last_seen": to_iso_utc(row.last_seen),
            "status": row.status,
            "resolved_at": to_iso_utc(row.resolved_at),
            "first_seen_day": to_china_day(row.first_seen).isoformat(),
        }
        records.append(record)
    return records


def count_findings(
    session: Session,
    *,
    site: str | None = None,
    account: str | None = None,
    unit: str | None = None,
    rule: str | None = None,
    status: str = "open",
) -> int:
    """How many findings ``query_findings`` would select (counted in the database)."""
    statement = _filtered(select(Finding.id), site, account, unit, rule, status).order_by(None)
    return int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def _filtered(
    statement: Select[Any],
    site: str | None,
    account: str | None,
    unit: str | None,
    rule: str | None,
    status: str,
) -> Select[Any]:
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
    # The order of the (status, target_type, target_id, rule, id) index: read, not sorted.
    return statement.order_by(Finding.target_type, Finding.target_id, Finding.rule, Finding.id)


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
