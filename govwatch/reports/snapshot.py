"""The state of findings and scores on the report's day, without changing what is stored.

Like ``monitor.scores.scores_as_of``, the rules judge the day on the fly
(``monitor.check.judge``, nothing written); the scores and the findings the notice
names come from that one judgement, and targets no crawl covers are 未能检查 with
the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from govwatch.reports.model import FindingFact
from monitor.check import JudgedFinding, judge
from monitor.rubric import load_rubric
from monitor.rules import RULES
from monitor.scores import TargetScore, compute_scores
from storage.models import Account, Site

RULE_NAMES = {rule.code: rule.name for rule in RULES}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Scores and open findings as of one day."""

    as_of: date
    scores: list[TargetScore]
    findings: list[FindingFact]


def _target_names(session: Session) -> dict[tuple[str, str], str]:
    names = {
        ("site", site_id): name for site_id, name in session.execute(select(Site.id, Site.name))
    }
    names |= {
        ("account", account_id): name
        for account_id, name in session.execute(select(Account.id, Account.name))
    }
    return names


def _fact(finding: JudgedFinding, names: dict[tuple[str, str], str]) -> FindingFact:
    if finding.target_type == "column":
        target_name = names.get(("site", finding.target_id.split("/", 1)[0]), finding.target_id)
    elif finding.target_type == "unit":
        target_name = finding.target_id
    else:
        target_name = names.get((finding.target_type, finding.target_id), finding.target_id)
    return FindingFact(
        finding.rule,
        RULE_NAMES.get(finding.rule, finding.rule),
        finding.severity,
        finding.target_type,
        finding.target_id,
        target_name,
        finding.unit,
        finding.message,
    )


def take_snapshot(session: Session, as_of: date) -> Snapshot:
    """Scores and findings as judged on ``as_of``; stored findings untouched."""
    names = _target_names(session)
    rubric = load_rubric()
    judged = judge(session, as_of, rubric=rubric)
    scores = compute_scores(
        session, rubric, findings=judged.findings, not_checked=judged.not_checked
    )
    unchecked_columns = {target_id for kind, target_id in judged.not_checked if kind == "column"}
    findings = [
        _fact(finding, names)
        for finding in judged.findings
        # A column no crawl covered is not judged: only its 未能检查 line is kept.
        if not (
            finding.target_type == "column"
            and finding.target_id in unchecked_columns
            and finding.rule != "CHECK_FAILED"
        )
    ]
    return Snapshot(as_of, scores, findings)
