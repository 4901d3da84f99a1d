"""Reading findings back as ORM objects, with the filters of ``govwatch findings``.

For the dashboard, the demo and tests. The SELECT is :func:`storage.findings_rows.listing_sql`,
the one ``govwatch findings`` reads plain rows through: one definition of what each
filter selects and in which order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text

from storage.clock import to_iso_utc
from storage.findings_rows import FindingFilters, listing_sql

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

    columns = Finding.__table__.columns
    sql, parameters = listing_sql(
        FindingFilters(site=site, account=account, unit=unit, rule=rule),
        status=status,
        columns=[column.name for column in columns],
    )
    # Typed by the model's columns (in the order selected), so values load as through
    # the ORM: datetimes, JSON.
    statement = select(Finding).from_statement(text(sql).columns(*columns))
    return list(session.scalars(statement, parameters))


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
