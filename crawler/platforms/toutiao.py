"""Adapter for Toutiao (今日头条) accounts: the profile page rendered in a browser, read
through the feed answers it loads.

The current web profile feed is ``/api/pc/list/user/feed?category=profile_all&token=...
&max_behot_time=...``, signed (``_signature``/``a_bogus``) by the page's own script, so no
request built here would be answered. The spider opens the profile page
(``/c/user/token/{token}/``, or ``/c/user/{numeric id}/``) in Playwright and hands ``parse``
the captured feed answers, scrolling for later ones (as for Douyin). An answer is
``{"message": "success", "data": [...], "has_more": true, "next": {"max_behot_time": ...}}``.

Times: an item's ``publish_time`` (or ``create_time``) is when it was published. Its
``behot_time`` is when it was pushed into feeds, hours or days later, and is never used.
With no publish time, the high 32 bits of the item id are its creation time (Toutiao ids
are time-ordered: ``6509088088281580039 >> 32`` is 1515514732, 2018-01-10). Only an
explicit ``has_more: false`` ends a timeline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from crawler.platforms.base import (
    AccountRef,
    BlockReason,
    PageRequest,
    PlatformAdapter,
    Post,
    TimelinePage,
    blocked_page,
    plain_title,
)
from crawler.platforms.blocks import (
    json_object,
    message_block,
)
from crawler.platforms.registry import register
from crawler.platforms.times import from_epoch

FEED_PATH = "/api/pc/list/user/feed"
PINNED_LABEL = "置顶"
SUCCESS_MESSAGE = "success"


def _item_id(item: dict[str, Any]) -> str:
    for key in ("item_id_str", "group_id_str", "item_id", "group_id", "thread_id", "id"):
        value = item.get(key)
        if value not in (None, "", 0):
            return str(value)
    return ""


def id_time(item_id: str) -> datetime | None:
    """The creation time a Toutiao id carries in its high 32 bits (None if implausible)."""
    if not item_id.isdigit():
        return None
    return from_epoch(int(item_id) >> 32)


def publish_time(item: dict[str, Any], item_id: str) -> datetime | None:
    """When the item was published: its publish/create time, else its id's time.

    ``behot_time`` (when it was pushed into feeds) is deliberately not read.
    """
    for key in ("publish_time", "create_time"):
        published_at = from_epoch(item.get(key))
        if published_at is not None:
            return published_at
    return id_time(item_id)


def capture_matches(request: PageRequest, xhr_url: str) -> bool:
    """Whether a captured URL is the feed answer ``request`` asks for: the first one has
    ``max_behot_time=0`` (or none), a later one the ``max_behot_time`` in ``request.cursor``."""
    parts = urlsplit(xhr_url)
    if FEED_PATH not in parts.path:
        return False
    query = parse_qs(parts.query)
    if query.get("category", ["profile_all"])[0] != "profile_all":
        return False
    return query.get("max_behot_time", ["0"])[0] == (request.cursor or "0")


@register
class ToutiaoAdapter(PlatformAdapter):
    """Toutiao profile page through a browser; cookies (if any) come in through ``headers``."""

    name = "toutiao"

    def _page_request(self, uid: str, cursor: str | None) -> PageRequest:
        if uid.isdigit():
            url = f"{self.base_url}/c/user/{uid}/"
        else:
            url = f"{self.base_url}/c/user/token/{quote(uid, safe='')}/"
        return PageRequest(
            url=url,
            headers=dict(self.headers),
            needs_browser=True,
            capture_url_contains=FEED_PATH,
            cursor=cursor,
        )

    def first_request(self, account: AccountRef) -> PageRequest:
        if not account.uid:
            raise ValueError(f"toutiao account {account.account_id!r} has no uid or token")
        return self._page_request(account.uid, None)

    def capture_matches(self, request: PageRequest, xhr_url: str) -> bool:
        return capture_matches(request, xhr_url)

    def _post(self, item: dict[str, Any], item_id: str, published_at: datetime) -> Post:
        has_video = bool(item.get("has_video")) or item.get("cell_type") == 49
        url = item.get("display_url") or item.get("article_url") or item.get("share_url") or ""
        if not str(url).startswith(("http://", "https://")):
            kind = "video" if has_video else "article"
            url = f"{self.base_url}/{kind}/{item_id}/"
        title = (
            plain_title(item.get("title"))
            or plain_title(item.get("abstract"))
            or plain_title(item.get("content"))
        )
        return Post(
            platform_post_id=item_id,
            url=str(url),
            title=title,
            published_at=published_at,
            has_images=bool(item.get("image_list")) or bool(item.get("middle_image")),
            has_video=has_video,
            pinned=bool(item.get("is_stick")) or item.get("label") == PINNED_LABEL,
        )

    def parse(
        self,
        account: AccountRef,
        request: PageRequest,
        status: int,
        body: bytes,
        content_type: str | None,
        now: datetime,
    ) -> TimelinePage:
        if status < 300 and not body.strip():
            return blocked_page(BlockReason.UNPARSEABLE, "头条主页数据接口返回空内容")
        payload = json_object(status, body, content_type, "feed JSON")
        if isinstance(payload, tuple):
            return blocked_page(*payload)
        message = str(payload.get("message") or "")
        if message != SUCCESS_MESSAGE:
            reason = message_block(message) or BlockReason.HTTP_ERROR
            return blocked_page(reason, f"toutiao feed message={message!r}")
        items = payload.get("data")
        if items is None and "has_more" not in payload:
            return blocked_page(
                BlockReason.UNPARSEABLE, "头条返回 success,但没有 data 列表和 has_more,不是空账号"
            )
        if items is None:
            items = []
        if not isinstance(items, list):
            return blocked_page(BlockReason.UNPARSEABLE, "feed JSON data is not a list")

        posts: list[Post] = []
        undated: list[str] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            item_id = _item_id(item)
            published_at = publish_time(item, item_id) if item_id else None
            if not item_id or published_at is None:
                undated.append(item_id or "?")
                continue
            posts.append(self._post(item, item_id, published_at))
        detail = f"{len(undated)} items without id or time skipped: {', '.join(undated[:5])}"
        detail = detail if undated else ""
        if undated and not posts:
            return blocked_page(BlockReason.UNPARSEABLE, detail)

        next_request = None
        next_info = payload.get("next")
        next_time = next_info.get("max_behot_time") if isinstance(next_info, dict) else None
        if (
            payload.get("has_more")
            and posts
            and next_time not in (None, "", 0, "0")
            and str(next_time) != (request.cursor or "0")
            and account.uid
        ):
            next_request = self._page_request(account.uid, str(next_time))
        ended = payload.get("has_more") is False or payload.get("has_more") == 0
        return TimelinePage(
            posts=tuple(posts),
            next_request=next_request,
            detail=detail,
            end_of_timeline=ended and "has_more" in payload,
        )
