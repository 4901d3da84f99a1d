"""Adapter for WeChat official accounts (微信公众号).

WeChat has no public timeline, so an account is read from one of:

* a feed that mirrors it (RSS/Atom as wewe-rss or RSSHub publish), named by
  ``AccountRef.feed``. Entries the feed gives no date for are dated by fetching their article
  page (``var ct = "1521408600"``), at most ``MAX_ARTICLE_FETCHES`` of them, one request per
  page, the remaining URLs carried in the request cursor;
* the account's history page (``profile_ext?action=home``, ``var msgList = {...}``), when
  there is no feed and ``AccountRef.uid`` holds the account's ``__biz``. The page shows the
  first messages and says ``can_msg_continue = '1'`` and ``next_offset`` when more exist;
  those are read with ``profile_ext?action=getmsg&offset=...&f=json``, whose JSON answer
  carries the same two fields and ``general_msg_list`` (a JSON string). Only
  ``can_msg_continue`` 0 ends the timeline. Both only open with a WeChat client's session:
  without one the page is a "请在微信客户端打开" wall and getmsg answers
  ``{"ret": -3, "errmsg": "no session"}`` (or the same inside ``base_resp``), both login walls.

A feed proves nothing about entries older than its oldest (see ``crawler.platforms.rss``).

``parse_wechat_article`` reads one mp.weixin.qq.com article page.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote, urljoin

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
from crawler.platforms.blocks import looks_like_html, message_block, page_block, status_block
from crawler.platforms.feeds import describe_undated, parse_feed
from crawler.platforms.registry import register
from crawler.platforms.times import SHANGHAI, from_epoch

ARTICLE_HOST = "https://mp.weixin.qq.com"
MAX_ARTICLE_FETCHES = 10

# What mp.weixin.qq.com shows in place of an article that expired, was deleted or removed.
ARTICLE_GONE_MARKERS = (
    "链接已过期",
    "该内容已被发布者删除",
    "此内容因违规无法查看",
    "此内容被投诉且经审核涉嫌侵权",
    "该公众号已迁移",
    "内容已删除",
)

# comm_msg_info.type values in a history page's msgList.
_MSG_TEXT, _MSG_IMAGE, _MSG_VOICE, _MSG_APPMSG, _MSG_VIDEO = 1, 3, 34, 49, 62

_QUOTED = r"(?:\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
_JS_ESCAPE_RE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|(.))")
_JS_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}
_MSG_LIST_RE = re.compile(r"\bvar\s+msgList\s*=\s*")
_CAN_CONTINUE_RE = re.compile(r"\bcan_msg_continue\s*=\s*[\"']?\s*(\d+)")
_NEXT_OFFSET_RE = re.compile(r"\bnext_offset\s*=\s*[\"']?\s*(\d+)")
_JSON_START_RE = re.compile(rb"^\s*\{")
GETMSG_COUNT = 10
# getmsg ret values meaning "no (valid) client session".
_SESSION_RETS = frozenset({-3, 200003})
_CONTENT_RE = re.compile(r'id=["\']js_content["\']', re.IGNORECASE)
_IMG_RE = re.compile(r"<img\b", re.IGNORECASE)
_VIDEO_RE = re.compile(
    r"<iframe\b[^>]*(?:video_iframe|data-mpvid|v\.qq\.com)|<video\b|<mpvideo|data-vidtype",
    re.IGNORECASE,
)
_SCRIPT_RE = re.compile(r"<script\b", re.IGNORECASE)


def _decode_js_string(quoted: str) -> str:
    """The value of a JS string literal (its quotes included), entities decoded."""

    def unescape(match: re.Match[str]) -> str:
        hex_code, unicode_code, other = match.groups()
        if hex_code:
            return chr(int(hex_code, 16))
        if unicode_code:
            return chr(int(unicode_code, 16))
        return _JS_SIMPLE_ESCAPES.get(other, other)

    return html.unescape(_JS_ESCAPE_RE.sub(unescape, quoted[1:-1]))


def js_var(page: str, name: str) -> str | None:
    """The first non-empty string of ``var name = "a" || "b" ...`` in a page, or None."""
    pattern = re.compile(rf"\bvar\s+{re.escape(name)}\s*=\s*({_QUOTED}(?:\s*\|\|\s*{_QUOTED})*)")
    match = pattern.search(page)
    if match is None:
        return None
    for literal in re.findall(_QUOTED, match.group(1)):
        value = _decode_js_string(literal)
        if value:
            return value
    return None


def _article_time(page: str) -> datetime | None:
    for name in ("ct", "create_time", "publish_time_ts"):
        published_at = from_epoch(js_var(page, name))
        if published_at is not None:
            return published_at
    # Only a date; midnight Beijing time, the earliest the article can have appeared.
    day = js_var(page, "publish_time")
    if day and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        return datetime.fromisoformat(day).replace(tzinfo=SHANGHAI)
    return None


def wechat_article_gone(page: str) -> bool:
    """Whether an article page says the article expired or was deleted."""
    return js_var(page, "msg_title") is None and any(
        marker in page for marker in ARTICLE_GONE_MARKERS
    )


def parse_wechat_article(page: str | bytes, url: str | None = None) -> Post | None:
    """The post an mp.weixin.qq.com article page shows; None if it expired or is no article."""
    if isinstance(page, bytes):
        page = page.decode("utf-8", errors="replace")
    title = js_var(page, "msg_title")
    published_at = _article_time(page)
    if title is None or published_at is None:
        return None
    biz, mid, idx, sn = (js_var(page, name) or "" for name in ("biz", "mid", "idx", "sn"))
    if not url:
        url = js_var(page, "msg_link") or ""
    if not url and biz and mid:
        url = f"{ARTICLE_HOST}/s?__biz={quote(biz, safe='=')}&mid={mid}&idx={idx or 1}"
        url += f"&sn={sn}" if sn else ""
    post_id = f"{biz}:{mid}:{idx or 1}" if biz and mid else url
    content_start = _CONTENT_RE.search(page)
    content = ""
    if content_start:
        # The article body runs from js_content to the page's scripts, whose JS names
        # "video_iframe" and such in every page.
        script = _SCRIPT_RE.search(page, content_start.end())
        content = page[content_start.start() : script.start() if script else len(page)]
    return Post(
        platform_post_id=post_id,
        url=url,
        title=plain_title(title),
        published_at=published_at,
        has_images=bool(_IMG_RE.search(content)),
        has_video=bool(_VIDEO_RE.search(content)),
    )


def _msg_list(page: str) -> dict[str, Any] | None:
    """The history page's ``msgList`` object (given as an object or an entity-escaped string)."""
    match = _MSG_LIST_RE.search(page)
    if match is None:
        return None
    rest = page[match.end() :]
    try:
        if rest[:1] in "\"'":
            literal = re.match(_QUOTED, rest)
            if literal is None:
                return None
            value = json.loads(_decode_js_string(literal.group(0)))
        else:
            value, _ = json.JSONDecoder().raw_decode(rest)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def parse_history_messages(messages: dict[str, Any], page_url: str) -> list[Post]:
    """Posts of a history page's msgList (each article of a multi-article push is one post)."""
    posts: list[Post] = []
    for message in messages.get("list") or ():
        if not isinstance(message, dict):
            continue
        info = message.get("comm_msg_info") or {}
        published_at = from_epoch(info.get("datetime"))
        message_id = str(info.get("id") or "")
        if published_at is None or not message_id:
            continue
        kind = info.get("type")
        if kind == _MSG_APPMSG:
            main = message.get("app_msg_ext_info") or {}
            articles = [main, *(main.get("multi_app_msg_item_list") or ())]
            for index, article in enumerate(articles, start=1):
                if not isinstance(article, dict) or not article.get("title"):
                    continue
                content_url = html.unescape(article.get("content_url") or "")
                posts.append(
                    Post(
                        platform_post_id=f"{message_id}_{index}",
                        url=urljoin(page_url, content_url) if content_url else page_url,
                        title=plain_title(html.unescape(article["title"])),
                        published_at=published_at,
                        has_images=bool(article.get("cover")),
                        has_video=False,
                    )
                )
        else:
            posts.append(
                Post(
                    platform_post_id=message_id,
                    url=page_url,
                    title=plain_title(html.unescape(str(info.get("content") or ""))),
                    published_at=published_at,
                    has_images=kind == _MSG_IMAGE,
                    has_video=kind == _MSG_VIDEO,
                )
            )
    return posts


