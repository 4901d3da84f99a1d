"""The state of every new-media account on the day of a check, computed in SQL.

For each active account, the read of its timeline (first page) that speaks for the
day judged (D), as for columns (see ``monitor/coverage.py``):

- the latest read at or before the end of D, when it failed (CHECK_FAILED until a
  read succeeds) or when it ran on D or within ``observation_grace_days`` before it;
- otherwise the first readable read after D, which covers D only when it read a
  post dated on or before D (timelines are read newest first, so everything from
  that post on was seen; an end marker alone does not show the account existed on D);
- otherwise none: D is not covered and the account is not judged (未能检查).

A read that found no post at all covers D only when the platform proved the timeline
complete: "nothing here" is otherwise indistinguishable from a page that did not
load its posts. Weeks are judged only up to the last day the read fully saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from monitor.rules.base import CheckContext
from storage.clock import to_china_day
from storage.models import Account, AccountFetch, Post, Unit


@dataclass(frozen=True, slots=True)
class AccountState:
    """One account as a check sees it."""

    account_id: str
    name: str
    platform: str
    unit: str | None
    crawl_run_id: int | None  # None: no read speaks for the day
    first_page_url: str | None
    error_class: str | None  # of the first timeline page
    block_reason: str | None
    error_detail: str
    complete_from: date | None  # timeline complete from this day on; None: not known
    newest_post_on: date | None  # newest post not after the day judged
    posts_until_as_of: int
    fetched_at: datetime | None = None  # when the read that speaks for the day ran
    coverage_gap: str = ""  # why the day judged is not covered; "" when it is

    @property
    def failed(self) -> bool:
        """Whether the latest read as of the day failed (CHECK_FAILED)."""
        return self.error_class is not None and self.error_class != "ok"

    @property
    def readable(self) -> bool:
        """Whether a readable read of the timeline covers the day judged."""
        return self.error_class == "ok" and not self.coverage_gap

    def observed_through(self, as_of: date) -> date:
        """The last day the read saw whole: the day before it ran, at most ``as_of``."""
        if self.fetched_at is None:
            return as_of
        return min(as_of, to_china_day(self.fetched_at) - timedelta(days=1))


def account_states(context: CheckContext) -> list[AccountState]:
    """Every active account's state as of ``context.as_of`` (computed once per check)."""
    key = "account_states"
    if key not in context.memo:
        context.memo[key] = _query(context)
    return context.memo[key]


def _read_columns(first_page, coverage):  # type: ignore[no-untyped-def]
    return (
        first_page.crawl_run_id,
        first_page.url,
        first_page.error_class,
        first_page.block_reason,
        func.coalesce(first_page.error_detail, ""),
        func.coalesce(coverage.c.complete_from, first_page.complete_from),
        first_page.fetched_at,
    )


