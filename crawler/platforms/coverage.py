"""The rule every account crawl obeys: a timeline is complete only on the platform's proof.

A platform proves how far back its answer is complete in one of two ways: it says the
timeline ends (``TimelinePage.end_of_timeline``), or the posts read reach back past the
judging window. Anything else (no next page, a page limit, a block on page 3, an answer
with nothing in it) is a partial read: it proves completeness only from the oldest post
read on. And an answer with no post and no proof is no timeline at all, so it is a block
(CHECK_FAILED), never an empty account.

``TimelineProgress`` is fed the pages of one crawl in order and says, page by page,
whether to go on and from which day the timeline is known complete. It is pure, so the
rule is tested without a spider.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from crawler.platforms.base import BlockReason, PageRequest, Post, TimelinePage
from crawler.platforms.times import SHANGHAI as CHINA_TZ

# Platforms' clocks and ours differ by seconds to minutes; a post dated further ahead than
# this is a misread answer (a wrong time zone, a wrong year), not a post from the future.
FUTURE_TOLERANCE = timedelta(hours=1)
# The day stored when the platform said the timeline ends: complete from its beginning.
TIMELINE_START = date.min

NO_PROOF_DETAIL = "平台未返回任何发布内容,也未表明该账号没有内容(可能未登录或被拦截),不能视为空账号"
PINNED_ONLY_DETAIL = "平台只返回了置顶内容,未返回按时间排列的发布内容,无法判断更新情况"


@dataclass(frozen=True, slots=True)
class Step:
    """What to do after one page: store it with ``complete_from``, then follow ``follow``."""

    page: TimelinePage  # the page as stored (a rule may have turned it into a block)
    follow: PageRequest | None
    complete_from: date | None  # set on the page that ends the crawl; None: nothing proven


def future_posts(posts: tuple[Post, ...], now: datetime) -> list[Post]:
    """Posts dated later than ``now`` (beyond clock skew)."""
    return [post for post in posts if post.published_at - now > FUTURE_TOLERANCE]


def _future_block(page: TimelinePage, future: list[Post]) -> TimelinePage:
    shown = ", ".join(
        f"{post.platform_post_id}@{post.published_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"
        for post in future[:3]
    )
    detail = f"平台返回的 {len(future)} 条内容发布时间晚于当前时间({shown}),数据不可信"
    return TimelinePage(posts=(), next_request=None, blocked=BlockReason.UNPARSEABLE, detail=detail)


class TimelineProgress:
    """Follows one crawl of one timeline, newest page first."""

    def __init__(self, window_start: date, max_pages: int) -> None:
        self.window_start = window_start
        self.max_pages = max_pages
        self.oldest: date | None = None  # oldest unpinned post read so far (China day)
        self.posts_read = 0  # unpinned posts read so far

    def oldest_if_reached(self) -> date | None:
        """The oldest post read, if it lies before the window start (else None)."""
        if self.oldest is not None and self.oldest < self.window_start:
            return self.oldest
        return None

    def failed(self) -> date | None:
        """``complete_from`` for a page that could not be fetched: what earlier pages proved."""
        return self.oldest

    def after(self, page: TimelinePage, page_number: int, now: datetime) -> Step:
        """The step after ``page`` (the ``page_number``-th page read)."""
        if page.blocked is None:
            future = future_posts(page.posts, now)
            if future:
                page = _future_block(page, future)
        if page.blocked is not None:
            return Step(page, None, self.oldest)
        dated = [post.published_at for post in page.posts if not post.pinned]
        if dated:
            oldest = min(dated).astimezone(CHINA_TZ).date()
            self.oldest = oldest if self.oldest is None else min(self.oldest, oldest)
            self.posts_read += len(dated)
        if page.end_of_timeline:
            return Step(page, None, TIMELINE_START)
        if self.oldest is not None and self.oldest < self.window_start:
            return Step(page, None, self.oldest)
        follow = page.next_request
        if follow is not None and page_number < self.max_pages:
            return Step(page, follow, None)
        if self.posts_read == 0:
            # Nothing dated was ever read and nothing says the account is empty.
            detail = PINNED_ONLY_DETAIL if page.posts else NO_PROOF_DETAIL
            if page.detail:
                detail = f"{detail};{page.detail}"
            blocked = replace(
                page, posts=(), next_request=None, blocked=BlockReason.UNPARSEABLE, detail=detail
            )
            return Step(blocked, None, None)
        return Step(page, None, self.oldest)
