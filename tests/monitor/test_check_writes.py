"""How a live check stores findings: set-based, with the lifecycle intact.

Findings are written in a few statements per rule (not one per finding), and a
finding keeps its id and first-seen time across checks: refreshed while seen,
resolved when its target is judged healthy, reopened (same row) when it comes back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from observe import days_before, observe_column, register_columns
from sqlalchemy import event

from monitor.check import CheckSummary, run_check
from storage.db import get_engine, session_scope
from storage.findings_query import query_findings
from storage.models import Finding

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2, 0)  # 10:00 in China on the day judged


def check(day: date = AS_OF) -> CheckSummary:
    with session_scope() as session:
        return run_check(session, day)


@contextmanager
def counting_writes() -> Iterator[Counter[str]]:
    """Count INSERT and UPDATE statements on findings sent to the database (an
    executemany counts once: it is one statement with many parameter sets)."""
    counts: Counter[str] = Counter()

    def before(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE") and " findings" in statement:
            counts[verb] += 1

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", before)


def stale_site(columns: int) -> None:
    """A site whose ``columns`` news columns are all stale on the day judged."""
    names = [f"栏目{index}" for index in range(columns)]
    register_columns(dict.fromkeys(names, "news"))
    for name in names:
        observe_column(name, days_before(AS_OF, 30), SEEN)


def test_writes_do_not_grow_with_the_number_of_findings(database_url: str) -> None:
    stale_site(40)
    with counting_writes() as first:
        summary = check()
    assert summary.opened["COLUMN_STALE"] == 40
    with counting_writes() as second:
        summary = check()
    assert summary.refreshed["COLUMN_STALE"] == 40 and not summary.opened["COLUMN_STALE"]
    # One INSERT per rule that opened something, one UPDATE per rule seeing findings
    # again: far fewer statements than the 40+ findings, on the first and second check.
    findings = sum(summary.refreshed.values())
    assert findings > 40
    assert first["INSERT"] <= len(summary.refreshed) and first["UPDATE"] == 0
    assert second["INSERT"] == 0 and second["UPDATE"] <= len(summary.refreshed)


def test_a_finding_keeps_its_row_and_first_seen_through_resolve_and_reopen(
    database_url: str,
) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 30), SEEN)
    opened = check()
    with session_scope() as session:
        (finding,) = query_findings(session, rule="COLUMN_STALE")
        finding_id, first_seen, message = finding.id, finding.first_seen, finding.message
    assert finding_id in opened.opened_ids

    refreshed = check()
    assert finding_id not in refreshed.opened_ids and refreshed.refreshed["COLUMN_STALE"] == 1
    with session_scope() as session:
        finding = session.get(Finding, finding_id)
        assert finding.first_seen == first_seen and finding.last_seen > first_seen

    observe_column("动态", days_before(AS_OF, 1, 30), datetime(2026, 9, 30, 5))  # updated
    fixed = check()
    assert fixed.resolved["COLUMN_STALE"] == 1
    with session_scope() as session:
        finding = session.get(Finding, finding_id)
        assert finding.status == "resolved" and finding.resolved_at is not None

    # Judged a month later without a new crawl-covered item: stale again, same row.
    observe_column("动态", days_before(AS_OF, 1, 30), datetime(2026, 10, 30, 2))
    back = check(date(2026, 10, 30))
    assert back.opened["COLUMN_STALE"] == 1 and finding_id in back.opened_ids
    with session_scope() as session:
        (finding,) = query_findings(session, rule="COLUMN_STALE", status="all")
        assert finding.id == finding_id and finding.status == "open"
        assert finding.first_seen == first_seen and finding.resolved_at is None
        assert finding.message != message  # the sentence is the new day's (days not updated)
        assert finding.evidence == ["http://h.gov.cn/0/"]  # the JSON list, read back whole


def test_a_caller_holding_a_finding_sees_the_check_write(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 30), SEEN)
    with session_scope() as session:
        run_check(session, AS_OF)
        (finding,) = query_findings(session, rule="COLUMN_STALE")
        session.commit()  # sessions here keep loaded objects across commits
        observe_column("动态", days_before(AS_OF, 1), datetime(2026, 9, 30, 5))
        run_check(session, AS_OF)
        assert finding.status == "resolved"  # reloaded, not the stale in-memory "open"


def test_an_open_finding_seen_again_with_a_new_sentence_is_rewritten(database_url: str) -> None:
    register_columns({"动态": "news", "通知": "news"})
    observe_column("动态", days_before(AS_OF, 30), SEEN)
    observe_column("通知", days_before(AS_OF, 30), SEEN)
    check()
    # Judged a day later (the same crawl still covers it): the sentence counts 31 days.
    summary = check(date(2026, 10, 1))
    assert summary.refreshed["COLUMN_STALE"] == 2 and not summary.opened["COLUMN_STALE"]
    with session_scope() as session:
        messages = {f.target_id: f.message for f in query_findings(session, rule="COLUMN_STALE")}
    assert len(messages) == 2
    assert all("已31天未更新" in message for message in messages.values())
