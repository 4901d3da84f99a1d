"""The rule registry: every rule govwatch evaluates, in the order it reports them.

Adding a rule is one module under ``monitor/rules/`` and one line in ``RULES``.
"""

from __future__ import annotations

from monitor.rules.base import Rule
from monitor.rules.check_failed import CheckFailed
from monitor.rules.column_empty import ColumnEmpty
from monitor.rules.column_stale import ColumnStale

RULES: tuple[type[Rule], ...] = (
    CheckFailed,
    ColumnEmpty,
    ColumnStale,
)


def rule_by_code(code: str) -> type[Rule]:
    """The rule class with ``code``; raises KeyError naming the known codes."""
    for rule in RULES:
        if rule.code == code:
            return rule
    raise KeyError(f"未知的规则代码 {code!r};已有: {', '.join(r.code for r in RULES)}")
