"""Scores and verdicts per site and account, and the region's totals, from open findings.

As the indicators score: any open veto makes a target 不合格 whatever its points;
otherwise 100 minus its deductions, and under the pass line (60) is 不合格. A target
that could not be checked (its homepage or timeline unreadable, never crawled, or no
crawl covering the day: ``monitor/coverage.py``) gets no verdict (未能检查), is
counted apart, and says why. A column that could not be checked does not count
against its site (its older findings are not judgements of the day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.rubric import Rubric, load_rubric
from storage.models import Account, AccountFetch, Fetch, Finding, Site, Unit

PASS = "合格"
FAIL = "不合格"
NOT_CHECKED = "未能检查"


class FindingLike(Protocol):
    """A stored finding or one judged on the fly (``monitor.check.JudgedFinding``)."""

    rule: str
    severity: str
    points: float
    target_type: str
    target_id: str
    message: str


@dataclass(frozen=True, slots=True)
class TargetScore:
    """One site's or account's judgement."""

    target_type: str  # site | account
    target_id: str
    name: str
    unit: str | None
    platform: str | None
    score: float | None  # None: no verdict
    verdict: str | None  # 合格 | 不合格 | None (not checked)
    vetoes: tuple[str, ...]
    deductions: float
    problems: tuple[str, ...] = field(default=())  # every open problem's sentence
    reason: str = ""  # why there is no verdict

    def as_record(self) -> dict[str, object]:
        """The JSON object of ``govwatch scores``."""
        return {
            "target_type": self.target_type,
            "target_id": self.target_id,
            "name": self.name,
            "unit": self.unit,
            "platform": self.platform,
            "score": self.score,
            "verdict": self.verdict,
            "vetoes": list(self.vetoes),
            "deductions": self.deductions,
            "problems": list(self.problems),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class RegionTotals:
    """The summary line of a notice: checked, passed, pass rate, average score."""

    checked: int
    passed: int
    failed: int
    not_checked: int
    pass_rate: float | None  # passed / checked
    average_score: float | None

    @classmethod
    def of(cls, scores: list[TargetScore]) -> RegionTotals:
        judged = [score for score in scores if score.verdict is not None]
        passed = sum(1 for score in judged if score.verdict == PASS)
        numeric = [score.score for score in judged if score.score is not None]
        return cls(
            checked=len(judged),
            passed=passed,
            failed=len(judged) - passed,
            not_checked=len(scores) - len(judged),
            pass_rate=round(passed / len(judged), 4) if judged else None,
            average_score=round(sum(numeric) / len(numeric), 2) if numeric else None,
        )


def _owner(finding: FindingLike) -> tuple[str, str] | None:
    if finding.target_type in ("site", "account"):
        return finding.target_type, finding.target_id
    if finding.target_type == "column":
        return "site", finding.target_id.split("/", 1)[0]
    return None


def capped_deductions(findings: Sequence[FindingLike], rubric: Rubric) -> float:
    """Points deducted, each indicator's total capped at its share of the 100 points."""
    by_rule: dict[str, float] = defaultdict(float)
    for finding in findings:
        if finding.severity == "deduction":
            by_rule[finding.rule] += finding.points
    return round(
        sum(min(total, rubric.cap(rule)) for rule, total in by_rule.items()),
        2,
    )


def compute_scores(
    session: Session,
    rubric: Rubric | None = None,
    *,
    findings: Sequence[FindingLike] | None = None,
    not_checked: dict[tuple[str, str], str] | None = None,
) -> list[TargetScore]:
    """Every active site's and account's score.

    From ``findings`` (default: the findings now open) and ``not_checked``, the
    targets no observation covers with the reason (as ``monitor.check.judge`` gives
    them; default: none beyond what the findings say).
    """
    rubric = rubric or load_rubric()
    if findings is None:
        findings = list(session.scalars(select(Finding).where(Finding.status == "open")))
    unchecked = dict(not_checked or {})
    for finding in findings:
        key = (finding.target_type, finding.target_id)
        if finding.rule == "CHECK_FAILED" and key not in unchecked:
            unchecked[key] = finding.message
    open_findings: dict[tuple[str, str], list[FindingLike]] = defaultdict(list)
    for finding in findings:
        column_unchecked = ("column", finding.target_id) in unchecked
        if finding.target_type == "column" and finding.rule != "CHECK_FAILED" and column_unchecked:
            continue  # the column was not observed on the day: this is no judgement of it
        owner = _owner(finding)
        if owner is not None:
            open_findings[owner].append(finding)
    crawled = {("site", site_id) for site_id in session.scalars(select(Fetch.site_id).distinct())}
    crawled |= {
        ("account", account_id)
        for account_id in session.scalars(select(AccountFetch.account_id).distinct())
    }
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    targets: list[tuple[str, str, str, int | None, str | None]] = [
        ("site", site.id, site.name, site.unit_id, None)
        for site in session.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.id))
    ]
    targets += [
        ("account", account.id, account.name, account.unit_id, account.platform)
        for account in session.scalars(
            select(Account).where(Account.active.is_(True)).order_by(Account.id)
        )
    ]
    scores = []
    for target_type, target_id, name, unit_id, platform in targets:
        target_findings = open_findings.get((target_type, target_id), [])
        unit = units.get(unit_id) if unit_id is not None else None
        problems = tuple(f.message for f in target_findings)
        reason = unchecked.get((target_type, target_id))
        if (target_type, target_id) not in crawled or reason is not None:
            reason = reason or "尚未检查(从未抓取)"
            scores.append(
                TargetScore(
                    target_type,
                    target_id,
                    name,
                    unit,
                    platform,
                    None,
                    None,
                    (),
                    0.0,
                    problems,
                    reason,
                )
            )
            continue
        vetoes = tuple(sorted({f.rule for f in target_findings if f.severity == "veto"}))
        deductions = capped_deductions(target_findings, rubric)
        score = max(0.0, round(100.0 - deductions, 2))
        verdict = FAIL if vetoes or score < rubric.pass_line else PASS
        scores.append(
            TargetScore(
                target_type,
                target_id,
                name,
                unit,
                platform,
                score,
                verdict,
                vetoes,
                deductions,
                problems,
            )
        )
    return scores


def scores_as_of(session: Session, as_of: date, rubric: Rubric | None = None) -> list[TargetScore]:
    """Scores as judged on ``as_of``, computed on the fly; stored findings are untouched."""
    from monitor.check import judge

    rubric = rubric or load_rubric()
    judged = judge(session, as_of, rubric=rubric)
    return compute_scores(session, rubric, findings=judged.findings, not_checked=judged.not_checked)
