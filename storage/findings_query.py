"""Reading findings back as ORM objects, with the filters of ``govwatch findings``.

For the dashboard, the demo and tests; ``govwatch findings`` reads plain rows through
:mod:`storage.findings_rows` instead, which selects the same findings in the same
order (a test keeps them equal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnCollection, Select, or_, select

from storage.clock import to_iso_utc

if TYPE_CHECKING:
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


def _filtered(
    statement: Select[Any],
    finding: ColumnCollection[str, Any],
    site: str | None,
    account: str | None,
    unit: str | None,
    rule: str | None,
    status: str,
) -> Select[Any]:
    """``statement`` filtered and ordered as :func:`storage.findings_rows.listing_sql`
    filters and orders; ``finding``: the findings table's columns."""
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
