"""Adapter for Toutiao (今日头条) accounts through the PC profile feed JSON.

``/api/pc/feed/?category=profile_all&visit_user_id={uid}&max_behot_time=...`` answers
``{"message": "success", "data": [...], "has_more": ..., "next": {"max_behot_time": ...}}``.
Items carry ``publish_time`` (when the author published) and ``behot_time`` (when the item was
pushed into feeds); the first is preferred. No real payload was available, so the fixtures in
tests/fixtures/platforms/toutiao_* are synthetic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

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

SUCCESS_MESSAGE = "success"


def _item_id(item: dict[str, Any]) -> str:
    for key in ("item_id", "group_id", "item_id_str", "group_id_str"):
        value = item.get(key)
        if value not in (None, "", 0):
            return str(value)
    return ""


@register
class ToutiaoAdapter(PlatformAdapter):
    """Toutiao profile feed; signature/cookie headers (if needed) come in through ``headers``."""

    name = "toutiao"

    def _feed_url(self, uid: str, max_behot_time: str) -> str:
        return (
            f"{self.base_url}/api/pc/feed/?category=profile_all&utm_source=toutiao"
            f"&visit_user_id={quote(uid, safe='')}&max_behot_time={quote(max_behot_time)}"
        )

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json, text/plain, */*", **self.headers}

    def first_request(self, account: AccountRef) -> PageRequest:
        if not account.uid:
            raise ValueError(f"toutiao account {account.account_id!r} has no uid")
        return PageRequest(url=self._feed_url(account.uid, "0"), headers=self._headers())

    def _post(self, item: dict[str, Any], item_id: str, published_at: datetime) -> Post:
        has_video = bool(item.get("has_video"))
        url = item.get("display_url") or item.get("article_url") or ""
        if not url.startswith(("http://", "https://")):
            kind = "video" if has_video else "article"
            url = f"{self.base_url}/{kind}/{item_id}/"
        title = plain_title(item.get("title")) or plain_title(item.get("abstract"))
        return Post(
            platform_post_id=item_id,
            url=url,
            title=title,
            published_at=published_at,
            has_images=bool(item.get("image_list")) or bool(item.get("middle_image")),
            has_video=has_video,
            pinned=bool(item.get("is_stick")),
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
        payload = json_object(status, body, content_type, "feed JSON")
        if isinstance(payload, tuple):
            return blocked_page(*payload)
        message = str(payload.get("message") or "")
        if message != SUCCESS_MESSAGE:
            reason = message_block(message) or BlockReason.HTTP_ERROR
            return blocked_page(reason, f"toutiao feed message={message!r}")
        items = payload.get("data")
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
            published_at = from_epoch(item.get("publish_time")) or from_epoch(
                item.get("behot_time")
            )
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
        current_time = request.cursor or "0"
        if (
            payload.get("has_more")
            and posts
            and next_time not in (None, "", 0, "0")
            and str(next_time) != current_time
            and account.uid
        ):
            next_request = PageRequest(
                url=self._feed_url(account.uid, str(next_time)),
                headers=self._headers(),
                cursor=str(next_time),
            )
        return TimelinePage(posts=tuple(posts), next_request=next_request, detail=detail)
