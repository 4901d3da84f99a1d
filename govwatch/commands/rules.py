"""``govwatch rules``: every rule with its code, severity, points, threshold and sentence."""

from __future__ import annotations

import typer

from govwatch.commands.findings import SEVERITY_LABELS
from govwatch.output import OutputFormat, print_rows
from monitor.rubric import load_rubric
from monitor.rules import NOT_AUTOMATED, RULES


def _params(params: dict[str, object]) -> str:
    parts = []
    for name, value in params.items():
        if isinstance(value, dict):
            value = ", ".join(f"{key}={item}" for key, item in value.items())
        parts.append(f"{name}: {value}")
    return "; ".join(parts)


def rules(
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
) -> None:
    """列出全部检查规则(按当前评分规则文件),以及需要人工判断、未自动化的指标。"""
    rubric = load_rubric()
    rows = []
    for rule in RULES:
        entry = rubric.settings_for(rule.code)
        rows.append(
            {
                "code": rule.code,
                "name": rule.name,
                "enabled": entry is not None,
                "severity": entry.severity if entry else None,
                "severity_label": SEVERITY_LABELS[entry.severity] if entry else "未启用",
                "points": entry.points if entry else None,
                "cap": entry.cap if entry else None,
                "threshold": rule.threshold,
                "params": _params(entry.params) if entry else "",
                "message": rule.message_template,
                "doc": rule.describe(),
            }
        )
    for item in NOT_AUTOMATED:
        rows.append(
            {
                "code": "—",
                "name": item.name,
                "enabled": False,
                "severity": None,
                "severity_label": "需人工判断",
                "points": None,
                "cap": None,
                "threshold": "",
                "params": "",
                "message": item.reason,
                "doc": item.reason,
            }
        )
    print_rows(
        rows,
        output_format,
        [
            ("code", "代码"),
            ("name", "名称"),
            ("severity_label", "性质"),
            ("points", "扣分"),
            ("cap", "上限"),
            ("threshold", "阈值"),
            ("message", "提示语"),
        ],
        title=f"检查规则({rubric.source})",
    )
