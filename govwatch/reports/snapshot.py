"""The state of findings and scores on the report's day, without changing what is stored.

Like ``monitor.scores.scores_as_of``, a check as of the day runs inside a savepoint that
is rolled back; here the open findings are copied out too, so the scores and the
findings the notice names come from the same check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from govwatch.reports.model import FindingFact
from monitor.check import run_check
from monitor.rules import RULES
from monitor.scores import TargetScore, compute_scores
from storage.models import Account, Finding, Site

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


def _fact(finding: Finding, names: dict[tuple[str, str], str]) -> FindingFact:
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
    """Scores and open findings after a check as of ``as_of``; stored findings untouched."""
    names = _target_names(session)
    with session.begin_nested() as savepoint:
        run_check(session, as_of)
        scores = compute_scores(session)
        findings = [
            _fact(finding, names)
            for finding in session.scalars(
                select(Finding)
                .where(Finding.status == "open")
                .order_by(Finding.target_type, Finding.target_id, Finding.rule, Finding.id)
            )
        ]
        savepoint.rollback()
    return Snapshot(as_of, scores, findings)
