"""The indicator engine's rules on crafted observations: each fires on its case and stays
quiet on a healthy one, with the points and verdict it gives."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from observe import add_posts, days_before, observe_column, register_columns

from monitor.check import run_check
from monitor.scores import RegionTotals, compute_scores
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import Article, InteractionMessage, Item, SiteColumn

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2, 0)


def findings_of(rule: str) -> list:
    with session_scope() as session:
        run_check(session, AS_OF)
        return query_findings(session, rule=rule)


def scores() -> dict:
    with session_scope() as session:
        return {(s.target_type, s.target_id): s for s in compute_scores(session)}


@pytest.mark.parametrize(("stale_columns", "vetoed"), [(4, False), (5, True)])
def test_site_columns_not_updated_counts_columns(
    database_url: str, stale_columns: int, vetoed: bool
) -> None:
    names = {f"动态{i}": "news" for i in range(6)}
    register_columns(names)
    for index, name in enumerate(names):
        observe_column(name, days_before(AS_OF, 30 if index < stale_columns else 1), SEEN)
    found = findings_of("SITE_COLUMNS_NOT_UPDATED")
    assert [f.target_id for f in found] == (["s"] if vetoed else [])
    result = scores()[("site", "s")]
    assert result.verdict == ("不合格" if vetoed else "合格")
    if not vetoed:
        # 4 stale columns x 5 points, under the indicator's 30-point cap.
        assert result.deductions == 20.0 and result.score == 80.0


def test_long_not_updated_and_empty_column_vetoes(database_url: str) -> None:
    columns = {f"人事{i}": "static" for i in range(10)} | {f"空{i}": "news" for i in range(5)}
    register_columns(columns)
    for name, category in columns.items():
        observe_column(name, days_before(AS_OF, 400) if category == "static" else [], SEEN)
    assert [f.target_id for f in findings_of("SITE_COLUMNS_LONG_NOT_UPDATED")] == ["s"]
    assert [f.target_id for f in findings_of("SITE_EMPTY_COLUMNS")] == ["s"]
    assert findings_of("SITE_COLUMNS_NOT_UPDATED") == []  # static columns do not count there
    result = scores()[("site", "s")]
    assert set(result.vetoes) == {"SITE_COLUMNS_LONG_NOT_UPDATED", "SITE_EMPTY_COLUMNS"}
    # Deductions are capped per indicator: 10 stale x 5 = 50 -> 30, 5 empty x 5 = 25 -> 20.
    assert result.deductions == 50.0


def test_unit_quota_by_month(database_url: str) -> None:
    register_columns({"动态": "news"})
    july = [date(2026, 7, d) for d in range(1, 13)]  # 12 in July: fine
    august = [date(2026, 8, d) for d in range(1, 4)]  # 3 in August: short
    september = [date(2026, 9, d) for d in range(1, 11)]  # 10 in September: fine
    observe_column("动态", july + august + september, SEEN)
    found = findings_of("UNIT_QUOTA")
    assert [(f.target_type, f.target_id) for f in found] == [("unit", "办公室")]
    assert "2026年08月在网站发布信息3条,低于要求的10条" in found[0].message


def test_update_gap_in_a_fresh_column(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column(
        "动态", [date(2026, 9, 29), date(2026, 9, 1), date(2026, 8, 10), date(2026, 7, 2)], SEEN
    )
    found = findings_of("UPDATE_GAP")
    assert [f.subject for f in found] == ["2026-07-02", "2026-08-10", "2026-09-01"]
    assert findings_of("COLUMN_STALE") == []  # fresh at the check, gap or not


def test_update_gap_on_an_account(database_url: str) -> None:
    add_posts("acc", [date(2026, 9, 28), date(2026, 9, 27), date(2026, 9, 5), date(2026, 9, 4)])
    found = findings_of("UPDATE_GAP")
    assert [(f.target_id, f.subject) for f in found] == [("acc", "2026-09-05")]


def test_batch_update_at_month_end(database_url: str) -> None:
    register_columns({"动态": "news", "正常": "news"})
    batched = [
        date(2026, 8, 29),
        date(2026, 8, 30),
        date(2026, 8, 31),
        date(2026, 8, 31),
        date(2026, 8, 3),
    ]
    steady = [date(2026, 8, d) for d in (3, 10, 17, 24, 31)]
    observe_column("动态", [*batched, date(2026, 9, 29)], SEEN)
    observe_column("正常", [*steady, date(2026, 9, 29)], SEEN)
    found = findings_of("BATCH_UPDATE")
    assert [(f.target_id, f.subject, f.severity) for f in found] == [("s/动态", "2026-08", "info")]


def test_item_backdated_after_an_earlier_crawl(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", [date(2026, 9, 10), date(2026, 9, 1)], datetime(2026, 9, 12, 2))
    # Next crawl, 09-20: a new item dated 09-05 appears, inside the range the first crawl showed.
    observe_column(
        "动态", [date(2026, 9, 10), date(2026, 9, 5), date(2026, 9, 1)], datetime(2026, 9, 20, 2)
    )
    # A genuinely new item dated the day before the second crawl is fine.
    observe_column(
        "动态",
        [date(2026, 9, 19), date(2026, 9, 10), date(2026, 9, 5), date(2026, 9, 1)],
        datetime(2026, 9, 20, 3),
    )
    found = findings_of("ITEM_BACKDATED")
    assert len(found) == 1 and found[0].severity == "veto"
    assert "标注发布于2026-09-05,但2026-09-20才首次出现" in found[0].message


def test_wrong_expression_in_new_article(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 1, 2), SEEN)
    with session_scope() as session:
        column_id = session.query(SiteColumn.id).filter(SiteColumn.name == "动态").scalar()
        session.add_all(
            [
                Article(
                    url="http://h.gov.cn/a/1.html",
                    site_id="s",
                    column_id=column_id,
                    title="关于开展检查的通知",
                    text="根据国家工商行政管理总局的部署,我县开展了专项检查。",
                    fetched_at=SEEN,
                ),
                Article(
                    url="http://h.gov.cn/a/2.html",
                    site_id="s",
                    column_id=column_id,
                    title="工作动态",
                    text="县市场监督管理局召开会议,传达国家市场监督管理总局文件精神。",
                    fetched_at=SEEN,
                ),
            ]
        )
    (finding,) = findings_of("WRONG_EXPRESSION")
    assert finding.severity == "veto" and finding.evidence == ["http://h.gov.cn/a/1.html"]
    assert "“国家工商行政管理总局”" in finding.message and "国家市场监督管理总局" in finding.message
    assert scores()[("site", "s")].verdict == "不合格"


def test_interaction_unanswered_over_three_months(database_url: str) -> None:
    register_columns({"政务咨询": "interaction"})
    observe_column("政务咨询", days_before(AS_OF, 1), SEEN)
    with session_scope() as session:
        column_id = session.query(SiteColumn.id).filter(SiteColumn.name == "政务咨询").scalar()

        def message(
            key: str, asked: date, answered: date | None, status: str
        ) -> InteractionMessage:
            return InteractionMessage(
                column_id=column_id,
                message_key=key,
                title=key,
                asked_on=asked,
                answered_on=answered,
                status=status,
                first_seen_at=SEEN,
                last_seen_at=SEEN,
            )

        session.add_all(
            [
                message("未回复的老留言", date(2026, 5, 1), None, "unanswered"),
                message("及时回复", date(2026, 5, 1), date(2026, 5, 10), "answered"),
                message("迟迟回复", date(2026, 2, 1), date(2026, 6, 1), "answered"),
                message("刚提交", date(2026, 9, 1), None, "unanswered"),
                message("两年前", date(2024, 1, 1), None, "unanswered"),
            ]
        )
    found = sorted(f.subject for f in findings_of("INTERACTION_UNANSWERED"))
    assert found == ["未回复的老留言", "迟迟回复"]


def test_zombie_account_and_region_totals(database_url: str) -> None:
    add_posts("zombie", [AS_OF - timedelta(days=120)])
    add_posts("active", [AS_OF - timedelta(days=d) for d in range(0, 120, 2)])
    assert [f.target_id for f in findings_of("ACCOUNT_ZOMBIE")] == ["zombie"]
    result = scores()
    assert result[("account", "zombie")].verdict == "不合格"
    assert set(result[("account", "zombie")].vetoes) == {"ACCOUNT_STALE", "ACCOUNT_ZOMBIE"}
    assert result[("account", "active")].verdict == "合格"
    with session_scope() as session:
        totals = RegionTotals.of(compute_scores(session))
    assert (totals.checked, totals.passed, totals.pass_rate) == (2, 1, 0.5)


def test_items_table_untouched_by_checks(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 1), SEEN)
    findings_of("COLUMN_STALE")
    with session_scope() as session:
        assert session.query(Item).count() == 1
