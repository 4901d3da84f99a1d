"""The findings listing as SQL text, run through any DB-API-like executor.

``govwatch findings`` lists findings as plain rows. The listing is SQL with named
parameters (``:name``, a style both SQLAlchemy's ``text()`` and the standard
library's ``sqlite3`` take), so the same statements run on a SQLAlchemy connection
(any database) and, for ``govwatch findings`` on SQLite, on ``sqlite3`` directly:
importing SQLAlchemy alone is about 0.2 s of the half second that command may take
to start (issue 17), and with one SQL text and one record builder the two ways
cannot drift apart. The dashboard's ORM objects
(:func:`storage.findings_query.query_findings`) are loaded by the same SELECT.

This module imports nothing but the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.clock import to_china_day, to_iso_utc

#: Runs one statement with its named parameters and returns its rows as mappings.
Execute = Callable[[str, dict[str, Any]], Iterable[Mapping[str, Any]]]

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

#: The order of the (status, target_type, target_id, rule, id) index: read, not sorted.
LISTING_ORDER = "target_type, target_id, rule, id"

#: The escape character of the site filter's LIKE pattern.
LIKE_ESCAPE = "/"


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching what starts with ``prefix``, its ``%`` and ``_`` literal."""
    escaped = prefix.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
    escaped = escaped.replace("%", f"{LIKE_ESCAPE}%").replace("_", f"{LIKE_ESCAPE}_")
    return escaped + "%"


@dataclass(frozen=True, slots=True)
class FindingFilters:
    """Filter values as stored (rule codes upper case); None: no filter."""

    site: str | None = None
    account: str | None = None
    unit: str | None = None
    rule: str | None = None


def _where(filters: FindingFilters, status: str) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (empty for no filter) and its parameters."""
    conditions: list[str] = []
    parameters: dict[str, Any] = {}
    if filters.site is not None:
        # A site's findings include its columns' ("site/column").
        conditions.append(
            "((target_type = 'site' AND target_id = :site)"
            f" OR (target_type = 'column' AND target_id LIKE :site_columns"
            f" ESCAPE '{LIKE_ESCAPE}'))"
        )
        parameters |= {"site": filters.site, "site_columns": like_prefix(f"{filters.site}/")}
    if filters.account is not None:
        conditions.append("target_type = 'account' AND target_id = :account")
        parameters["account"] = filters.account
    if filters.unit is not None:
        conditions.append("unit = :unit")
        parameters["unit"] = filters.unit
    if filters.rule is not None:
        conditions.append("rule = :rule")
        parameters["rule"] = filters.rule
    if status != "all":
        conditions.append("status = :status")
        parameters["status"] = status
    return (" WHERE " + " AND ".join(conditions) if conditions else ""), parameters


def listing_sql(
    filters: FindingFilters = FindingFilters(),
    *,
    status: str = "open",
    columns: Sequence[str] = LISTED_COLUMNS,
    limit: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """The SELECT of ``columns`` of the findings matching every filter, in listing order,
    and its parameters; ``site`` includes the site's columns; ``limit``: the first that
    many. The one definition of what a findings query selects: the ORM's
    (``storage.findings_query.query_findings``) runs it too."""
    where, parameters = _where(filters, status)
    sql = f"SELECT {', '.join(columns)} FROM findings{where} ORDER BY {LISTING_ORDER}"
    if limit:
        sql += " LIMIT :limit"
        parameters["limit"] = limit
    return sql, parameters


def finding_records(
    execute: Execute,
    filters: FindingFilters = FindingFilters(),
    *,
    status: str = "open",
    evidence: bool = True,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The records (``storage.findings_query.finding_record``) of the findings
    ``listing_sql`` selects: no finding object is built, and ``evidence=False`` leaves
    the evidence out (a table does not show it). Each record also has
    ``first_seen_day``, the China day people read."""
    columns = LISTED_COLUMNS + (("evidence",) if evidence else ())
    sql, parameters = listing_sql(filters, status=status, columns=columns, limit=limit)
    return [_record(row, evidence) for row in execute(sql, parameters)]


def count_findings(
    execute: Execute, filters: FindingFilters = FindingFilters(), *, status: str = "open"
) -> int:
    """How many findings ``listing_sql`` selects without a limit (counted in the database)."""
    where, parameters = _where(filters, status)
    for row in execute(f"SELECT count(*) AS found FROM findings{where}", parameters):
        return int(row["found"])
    return 0


def _moment(value: datetime | str | None) -> datetime | None:
    """A stored timestamp: SQLite hands back the text SQLAlchemy wrote
    (``2026-09-30 02:00:00.000000``) where other databases give a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _record(row: Mapping[str, Any], evidence: bool) -> dict[str, Any]:
    first_seen = _moment(row["first_seen"])
    assert first_seen is not None  # NOT NULL
    record = {
        "id": row["id"],
        "rule": row["rule"],
        "severity": row["severity"],
        "points": row["points"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "unit": row["unit"],
        "message": row["message"],
    }
    if evidence:
        stored = row["evidence"]
        if isinstance(stored, str):  # SQLite: the JSON text
            stored = json.loads(stored)
        record["evidence"] = list(stored or [])
    record |= {
        "first_seen": to_iso_utc(first_seen),
        "last_seen": to_iso_utc(_moment(row["last_seen"])),
        "status": row["status"],
        "resolved_at": to_iso_utc(_moment(row["resolved_at"])),
        "first_seen_day": to_china_day(first_seen).isoformat(),
    }
    return record
