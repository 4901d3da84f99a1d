"""``govwatch rules``: every rule with its code, severity, points, threshold and sentence."""

from __future__ import annotations

from string import Formatter

import typer

from govwatch.findings_listing import SEVERITY_LABELS
from govwatch.output import OutputFormat, print_rows
from monitor.rubric import load_rubric
from monitor.rules import NOT_AUTOMATED, RULES

#: Sample values for the fields of the rules' sentences: ``rules`` shows each sentence
#: as a finding would read, not its template.
EXAMPLE_VALUES: dict[str, object] = {
    "site": "示范县人民政府",
    "column": "政务要闻",
    "target": "示范县人民政府「政务咨询」栏目",
    "platform": "微博",
    "name": "示范县发布",
    "unit": "示范镇",
    "days": 20,
    "limit": 14,
    "minimum": 5,
    "count": 3,
    "total": 12,
    "late": 9,
    "last_days": 3,
    "probes": 2016,
    "failed": 121,
    "share": 0.06,
    "quota": 10,
    "newest": "2026-11-10",
    "start": "2026-11-02",
    "end": "2026-11-08",
    "month": "2026年10月",
    "period": "2026年10月",
    "asked": "2026-07-01",
    "stated": "2026-10-01",
    "seen": "2026-11-20",
    "previous": "2026-11-19",
    "kind": "动态要闻类",
    "columns": "政务要闻、通知公告、政策文件",
    "title": "关于开展安全生产检查的通知",
    "problem": "超过90天未答复",
    "reason": "服务器返回错误状态(HTTP 500)",
    "detail": "域名没有 AAAA 记录",
    "url": "http://www.example.gov.cn/a.html",
    "where": "首页",
    "external": "",
}


#: Per rule, sample values that make its example read true to the rule.
EXAMPLE_OVERRIDES: dict[str, dict[str, object]] = {
    "SITE_UNREACHABLE": {"days": 7},
    "SITE_AVAILABILITY_LOW": {"days": 7, "failed": 40, "share": 0.02},
    "HOMEPAGE_FEW_UPDATES": {"days": 14, "count": 6, "minimum": 10},
    "SITE_COLUMNS_NOT_UPDATED": {"count": 5, "columns": "政务要闻、通知公告、政策文件等"},
    "SITE_COLUMNS_LONG_NOT_UPDATED": {
        "count": 10,
        "minimum": 10,
        "columns": "政务要闻、通知公告、政策文件等",
    },
    "SITE_EMPTY_COLUMNS": {"count": 5, "columns": "人事信息、规划计划、统计数据等"},
    "UPDATE_GAP": {
        "target": "示范县人民政府「政务要闻」栏目",
        "start": "2026-09-01",
        "end": "2026-09-21",
    },
    "WRONG_EXPRESSION": {
        "target": "示范县人民政府「政务要闻」",
        "problem": "含有严重错误表述「…」",
    },
    "TLS_INVALID": {"problem": "证书已于2026-11-01过期"},
    "LINK_BROKEN": {"reason": "服务器返回错误状态(HTTP 404)"},
    "IMAGE_BROKEN": {"url": "http://www.example.gov.cn/images/a.jpg", "reason": "不是图片"},
    "ACCOUNT_LOW_FREQUENCY": {"count": 1, "minimum": 2},
    "ACCOUNT_ZOMBIE": {"days": 95},
}


def example_sentence(template: str, code: str = "") -> str:
    """``template`` filled with sample values (fields without one read as "…")."""
    samples = {**EXAMPLE_VALUES, **EXAMPLE_OVERRIDES.get(code, {})}
    values: dict[str, object] = {}
    for _, field, spec, _ in Formatter().parse(template):
        if field is None or field in values:
            continue
        sample = samples.get(field, "…")
        if spec and not isinstance(sample, int | float):
            sample = 0.05  # a numeric format (e.g. a share) needs a number
        values[field] = sample
    try:
        return template.format(**values)
    except (ValueError, KeyError, IndexError):
        return template  # an unusual template: shown as written rather than failing


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
                "message": example_sentence(rule.message_template, rule.code),
                "template": rule.message_template,
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
                "template": "",
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
            ("message", "示例提示语"),
        ],
        title=f"检查规则({rubric.source})",
    )
