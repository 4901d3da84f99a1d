"""Adapter for Weibo accounts through the mobile JSON API (m.weibo.cn ``api/container/getIndex``).

``containerid=107603{uid}`` is the user's weibo tab. Pages chain through
``data.cardlistInfo.since_id``; older payloads give the next page number as
``cardlistInfo.page`` instead. Posts are ``card_type`` 9 cards carrying ``mblog``, sometimes
nested in a ``card_group``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
from crawler.platforms.times import SHANGHAI, parse_cn_time

TIMELINE_CONTAINER_PREFIX = "107603"
POST_CARD_TYPE = 9
PINNED_LABEL = "置顶"
# What the API says for a container with nothing (more) in it.
EMPTY_MESSAGE = "这里还没有内容"
# The API's "log in first" answer: {"ok": -100, "url": "https://passport.weibo.cn/..."}.
LOGIN_REQUIRED_OK = -100
# The "...全文" link the API appends to a cut-off long post.
_FULL_TEXT_LINK_RE = re.compile(r"<a\b[^>]*>\s*全文\s*</a>\s*$")


def _iter_mblogs(cards: list[Any]) -> Iterator[dict[str, Any]]:
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == POST_CARD_TYPE and isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        group = card.get("card_group")
        if isinstance(group, list):
            yield from _iter_mblogs(group)


def _is_pinned(mblog: dict[str, Any]) -> bool:
    title = mblog.get("title")
    label = title.get("text") if isinstance(title, dict) else None
    return bool(mblog.get("isTop")) or label == PINNED_LABEL


@register
class WeiboAdapter(PlatformAdapter):
    """m.weibo.cn timeline JSON; login cookies (if any) come in through ``headers``."""

    name = "weibo"

    def _timeline_url(self, uid: str) -> str:
        container = quote(TIMELINE_CONTAINER_PREFIX + uid, safe="")
        return f"{self.base_url}/api/container/getIndex?containerid={container}"

    def _headers(self, uid: str) -> dict[str, str]:
        # The mobile site's own XHR headers; without them the API more often answers 432.
        return {
            "Accept": "application/json, text/plain, */*",
            "X-Requested-With": "XMLHttpRequest",
            "MWeibo-Pwa": "1",
            "Referer": f"{self.base_url}/u/{uid}",
            **self.headers,
        }

    def first_request(self, account: AccountRef) -> PageRequest:
        if not account.uid:
            raise ValueError(f"weibo account {account.account_id!r} has no uid")
        return PageRequest(url=self._timeline_url(account.uid), headers=self._headers(account.uid))

    def _next_request(
        self, account: AccountRef, request: PageRequest, info: dict[str, Any]
    ) -> PageRequest | None:
        uid = account.uid or ""
        since_id = info.get("since_id")
        if since_id not in (None, "", 0, "0"):
            cursor = f"since_id:{since_id}"
            if cursor == request.cursor:  # the API repeating itself would loop forever
                return None
            return PageRequest(
                url=f"{self._timeline_url(uid)}&since_id={quote(str(since_id), safe='')}",
                headers=self._headers(uid),
                cursor=cursor,
            )
        page = info.get("page")
        current_page = 1
        if request.cursor and request.cursor.startswith("page:"):
            current_page = int(request.cursor.removeprefix("page:"))
        if isinstance(page, int | str) and str(page).isdigit() and int(page) > current_page:
            return PageRequest(
                url=f"{self._timeline_url(uid)}&page={int(page)}",
                headers=self._headers(uid),
                cursor=f"page:{int(page)}",
            )
        return None

    def parse(
        self,
        account: AccountRef,
        request: PageRequest,
        status: int,
        body: bytes,
        content_type: str | None,
        now: datetime,
    ) -> TimelinePage:
        payload = json_object(status, body, content_type, "timeline JSON")
        if isinstance(payload, tuple):
            return blocked_page(*payload)

        ok = payload.get("ok")
        message = str(payload.get("msg") or "")
        if ok == LOGIN_REQUIRED_OK:
            return blocked_page(BlockReason.LOGIN_WALL, f"weibo API ok={ok}: login required")
        if ok != 1:
            if request.cursor is not None and EMPTY_MESSAGE in message:
                # Paging past the last post: the timeline simply ends here.
                return TimelinePage(posts=(), next_request=None, detail="end of timeline")
            reason = message_block(message)
            if reason is None:
                reason = (
                    BlockReason.NOT_FOUND if EMPTY_MESSAGE in message else BlockReason.HTTP_ERROR
                )
            return blocked_page(reason, f"weibo API ok={ok}: {message}")

        data = payload.get("data")
        cards = data.get("cards") if isinstance(data, dict) else None
        if not isinstance(cards, list):
            return blocked_page(BlockReason.UNPARSEABLE, "timeline JSON has no data.cards list")

        posts: list[Post] = []
        undated: list[str] = []
        for mblog in _iter_mblogs(cards):
            post_id = str(mblog.get("id") or mblog.get("mid") or "")
            created_at = str(mblog.get("created_at") or "")
            published_at = parse_cn_time(created_at, now) if created_at else None
            if not post_id or published_at is None:
                undated.append(f"{post_id or '?'} ({created_at!r})")
                continue
            pics = mblog.get("pics")
            page_info = mblog.get("page_info")
            posts.append(
                Post(
                    platform_post_id=post_id,
                    url=f"{self.base_url}/detail/{post_id}",
                    title=plain_title(_FULL_TEXT_LINK_RE.sub("", str(mblog.get("text") or ""))),
                    published_at=published_at.astimezone(SHANGHAI),
                    has_images=bool(pics) or bool(mblog.get("pic_num")),
                    has_video=isinstance(page_info, dict) and page_info.get("type") == "video",
                    pinned=_is_pinned(mblog),
                )
            )
        detail = f"{len(undated)} posts with unreadable times skipped: " if undated else ""
        detail += ", ".join(undated[:5])
        if undated and not posts:
            return blocked_page(BlockReason.UNPARSEABLE, detail)

        info = data.get("cardlistInfo") if isinstance(data, dict) else None
        next_request = None
        if posts and isinstance(info, dict):
            next_request = self._next_request(account, request, info)
        return TimelinePage(posts=tuple(posts), next_request=next_request, detail=detail)
