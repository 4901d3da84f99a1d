"""The state of every new-media account on the day of a check, computed in SQL.

For each active account: the crawl that speaks for the day (the last one started at
or before the cut-off; before the first crawl, the first one after it), whether its
first page was read or blocked, from which day on its timeline is known to be
complete, and its posts up to the day judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from monitor.rules.base import CheckContext
from storage.models import Account, AccountFetch, CrawlRun, Post, Unit


@dataclass(frozen=True, slots=True)
class AccountState:
    """One account as a check sees it."""

    account_id: str
    name: str
    platform: str
    unit: str | None
    crawl_run_id: int | None  # None: never crawled
    first_page_url: str | None
    error_class: str | None  # of the first timeline page
    block_reason: str | None
    error_detail: str
    complete_from: date | None  # timeline complete from this day on; None: not known
    newest_post_on: date | None  # newest post not after the day judged
    posts_until_as_of: int

    @property
    def readable(self) -> bool:
        """Whether the crawl that speaks for the day read the timeline's first page."""
        return self.error_class == "ok"


def account_states(context: CheckContext) -> list[AccountState]:
    """Every active account's state as of ``context.as_of`` (computed once per check)."""
    key = "account_states"
    if key not in context.memo:
        context.memo[key] = _query(context)
    return context.memo[key]


def _query(context: CheckContext) -> list[AccountState]:
    runs = CrawlRun.__table__
    before = (
        select(runs.c.target_id, func.max(runs.c.id).label("run_id"))
        .where(runs.c.target_type == "account", runs.c.started_at <= context.cutoff_utc)
        .group_by(runs.c.target_id)
        .subquery()
    )
    after = (
        select(runs.c.target_id, func.min(runs.c.id).label("run_id"))
        .where(runs.c.target_type == "account", runs.c.started_at > context.cutoff_utc)
        .group_by(runs.c.target_id)
        .subquery()
    )
    coverage = (
        select(
            AccountFetch.crawl_run_id,
            func.min(AccountFetch.complete_from).label("complete_from"),
        )
        .group_by(AccountFetch.crawl_run_id)
        .subquery()
    )
    posts = (
        select(
            Post.account_id,
            func.max(Post.published_on).label("newest"),
            func.count(Post.id).label("count"),
        )
        .where(Post.published_at <= context.cutoff_utc)
        .group_by(Post.account_id)
        .subquery()
    )
    first_page = aliased(AccountFetch)
    run_id = func.coalesce(before.c.run_id, after.c.run_id)
    statement = (
        select(
            Account.id,
            Account.name,
            Account.platform,
            Unit.name,
            run_id,
            first_page.url,
            first_page.error_class,
            first_page.block_reason,
            func.coalesce(first_page.error_detail, ""),
            coverage.c.complete_from,
            posts.c.newest,
            func.coalesce(posts.c.count, 0),
        )
        .outerjoin(Unit, Unit.id == Account.unit_id)
        .outerjoin(before, before.c.target_id == Account.id)
        .outerjoin(after, after.c.target_id == Account.id)
        .outerjoin(first_page, and_(first_page.crawl_run_id == run_id, first_page.page_number == 1))
        .outerjoin(coverage, coverage.c.crawl_run_id == run_id)
        .outerjoin(posts, posts.c.account_id == Account.id)
        .where(Account.active.is_(True))
        .order_by(Account.id)
    )
    # The SELECT lists the columns in AccountState's field order.
    return [AccountState(*row) for row in context.session.execute(statement)]


def weekly_post_counts(context: CheckContext, since: date) -> dict[str, dict[date, int]]:
    """Posts per account per week (keyed by the week's Monday), ``since`` to the day judged."""
    key = ("weekly_post_counts", since)
    if key in context.memo:
        return context.memo[key]
    rows = context.session.execute(
        select(Post.account_id, Post.published_on, func.count(Post.id))
        .where(Post.published_on >= since, Post.published_on <= context.as_of)
        .group_by(Post.account_id, Post.published_on)
    )
    counts: dict[str, dict[date, int]] = {}
    for account_id, day, count in rows:
        monday = date.fromordinal(day.toordinal() - day.weekday())
        weeks = counts.setdefault(account_id, {})
        weeks[monday] = weeks.get(monday, 0) + count
    context.memo[key] = counts
    return counts
