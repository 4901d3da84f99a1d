"""Gathering a report: the counts of the period and the judgement as of its last day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session

from govwatch.reports.accounts import accounts_table
from govwatch.reports.model import Report
from govwatch.reports.notice import build_notice
from govwatch.reports.periods import period_label
from govwatch.reports.ranking import ranking_table
from govwatch.reports.sites import sites_table
from govwatch.reports.snapshot import take_snapshot
from govwatch.reports.summary import summary_table
from govwatch.reports.unit_counts import GROUP_TITLES, unit_count_tables, unit_group
from monitor.rubric import load_rubric
from monitor.scores import RegionTotals
from storage.clock import utcnow
from storage.stats import account_monthly_post_counts, newest_post_days, unit_monthly_item_counts

#: Units named in the notice as the most productive.
TOP_UNITS = 3


def build_report(session: Session, start: date, end: date) -> Report:
    """The report of [start, end]; scores and findings judged as of ``end``."""
    rubric = load_rubric()
    monthly_quota = int(rubric.param("UNIT_QUOTA", "monthly_site_items"))
    overrides = rubric.param("UNIT_QUOTA", "unit_overrides") or {}
    unit_counts = unit_monthly_item_counts(session, start, end)
    post_counts = account_monthly_post_counts(session, start, end)
    newest_posts = newest_post_days(session, end)
    snapshot = take_snapshot(session, end)

    site_scores = [score for score in snapshot.scores if score.target_type == "site"]
    account_scores = [score for score in snapshot.scores if score.target_type == "account"]
    site_totals = RegionTotals.of(site_scores)
    account_totals = RegionTotals.of(account_scores)
    all_totals = RegionTotals.of(snapshot.scores)

    count_tables, shortfalls = unit_count_tables(unit_counts, start, end, monthly_quota, overrides)
    ranking = ranking_table(unit_counts, start, end)
    label = period_label(start, end)
    monthly_items: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in unit_counts:
        monthly_items[GROUP_TITLES[unit_group(row.unit_kind)]][row.month] += row.count
    notice = build_notice(
        label,
        end,
        site_totals,
        account_totals,
        all_totals,
        snapshot.findings,
        shortfalls,
        items_total=sum(row.count for row in unit_counts),
        top_units=[(str(row[1]), int(row[3])) for row in ranking.rows[:TOP_UNITS] if row[3]],  # type: ignore[arg-type]
        monthly_quota=monthly_quota,
        not_checked=[
            (score.name, score.reason) for score in snapshot.scores if score.verdict is None
        ],
    )
    tables = [
        summary_table(site_totals, account_totals, all_totals, rubric.pass_line),
        *count_tables,
        ranking,
        sites_table(snapshot.scores),
        accounts_table(snapshot.scores, post_counts, newest_posts, snapshot.findings, start, end),
    ]
    return Report(
        title=f"{label}政府网站与政务新媒体检查报告",
        period_label=label,
        start=start,
        end=end,
        generated_at=utcnow(),
        monthly_quota=monthly_quota,
        site_totals=site_totals,
        account_totals=account_totals,
        all_totals=all_totals,
        scores=snapshot.scores,
        findings=snapshot.findings,
        shortfalls=shortfalls,
        tables=tables,
        notice=notice,
        monthly_items={group: dict(months) for group, months in monthly_items.items()},
    )
