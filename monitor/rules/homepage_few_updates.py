"""HOMEPAGE_FEW_UPDATES: fewer than 10 new homepage items in 2 weeks (首页栏目信息更新量)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import func, select

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from storage.models import Item


class HomepageFewUpdates(Rule):
    """The homepage lists fewer than ``min_items`` items dated within the last 14 days.

    Only homepages with a dated list are judged (a navigation homepage is left to
    HOMEPAGE_NOT_UPDATED).
    """

    code = "HOMEPAGE_FEW_UPDATES"
    name = "首页信息更新量不足"
    threshold = "检查前 14 天内首页新增信息少于 10 条"
    message_template = "{site}首页近{days}天仅更新{count}条信息,少于{minimum}条"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        days = context.rubric.param(self.code, "window_days")
        minimum = context.rubric.param(self.code, "min_items")
        since = context.as_of - timedelta(days=days - 1)
        states = [s for s in column_states(context, "homepage") if s.readable and s.has_dated_items]
        counts = dict(
            context.session.execute(
                select(Item.column_id, func.count(Item.id))
                .where(
                    Item.column_id.in_([s.column_id for s in states]),
                    Item.published_on >= since,
                    Item.published_on <= context.as_of,
                )
                .group_by(Item.column_id)
            ).all()
        )
        for state in states:
            count = counts.get(state.column_id, 0)
            detections: tuple[Detection, ...] = ()
            if count < minimum:
                message = self.message_template.format(
                    site=state.site_name, days=days, count=count, minimum=minimum
                )
                detections = (Detection(message, (state.column_url,)),)
            yield Judgement("site", state.site_id, state.unit, detections)
