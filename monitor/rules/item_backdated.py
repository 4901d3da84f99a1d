"""ITEM_BACKDATED: an item that appeared after a crawl had already read its column,
dated earlier than that crawl (伪造发稿日期: faked publishing dates)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from storage.clock import to_china_day
from storage.models import Fetch, Item


class ItemBackdated(Rule):
    """An item first seen in a crawl whose stated date is more than ``grace_days`` before
    an earlier successful crawl of the same column that did not list it, although that
    crawl's list reached back past the stated date (so the item would have shown).

    Counted from when it appeared, not its stated date. Conservative by design: a
    wrong accusation of faking dates is worse than a missed one.
    """

    code = "ITEM_BACKDATED"
    name = "伪造发稿日期"
    threshold = "新出现的信息所标日期早于此前已抓取该栏目的时间"
    message_template = "{site}「{column}」栏目的信息《{title}》标注发布于{stated},但{seen}才首次出现(此前{previous}抓取该栏目时并无此条)"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        grace = timedelta(days=context.rubric.param(self.code, "grace_days"))
        previous = aliased(Fetch)
        # When each column was first read: only items that appeared after that can have
        # been missing from an earlier read. A range of the (column_id, first_seen_at)
        # index per column, instead of joining every item to its column's fetches.
        first_read = (
            select(Fetch.column_id, func.min(Fetch.fetched_at).label("at"))
            .where(Fetch.page_kind == "column", Fetch.error_class == "ok")
            .group_by(Fetch.column_id)
            .subquery()
        )
        # For each item: the last successful fetch of its column before it first appeared.
        prior_fetch = (
            select(Item.id.label("item_id"), func.max(previous.id).label("fetch_id"))
            .select_from(first_read)
            .join(
                Item,
                and_(
                    Item.column_id == first_read.c.column_id, Item.first_seen_at > first_read.c.at
                ),
            )
            .join(
                previous,
                and_(
                    previous.column_id == Item.column_id,
                    previous.page_kind == "column",
                    previous.error_class == "ok",
                    previous.fetched_at < Item.first_seen_at,
                ),
            )
            .where(Item.first_seen_at <= context.cutoff_utc, Item.published_on.is_not(None))
            .group_by(Item.id)
            .subquery()
        )
        listed = aliased(Item)
        # The oldest date that fetch's page still listed: items seen both before and after it.
        window_floor = (
            select(func.min(listed.published_on))
            .where(
                listed.column_id == Item.column_id,
                listed.first_seen_at <= previous.fetched_at,
                listed.last_seen_at >= previous.fetched_at,
            )
            .scalar_subquery()
        )
        rows = context.session.execute(
            select(Item, previous.fetched_at, window_floor)
            .join(prior_fetch, prior_fetch.c.item_id == Item.id)
            .join(previous, previous.id == prior_fetch.c.fetch_id)
            # A cheap superset of the test below, so the correlated window_floor only
            # runs for candidates: stated before the (UTC) day of the earlier crawl.
            .where(Item.published_on < func.date(previous.fetched_at))
        ).all()
        suspicious: dict[int, list[tuple[Item, object]]] = {}
        for item, previous_at, floor in rows:
            previous_day = to_china_day(previous_at)
            if floor is None or item.published_on < floor:
                continue  # older than anything that page showed: it may simply have been off-page
            if item.published_on < previous_day - grace:
                suspicious.setdefault(item.column_id, []).append((item, previous_at))
        for state in column_states(context):
            # What two crawls saw is judged as seen: no window of the day has to be covered.
            if state.error_class != "ok":
                continue
            detections = tuple(
                Detection(
                    self.message_template.format(
                        site=state.site_name,
                        column=state.column_name,
                        title=item.title[:60],
                        stated=f"{item.published_on:%Y-%m-%d}",
                        seen=f"{to_china_day(item.first_seen_at):%Y-%m-%d}",
                        previous=f"{to_china_day(previous_at):%Y-%m-%d}",
                    ),
                    (item.url, state.column_url),
                    subject=item.url,
                )
                for item, previous_at in suspicious.get(state.column_id, [])
            )
            yield Judgement("column", state.target_id, state.unit, detections)
