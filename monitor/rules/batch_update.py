"""BATCH_UPDATE: most of a month's items published in its last days (月底一次性更新)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import func, select

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.rules.unit_quota import full_months
from storage.models import Item


class BatchUpdate(Rule):
    """A column whose items of a month mostly carry dates in the month's last
    ``last_days`` days: the month-end catch-up the county notices name. Only months
    with at least ``min_items`` items are judged.
    """

    code = "BATCH_UPDATE"
    name = "月底集中更新"
    threshold = "当月信息半数以上集中在月底 3 天发布"
    message_template = (
        "{site}「{column}」栏目{month}共{total}条信息,其中{late}条集中在月底{last_days}天内发布"
    )

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        last_days = context.rubric.param(self.code, "last_days")
        share = context.rubric.param(self.code, "min_share")
        minimum = context.rubric.param(self.code, "min_items")
        months = full_months(context.as_of, context.rubric.param(self.code, "months_back"))
        # Per column and month: all items, and those in the month's last days, counted in
        # SQL (one row per column) rather than returning a row per column and day.
        late_froms = [end - timedelta(days=last_days - 1) for _, end in months]
        counts_by_month = [
            func.count(Item.id).filter(Item.published_on.between(start, end))
            for start, end in months
        ] + [
            func.count(Item.id).filter(Item.published_on.between(late_from, end))
            for late_from, (_, end) in zip(late_froms, months, strict=True)
        ]
        counts: dict[int, tuple[int, ...]] = {
            row[0]: tuple(row[1:])
            for row in context.session.execute(
                select(Item.column_id, *counts_by_month)
                .where(Item.published_on >= months[0][0], Item.published_on <= months[-1][1])
                .group_by(Item.column_id)
            )
        }
        for state in column_states(context):
            if not state.readable:
                continue
            column_counts = counts.get(state.column_id, (0,) * (2 * len(months)))
            detections = []
            for index, (start, _end) in enumerate(months):
                total = column_counts[index]
                late = column_counts[len(months) + index]
                if total >= minimum and late / total > share:
                    message = self.message_template.format(
                        site=state.site_name,
                        column=state.column_name,
                        month=f"{start:%Y年%m月}",
                        total=total,
                        late=late,
                        last_days=last_days,
                    )
                    detections.append(
                        Detection(message, (state.column_url,), subject=f"{start:%Y-%m}")
                    )
            yield Judgement("column", state.target_id, state.unit, tuple(detections))
