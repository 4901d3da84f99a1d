"""HOMEPAGE_NOT_UPDATED and HOMEPAGE_FEW_UPDATES, including navigation-only homepages."""

from __future__ import annotations

from datetime import date, datetime

from observe import days_before, observe_column, register_columns

from monitor.check import run_check
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import HOMEPAGE_COLUMN_NAME

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2, 0)


def found() -> dict[str, set[str]]:
    with session_scope() as session:
        run_check(session, AS_OF)
        result: dict[str, set[str]] = {}
        for finding in query_findings(session):
            if finding.rule.startswith("HOMEPAGE_"):
                result.setdefault(finding.rule, set()).add(finding.target_id)
        return result


def homepage(ages: list[int] | None) -> None:
    observe_column(
        HOMEPAGE_COLUMN_NAME,
        days_before(AS_OF, *ages) if ages is not None else [],
        SEEN,
        homepage=True,
        status="ok" if ages else "unparsed",
    )


def test_busy_homepage_passes(database_url: str) -> None:
    register_columns({"动态": "news"})
    homepage(list(range(12)))
    observe_column("动态", days_before(AS_OF, 1), SEEN)
    assert found() == {}


def test_homepage_quiet_for_15_days_is_vetoed(database_url: str) -> None:
    register_columns({"动态": "news"})
    homepage([15, 20])
    observe_column("动态", days_before(AS_OF, 1), SEEN)
    result = found()
    assert result["HOMEPAGE_NOT_UPDATED"] == {"s"}
    assert result["HOMEPAGE_FEW_UPDATES"] == {"s"}


def test_few_items_in_two_weeks_is_a_deduction_only(database_url: str) -> None:
    register_columns({"动态": "news"})
    homepage([1, 3, 5])
    observe_column("动态", days_before(AS_OF, 1), SEEN)
    with session_scope() as session:
        run_check(session, AS_OF)
        homepage_findings = [f for f in query_findings(session) if f.rule.startswith("HOMEPAGE_")]
    (finding,) = homepage_findings
    assert (finding.rule, finding.severity, finding.points) == (
        "HOMEPAGE_FEW_UPDATES",
        "deduction",
        5.0,
    )
    assert "仅更新3条" in finding.message


def test_navigation_homepage_is_judged_by_its_columns(database_url: str) -> None:
    register_columns({"动态": "news", "公告": "notice"})
    homepage(None)  # no dated list on the homepage at all
    observe_column("动态", days_before(AS_OF, 3), SEEN)
    observe_column("公告", days_before(AS_OF, 40), SEEN)
    assert "HOMEPAGE_NOT_UPDATED" not in found()


def test_navigation_homepage_with_stale_columns_is_vetoed(database_url: str) -> None:
    register_columns({"动态": "news"})
    homepage(None)
    observe_column("动态", days_before(AS_OF, 30), SEEN)
    with session_scope() as session:
        run_check(session, AS_OF)
        (veto,) = query_findings(session, rule="HOMEPAGE_NOT_UPDATED")
    assert "导航页" in veto.message
