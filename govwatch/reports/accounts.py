"""The new-media table of a notice: 名称 | 平台类型 | 主办单位 | 更新日期 | 更新频率(条/月) | 备注.

更新日期 is the newest post on or before the period's end; 更新频率 the period's posts
per month (partial months counted by their share of days); 备注 the account's open
problems as of the period's end, in a notice's short words.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from govwatch.reports.model import FindingFact, Table
from govwatch.reports.periods import months_spanned
from govwatch.reports.sites import NOT_CHECKED
from monitor.rules.account_silence import PLATFORM_LABELS
from monitor.scores import TargetScore
from storage.stats import AccountMonthCount, month_keys


def _remarks(findings: list[FindingFact], newest: date | None, end: date) -> str:
    by_rule: dict[str, list[FindingFact]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule].append(finding)
    remarks = []
    if "ACCOUNT_ZOMBIE" in by_rule:
        remarks.append("超过90天未更新,应关停或整合")
    elif "ACCOUNT_STALE" in by_rule:
        remarks.append(
            f"两周未更新(已{(end - newest).days}天)" if newest else "两周未更新(无任何发布)"
        )
    if low := by_rule.pop("ACCOUNT_LOW_FREQUENCY", []):
        remarks.append(f"{len(low)}周更新少于2条")
    if "WRONG_EXPRESSION" in by_rule:
        remarks.append("存在严重表述错误")
    for rule, facts in by_rule.items():
        if rule in ("ACCOUNT_ZOMBIE", "ACCOUNT_STALE", "WRONG_EXPRESSION"):
            continue
        if rule == "CHECK_FAILED":
            remarks.append(f"{NOT_CHECKED}:{facts[0].message}")
        else:
            remarks.append(facts[0].rule_name)
    return ";".join(remarks)


def accounts_table(
    scores: list[TargetScore],
    post_counts: list[AccountMonthCount],
    newest_posts: dict[str, date],
    findings: list[FindingFact],
    start: date,
    end: date,
) -> Table:
    """One row per active account, in account id order."""
    posts_in_period: dict[str, int] = defaultdict(int)
    for row in post_counts:
        posts_in_period[row.account_id] += row.count
    spanned = months_spanned(start, end, month_keys(start, end))
    account_findings: dict[str, list[FindingFact]] = defaultdict(list)
    for finding in findings:
        if finding.target_type == "account":
            account_findings[finding.target_id].append(finding)
    table = Table(
        key="accounts",
        title="政务新媒体检查情况",
        headers=[
            "序号",
            "名称",
            "平台类型",
            "主办单位",
            "更新日期",
            "更新频率(条/月)",
            "检查结果",
            "备注",
        ],
        widths=[6, 20, 12, 20, 12, 14, 10, 40],
        wrap_columns={7},
    )
    accounts = [score for score in scores if score.target_type == "account"]
    for index, score in enumerate(accounts, start=1):
        newest = newest_posts.get(score.target_id)
        table.rows.append(
            [
                index,
                score.name,
                PLATFORM_LABELS.get(score.platform or "", score.platform or ""),
                score.unit or "",
                newest.isoformat() if newest else "无",
                round(posts_in_period[score.target_id] / spanned, 1) if spanned else None,
                score.verdict or NOT_CHECKED,
                _remarks(account_findings[score.target_id], newest, end)
                if score.verdict is not None
                else f"{NOT_CHECKED}:{score.reason}",
            ]
        )
    return table
