"""Adapter for Weibo accounts through the mobile JSON API (m.weibo.cn ``api/container/getIndex``).

A crawl first reads the account's profile (``type=uid&value={uid}&containerid=100505{uid}``):
it tells an existing account from a missing one, and its tab list names the posts tab's
container (``107603{uid}``, or ``230413{uid}_-_WEIBO_SECOND_PROFILE_WEIBO`` on newer
accounts); ``107603{uid}`` is used only when the profile names none. Timeline pages chain
through ``data.cardlistInfo.since_id``; older payloads give the next page number as
``cardlistInfo.page`` instead. Posts are ``card_type`` 9 cards carrying ``mblog``, sometimes
nested in a ``card_group``.

Pinned posts (shown first, whatever their age) are marked in any of four ways: ``isTop``,
a ``置顶`` title, ``mblogtype == 2``, or a card ``profile_type_id`` starting ``proweibotop``.

``{"ok": 0, "msg": "这里还没有内容"}`` means different things by context: for the profile,
no such account; for the first timeline page of an existing account, an account with no
posts; after the last page, the end of the timeline.
"""

from __future__ import annotations

import json
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

PROFILE_CONTAINER_PREFIX = "100505"
TIMELINE_CONTAINER_PREFIX = "107603"
SECOND_PROFILE_PREFIX = "230413"
POST_CARD_TYPE = 9
PINNED_LABEL = "置顶"
PINNED_MBLOGTYPE = 2
PINNED_CARD_PREFIX = "proweibotop"
# What the API says for a container with nothing (more) in it.
EMPTY_MESSAGE = "这里还没有内容"
# The API's "log in first" answer: {"ok": -100, "url": "https://passport.weibo.cn/..."}.
LOGIN_REQUIRED_OK = -100
# The "...全文" link the API appends to a cut-off long post.
_FULL_TEXT_LINK_RE = re.compile(r"<a\b[^>]*>\s*全文\s*</a>\s*$")


