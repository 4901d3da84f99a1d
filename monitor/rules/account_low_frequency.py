"""ACCOUNT_LOW_FREQUENCY: a full week with fewer than 2 posts (更新频率)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from monitor.account_state import account_states, weekly_post_counts
from monitor.rules.account_silence import PLATFORM_LABELS
from monitor.rules.base import CheckContext, Detection, Judgement, Rule


def quarter_start(day: date) -> date:
    """The first day of ``day``'s quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def full_weeks(start: date, end: date) -> list[date]:
    """Mondays of the Monday-to-Sunday weeks lying wholly within ``start``..``end``."""
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


class AccountLowFrequency(Rule):
    """Each full week of the quarter so far with fewer than 2 posts costs 5 points.

    Weeks are Monday to Sunday and lie wholly inside the quarter up to the day judged.
    Only weeks the crawl read completely are judged (a timeline cut short by a block
    or the page limit is not evidence of silence).
    """

    code = "ACCOUNT_LOW_FREQUENCY"
    name = "更新频率不足"
    threshold = "每周少于 2 条"
    message_template = (
        "{platform}账号「{name}」{start}至{end}一周仅更新{count}条,少于每周{minimum}条"
    )

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        minimum = context.rubric.param(self.code, "min_posts_per_week")
        since = quarter_start(context.as_of)
        counts = weekly_post_counts(context, since)
        for state in account_states(context):
            if not state.readable or state.complete_from is None:
                continue
            platform = PLATFORM_LABELS.get(state.platform, state.platform)
            judged_from = max(since, state.complete_from + timedelta(days=1))
            weeks = counts.get(state.account_id, {})
            detections = []
            # Only weeks the read saw whole: a week ending the day it ran is not over yet.
            for monday in full_weeks(judged_from, state.observed_through(context.as_of)):
                count = weeks.get(monday, 0)
                if count >= minimum:
                    continue
                sunday = monday + timedelta(days=6)
                message = self.message_template.format(
                    platform=platform,
                    name=state.name,
                    start=f"{monday:%Y-%m-%d}",
                    end=f"{sunday:%Y-%m-%d}",
                    count=count,
                    minimum=minimum,
                )
                evidence = (state.first_page_url,) if state.first_page_url else ()
                detections.append(Detection(message, evidence, subject=monday.isoformat()))
            yield Judgement("account", state.account_id, state.unit, tuple(detections))
