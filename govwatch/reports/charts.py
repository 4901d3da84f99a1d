"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, no front-end build.

Two shapes cover the report and the dashboard: grouped vertical bars (items per month,
a target's timeline) and horizontal stacked bars (passed / failed / not checked). A
plotting library would pull in a browser runtime or a raster backend for two charts
that are a few rectangles each, so they are drawn here.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#1f5fa8", "#d9822b", "#4a9d5b", "#8e5ea2", "#c23b3b", "#6c757d")
PASS_COLOR = "#4a9d5b"
FAIL_COLOR = "#c23b3b"
NOT_CHECKED_COLOR = "#adb5bd"
FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif\""


def _nice_ceiling(value: float) -> float:
    """The smallest 1/2/5×10^n at or above ``value`` (axis top)."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def bar_chart_svg(
    categories: list[str],
    series: dict[str, list[float | None]],
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 300,
) -> str:
    """Grouped vertical bars: one group per category, one bar per series, values on top.

    A value of None is a category not observed: no bar, 未观测 in grey instead of a number
    (a month nobody read is not a month with nothing in it).
    """
    left, right, top, bottom = 48, 16, 40, 48
    plot_width, plot_height = width - left - right, height - top - bottom
    highest = max(
        (value for values in series.values() for value in values if value is not None), default=0
    )
    axis_top = _nice_ceiling(highest)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(6):
        value = axis_top * tick / 5
        y = top + plot_height - plot_height * tick / 5
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#495057">{_number(value)}</text>'
        )
    if unit:
        parts.append(
            f'<text x="{left - 6}" y="{top - 10}" text-anchor="end" font-size="11" '
            f'fill="#495057">{escape(unit)}</text>'
        )
    group_width = plot_width / max(len(categories), 1)
    bar_width = min(48.0, group_width * 0.8 / max(len(series), 1))
    for index, category in enumerate(categories):
        group_left = left + group_width * index + (group_width - bar_width * len(series)) / 2
        for position, (name, values) in enumerate(series.items()):
            value = values[index] if index < len(values) else 0
            x = group_left + bar_width * position
            if value is None:
                parts.append(
                    f'<text x="{x + (bar_width - 2) / 2:.1f}" y="{top + plot_height - 4}" '
                    f'text-anchor="middle" font-size="11" fill="#adb5bd" class="unobserved">'
                    f"未观测<title>{escape(name)} {escape(category)}: 未观测(尚未抓取)</title></text>"
                )
                continue
            bar_height = plot_height * value / axis_top
            y = top + plot_height - bar_height
            color = PALETTE[position % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width - 2:.1f}" '
                f'height="{bar_height:.1f}" fill="{color}"><title>{escape(name)} '
                f"{escape(category)}: {_number(value)}{escape(unit)}</title></rect>"
                f'<text x="{x + (bar_width - 2) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-size="11" fill="#212529">{_number(value)}</text>'
            )
        parts.append(
            f'<text x="{left + group_width * (index + 0.5):.1f}" y="{top + plot_height + 18}" '
            f'text-anchor="middle" font-size="12">{escape(category)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - right}" '
        f'y2="{top + plot_height}" stroke="#495057"/>'
    )
    if len(series) > 1:
        x = left
        for position, name in enumerate(series):
            color = PALETTE[position % len(PALETTE)]
            parts.append(
                f'<rect x="{x}" y="{height - 16}" width="12" height="12" fill="{color}"/>'
                f'<text x="{x + 16}" y="{height - 6}" font-size="12">{escape(name)}</text>'
            )
            x += 24 + 14 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def pass_rate_svg(rows: list[tuple[str, int, int, int]], title: str, width: int = 640) -> str:
    """Horizontal stacked bars per row (label, passed, failed, not checked), with the rate."""
    left, right, top, row_height = 96, 120, 40, 34
    height = top + row_height * len(rows) + 32
    plot_width = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, passed, failed, not_checked) in enumerate(rows):
        y = top + row_height * index
        total = passed + failed + not_checked
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="13">'
            f"{escape(label)}</text>"
        )
        x = float(left)
        for count, color, name in (
            (passed, PASS_COLOR, "合格"),
            (failed, FAIL_COLOR, "不合格"),
            (not_checked, NOT_CHECKED_COLOR, "未能检查"),
        ):
            if not count or not total:
                continue
            segment = plot_width * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{segment:.1f}" height="22" '
                f'fill="{color}"><title>{name} {count}</title></rect>'
                f'<text x="{x + segment / 2:.1f}" y="{y + 17}" text-anchor="middle" '
                f'font-size="12" fill="#fff">{count}</text>'
            )
            x += segment
        judged = passed + failed
        rate = f"{passed / judged:.1%}" if judged else "—"
        parts.append(
            f'<text x="{width - right + 8}" y="{y + 17}" font-size="13">合格率 {rate}</text>'
        )
    legend_y = height - 14
    x = left
    for color, name in (
        (PASS_COLOR, "合格"),
        (FAIL_COLOR, "不合格"),
        (NOT_CHECKED_COLOR, "未能检查"),
    ):
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{color}"/>'
            f'<text x="{x + 16}" y="{legend_y}" font-size="12">{name}</text>'
        )
        x += 90
    parts.append("</svg>")
    return "".join(parts)
