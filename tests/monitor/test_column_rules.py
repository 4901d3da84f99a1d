"""COLUMN_STALE, COLUMN_EMPTY and CHECK_FAILED on stored observations, as of a day."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from observe import days_before, observe_column, register_columns

from monitor.check import run_check
from storage.db import session_scope
from storage.findings_query import query_findings

AS_OF = date(2026, 9, 30)
COLUMN_RULES = {"COLUMN_STALE", "COLUMN_EMPTY", "CHECK_FAILED"}  # what these tests are about
SEEN = datetime(2026, 9, 30, 2, 0)  # 10:00 in China on the day judged


def rules_by_target() -> dict[str, set[str]]:
    with session_scope() as session:
        result: dict[str, set[str]] = {}
        for finding in query_findings(session):
            if finding.rule in COLUMN_RULES:
                result.setdefault(finding.target_id, set()).add(finding.rule)
        return result


def check(day: date = AS_OF) -> None:
    with session_scope() as session:
        run_check(session, day)


@pytest.mark.parametrize(
    ("category", "age", "stale"),
    [
        ("news", 14, False),
        ("news", 15, True),
        ("notice", 100, False),
        ("notice", 184, True),
        ("policy", 200, True),
        ("policy", 183, False),
        ("static", 364, False),
        ("static", 366, True),
        ("other", 999, False),
        ("overview", 999, False),
    ],
)
def test_staleness_by_category(database_url: str, category: str, age: int, stale: bool) -> None:
    register_columns({"栏目": category})
    observe_column("栏目", days_before(AS_OF, age, age + 3), SEEN)
    check()
    assert rules_by_target() == ({"s/栏目": {"COLUMN_STALE"}} if stale else {})


def test_pinned_old_item_does_not_hide_newest(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 400, 2, 5), SEEN)  # 置顶 first
    check()
    assert rules_by_target() == {}


def test_items_without_any_date_count_as_not_updated(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", [None, None], SEEN)
    check()
    with session_scope() as session:
        (finding,) = query_findings(session, rule="COLUMN_STALE")
    assert "无可确认发布日期" in finding.message


def test_empty_and_unreadable(database_url: str) -> None:
    register_columns({"人事": "static", "咨询": "news"})
    observe_column("人事", [], SEEN)
    observe_column("咨询", [], SEEN, error_class="http_error")
    check()
    assert rules_by_target() == {"s/人事": {"COLUMN_EMPTY"}, "s/咨询": {"CHECK_FAILED"}}


def test_unparsed_page_is_check_failed_not_empty(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", [], SEEN, error_class="unparsed")
    check()
    assert rules_by_target() == {"s/动态": {"CHECK_FAILED"}}


def test_stale_finding_survives_a_failed_crawl_untouched(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 30), SEEN)
    check()
    observe_column("动态", [], datetime(2026, 9, 30, 3, 0), error_class="http_error")
    check()
    with session_scope() as session:
        findings = {
            f.rule: f.status
            for f in query_findings(session, status="all")
            if f.rule in COLUMN_RULES
        }
    # Unreadable now: not resolved (we do not know it was fixed), and CHECK_FAILED says why.
    assert findings == {"COLUMN_STALE": "open", "CHECK_FAILED": "open"}


def test_as_of_ignores_items_published_later_and_is_repeatable(database_url: str) -> None:
    register_columns({"动态": "news"})
    # Crawled on 10-20: the column has an item of 10-10 and one of 09-10.
    observe_column("动态", [date(2026, 10, 10), date(2026, 9, 10)], datetime(2026, 10, 20))
    check(AS_OF)  # on 09-30 only the 09-10 item existed: 20 days old
    with session_scope() as session:
        (finding,) = query_findings(session, rule="COLUMN_STALE")
        first_message = finding.message
    assert "已20天未更新" in first_message
    check(date(2026, 10, 20))  # judged on 10-20: 10 days old, fine
    assert rules_by_target() == {}
    check(AS_OF)  # judging the past again gives the same finding
    with session_scope() as session:
        (finding,) = query_findings(session, rule="COLUMN_STALE")
        assert finding.message == first_message


def test_findings_refresh_rather_than_duplicate(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 30), SEEN)
    check()
    check()
    with session_scope() as session:
        findings = query_findings(session, rule="COLUMN_STALE", status="all")
    assert len(findings) == 1
    assert findings[0].last_seen >= findings[0].first_seen