def _query(context: CheckContext) -> list[AccountState]:
    cutoff = context.cutoff_utc
    first = AccountFetch.page_number == 1
    latest = (
        select(AccountFetch.account_id, func.max(AccountFetch.id).label("fetch_id"))
        .where(first, AccountFetch.fetched_at <= cutoff)
        .group_by(AccountFetch.account_id)
        .subquery()
    )
    last_ok = (
        select(AccountFetch.account_id, func.max(AccountFetch.fetched_at).label("at"))
        .where(first, AccountFetch.fetched_at <= cutoff, AccountFetch.error_class == "ok")
        .group_by(AccountFetch.account_id)
        .subquery()
    )
    later_ok = (
        select(AccountFetch.account_id, func.min(AccountFetch.id).label("fetch_id"))
        .where(first, AccountFetch.fetched_at > cutoff, AccountFetch.error_class == "ok")
        .group_by(AccountFetch.account_id)
        .subquery()
    )
    coverage = (
        select(
            AccountFetch.crawl_run_id,
            func.min(AccountFetch.complete_from).label("complete_from"),
        )
        .where(AccountFetch.crawl_run_id.is_not(None))
        .group_by(AccountFetch.crawl_run_id)
        .subquery()
    )
    before_coverage, after_coverage = aliased(coverage), aliased(coverage)
    posts = (
        select(
            Post.account_id,
            func.max(Post.published_on).label("newest"),
            func.count(Post.id).label("count"),
        )
        .where(Post.published_at <= cutoff)
        .group_by(Post.account_id)
        .subquery()
    )
    before, after = aliased(AccountFetch), aliased(AccountFetch)
    statement = (
        select(
            Account.id,
            Account.name,
            Account.platform,
            Unit.name,
            posts.c.newest,
            func.coalesce(posts.c.count, 0),
            last_ok.c.at,
            *_read_columns(before, before_coverage),
            after.id,
            *_read_columns(after, after_coverage),
        )
        .outerjoin(Unit, Unit.id == Account.unit_id)
        .outerjoin(latest, latest.c.account_id == Account.id)
        .outerjoin(before, before.id == latest.c.fetch_id)
        .outerjoin(before_coverage, before_coverage.c.crawl_run_id == before.crawl_run_id)
        .outerjoin(last_ok, last_ok.c.account_id == Account.id)
        .outerjoin(later_ok, later_ok.c.account_id == Account.id)
        .outerjoin(after, after.id == later_ok.c.fetch_id)
        .outerjoin(after_coverage, after_coverage.c.crawl_run_id == after.crawl_run_id)
        .outerjoin(posts, posts.c.account_id == Account.id)
        .where(Account.active.is_(True))
        .order_by(Account.id)
    )
    rows = context.session.execute(statement).all()
    recent_from = cutoff - timedelta(days=context.settings.observation_grace_days + 1)
    reach = _later_reach(context, [row[14] for row in rows if row[14] is not None])
    states = []
    for row in rows:
        # The SELECT lists: 4 identity fields, the newest post day and post count, the last
        # success, the latest read (7 fields), then the later readable read's id and its 7.
        identity, newest, count, last_ok_at = row[:4], row[4], row[5], row[6]
        before_read, after_id, after_read = row[7:14], row[14], row[15:22]
        gap = ""
        if before_read[6] is not None and (before_read[2] != "ok" or before_read[6] > recent_from):
            chosen = before_read
            if before_read[2] == "ok" and newest is None and before_read[5] is None:
                gap = "时间线中没有读到任何发布内容,平台也未证明时间线已读完整"
        elif after_id is not None:
            chosen = after_read
            # Only a post dated on or before D shows the account was publishing by then;
            # an end marker alone does not say the account existed on D.
            if not reach.get(after_id):
                gap = (
                    f"{context.as_of} 之后的首次成功抓取在 {to_china_day(after_read[6])},"
                    f"读到的时间线未覆盖 {context.as_of}"
                )
        else:
            chosen = before_read
            gap = f"{context.as_of} 当天及之后没有成功的抓取" + (
                f"(最近一次成功抓取在 {to_china_day(last_ok_at)})"
                if last_ok_at is not None
                else "(从未成功抓取)"
            )
        states.append(AccountState(*identity, *chosen[:6], newest, count, chosen[6], gap))
    return states


def _later_reach(context: CheckContext, fetch_ids: list[int]) -> dict[int, int]:
    """Per later read: how many unpinned posts dated on or before the day judged it read."""
    result: dict[int, int] = {}
    for start in range(0, len(fetch_ids), 500):
        chunk = fetch_ids[start : start + 500]
        rows = context.session.execute(
            select(AccountFetch.id, func.count(Post.id))
            .join(Post, Post.account_id == AccountFetch.account_id)
            .where(
                AccountFetch.id.in_(chunk),
                Post.published_on <= context.as_of,
                Post.first_seen_at <= AccountFetch.fetched_at,
                Post.last_seen_at >= AccountFetch.fetched_at,
                Post.pinned.is_(False),
            )
            .group_by(AccountFetch.id)
        )
        result.update({fetch_id: int(count) for fetch_id, count in rows})
    return result


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
