"""UPDATE_GAP: two consecutive items more than 14 days apart inside the period (相邻两条
信息间隔超过2周), for news columns and accounts, even when they are fresh at the check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import pairwise

from sqlalchemy import func, select

from monitor.account_state import account_states
from monitor.column_state import column_states
from monitor.rules.account_low_frequency import quarter_start
from monitor.rules.account_silence import PLATFORM_LABELS
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from storage.models import Item, Post, SiteColumn


def _gaps(days: list[date], limit: int) -> list[tuple[date, date]]:
    return [(a, b) for a, b in pairwise(days) if (b - a).days > limit]


class UpdateGap(Rule):
    """Two consecutive items of a news column or an account more than ``max_gap_days``
    apart within the quarter up to the day judged. The county notices name this as a
    way of gaming a check that only looks at the newest item.
    """

    code = "UPDATE_GAP"
    name = "相邻信息间隔过长"
    threshold = "本季度内相邻两条信息间隔超过 14 天"
    message_template = "{target}{start}至{end}间隔{days}天无更新(相邻两条信息间隔超过{limit}天)"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        limit = context.rubric.param(self.code, "max_gap_days")
        since = quarter_start(context.as_of)
        item_days: dict[int, list[date]] = {}
        for column_id, day in context.session.execute(
            select(Item.column_id, Item.published_on)
            .join(SiteColumn, SiteColumn.id == Item.column_id)
            .where(
                SiteColumn.category == "news",
                Item.published_on >= since,
                Item.published_on <= context.as_of,
            )
            .group_by(Item.column_id, Item.published_on)
            .order_by(Item.column_id, Item.published_on)
        ):
            item_days.setdefault(column_id, []).append(day)
        for state in column_states(context):
            if state.category != "news" or not state.readable:
                continue
            target = f"{state.site_name}「{state.column_name}」栏目"
            days = item_days.get(state.column_id, [])
            detections = self._detections(target, days, state.column_url, limit)
            yield Judgement("column", state.target_id, state.unit, detections)
        post_days: dict[str, list[date]] = {}
        for account_id, day in context.session.execute(
            select(Post.account_id, Post.published_on)
            .where(Post.published_on >= since, Post.published_on <= context.as_of)
            .group_by(Post.account_id, Post.published_on)
            .order_by(Post.account_id, func.min(Post.published_on))
        ):
            post_days.setdefault(account_id, []).append(day)
        for account in account_states(context):
            if not account.readable:
                continue
            target = (
                f"{PLATFORM_LABELS.get(account.platform, account.platform)}账号「{account.name}」"
            )
            days = sorted(post_days.get(account.account_id, []))
            detections = self._detections(target, days, account.first_page_url or "", limit)
            yield Judgement("account", account.account_id, account.unit, detections)

    def _detections(
        self, target: str, days: list[date], evidence: str, limit: int
    ) -> tuple[Detection, ...]:
        """One detection per gap longer than ``limit`` days between consecutive ``days``."""
        return tuple(
            Detection(
                self.message_template.format(
                    target=target,
                    start=f"{start:%Y-%m-%d}",
                    end=f"{end:%Y-%m-%d}",
                    days=(end - start).days,
                    limit=limit,
                ),
                (evidence,),
                subject=start.isoformat(),
            )
            for start, end in _gaps(days, limit)
        )
