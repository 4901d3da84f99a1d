"""COLUMN_STALE: a column older than its category allows (栏目不更新)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from monitor.column_state import ColumnState, column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule

CATEGORY_LABELS = {
    "news": "动态要闻类",
    "notice": "通知公告类",
    "policy": "政策文件类",
    "static": "人事规划类",
}


def is_stale(state: ColumnState, limit: int, as_of: date) -> bool:
    """Whether a readable, non-empty column has gone longer than ``limit`` days without news."""
    if state.newest_published_on is None:
        return True  # no item with a date anywhere counts as no update
    return (as_of - state.newest_published_on).days > limit


class ColumnStale(Rule):
    """A column whose newest dated item is older than its category allows.

    News columns may go 14 days without a new item, notice and policy columns 183,
    personnel and planning columns 365 (rubric ``params.stale_after_days``). An item with
    no date anywhere counts as no update, as the indicators say. Columns that could not
    be read are left to CHECK_FAILED; empty columns to COLUMN_EMPTY.
    """

    code = "COLUMN_STALE"
    name = "栏目不更新"
    threshold = "动态要闻 14 天,通知公告/政策文件 183 天,人事规划 365 天"
    message_template = "{site}「{column}」栏目已{days}天未更新(最近一条发布于{newest},{kind}栏目应在{limit}天内更新)"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        limits: dict[str, int] = context.rubric.param(self.code, "stale_after_days")
        for state in column_states(context):
            limit = limits.get(state.category)
            if limit is None or not state.readable or state.items_found == 0:
                continue
            detection = self._detect(context, state, limit)
            yield Judgement("column", state.target_id, state.unit, detection)

    def _detect(
        self, context: CheckContext, state: ColumnState, limit: int
    ) -> tuple[Detection, ...]:
        evidence = (state.column_url,)
        newest = state.newest_published_on
        if newest is None:
            message = (
                f"{state.site_name}「{state.column_name}」栏目截至{context.as_of:%Y年%m月%d日}"
                "无可确认发布日期的信息,视为未更新"
            )
            return (Detection(message, evidence),)
        if not is_stale(state, limit, context.as_of):
            return ()
        days = (context.as_of - newest).days
        message = self.message_template.format(
            site=state.site_name,
            column=state.column_name,
            days=days,
            newest=f"{newest:%Y-%m-%d}",
            kind=CATEGORY_LABELS[state.category],
            limit=limit,
        )
        return (Detection(message, evidence),)
