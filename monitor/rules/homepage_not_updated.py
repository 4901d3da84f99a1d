"""HOMEPAGE_NOT_UPDATED: nothing new on the homepage in the 14 days before the check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule


def newest_column_item(context: CheckContext) -> dict[str, date]:
    """Per site, the newest dated item of any readable column (for navigation homepages)."""
    newest: dict[str, date] = {}
    for state in column_states(context):
        if state.readable and state.newest_published_on is not None:
            current = newest.get(state.site_id)
            if current is None or state.newest_published_on > current:
                newest[state.site_id] = state.newest_published_on
    return newest


class HomepageNotUpdated(Rule):
    """The homepage's dated items show nothing new in the 14 days before the check.

    A homepage that is only a navigation page (no dated list) is judged, as the
    indicators say, by its second-level columns: nothing new in any of them. An
    unreadable homepage is CHECK_FAILED.
    """

    code = "HOMEPAGE_NOT_UPDATED"
    name = "首页不更新"
    threshold = "检查前 14 天内首页无新信息"
    message_template = "{site}首页已{days}天未更新(最近一条信息发布于{newest})"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        limit = context.rubric.param(self.code, "stale_after_days")
        by_columns = newest_column_item(context)
        for state in column_states(context, "homepage"):
            if not state.readable:
                continue
            newest = state.newest_published_on
            source = "首页"
            if newest is None:
                newest = by_columns.get(state.site_id)
                source = "首页及各栏目"
            detections: tuple[Detection, ...] = ()
            if newest is None:
                message = f"{state.site_name}{source}没有可确认发布日期的信息,视为未更新"
                detections = (Detection(message, (state.column_url,)),)
            elif (days := (context.as_of - newest).days) > limit:
                message = self.message_template.format(
                    site=state.site_name, days=days, newest=f"{newest:%Y-%m-%d}"
                )
                if source != "首页":
                    message = message.replace("首页已", "首页(导航页)及各栏目已")
                detections = (Detection(message, (state.column_url,)),)
            yield Judgement("site", state.site_id, state.unit, detections)
