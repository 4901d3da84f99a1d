"""COLUMN_EMPTY: a column with no items at all (空白栏目)."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule


class ColumnEmpty(Rule):
    """A column whose page was read and lists nothing (暂无信息, an empty list).

    Only a page that was read counts: a page that failed to open or could not be
    parsed is CHECK_FAILED, never an empty column.
    """

    code = "COLUMN_EMPTY"
    name = "空白栏目"
    threshold = "栏目无任何信息"
    message_template = "{site}「{column}」栏目为空白栏目,没有任何信息"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        for state in column_states(context):
            if not state.readable:
                continue
            detections: tuple[Detection, ...] = ()
            if state.items_found == 0:
                message = self.message_template.format(
                    site=state.site_name, column=state.column_name
                )
                detections = (Detection(message, (state.column_url,)),)
            yield Judgement("column", state.target_id, state.unit, detections)
