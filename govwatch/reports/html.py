"""The report as one self-contained HTML page: tables, the draft notice and inline SVG
charts (items per month by group, pass rate), printable, with nothing loaded from
elsewhere."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from govwatch.reports.charts import bar_chart_svg, pass_rate_svg
from govwatch.reports.model import Report
from govwatch.reports.periods import chinese_date, month_label
from storage.stats import month_keys

TEMPLATES = Path(__file__).with_name("templates")

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
)


def report_charts(report: Report) -> dict[str, Markup]:
    """The report's charts as SVG markup (the dashboard shows them too)."""
    months = month_keys(report.start, report.end)
    series = {
        group: [float(per_month.get(month, 0)) for month in months]
        for group, per_month in report.monthly_items.items()
    }
    totals = (
        ("政府网站", report.site_totals),
        ("政务新媒体", report.account_totals),
        ("合计", report.all_totals),
    )
    return {
        "monthly": Markup(
            bar_chart_svg(
                [month_label(month, report.start, report.end) for month in months],
                series,
                "各月网站信息发布量",
                unit="条",
            )
        ),
        "pass_rate": Markup(
            pass_rate_svg(
                [
                    (label, totals.passed, totals.failed, totals.not_checked)
                    for label, totals in totals
                ],
                "检查结果与合格率",
            )
        ),
    }


def render_html(report: Report) -> str:
    """The HTML page of a report."""
    return _environment.get_template("report.html").render(
        report=report,
        charts=report_charts(report),
        start=chinese_date(report.start),
        end=chinese_date(report.end),
    )


def write_html(report: Report, path: Path) -> list[Path]:
    """Write the HTML page to ``path``."""
    path.write_text(render_html(report), encoding="utf-8")
    return [path]
