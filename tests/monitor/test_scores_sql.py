"""`govwatch scores` on stored findings is summed in SQL and gives what the same
findings give when scored in memory (the path past days and reports use)."""

from __future__ import annotations

from datetime import date, datetime

from observe import add_posts, days_before, observe_column, register_columns
from sqlalchemy import select

from monitor.check import run_check
from monitor.scores import FAIL, compute_scores
from storage.db import session_scope
from storage.models import Finding

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2, 0)  # 10:00 in China on the day judged


def check() -> None:
    with session_scope() as session:
        run_check(session, AS_OF)


def test_stored_scores_in_sql_equal_the_in_memory_scores(database_url: str) -> None:
    register_columns({"动态": "news", "通知": "notice", "要闻": "news", "图片": "news"})
    observe_column("首页", days_before(AS_OF, 30), SEEN, homepage=True)  # a veto
    observe_column("动态", days_before(AS_OF, 30), SEEN)  # stale: a deduction
    observe_column("图片", days_before(AS_OF, 1, 20, 40), SEEN)  # gaps: deductions
    observe_column("通知", days_before(AS_OF, 5), SEEN)
    observe_column("要闻", days_before(AS_OF, 40), SEEN)
    add_posts("quiet", days_before(AS_OF, 20))
    add_posts("busy", days_before(AS_OF, *range(0, 90, 3)))
    check()
    # 要闻 cannot be read now: its stale finding stays open but no longer counts.
    observe_column("要闻", [], datetime(2026, 9, 30, 5), error_class="http_error")
    check()
    with session_scope() as session:
        in_sql = compute_scores(session)
        stored = list(
            session.scalars(select(Finding).where(Finding.status == "open").order_by(Finding.id))
        )
        in_memory = compute_scores(session, findings=stored)
        without_problems = compute_scores(session, with_problems=False)
    assert in_sql == in_memory
    by_target = {(score.target_type, score.target_id): score for score in in_sql}
    site = by_target[("site", "s")]
    assert site.verdict == FAIL and "HOMEPAGE_NOT_UPDATED" in site.vetoes
    assert site.deductions > 0
    assert any("「动态」" in problem for problem in site.problems)
    assert not any("「要闻」" in p and "未更新" in p for p in site.problems)
    assert by_target[("account", "quiet")].verdict == FAIL
    assert [(s.score, s.verdict, s.vetoes) for s in without_problems] == [
        (s.score, s.verdict, s.vetoes) for s in in_sql
    ]
    assert all(not s.problems for s in without_problems)
