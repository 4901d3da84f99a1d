"""Government-style list pages written for tests, with dates relative to a given day."""

from __future__ import annotations

from datetime import date, timedelta


def list_page(title: str, ages_in_days: list[int], today: date, prefix: str = "/a/") -> str:
    """A column page listing one item per age (days before ``today``), newest first."""
    if not ages_in_days:
        rows = ""
        empty = '<p class="no-data">暂无信息</p>'
    else:
        empty = ""
        rows = "".join(
            f'<li><a href="{prefix}{(today - timedelta(days=age)):%Y%m}/t'
            f'{(today - timedelta(days=age)):%Y%m%d}_{index}.html">{title}信息{index}</a>'
            f'<span class="date">{(today - timedelta(days=age)):%Y-%m-%d}</span></li>'
            for index, age in enumerate(ages_in_days)
        )
    return f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="#">{title}</a></div>
<div class="content"><ul class="list">{rows}</ul>{empty}</div>
<div class="footer"><a href="http://www.gov.cn/">中国政府网</a></div>
</body></html>"""


def homepage(today: date) -> str:
    """A homepage with a short dated news list."""
    return list_page("首页要闻", [1, 2, 4], today, prefix="/home/")
