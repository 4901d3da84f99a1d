"""A check: evaluate every rule as of a day and open, refresh or resolve findings.

A finding's identity is its fingerprint (rule, target, subject). A rule's judgement
of a target opens the problems it sees, refreshes those already open, and resolves
the target's open findings of that rule it no longer sees. Targets a rule could not
judge (not crawled, unreadable, or no crawl covering the day: see
``monitor/coverage.py``) keep their findings as they are.

Two ways to check, one set of rules:

- ``run_check`` is the live check (``govwatch check``, the scheduler): it stores
  findings and drives their lifecycle (open -> resolved, first seen, notifications).
- ``judge`` computes the findings as of any day on the fly and writes nothing. A
  past day (``govwatch check --as-of`` before today), ``govwatch scores --as-of`` and
  reports use it, so re-judging the past never resolves, reopens or re-dates the
  live findings. Past-day results are not stored.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.rubric import Rubric, RuleSettings, load_rubric
from monitor.rules import RULES
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from settings import Settings, get_settings
from storage.clock import end_of_china_day_utc, utcnow
from storage.models import Finding


@dataclass
class CheckSummary:
    """Counts of what a check changed, per rule code."""

    as_of: date
    opened: Counter[str] = field(default_factory=Counter)
    refreshed: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    opened_ids: list[int] = field(default_factory=list)  # findings new (or back) in this check


#: Longest fingerprint kept readable (the column's length); longer ones are hashed.
FINGERPRINT_MAX = 1000


def fingerprint(rule_code: str, target_type: str, target_id: str, subject: str) -> str:
    """The identity of a finding across checks.

    A subject can be a crawled URL of any length; a fingerprint over the column's
    length keeps a readable start and ends with the SHA-256 of the whole key, so it
    stays unique and fits (and indexes) on every database.
    """
    key = f"{rule_code}|{target_type}|{target_id}|{subject}"
    if len(key) <= FINGERPRINT_MAX:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[:200]}|sha256:{digest}"


def _apply(
    session: Session,
    rule: Rule,
    rule_settings: RuleSettings,
    judgements: list[Judgement],
    summary: CheckSummary,
) -> None:
    open_findings = {
        finding.fingerprint: finding
        for finding in session.scalars(
            select(Finding).where(Finding.rule == rule.code, Finding.status == "open")
        )
    }
    now = utcnow()
    seen: set[str] = set()
    reopened: list[Finding] = []
    judged_targets: set[tuple[str, str]] = set()
    closed_findings = _closed_findings(session, rule, judgements, open_findings)
    for judgement in judgements:
        judged_targets.add((judgement.target_type, judgement.target_id))
        for detection in judgement.detections:
            key = fingerprint(
                rule.code, judgement.target_type, judgement.target_id, detection.subject
            )
            if key in seen:
                continue
            seen.add(key)
            finding = open_findings.get(key) or closed_findings.get(key)
            if finding is None:
                finding = Finding(
                    fingerprint=key,
                    rule=rule.code,
                    target_type=judgement.target_type,
                    target_id=judgement.target_id,
                    subject=detection.subject,
                    first_seen=now,
                )
                session.add(finding)
                summary.opened[rule.code] += 1
                reopened.append(finding)
            elif finding.status != "open":
                summary.opened[rule.code] += 1  # the problem came back
                reopened.append(finding)
            else:
                summary.refreshed[rule.code] += 1
            finding.severity = rule_settings.severity
            finding.points = _points(rule_settings, detection)
            finding.unit = judgement.unit
            finding.message = detection.message
            finding.evidence = list(detection.evidence)
            finding.last_seen = now
            finding.status = "open"
            finding.resolved_at = None
    session.flush()
    summary.opened_ids.extend(finding.id for finding in reopened)
    for key, finding in open_findings.items():
        if key not in seen and (finding.target_type, finding.target_id) in judged_targets:
            finding.status = "resolved"
            finding.resolved_at = now
            summary.resolved[rule.code] += 1


_LOOKUP_CHUNK = 500  # fingerprints per IN (...) look-up, well under any bind-parameter limit


def _closed_findings(
    session: Session, rule: Rule, judgements: list[Judgement], open_findings: dict[str, Finding]
) -> dict[str, Finding]:
    """The resolved findings this check's detections bring back, in a few IN (...) queries.

    One query per detection (and the autoflush each one triggered, inserting the new
    findings one at a time) cost most of a first check on a large database.
    """
    wanted = sorted(
        {
            fingerprint(rule.code, j.target_type, j.target_id, d.subject)
            for j in judgements
            for d in j.detections
        }
        - open_findings.keys()
    )
    closed: dict[str, Finding] = {}
    with session.no_autoflush:
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = wanted[start : start + _LOOKUP_CHUNK]
            for finding in session.scalars(select(Finding).where(Finding.fingerprint.in_(chunk))):
                closed[finding.fingerprint] = finding
    return closed


def make_context(
    session: Session,
    as_of: date,
    settings: Settings | None = None,
    rubric: Rubric | None = None,
) -> CheckContext:
    """The context rules evaluate in, as of ``as_of``."""
    return CheckContext(
        session=session,
        as_of=as_of,
        cutoff_utc=end_of_china_day_utc(as_of),
        settings=settings or get_settings(),
        rubric=rubric or load_rubric(),
    )


def _evaluate(context: CheckContext) -> Iterator[tuple[Rule, RuleSettings, list[Judgement]]]:
    for rule_class in RULES:
        rule_settings = context.rubric.settings_for(rule_class.code)
        if rule_settings is None:
            continue  # not applied in this deployment; its findings stay as they were
        rule = rule_class()
        yield rule, rule_settings, list(rule.evaluate(context))


def _points(rule_settings: RuleSettings, detection: Detection) -> float:
    if rule_settings.severity != "deduction":
        return 0.0
    return detection.points if detection.points is not None else rule_settings.points


def run_check(
    session: Session,
    as_of: date,
    settings: Settings | None = None,
    rubric: Rubric | None = None,
) -> CheckSummary:
    """Evaluate every rule the rubric applies, as of ``as_of``, and update findings."""
    context = make_context(session, as_of, settings, rubric)
    summary = CheckSummary(as_of=as_of)
    for rule, rule_settings, judgements in _evaluate(context):
        _apply(session, rule, rule_settings, judgements, summary)
        session.flush()
    return summary


@dataclass(frozen=True, slots=True)
class JudgedFinding:
    """A finding as judged on some day, computed on the fly and never stored."""

    rule: str
    severity: str
    points: float
    target_type: str
    target_id: str
    subject: str
    unit: str | None
    message: str
    evidence: tuple[str, ...]
    status: str = "open"

    @property
    def fingerprint(self) -> str:
        """The identity the same problem has among stored findings."""
        return fingerprint(self.rule, self.target_type, self.target_id, self.subject)


@dataclass(frozen=True, slots=True)
class Judged:
    """What a day's observations show: the findings, and the targets not checked (why)."""

    as_of: date
    findings: list[JudgedFinding]
    not_checked: dict[tuple[str, str], str]


def judge(
    session: Session,
    as_of: date,
    settings: Settings | None = None,
    rubric: Rubric | None = None,
) -> Judged:
    """Every rule's findings as of ``as_of``, computed without reading or writing findings."""
    # Here, not at the top: the state modules import the rules package, which must load first.
    from monitor.coverage import not_checked

    context = make_context(session, as_of, settings, rubric)
    findings: dict[str, JudgedFinding] = {}
    for rule, rule_settings, judgements in _evaluate(context):
        for judgement in judgements:
            for detection in judgement.detections:
                finding = JudgedFinding(
                    rule.code,
                    rule_settings.severity,
                    _points(rule_settings, detection),
                    judgement.target_type,
                    judgement.target_id,
                    detection.subject,
                    judgement.unit,
                    detection.message,
                    tuple(detection.evidence),
                )
                findings.setdefault(finding.fingerprint, finding)
    ordered = sorted(findings.values(), key=lambda f: (f.target_type, f.target_id, f.rule))
    return Judged(as_of, ordered, not_checked(context))