def _iter_mblogs(
    cards: list[Any], parent: dict[str, Any] | None = None
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(card, mblog) for every post card, nested groups included."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == POST_CARD_TYPE and isinstance(card.get("mblog"), dict):
            yield card, card["mblog"]
        group = card.get("card_group")
        if isinstance(group, list):
            yield from _iter_mblogs(group, card)


def is_pinned(card: dict[str, Any], mblog: dict[str, Any]) -> bool:
    """Whether a post is pinned, by any of the markings the API has used."""
    title = mblog.get("title")
    label = title.get("text") if isinstance(title, dict) else None
    return (
        bool(mblog.get("isTop"))
        or label == PINNED_LABEL
        or mblog.get("mblogtype") == PINNED_MBLOGTYPE
        or str(card.get("profile_type_id") or "").startswith(PINNED_CARD_PREFIX)
    )


def posts_container(profile: dict[str, Any], uid: str) -> str | None:
    """The posts tab's containerid from a profile answer's tab list (None if none)."""
    data = profile.get("data")
    tabs_info = data.get("tabsInfo") if isinstance(data, dict) else None
    tabs = tabs_info.get("tabs") if isinstance(tabs_info, dict) else None
    if not isinstance(tabs, list):
        return None
    candidates = [
        str(tab.get("containerid") or "")
        for tab in tabs
        if isinstance(tab, dict) and "weibo" in (tab.get("tab_type"), tab.get("tabKey"))
    ]
    for containerid in candidates:
        if containerid.startswith((TIMELINE_CONTAINER_PREFIX, SECOND_PROFILE_PREFIX)):
            return containerid
    return next((containerid for containerid in candidates if containerid), None)


def _statuses_count(profile: dict[str, Any]) -> int | None:
    data = profile.get("data")
    user = data.get("userInfo") if isinstance(data, dict) else None
    count = user.get("statuses_count") if isinstance(user, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None


@register
class WeiboAdapter(PlatformAdapter):
    """m.weibo.cn profile and timeline JSON; login cookies (if any) come in through ``headers``.

    The request cursor (adapter-private JSON) carries the step: ``{"step": "profile"}``,
    then ``{"container": ..., "statuses": N, "since_id"/"page": ...}`` for timeline pages.
    """

    name = "weibo"

    def _index_url(self, containerid: str) -> str:
        return f"{self.base_url}/api/container/getIndex?containerid={quote(containerid, safe='')}"

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
        uid = quote(account.uid, safe="")
        return PageRequest(
            url=(
                f"{self.base_url}/api/container/getIndex?type=uid&value={uid}"
                f"&containerid={PROFILE_CONTAINER_PREFIX}{uid}"
            ),
            headers=self._headers(account.uid),
            cursor=json.dumps({"step": "profile"}),
        )

    def _timeline_request(self, uid: str, state: dict[str, Any]) -> PageRequest:
        container = str(state["container"])
        url = self._index_url(container)
        if container.startswith(SECOND_PROFILE_PREFIX):
            url += "&page_type=03"
        if state.get("since_id") is not None:
            url += f"&since_id={quote(str(state['since_id']), safe='')}"
        elif state.get("page") is not None:
            url += f"&page={int(state['page'])}"
        return PageRequest(url=url, headers=self._headers(uid), cursor=json.dumps(state))

    def _next_request(
        self, uid: str, state: dict[str, Any], info: dict[str, Any]
    ) -> PageRequest | None:
        base = {"container": state["container"], "statuses": state.get("statuses")}
        since_id = info.get("since_id")
        if since_id not in (None, "", 0, "0"):
            if str(since_id) == str(state.get("since_id")):  # the API repeating itself
                return None
            return self._timeline_request(uid, {**base, "since_id": str(since_id)})
        page = info.get("page")
        current_page = int(state.get("page") or 1)
        if isinstance(page, int | str) and str(page).isdigit() and int(page) > current_page:
            return self._timeline_request(uid, {**base, "page": int(page)})
        return None

    @staticmethod
    def _state(request: PageRequest, uid: str) -> dict[str, Any]:
        try:
            state = json.loads(request.cursor) if request.cursor else None
        except ValueError:
            state = None
        if not isinstance(state, dict):
            # A request not built here (or by an older version): the default posts tab.
            state = {"container": TIMELINE_CONTAINER_PREFIX + uid}
        return state

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
        uid = account.uid or ""
        state = self._state(request, uid)
        ok = payload.get("ok")
        message = str(payload.get("msg") or "")
        if ok == LOGIN_REQUIRED_OK:
            return blocked_page(BlockReason.LOGIN_WALL, f"weibo API ok={ok}: login required")
        if state.get("step") == "profile":
            return self._parse_profile(payload, uid, ok, message)
        first_page = state.get("since_id") is None and state.get("page") is None
        if ok != 1:
            if EMPTY_MESSAGE in message:
                return self._nothing_here(first_page, state.get("statuses"))
            reason = message_block(message) or BlockReason.HTTP_ERROR
            return blocked_page(reason, f"weibo API ok={ok}: {message}")

        data = payload.get("data")
        cards = data.get("cards") if isinstance(data, dict) else None
        if not isinstance(cards, list):
            return blocked_page(BlockReason.UNPARSEABLE, "timeline JSON has no data.cards list")
        if not cards:
            return blocked_page(
                BlockReason.UNPARSEABLE, "微博返回 ok=1 但 cards 列表为空,未表明账号没有内容"
            )

        posts: list[Post] = []
        undated: list[str] = []
        for card, mblog in _iter_mblogs(cards):
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
                    pinned=is_pinned(card, mblog),
                )
            )
        detail = f"{len(undated)} posts with unreadable times skipped: " if undated else ""
        detail += ", ".join(undated[:5])
        if undated and not posts:
            return blocked_page(BlockReason.UNPARSEABLE, detail)
        if not posts:
            return blocked_page(
                BlockReason.UNPARSEABLE,
                f"微博返回的 {len(cards)} 张卡片中没有微博内容,未表明账号没有内容",
            )

        info = data.get("cardlistInfo") if isinstance(data, dict) else None
        next_request = None
        if isinstance(info, dict):
            next_request = self._next_request(uid, state, info)
        return TimelinePage(posts=tuple(posts), next_request=next_request, detail=detail)

    def _parse_profile(
        self, payload: dict[str, Any], uid: str, ok: object, message: str
    ) -> TimelinePage:
        if ok != 1:
            if EMPTY_MESSAGE in message:
                return blocked_page(
                    BlockReason.NOT_FOUND, f"微博账号资料为空({message}),账号不存在或已注销"
                )
            reason = message_block(message) or BlockReason.HTTP_ERROR
            return blocked_page(reason, f"weibo profile ok={ok}: {message}")
        data = payload.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("userInfo"), dict):
            return blocked_page(BlockReason.UNPARSEABLE, "微博账号资料中没有 userInfo")
        container = posts_container(payload, uid) or TIMELINE_CONTAINER_PREFIX + uid
        state = {"container": container, "statuses": _statuses_count(payload)}
        return TimelinePage(posts=(), next_request=self._timeline_request(uid, state), lookup=True)

    @staticmethod
    def _nothing_here(first_page: bool, statuses: object) -> TimelinePage:
        """ "这里还没有内容" on the posts tab of an account whose profile was read."""
        if not first_page:
            # Paging past the last post: the timeline ends here.
            return TimelinePage(
                posts=(), next_request=None, detail="end of timeline", end_of_timeline=True
            )
        if isinstance(statuses, int) and statuses > 0:
            return blocked_page(
                BlockReason.UNPARSEABLE,
                f"微博称“{EMPTY_MESSAGE}”,但账号资料显示有 {statuses} 条微博(可能仅对登录用户可见)",
            )
        return TimelinePage(
            posts=(), next_request=None, detail="account has no posts", end_of_timeline=True
        )
