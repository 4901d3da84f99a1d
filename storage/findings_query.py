"""Reading findings back, with the filters of ``govwatch findings``.

The records and the count read plain rows through the Core table clause in
:mod:`storage.listing_tables` and work on a Session or a bare Connection, so
``govwatch findings`` never imports the ORM (issue 17); :func:`query_findings`
returns ORM objects for the dashboard and the demo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnCollection, Select, func, or_, select

from storage.clock import to_china_day, to_iso_utc
from storage.listing_tables import FINDINGS

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

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
    from storage.models import Finding

    statement = _filtered(select(Finding), Finding.__table__.c, site, account, unit, rule, status)
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
    session: Session | Connection,
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
    columns = [FINDINGS.c[name] for name in LISTED_COLUMNS]
    if evidence:
        columns.append(FINDINGS.c.evidence)
    statement = _filtered(select(*columns), FINDINGS.c, site, account, unit, rule, status)
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
    session: Session | Connection,
    *,
    site: str | None = None,
    account: str | None = None,
    unit: str | None = None,
    rule: str | None = None,
    status: str = "open",
) -> int:
    """How many findings ``query_findings`` would select (counted in the database)."""
    statement = _filtered(select(FINDINGS.c.id), FINDINGS.c, site, account, unit, rule, status)
    statement = statement.order_by(None)
    return int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def _filtered(
    statement: Select[Any],
    finding: ColumnCollection[str, Any],
    site: str | None,
    account: str | None,
    unit: str | None,
    rule: str | None,
    status: str,
) -> Select[Any]:
    """``statement`` filtered and ordered; ``finding``: the columns of the findings table
    the statement selects from (the Core clause, or the ORM model's table)."""
    if site is not None:
        statement = statement.where(
            or_(
                (finding.target_type == "site") & (finding.target_id == site),
                # autoescape: "_" and "%" in a site id are literal, not LIKE wildcards.
                (finding.target_type == "column")
                & finding.target_id.startswith(f"{site}/", autoescape=True),
            )
        )
    if account is not None:
        statement = statement.where(finding.target_type == "account", finding.target_id == account)
    if unit is not None:
        statement = statement.where(finding.unit == unit)
    if rule is not None:
        statement = statement.where(finding.rule == rule)
    if status != "all":
        statement = statement.where(finding.status == status)
    # The order of the (status, target_type, target_id, rule, id) index: read, not sorted.
    return statement.order_by(finding.target_type, finding.target_id, finding.rule, finding.id)


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
