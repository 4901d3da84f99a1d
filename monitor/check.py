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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update
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


#: Fingerprints or ids per IN (...) statement, well under any bind-parameter limit.
_CHUNK = 500


def _apply(
    session: Session,
    rule: Rule,
    rule_settings: RuleSettings,
    judgements: Iterable[Judgement],
    summary: CheckSummary,
) -> None:
    """Store one rule's judgements set-based: a few statements per rule, not one per finding.

    Writing findings as ORM objects, one flush at a time, was a third of a large check
    on SQLite and most of it on PostgreSQL. Here the rule's detections are collected
    as rows (judgements are consumed as the rule yields them, so healthy targets cost
    one set entry, not an object), the rule's open findings and the resolved findings
    coming back are read as plain rows, and then: one multi-row INSERT for new
    findings, one executemany UPDATE for those seen again with something changed, and
    one UPDATE per chunk of ids for those seen again unchanged (last_seen only) and for
    those resolved. Plain Core statements behave the same
    on SQLite and PostgreSQL.
    """
    now = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    judged_targets: set[tuple[str, str]] = set()
    for judgement in judgements:
        judged_targets.add((judgement.target_type, judgement.target_id))
        for detection in judgement.detections:
            key = fingerprint(
                rule.code, judgement.target_type, judgement.target_id, detection.subject
            )
            if key in rows:
                continue  # the first detection of a problem speaks for it
            rows[key] = {
                "fingerprint": key,
                "target_type": judgement.target_type,
                "target_id": judgement.target_id,
                "subject": detection.subject,
                "severity": rule_settings.severity,
                "points": _points(rule_settings, detection),
                "unit": judgement.unit,
                "message": detection.message,
                "evidence": list(detection.evidence),
            }
    findings = Finding.__table__
    # What each open finding says now, to tell a finding seen again unchanged (only
    # last_seen moves: one UPDATE per chunk of ids) from one whose sentence, evidence,
    # points or unit changed (rewritten in one executemany UPDATE).
    open_findings: dict[str, tuple[int, str, str]] = {}
    unchanged: set[str] = set()
    for finding_id, key, target_type, target_id, *stored in session.execute(
        select(
            findings.c.id,
            findings.c.fingerprint,
            findings.c.target_type,
            findings.c.target_id,
            findings.c.severity,
            findings.c.points,
            findings.c.unit,
            findings.c.message,
            findings.c.evidence,
        ).where(findings.c.rule == rule.code, findings.c.status == "open")
    ):
        open_findings[key] = (finding_id, target_type, target_id)
        row = rows.get(key)
        if row is not None and stored == [
            row["severity"],
            row["points"],
            row["unit"],
            row["message"],
            row["evidence"],
        ]:
            unchanged.add(key)
    # A fingerprint names its rule, so a stored one that is not open is a resolved
    # finding of this rule: the problem came back.
    closed = _stored_ids(session, sorted(rows.keys() - open_findings.keys()))
    new = [key for key in rows if key not in open_findings and key not in closed]
    if new:
        # A plain executemany, then the ids in one SELECT: with RETURNING, SQLAlchemy
        # sends multi-row VALUES statements, and psycopg re-parses each (too long for its
        # query cache) in Python: 10 of 15 s for a rule's 35,000 new findings.
        session.execute(
            insert(findings),
            [
                {
                    **rows[key],
                    "rule": rule.code,
                    "first_seen": now,
                    "last_seen": now,
                    "status": "open",
                    "resolved_at": None,
                }
                for key in new
            ],
        )
        inserted = session.scalars(
            # A finding first seen at this moment is one of these: ``now`` is this call's.
            select(findings.c.id).where(findings.c.rule == rule.code, findings.c.first_seen == now)
        )
        summary.opened_ids.extend(sorted(inserted))
        summary.opened[rule.code] += len(new)
    seen_again = [
        (open_findings[key][0] if key in open_findings else closed[key], key)
        for key in rows
        if (key in open_findings or key in closed) and key not in unchanged
    ]
    if seen_again:
        session.execute(
            update(findings)
            .where(findings.c.id == bindparam("finding_id"))
            .values(
                severity=bindparam("new_severity"),
                points=bindparam("new_points"),
                unit=bindparam("new_unit"),
                message=bindparam("new_message"),
                evidence=bindparam("new_evidence", type_=findings.c.evidence.type),
                last_seen=now,
                status="open",
                resolved_at=None,
            ),
            [
                {
                    "finding_id": finding_id,
                    "new_severity": rows[key]["severity"],
                    "new_points": rows[key]["points"],
                    "new_unit": rows[key]["unit"],
                    "new_message": rows[key]["message"],
                    "new_evidence": rows[key]["evidence"],
                }
                for finding_id, key in seen_again
            ],
        )
    same = sorted(open_findings[key][0] for key in unchanged)
    for start in range(0, len(same), _CHUNK):
        session.execute(
            update(findings)
            .where(findings.c.id.in_(same[start : start + _CHUNK]))
            .values(last_seen=now)
        )
    reopened = sorted(closed[key] for key in rows if key in closed)
    summary.opened_ids.extend(reopened)
    summary.opened[rule.code] += len(reopened)
    summary.refreshed[rule.code] += len(seen_again) + len(same) - len(reopened)
    # Open findings not seen again on a target the rule judged are fixed; those of
    # targets it could not judge stay as they are.
    fixed = sorted(
        finding_id
        for key, (finding_id, target_type, target_id) in open_findings.items()
        if key not in rows and (target_type, target_id) in judged_targets
    )
    for start in range(0, len(fixed), _CHUNK):
        session.execute(
            update(findings)
            .where(findings.c.id.in_(fixed[start : start + _CHUNK]))
            .values(status="resolved", resolved_at=now)
        )
    summary.resolved[rule.code] += len(fixed)


def _stored_ids(session: Session, keys: list[str]) -> dict[str, int]:
    """The ids of the stored findings with these fingerprints, in a few IN (...) queries."""
    findings = Finding.__table__
    stored: dict[str, int] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        stored.update(
            (key, finding_id)
            for finding_id, key in session.execute(
                select(findings.c.id, findings.c.fingerprint).where(
                    findings.c.fingerprint.in_(chunk)
                )
            )
        )
    return stored


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


def _evaluate(
    context: CheckContext,
) -> Iterator[tuple[Rule, RuleSettings, Iterable[Judgement]]]:
    """Each applied rule with its judgements, yielded as the rule produces them (consume
    them before the next rule: nothing keeps a rule's judgements in memory)."""
    for rule_class in RULES:
        rule_settings = context.rubric.settings_for(rule_class.code)
        if rule_settings is None:
            continue  # not applied in this deployment; its findings stay as they were
        rule = rule_class()
        yield rule, rule_settings, rule.evaluate(context)


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
    session.flush()  # findings are written with Core statements: pending ORM changes first
    for rule, rule_settings, judgements in _evaluate(context):
        _apply(session, rule, rule_settings, judgements, summary)
    # Finding objects the caller holds were changed behind the ORM's back: reload them on
    # access (only them: the caller's other objects stay loaded, and usable once detached).
    for held in list(session.identity_map.values()):
        if isinstance(held, Finding):
            session.expire(held)
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
