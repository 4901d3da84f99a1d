"""UPDATE_GAP: two consecutive items more than 14 days apart inside the period (相邻两条
信息间隔超过2周), for news columns and accounts, even when they are fresh at the check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select

from monitor.account_state import account_states
from monitor.column_state import column_states
from monitor.rules.account_low_frequency import quarter_start
from monitor.rules.account_silence import PLATFORM_LABELS
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from storage.models import Item, Post, SiteColumn

#: Rows fetched at a time from a streamed query.
STREAM_ROWS = 10_000


def _streamed_gaps(
    rows: Iterable[tuple[Any, date]], limit: int
) -> dict[Any, list[tuple[date, date]]]:
    """Per key, the gaps longer than ``limit`` days between consecutive days, from rows
    ordered by key and day, streamed: only the gaps are kept, not every day."""
    gaps: dict[Any, list[tuple[date, date]]] = {}
    previous_key: Any = None
    previous_day: date | None = None
    for key, day in rows:
        if key != previous_key:
            previous_key, previous_day = key, None
        if previous_day is not None and (day - previous_day).days > limit:
            gaps.setdefault(key, []).append((previous_day, day))
        previous_day = day
    return gaps


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
        # Streamed in order (a server-side cursor where the database has one), keeping
        # only the gaps: the days of every news column over a quarter are millions of rows
        # on a province's database.
        item_gaps = _streamed_gaps(
            context.session.execute(
                select(Item.column_id, Item.published_on)
                .join(SiteColumn, SiteColumn.id == Item.column_id)
                .where(
                    SiteColumn.category == "news",
                    Item.published_on >= since,
                    Item.published_on <= context.as_of,
                )
                .group_by(Item.column_id, Item.published_on)
                .order_by(Item.column_id, Item.published_on)
                .execution_options(yield_per=STREAM_ROWS)
            ),
            limit,
        )
        for state in column_states(context):
            if state.category != "news" or not state.readable:
                continue
            target = f"{state.site_name}「{state.column_name}」栏目"
            gaps = item_gaps.get(state.column_id, [])
            detections = self._detections(target, gaps, state.column_url, limit)
            yield Judgement("column", state.target_id, state.unit, detections)
        post_gaps = _streamed_gaps(
            context.session.execute(
                select(Post.account_id, Post.published_on)
                .where(Post.published_on >= since, Post.published_on <= context.as_of)
                .group_by(Post.account_id, Post.published_on)
                .order_by(Post.account_id, Post.published_on)
                .execution_options(yield_per=STREAM_ROWS)
            ),
            limit,
        )
        for account in account_states(context):
            if not account.readable:
                continue
            target = (
                f"{PLATFORM_LABELS.get(account.platform, account.platform)}账号「{account.name}」"
            )
            gaps = post_gaps.get(account.account_id, [])
            detections = self._detections(target, gaps, account.first_page_url or "", limit)
            yield Judgement("account", account.account_id, account.unit, detections)

    def _detections(
        self, target: str, gaps: list[tuple[date, date]], evidence: str, limit: int
    ) -> tuple[Detection, ...]:
        """One detection per gap longer than ``limit`` days between consecutive days."""
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
            for start, end in gaps
        )
