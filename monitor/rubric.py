"""The rubric: the data file that says which rules apply, their severity, points, caps
and thresholds. Shipped with defaults (``monitor/rubric.yaml``); a deployment points
``GOVWATCH_RUBRIC`` at its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from settings import get_settings

DEFAULT_RUBRIC = Path(__file__).with_name("rubric.yaml")


class RuleSettings(BaseModel):
    """One rule's entry in the rubric."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    severity: Literal["veto", "deduction", "info"]
    points: float = Field(default=0.0, ge=0)
    cap: float = Field(default=100.0, ge=0)
    params: dict[str, Any] = {}


class RubricFile(BaseModel):
    """The whole rubric file."""

    model_config = ConfigDict(extra="forbid")

    pass_line: float = Field(default=60.0, ge=0, le=100)
    rules: dict[str, RuleSettings]


class RubricError(ValueError):
    """A rubric file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Rubric:
    """The rubric in force."""

    source: Path
    pass_line: float
    rules: dict[str, RuleSettings] = field(default_factory=dict)

    def settings_for(self, code: str) -> RuleSettings | None:
        """The rule's settings, or None when the rubric does not apply it."""
        entry = self.rules.get(code)
        return entry if entry is not None and entry.enabled else None

    def cap(self, code: str) -> float:
        """The most the indicator of ``code`` can deduct."""
        entry = self.rules.get(code)
        return entry.cap if entry is not None else 100.0

    def param(self, code: str, name: str) -> Any:
        """A threshold of a rule; a missing one is a rubric error naming it."""
        entry = self.rules.get(code)
        if entry is None or name not in entry.params:
            raise RubricError(f"{self.source}: 规则 {code} 缺少参数 params.{name}")
        return entry.params[name]


def parse_rubric(text: str, source: Path) -> Rubric:
    """Validate rubric text; errors name the file and the entry."""
    try:
        raw = yaml.safe_load(text) or {}
        parsed = RubricFile.model_validate(raw)
    except yaml.YAMLError as error:
        raise RubricError(f"{source}: YAML 格式错误: {error}") from error
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
            for detail in error.errors()
        )
        raise RubricError(f"{source}: {problems}") from error
    return Rubric(source, parsed.pass_line, dict(parsed.rules))


@lru_cache(maxsize=4)
def _load(path: Path) -> Rubric:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RubricError(f"{path}: 无法读取评分规则文件 ({error})") from error
    return parse_rubric(text, path)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The rubric at ``path``, or the configured one (GOVWATCH_RUBRIC), or the default."""
    configured = path or get_settings().rubric or DEFAULT_RUBRIC
    return _load(Path(configured).resolve())
