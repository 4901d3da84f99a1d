"""``govwatch rules``: every rule with its code, severity, points, threshold and sentence."""

from __future__ import annotations

import typer

from govwatch.commands.findings import SEVERITY_LABELS
from govwatch.output import OutputFormat, print_rows
from monitor.rules import RULES


def rules(
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
) -> None:
    """列出全部检查规则。"""
    rows = [
        {
            "code": rule.code,
            "name": rule.name,
            "severity": rule.severity,
            "severity_label": SEVERITY_LABELS[rule.severity],
            "points": rule.points,
            "threshold": rule.threshold,
            "message": rule.message_template,
            "doc": rule.describe(),
        }
        for rule in RULES
    ]
    print_rows(
        rows,
        output_format,
        [
            ("code", "代码"),
            ("name", "名称"),
            ("severity_label", "性质"),
            ("points", "扣分"),
            ("threshold", "阈值"),
            ("message", "提示语"),
        ],
        title="检查规则",
    )