def _page_int(pattern: re.Pattern[str], page: str) -> int | None:
    match = pattern.search(page)
    return int(match.group(1)) if match else None


def session_block(payload: dict[str, Any]) -> tuple[BlockReason, str] | None:
    """The block a getmsg-style JSON answer names (``ret``/``errmsg``, bare or in
    ``base_resp``), or None when it says ``ret: 0``."""
    ret, errmsg = payload.get("ret"), payload.get("errmsg")
    base = payload.get("base_resp")
    if ret is None and isinstance(base, dict):
        ret, errmsg = base.get("ret"), base.get("errmsg")
    if ret in (0, "0"):
        return None
    message = str(errmsg or "")
    detail = f"wechat ret={ret} errmsg={message!r}"
    lowered = message.lower()
    if ret in _SESSION_RETS or "session" in lowered or "登录" in message:
        return BlockReason.LOGIN_WALL, f"微信要求客户端会话(no session):{detail}"
    if "freq" in lowered or "频繁" in message:
        return BlockReason.RATE_LIMITED, detail
    return message_block(message) or BlockReason.HTTP_ERROR, detail


@register
class WechatAdapter(PlatformAdapter):
    """WeChat account through a mirroring feed, or its history page and getmsg pages.

    Request cursors (adapter-private JSON): ``{"articles": [...]}`` while dating feed
    entries from their article pages, ``{"offset": N}`` for a getmsg page.
    """

    name = "wechat"

    def first_request(self, account: AccountRef) -> PageRequest:
        if account.feed:
            return PageRequest(url=account.feed, headers=dict(self.headers))
        if account.uid:
            biz = quote(account.uid, safe="")
            return PageRequest(
                url=f"{self.base_url}/mp/profile_ext?action=home&__biz={biz}&scene=124",
                headers=dict(self.headers),
            )
        raise ValueError(f"wechat account {account.account_id!r} has neither feed nor __biz uid")

    def _getmsg_request(self, account: AccountRef, offset: int) -> PageRequest:
        biz = quote(account.uid or "", safe="")
        return PageRequest(
            url=(
                f"{self.base_url}/mp/profile_ext?action=getmsg&__biz={biz}&f=json"
                f"&offset={offset}&count={GETMSG_COUNT}&is_ok=1&scene=124"
            ),
            headers=dict(self.headers),
            cursor=json.dumps({"offset": offset}),
        )

    def _article_request(self, queue: list[str]) -> PageRequest | None:
        if not queue:
            return None
        return PageRequest(
            url=queue[0],
            headers=dict(self.headers),
            cursor=json.dumps({"articles": queue[1:]}),
        )

    def _parse_feed(self, body: bytes, content_type: str | None) -> TimelinePage:
        feed = parse_feed(body, content_type)
        if feed.blocked is not None:
            return blocked_page(feed.blocked, feed.detail)
        queue = [entry.url for entry in feed.undated if entry.url][:MAX_ARTICLE_FETCHES]
        unfetched = [entry for entry in feed.undated if entry.url not in queue]
        if unfetched and not feed.posts and not queue:
            return blocked_page(BlockReason.UNPARSEABLE, describe_undated(feed.undated))
        if not feed.posts and not queue and not feed.complete:
            return blocked_page(
                BlockReason.UNPARSEABLE, "公众号订阅源中没有任何条目,不能据此判断账号没有内容"
            )
        detail = describe_undated(feed.undated)
        if queue:
            detail += f"; dating {len(queue)} of them from their article pages"
        return TimelinePage(
            posts=feed.posts,
            next_request=self._article_request(queue),
            detail=detail,
            end_of_timeline=feed.complete and not queue,
        )

    def _parse_article(self, queue: list[str], request: PageRequest, page: str) -> TimelinePage:
        next_request = self._article_request(queue)
        post = parse_wechat_article(page, url=request.url)
        if post is not None:
            return TimelinePage(posts=(post,), next_request=next_request)
        if wechat_article_gone(page):
            return TimelinePage(
                posts=(),
                next_request=next_request,
                detail=f"article expired or deleted: {request.url}",
            )
        found = page_block(page)
        if found is not None:
            return blocked_page(*found)
        return blocked_page(BlockReason.UNPARSEABLE, f"no article date on {request.url}")

    def _paged(
        self,
        account: AccountRef,
        posts: list[Post],
        can_continue: int | None,
        next_offset: int | None,
        current_offset: int | None,
    ) -> TimelinePage:
        """A history page's posts, followed while the platform says more exist."""
        next_request = None
        if (
            can_continue == 1
            and next_offset is not None
            and next_offset != current_offset
            and account.uid
        ):
            next_request = self._getmsg_request(account, next_offset)
        detail = ""
        if can_continue is None:
            detail = "history page does not say whether more messages exist (partial)"
        return TimelinePage(
            posts=tuple(posts),
            next_request=next_request,
            detail=detail,
            end_of_timeline=can_continue == 0,
        )

    def _parse_json(
        self, account: AccountRef, request: PageRequest, body: bytes, offset: int | None
    ) -> TimelinePage:
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError) as error:
            return blocked_page(BlockReason.UNPARSEABLE, f"getmsg answer is not JSON: {error}")
        if not isinstance(payload, dict):
            return blocked_page(BlockReason.UNPARSEABLE, "getmsg answer is not a JSON object")
        found = session_block(payload)
        if found is not None:
            return blocked_page(*found)
        general = payload.get("general_msg_list")
        try:
            messages = json.loads(general) if isinstance(general, str) else general
        except ValueError:
            messages = None
        if not isinstance(messages, dict):
            return blocked_page(BlockReason.UNPARSEABLE, "getmsg answer has no general_msg_list")
        posts = parse_history_messages(messages, request.url)
        can_continue = payload.get("can_msg_continue")
        next_offset = payload.get("next_offset")
        return self._paged(
            account,
            posts,
            int(can_continue) if str(can_continue).isdigit() else None,
            int(next_offset) if str(next_offset).isdigit() else None,
            offset,
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
        failed = status_block(status)
        if failed is not None:
            return blocked_page(*failed)
        try:
            cursor = json.loads(request.cursor) if request.cursor else {}
        except ValueError:
            cursor = {}
        cursor = cursor if isinstance(cursor, dict) else {}
        if "articles" in cursor:
            queue = [str(url) for url in cursor.get("articles") or ()]
            return self._parse_article(queue, request, body.decode("utf-8", errors="replace"))
        offset = cursor.get("offset") if isinstance(cursor.get("offset"), int) else None
        if _JSON_START_RE.match(body[:64]):
            return self._parse_json(account, request, body, offset)
        if not looks_like_html(body, content_type):
            return self._parse_feed(body, content_type)
        page = body.decode("utf-8", errors="replace")
        messages = _msg_list(page)
        if messages is not None:
            return self._paged(
                account,
                parse_history_messages(messages, request.url),
                _page_int(_CAN_CONTINUE_RE, page),
                _page_int(_NEXT_OFFSET_RE, page),
                offset,
            )
        post = parse_wechat_article(page, url=request.url)
        if post is not None:
            return TimelinePage(posts=(post,), next_request=None)
        found = page_block(page)
        if found is not None:
            return blocked_page(*found)
        if _MSG_LIST_RE.search(page):
            return blocked_page(BlockReason.UNPARSEABLE, "history page msgList is not JSON")
        return blocked_page(BlockReason.UNPARSEABLE, "neither a feed nor a history page")
