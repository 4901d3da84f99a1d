"""Adapter for any RSS/Atom feed (a site's or account's own feed, or an RSSHub route).

A feed lists the newest N entries, so it proves nothing about older ones: the timeline is
complete only from its oldest entry on, or wholly when the feed says ``<fh:complete/>``
(RFC 5005). A feed with no entry at all is no evidence of an empty account: CHECK_FAILED.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin

from crawler.platforms.base import (
    AccountRef,
    BlockReason,
    PageRequest,
    PlatformAdapter,
    TimelinePage,
    blocked_page,
)
from crawler.platforms.blocks import status_block
from crawler.platforms.feeds import describe_undated, parse_feed
from crawler.platforms.registry import register

EMPTY_FEED_DETAIL = "订阅源中没有任何条目,不能据此判断账号没有内容"


@register
class RssAdapter(PlatformAdapter):
    """Reads the feed named by ``AccountRef.feed``; follows RFC 5005 rel="next" pages."""

    name = "rss"

    def first_request(self, account: AccountRef) -> PageRequest:
        if not account.feed:
            raise ValueError(f"rss account {account.account_id!r} has no feed URL")
        return PageRequest(url=account.feed, headers=dict(self.headers))

    def parse(
        self,
        account: AccountRef,
        request: PageRequest,
        status: int,
        body: bytes,
        content_type: str | None,
        now: datetime,
    ) -> TimelinePage:
        failed = status_block(status)
        if failed is not None:
            return blocked_page(*failed)
        feed = parse_feed(body, content_type)
        if feed.blocked is not None:
            return blocked_page(feed.blocked, feed.detail)
        if feed.undated and not feed.posts:
            # Entries exist but none can be dated: saying "no posts" would call it stale.
            return blocked_page(BlockReason.UNPARSEABLE, describe_undated(feed.undated))
        next_request = None
        next_url = urljoin(request.url, feed.next_url) if feed.next_url else None
        if next_url and next_url != request.url:
            next_request = PageRequest(url=next_url, headers=dict(self.headers))
        if not feed.posts and not feed.complete and next_request is None:
            return blocked_page(BlockReason.UNPARSEABLE, EMPTY_FEED_DETAIL)
        return TimelinePage(
            posts=feed.posts,
            next_request=next_request,
            detail=describe_undated(feed.undated),
            end_of_timeline=feed.complete and next_request is None,
        )
