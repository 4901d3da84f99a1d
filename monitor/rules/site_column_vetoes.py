"""The site-level vetoes that count columns: too many stale, long-stale or empty columns.

The indicators veto a site (单项否决) when, counted over its columns:
- news-type columns not updated in 2 weeks plus notice/policy columns not updated in
  6 months reach 5 (栏目不更新, SITE_COLUMNS_NOT_UPDATED);
- columns that should be updated but are not (the above plus personnel/planning
  columns not updated in a year) reach 10 (应更新但长期未更新, SITE_COLUMNS_LONG_NOT_UPDATED);
- empty columns reach 5 (空白栏目, SITE_EMPTY_COLUMNS).
Single stale or empty columns are COLUMN_STALE / COLUMN_EMPTY deductions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import ClassVar

from monitor.column_state import ColumnState, column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.rules.column_stale import is_stale


class _ColumnCountVeto(Rule):
    """Counts a site's columns that meet ``_counts`` and vetoes at ``min_columns``."""

    categories: ClassVar[tuple[str, ...]] = ()

    def _counts(self, state: ColumnState, context: CheckContext) -> bool:
        limits: dict[str, int] = context.rubric.param("COLUMN_STALE", "stale_after_days")
        if state.category not in self.categories or state.items_found == 0:
            return False
        return is_stale(state, limits[state.category], context.as_of)

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        minimum = context.rubric.param(self.code, "min_columns")
        by_site: dict[str, list[ColumnState]] = defaultdict(list)
        judged: dict[str, ColumnState] = {}
        for state in column_states(context):
            if not state.readable:
                continue
            judged.setdefault(state.site_id, state)
            if self._counts(state, context):
                by_site[state.site_id].append(state)
        for site_id, first in judged.items():
            counted = by_site.get(site_id, [])
            detections: tuple[Detection, ...] = ()
            if len(counted) >= minimum:
                names = "、".join(f"「{state.column_name}」" for state in counted)
                message = self.message_template.format(
                    site=first.site_name, count=len(counted), minimum=minimum, columns=names
                )
                detections = (Detection(message, tuple(s.column_url for s in counted[:10])),)
            yield Judgement("site", site_id, first.unit, detections)


class SiteColumnsNotUpdated(_ColumnCountVeto):
    """Stale news columns (2 weeks) plus stale notice/policy columns (6 months) reach 5."""

    code = "SITE_COLUMNS_NOT_UPDATED"
    name = "栏目不更新(单项否决)"
    threshold = "动态要闻类 2 周未更新与通知公告、政策文件类 6 个月未更新的栏目合计 ≥ 5 个"
    message_template = "{site}有{count}个栏目未按要求更新(达到{minimum}个即单项否决):{columns}"
    categories = ("news", "notice", "policy")


class SiteColumnsLongNotUpdated(_ColumnCountVeto):
    """Columns that should be updated but are not, personnel/planning (1 year) included, reach 10."""

    code = "SITE_COLUMNS_LONG_NOT_UPDATED"
    name = "应更新但长期未更新"
    threshold = "应更新而未更新的栏目(含人事、规划计划类 1 年未更新)合计 ≥ 10 个"
    message_template = "{site}有{count}个应更新栏目长期未更新(达到{minimum}个即单项否决):{columns}"
    categories = ("news", "notice", "policy", "static")


class SiteEmptyColumns(_ColumnCountVeto):
    """Columns with no content at all reach 5."""

    code = "SITE_EMPTY_COLUMNS"
    name = "空白栏目(单项否决)"
    threshold = "空白栏目 ≥ 5 个"
    message_template = "{site}有{count}个空白栏目(达到{minimum}个即单项否决):{columns}"

    def _counts(self, state: ColumnState, context: CheckContext) -> bool:
        return state.items_found == 0
