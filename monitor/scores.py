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

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

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


def _owner(target_type: str, target_id: str) -> tuple[str, str] | None:
    if target_type in ("site", "account"):
        return target_type, target_id
    if target_type == "column":
        return "site", target_id.split("/", 1)[0]
    return None


def capped_deductions(findings: Sequence[FindingLike], rubric: Rubric) -> float:
    """Points deducted, each indicator's total capped at its share of the 100 points."""
    by_rule: dict[str, float] = defaultdict(float)
    for finding in findings:
        if finding.severity == "deduction":
            by_rule[finding.rule] += finding.points
    return _capped(by_rule, rubric)


def _capped(by_rule: dict[str, float], rubric: Rubric) -> float:
    return round(sum(min(total, rubric.cap(rule)) for rule, total in by_rule.items()), 2)


@dataclass
class _Tally:
    """What one site's or account's counted findings add up to."""

    vetoes: set[str] = field(default_factory=set)
    deductions: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    problems: list[str] = field(default_factory=list)

    def add(self, rule: str, severity: str, points: float) -> None:
        if severity == "veto":
            self.vetoes.add(rule)
        elif severity == "deduction":
            self.deductions[rule] += points


def _tally_findings(
    findings: Sequence[FindingLike], not_checked: dict[tuple[str, str], str] | None
) -> tuple[dict[tuple[str, str], _Tally], dict[tuple[str, str], str]]:
    """Tallies per site and account from findings in memory (judged on the fly)."""
    unchecked = dict(not_checked or {})
    for finding in findings:
        key = (finding.target_type, finding.target_id)
        if finding.rule == "CHECK_FAILED" and key not in unchecked:
            unchecked[key] = finding.message
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for finding in findings:
        column_unchecked = ("column", finding.target_id) in unchecked
        if finding.target_type == "column" and finding.rule != "CHECK_FAILED" and column_unchecked:
            continue  # the column was not observed on the day: this is no judgement of it
        owner = _owner(finding.target_type, finding.target_id)
        if owner is not None:
            tally = tallies[owner]
            tally.add(finding.rule, finding.severity, finding.points)
            tally.problems.append(finding.message)
    return tallies, unchecked


def _tally_stored(
    session: Session, with_problems: bool
) -> tuple[dict[tuple[str, str], _Tally], dict[tuple[str, str], str]]:
    """Tallies per site and account from the open findings, summed in SQL.

    The database returns one row per target, rule and severity (points summed), not
    one per finding, and the sentences (when wanted) as bare strings: no finding is
    loaded as an object, so the cost follows the number of targets, not of findings.
    """
    is_open = Finding.status == "open"
    unchecked: dict[tuple[str, str], str] = {}
    for target_type, target_id, message in session.execute(
        select(Finding.target_type, Finding.target_id, Finding.message)
        .where(is_open, Finding.rule == "CHECK_FAILED")
        .order_by(Finding.id)
    ):
        unchecked.setdefault((target_type, target_id), message)
    failed_column = aliased(Finding)
    counted = is_open & ~(
        (Finding.target_type == "column")
        & (Finding.rule != "CHECK_FAILED")
        # The column was not observed on the day: its findings are no judgement of it.
        & select(failed_column.id)
        .where(
            failed_column.status == "open",
            failed_column.rule == "CHECK_FAILED",
            failed_column.target_type == "column",
            failed_column.target_id == Finding.target_id,
        )
        .exists()
    )
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for target_type, target_id, rule, severity, points in session.execute(
        select(
            Finding.target_type,
            Finding.target_id,
            Finding.rule,
            Finding.severity,
            func.sum(Finding.points),
        )
        .where(counted, Finding.severity.in_(("veto", "deduction")))
        .group_by(Finding.target_type, Finding.target_id, Finding.rule, Finding.severity)
    ):
        owner = _owner(target_type, target_id)
        if owner is not None:
            tallies[owner].add(rule, severity, float(points or 0.0))
    if with_problems:
        for target_type, target_id, message in session.execute(
            select(Finding.target_type, Finding.target_id, Finding.message)
            .where(counted)
            .order_by(Finding.id)
            .execution_options(yield_per=5000)
        ):
            owner = _owner(target_type, target_id)
            if owner is not None:
                tallies[owner].problems.append(message)
    return tallies, unchecked


def compute_scores(
    session: Session,
    rubric: Rubric | None = None,
    *,
    findings: Sequence[FindingLike] | None = None,
    not_checked: dict[tuple[str, str], str] | None = None,
    with_problems: bool = True,
) -> list[TargetScore]:
    """Every active site's and account's score.

    From ``findings`` (default: the findings now open, summed in SQL) and
    ``not_checked``, the targets no observation covers with the reason (as
    ``monitor.check.judge`` gives them; default: none beyond what the findings say).
    ``with_problems=False`` leaves out every problem's sentence (for a view that shows
    only scores and verdicts).
    """
    rubric = rubric or load_rubric()
    if findings is None:
        tallies, unchecked = _tally_stored(session, with_problems)
    else:
        tallies, unchecked = _tally_findings(findings, not_checked)
    crawled = {("site", site_id) for site_id in session.scalars(select(Fetch.site_id).distinct())}
    crawled |= {
        ("account", account_id)
        for account_id in session.scalars(select(AccountFetch.account_id).distinct())
    }
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    targets: list[tuple[str, str, str, int | None, str | None]] = [
        ("site", site_id, name, unit_id, None)
        for site_id, name, unit_id in session.execute(
            select(Site.id, Site.name, Site.unit_id).where(Site.active.is_(True)).order_by(Site.id)
        )
    ]
    targets += [
        ("account", account_id, name, unit_id, platform)
        for account_id, name, unit_id, platform in session.execute(
            select(Account.id, Account.name, Account.unit_id, Account.platform)
            .where(Account.active.is_(True))
            .order_by(Account.id)
        )
    ]
    empty = _Tally()
    scores = []
    for target_type, target_id, name, unit_id, platform in targets:
        tally = tallies.get((target_type, target_id), empty)
        unit = units.get(unit_id) if unit_id is not None else None
        problems = tuple(tally.problems)
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
        vetoes = tuple(sorted(tally.vetoes))
        deductions = _capped(tally.deductions, rubric)
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
