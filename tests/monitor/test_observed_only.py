"""Judging only what was observed (issues 12 and 13): a day no crawl covers is 未能检查,
a failed latest crawl is CHECK_FAILED and nothing else, past days are judged without
touching the live findings, and one failure gives one finding."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from observe import add_posts, days_before, observe_column, register_columns

from monitor.check import judge, run_check
from monitor.scores import compute_scores, scores_as_of
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import Finding, LinkCheck
from storage.observations import start_crawl_run

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2, 0)  # 10:00 in China on AS_OF


def every_other_day(
    until: date, since: date = date(2026, 6, 20), step: int = 2
) -> list[date | None]:
    """Dates every ``step`` days from ``until`` back to ``since``: a busy, healthy list."""
    return [until - timedelta(days=age) for age in range(0, (until - since).days + 1, step)]


def healthy_site() -> None:
    """A site with a busy homepage and a busy news column, read on AS_OF."""
    register_columns({"动态": "news"})
    observe_column("首页", every_other_day(AS_OF - timedelta(days=1), step=1), SEEN, homepage=True)
    observe_column("动态", every_other_day(AS_OF - timedelta(days=1)), SEEN)


def open_findings() -> list[tuple[str, str, str, datetime]]:
    with session_scope() as session:
        return sorted(
            (f.rule, f.target_type, f.target_id, f.first_seen)
            for f in session.query(Finding).filter(Finding.status == "open")
        )


def test_a_day_no_crawl_covers_is_not_checked_for_every_target(database_url: str) -> None:
    healthy_site()
    add_posts("active", days_before(AS_OF, 1, 3, 5), seen_at=SEEN)
    with session_scope() as session:
        # Long before the first crawl: its lists do not reach back that far.
        judged = judge(session, date(2020, 1, 1))
        scores = scores_as_of(session, date(2020, 1, 1))
    assert [f.rule for f in judged.findings if f.rule != "CHECK_FAILED"] == []
    assert {(s.target_type, s.target_id): s.verdict for s in scores} == {
        ("site", "s"): None,
        ("account", "active"): None,
    }
    reasons = {s.target_id: s.reason for s in scores}
    assert "首页未能检查" in reasons["s"] and "未覆盖 2020-01-01" in reasons["s"]
    assert "未覆盖 2020-01-01" in reasons["active"]
    # Twenty days after the last crawl, with no crawl since: not judged either.
    with session_scope() as session:
        later = scores_as_of(session, AS_OF + timedelta(days=20))
    assert all(s.verdict is None for s in later)
    assert all(
        "2026-10-20 当天及之后没有成功的抓取(最近一次成功抓取在 2026-09-30)" in s.reason
        for s in later
    )
    # The day of the crawl itself is judged.
    with session_scope() as session:
        same_day = scores_as_of(session, AS_OF)
    assert {s.target_id: s.verdict for s in same_day} == {"s": "合格", "active": "合格"}


def test_first_crawl_that_reaches_back_judges_the_past(database_url: str) -> None:
    register_columns({"动态": "news", "新栏目": "news"})
    observe_column("首页", days_before(AS_OF, 1), SEEN, homepage=True)
    # Read on AS_OF; as of 09-10 the newest item was 08-01 (40 days): stale, and true.
    observe_column("动态", [date(2026, 9, 29), date(2026, 8, 1)], SEEN)
    # Only items after 09-10 listed: 09-10 is not covered for this column.
    observe_column("新栏目", [date(2026, 9, 29), date(2026, 9, 20)], SEEN)
    with session_scope() as session:
        judged = judge(session, date(2026, 9, 10))
    stale = [f.target_id for f in judged.findings if f.rule == "COLUMN_STALE"]
    assert stale == ["s/动态"]
    assert "未覆盖 2026-09-10" in judged.not_checked[("column", "s/新栏目")]


def test_healthy_site_then_failing_judged_20_days_later_gives_only_check_failed(
    database_url: str,
) -> None:
    register_columns({"动态": "news", "公告": "notice"})
    observe_column("首页", every_other_day(AS_OF, step=1), SEEN, homepage=True)
    observe_column("动态", every_other_day(AS_OF), SEEN)
    observe_column("公告", days_before(AS_OF, 3), SEEN)
    add_posts("weibo1", every_other_day(AS_OF - timedelta(days=1)), seen_at=SEEN)
    with session_scope() as session:
        run_check(session, AS_OF)
    assert open_findings() == []
    # Every crawl since fails: homepage, both columns, the account.
    for day in range(1, 21):
        failed_at = SEEN + timedelta(days=day)
        observe_column("首页", [], failed_at, homepage=True, error_class="http_error")
        observe_column("动态", [], failed_at, error_class="http_error")
        observe_column("公告", [], failed_at, error_class="timeout")
        add_posts("weibo1", [], seen_at=failed_at, error_class="blocked", block_reason="captcha")
    later = AS_OF + timedelta(days=20)
    with session_scope() as session:
        run_check(session, later)
    rules = {rule for rule, *_ in open_findings()}
    assert rules == {"CHECK_FAILED"}
    targets = {(kind, target) for _, kind, target, _ in open_findings()}
    assert targets == {
        ("site", "s"),
        ("column", "s/动态"),
        ("column", "s/公告"),
        ("account", "weibo1"),
    }
    with session_scope() as session:
        scores = {s.target_id: s for s in compute_scores(session)}
        past = {s.target_id: s for s in scores_as_of(session, later)}
    for result in (scores, past):
        assert result["s"].verdict is None and "服务器返回错误状态" in result["s"].reason
        assert result["weibo1"].verdict is None and "验证码" in result["weibo1"].reason


def test_a_stale_column_whose_latest_crawl_failed_is_not_counted(database_url: str) -> None:
    register_columns({f"动态{i}": "news" for i in range(5)})
    observe_column("首页", every_other_day(AS_OF, step=1), SEEN, homepage=True)
    for i in range(5):
        observe_column(f"动态{i}", days_before(AS_OF, 30), SEEN - timedelta(days=1))
        observe_column(f"动态{i}", [], SEEN, error_class="http_error")
    with session_scope() as session:
        judged = judge(session, AS_OF)
    rules = {f.rule for f in judged.findings}
    assert rules == {"CHECK_FAILED"}  # no COLUMN_STALE, no SITE_COLUMNS_NOT_UPDATED, no UNIT_QUOTA


def test_partial_timeline_judges_only_the_weeks_it_covers(database_url: str) -> None:
    # Quarter 2026-07-01..09-30; read on 09-30, complete only from 09-14 on.
    posts = days_before(AS_OF, 1, 2, 4, 5, 8, 9, 11, 12)
    add_posts("partial", posts, seen_at=SEEN, complete_from=date(2026, 9, 14))
    add_posts("unproved", [], seen_at=SEEN, complete_from=None)
    with session_scope() as session:
        judged = judge(session, AS_OF)
    weeks = sorted(f.subject for f in judged.findings if f.rule == "ACCOUNT_LOW_FREQUENCY")
    # Only the week 09-21..09-27 lies after 09-14 and before the read: 5 posts there -> none.
    assert weeks == []
    assert not [f for f in judged.findings if f.target_id == "partial" and f.rule != "CHECK_FAILED"]
    # An empty read without proof that the timeline is complete is not "没有任何发布内容".
    assert not [f for f in judged.findings if f.target_id == "unproved" and f.severity == "veto"]
    assert ("account", "unproved") in judged.not_checked


def test_past_day_check_leaves_live_findings_exactly_as_they_were(
    database_url: str, govwatch_cli
) -> None:  # type: ignore[no-untyped-def]
    today = china_today()
    now_seen = datetime.combine(today, datetime.min.time()) - timedelta(hours=6)  # today, China
    register_columns({"动态": "news"})
    observe_column(
        "首页", every_other_day(today, today - timedelta(days=30), step=1), now_seen, homepage=True
    )
    observe_column("动态", days_before(today, 30), now_seen)
    assert govwatch_cli("check").returncode == 0
    before = open_findings()
    assert [rule for rule, *_ in before] == ["COLUMN_STALE"]
    # As of 10 days ago the column was 20 days old: stale too; 40 days ago, not covered.
    for day in (today - timedelta(days=10), today - timedelta(days=40), today - timedelta(days=1)):
        result = govwatch_cli("check", "--as-of", day.isoformat(), "--format", "json")
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)
        assert "未改变已存储的问题" in result.stderr
        assert open_findings() == before
    with session_scope() as session:
        assert query_findings(session, status="resolved") == []
    # The next live check refreshes, it does not reopen as new.
    assert govwatch_cli("check").returncode == 0
    assert open_findings() == before


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--as-of", "0001-01-01"),
        ("check", "--as-of", "9999-12-31"),
        ("scores", "--as-of", "2999-01-01"),
        ("report", "--from", "0001-01-01", "--to", "9999-12-31", "--out", "r.md"),
        ("report", "--from", "2026-01-01", "--to", "2999-12-31", "--out", "r.md"),
    ],
)
def test_future_and_absurd_days_are_refused(database_url: str, govwatch_cli, args) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli(*args)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "超出允许范围" in lines[0] and "2000-01-01" in lines[0]
    assert "Traceback" not in result.stderr


def test_tomorrow_is_refused_and_a_day_without_observations_is_all_not_checked(
    database_url: str, govwatch_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    tomorrow = china_today() + timedelta(days=1)
    assert govwatch_cli("scores", "--as-of", tomorrow.isoformat()).returncode == 2
    healthy_site()
    add_posts("active", days_before(AS_OF, 1, 3), seen_at=SEEN)
    result = govwatch_cli("scores", "--as-of", "2026-01-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(row["verdict"] is None and row["reason"] for row in rows)
    report = govwatch_cli(
        "report", "--from", "2020-01-01", "--to", "2020-03-31", "--out", str(tmp_path / "r.md")
    )
    assert report.returncode == 0, report.stderr
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    judged = text[text.index("## 政府网站检查情况") : text.index("## 通报")]
    assert "未能检查" in judged and "合格" not in judged.replace("不计入合格率", "")
    table = govwatch_cli("scores", "--as-of", "2026-01-01")
    assert "未能检查 2 个" in table.stdout and "检查 0 个" in table.stdout


def test_a_column_answering_500_is_check_failed_and_not_also_a_broken_link(
    database_url: str,
) -> None:
    register_columns({"动态": "news", "公告": "notice"})
    observe_column("首页", every_other_day(AS_OF, step=1), SEEN, homepage=True)
    observe_column("动态", [], SEEN, error_class="http_error")
    observe_column("公告", days_before(AS_OF, 3), SEEN)
    with session_scope() as session:
        run_id = start_crawl_run(session, "site", "s")
        for url in ("http://h.gov.cn/0/", "http://h.gov.cn/gone.html"):
            session.add(
                LinkCheck(
                    crawl_run_id=run_id,
                    site_id="s",
                    url=url,
                    kind="link",
                    found_on=["http://h.gov.cn/"],
                    on_homepage=True,
                    checked_at=SEEN,
                    ok=False,
                    problem="http_error",
                    http_status=500 if url.endswith("0/") else 404,
                )
            )
        run_check(session, AS_OF)
        failed = query_findings(session, rule="CHECK_FAILED")
        broken = query_findings(session, rule="LINK_BROKEN")
    assert [f.target_id for f in failed] == ["s/动态"]
    assert [f.subject for f in broken] == ["http://h.gov.cn/gone.html"]
