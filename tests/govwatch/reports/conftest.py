"""The sample district stored in a fresh database, for the report tests."""

from __future__ import annotations

import pytest

from govwatch.reports.sample_district import build_sample_district
from storage.db import session_scope


@pytest.fixture
def district(database_url: str) -> str:
    """A database holding the sample district, checked as of 2026-09-30; its URL."""
    with session_scope() as session:
        build_sample_district(session)
    return database_url
