"""What a rule is: a code, a severity, points, a sentence, and an evaluation over SQL.

Like a linter's rule set, every rule has a stable code, a short Chinese name, a
message template and documentation (its docstring). Rules read stored observations
through the session in :class:`CheckContext` and say, per target they could judge,
which problems they see. They never fetch anything.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from sqlalchemy.orm import Session

from monitor.rubric import Rubric
from settings import Settings

Severity = Literal["veto", "deduction", "info"]
TargetType = Literal["site", "column", "account", "unit"]


@dataclass(frozen=True, slots=True)
class CheckContext:
    """The state a check runs in: the database, the day judged and its cut-off."""

    session: Session
    as_of: date  # the monitoring point (监测时间点), a China calendar day
    cutoff_utc: datetime  # end of that day, naive UTC: observations after it are "later"
    settings: Settings
    rubric: Rubric
    # Results several rules share (e.g. column states), computed once per check.
    memo: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Detection:
    """One problem a rule sees on a target."""

    message: str
    evidence: tuple[str, ...] = ()
    subject: str = ""  # distinguishes several problems of one rule on one target (an image URL)
    points: float | None = None  # None: the rule's own points


@dataclass(frozen=True, slots=True)
class Judgement:
    """A target a rule could judge, and what it found there (nothing: healthy)."""

    target_type: TargetType
    target_id: str
    unit: str | None
    detections: tuple[Detection, ...] = ()


class Rule(ABC):
    """A rule of the indicators; subclasses declare the class attributes below.

    Severity, points, caps and thresholds are not here: they come from the rubric
    (``monitor/rubric.yaml``), so a deployment changes them without touching code.
    """

    code: ClassVar[str]
    name: ClassVar[str]  # short Chinese name, as the indicators call it
    threshold: ClassVar[str] = ""  # the default threshold in words, for `govwatch rules`
    message_template: ClassVar[str]  # the sentence a finding prints

    @abstractmethod
    def evaluate(self, context: CheckContext) -> Iterable[Judgement]:
        """Judge every target this rule can judge; targets it cannot are left out."""

    @classmethod
    def describe(cls) -> str:
        """The rule's documentation: the first paragraph of its docstring."""
        return (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
