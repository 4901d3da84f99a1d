"""ACTIVITY_MISSING: a 调查征集 or 在线访谈 column with no activity in the last year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule


class ActivityMissing(Rule):
    """A survey/consultation (调查征集) or online-interview (在线访谈) column, by the
    rubric's name keywords, whose newest item is older than ``window_days`` (365) or
    which lists nothing.

    A column that could not be read, or whose items carry no dates, is not judged.
    """

    code = "ACTIVITY_MISSING"
    name = "互动活动未开展"
    threshold = "调查征集、在线访谈栏目一年内无活动"
    message_template = "{site}「{column}」栏目{problem}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        keywords = list(context.rubric.param(self.code, "column_keywords"))
        window = int(context.rubric.param(self.code, "window_days"))
        since = context.as_of - timedelta(days=window)
        for state in column_states(context):
            if not any(keyword in state.column_name for keyword in keywords):
                continue
            if not state.readable or state.list_status == "unparsed":
                continue
            newest = state.newest_published_on
            if newest is not None and newest > since:
                yield Judgement("column", state.target_id, state.unit)
                continue
            if state.has_undated_items:
                continue  # items without dates: we cannot tell when the last activity was
            problem = (
                f"近{window}天未开展活动(最近一次为{newest:%Y-%m-%d})"
                if newest is not None
                else "没有任何活动记录"
            )
            text = self.message_template.format(
                site=state.site_name, column=state.column_name, problem=problem
            )
            yield Judgement(
                "column", state.target_id, state.unit, (Detection(text, (state.column_url,)),)
            )
