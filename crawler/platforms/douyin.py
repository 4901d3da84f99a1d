"""Adapter for Douyin (抖音) accounts: the user page rendered in a browser, read through the
post-list JSON it loads.

The post-list API (``/aweme/v1/web/aweme/post/``) wants request signatures only the page's
own scripts compute, so the spider opens ``{base}/user/{sec_uid}`` in Playwright and hands
``parse`` the body of the captured XHR: ``{"status_code": 0, "aweme_list": [...],
"has_more": 1, "max_cursor": ...}``. Later pages are loaded by scrolling the same page; the
spider keeps the captured response for which ``capture_matches`` is true.

What logged-out visitors get instead, and how it is read:

* ``{"status_code": 0}`` with no ``aweme_list`` and no ``has_more``: no timeline at all
  (a login wall), never an empty account;
* ``not_login_module.guide_login_tip_exist``: a cut-down first page for visitors; its
  posts are real but its ``has_more: 0`` proves nothing, and without posts it is a wall;
* ``status_code`` 8 (not logged in) and 2483 (log in to see more): login walls.

Only ``has_more: 0`` (present, and without the visitor banner) ends a timeline.
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

POST_LIST_PATH = "/aweme/v1/web/aweme/post/"
# status_code values that mean "log in first".
LOGIN_STATUS_CODES = frozenset({8, 2483})
# aweme_type of image-text notes (图文); their page is /note/{id}, not /video/{id}.
NOTE_AWEME_TYPES = frozenset({2, 68, 150})


def capture_matches(request: PageRequest, xhr_url: str) -> bool:
    """Whether a captured XHR URL is the post-list response ``request`` asks for.

    The first page is the one with ``max_cursor=0`` (or none); a later page is the one whose
    ``max_cursor`` equals ``request.cursor``.
    """
    parts = urlsplit(xhr_url)
    if request.capture_url_contains and request.capture_url_contains not in xhr_url:
        return False
    if POST_LIST_PATH not in parts.path:
        return False
    max_cursor = parse_qs(parts.query).get("max_cursor", ["0"])[0]
    return max_cursor == (request.cursor or "0")


def _login_tip(payload: dict[str, Any]) -> bool:
    module = payload.get("not_login_module")
    return isinstance(module, dict) and bool(module.get("guide_login_tip_exist"))


def _is_note(aweme: dict[str, Any]) -> bool:
    return aweme.get("aweme_type") in NOTE_AWEME_TYPES or bool(aweme.get("images"))


@register
class DouyinAdapter(PlatformAdapter):
    """Douyin user page through a browser; cookies (if any) come in through ``headers``."""

    name = "douyin"

    def _page_request(self, sec_uid: str, cursor: str | None) -> PageRequest:
        return PageRequest(
            url=f"{self.base_url}/user/{quote(sec_uid, safe='')}",
            headers=dict(self.headers),
            needs_browser=True,
            capture_url_contains=POST_LIST_PATH,
            cursor=cursor,
        )

    def first_request(self, account: AccountRef) -> PageRequest:
        if not account.uid:
            raise ValueError(f"douyin account {account.account_id!r} has no sec_uid")
        return self._page_request(account.uid, None)

    def capture_matches(self, request: PageRequest, xhr_url: str) -> bool:
        return capture_matches(request, xhr_url)

    def _post(self, aweme: dict[str, Any], aweme_id: str, published_at: datetime) -> Post:
        is_note = _is_note(aweme)
        kind = "note" if is_note else "video"
        return Post(
            platform_post_id=aweme_id,
            url=f"{self.base_url}/{kind}/{aweme_id}",
            title=plain_title(aweme.get("desc") or aweme.get("preview_title")),
            published_at=published_at,
            has_images=is_note,
            has_video=not is_note and aweme.get("video") is not None,
            pinned=bool(aweme.get("is_top")),
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
            # Douyin answers requests its risk control dislikes with an empty 200.
            return blocked_page(BlockReason.UNPARSEABLE, "empty post-list response")
        payload = json_object(status, body, content_type, "post-list JSON")
        if isinstance(payload, tuple):
            return blocked_page(*payload)
        status_code = payload.get("status_code")
        message = str(payload.get("status_msg") or "")
        if status_code in LOGIN_STATUS_CODES:
            shown = f"status_code={status_code}" + (f" {message}" if message else "")
            return blocked_page(BlockReason.LOGIN_WALL, f"抖音要求登录({shown})")
        if status_code != 0:
            reason = message_block(message) or BlockReason.HTTP_ERROR
            return blocked_page(reason, f"douyin status_code={status_code}: {message}")
        login_tip = _login_tip(payload)
        awemes = payload.get("aweme_list")
        if awemes is None and "has_more" not in payload:
            return blocked_page(
                BlockReason.LOGIN_WALL,
                "抖音只返回 status_code=0,没有作品列表和 has_more(未登录访客的回答),不是空账号",
            )
        if awemes is None:  # null, with an explicit has_more, for an account with no posts
            awemes = []
        if not isinstance(awemes, list):
            return blocked_page(BlockReason.UNPARSEABLE, "aweme_list is not a list")
        if login_tip and not awemes:
            return blocked_page(
                BlockReason.LOGIN_WALL, "抖音提示登录后查看(not_login_module),未返回作品"
            )

        posts: list[Post] = []
        undated: list[str] = []
        for aweme in awemes:
            if not isinstance(aweme, dict):
                continue
            aweme_id = str(aweme.get("aweme_id") or "")
            published_at = from_epoch(aweme.get("create_time"))
            if not aweme_id or published_at is None:
                undated.append(aweme_id or "?")
                continue
            posts.append(self._post(aweme, aweme_id, published_at))
        detail = f"{len(undated)} posts without id or time skipped: {', '.join(undated[:5])}"
        detail = detail if undated else ""
        if undated and not posts:
            return blocked_page(BlockReason.UNPARSEABLE, detail)

        next_request = None
        max_cursor = payload.get("max_cursor")
        if (
            payload.get("has_more")
            and posts
            and max_cursor not in (None, "", 0, "0")
            and str(max_cursor) != request.cursor
            and account.uid
        ):
            next_request = self._page_request(account.uid, str(max_cursor))
        # has_more: 0 is the end only when stated, and not on a visitor's cut-down page.
        ended = "has_more" in payload and not payload.get("has_more") and not login_tip
        if login_tip:
            detail = "; ".join(filter(None, [detail, "visitor page (not_login_module): partial"]))
        return TimelinePage(
            posts=tuple(posts), next_request=next_request, detail=detail, end_of_timeline=ended
        )
