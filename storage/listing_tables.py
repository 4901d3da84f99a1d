"""The columns listings read, as SQLAlchemy Core table clauses that need no ORM.

``govwatch findings`` reads plain rows; importing the ORM and declaring every model
(:mod:`storage.models`) cost more than the rest of its start-up together (issue 17),
so the findings query and its filters name the few tables and columns they read
here. The models stay the schema: ``tests/govwatch/test_cli_startup.py`` checks
that every column here exists there with the same type.
"""

from __future__ import annotations

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, column, table

#: ``findings`` (storage.models.Finding), the columns a listing reads or filters on.
FINDINGS = table(
    "findings",
    column("id", Integer()),
    column("rule", String()),
    column("severity", String()),
    column("points", Float()),
    column("target_type", String()),
    column("target_id", String()),
    column("unit", String()),
    column("message", Text()),
    column("evidence", JSON()),
    column("first_seen", DateTime()),
    column("last_seen", DateTime()),
    column("status", String()),
    column("resolved_at", DateTime()),
)

#: Registered names the filters accept (storage.models.Site, Account, Unit).
SITES = table("sites", column("id", String()))
ACCOUNTS = table("accounts", column("id", String()))
UNITS = table("units", column("name", String()))
