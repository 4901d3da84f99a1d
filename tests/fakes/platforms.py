"""A local fake of the new-media platforms for adapter and spider tests.

``FakePlatforms`` is a threaded HTTP server on 127.0.0.1 (port 0) that answers like m.weibo.cn,
a wewe-rss feed plus mp.weixin.qq.com article and history pages, Toutiao's profile feed, an
RSS/Atom site and Douyin's user page and post-list XHR. Accounts are declared with their posts'
publish times, either absolute datetimes or ages (timedelta) resolved when a request is served,
so a test can declare a fresh and a stale account without caring about today's date. Weibo posts
and wechat pages are built from the real samples in the corpus (tests/fixtures/corpus/) when it
is present, and from small stand-ins otherwise.

    with FakePlatforms() as fake:
        fake.add_weibo_account("1000000001", [timedelta(days=1), timedelta(days=20)])
        fake.block("1000000002", kind="captcha")
        adapter = get_adapter("weibo", fake.base_url)
        ...
        assert len(fake.requests_for("1000000001")) == 1

All platforms share ``base_url``; ``wechat_feed_url``/``rss_feed_url`` give the feed URLs.

``answer(key, payload)`` makes the fake answer an account's data requests (Weibo timeline,
WeChat getmsg, Toutiao/Douyin feed XHR, RSS feed) with exactly the payload given, the way
platforms answer logged-out or throttled clients (``{"status_code": 0}``, ``no session``...),
while the pages around them (profiles, user pages) stay normal.
"""

from __future__ import annotations

import copy
import html
import json
import re
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from corpus import corpus_dir

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"

BlockKind = Literal[
    "captcha",  # 200 with a captcha page
    "login",  # 200 with a login page (a followed redirect to the login wall)
    "login_redirect",  # 302 to the fake login page
    "418",
    "429",
    "432",
    "404",
    "500",
    "err_json",  # the platform's JSON error (weibo ok:0, toutiao message:error, douyin status_code)
    "garbage",  # 200 with truncated JSON
    "empty",  # 200 with an empty body
]
PostTime = datetime | timedelta
Platform = Literal["weibo", "wechat", "toutiao", "rss", "douyin"]

WEIBO_CONTAINER_PREFIX = "107603"
WEIBO_PROFILE_PREFIX = "100505"
WEIBO_SECOND_PREFIX = "230413"
WEIBO_SECOND_SUFFIX = "_-_WEIBO_SECOND_PROFILE_WEIBO"
TOUTIAO_FEED_PATH = "/api/pc/list/user/feed"
WECHAT_PAGE_SIZE = 10
# How far after publishing Toutiao pushes an item into feeds (its behot_time).
TOUTIAO_BEHOT_DELAY = timedelta(days=3)
PinStyle = Literal["isTop", "title", "mblogtype", "proweibotop"]
AnswerOn = Literal["data", "all", "profile"]
WEIBO_EMPTY = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
_WEIBO_API_TIME = "%a %b %d %H:%M:%S +0800 %Y"


def _corpus_text(*parts: str) -> str | None:
    path = corpus_dir().joinpath(*parts)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def weibo_relative_time(published_at: datetime, now: datetime) -> str:
    """A time as the older m.weibo.cn API prints it (刚刚, N分钟前, 昨天 HH:MM, MM-DD...)."""
    published_at, now = published_at.astimezone(SHANGHAI), now.astimezone(SHANGHAI)
    age = now - published_at
    if age < timedelta(minutes=1):
        return "刚刚"
    if age < timedelta(hours=1):
        return f"{int(age.total_seconds() // 60)}分钟前"
    if age < timedelta(hours=24) and published_at.date() == now.date():
        return f"{int(age.total_seconds() // 3600)}小时前"
    if published_at.date() == now.date() - timedelta(days=1):
        return f"昨天 {published_at:%H:%M}"
    if published_at.year == now.year:
        return f"{published_at:%m-%d}"
    return f"{published_at:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class SeenRequest:
    """One request the fake served."""

    path: str
    query: dict[str, str]
    platform: str
    account_key: str
    headers: dict[str, str]

    @property
    def cookie(self) -> str:
        """The Cookie header the request carried ("" if none)."""
        return next((v for k, v in self.headers.items() if k.lower() == "cookie"), "")


@dataclass(slots=True)
class _Account:
    platform: Platform
    key: str
    times: list[PostTime]
    page_size: int
    pinned_index: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def dated(self, now: datetime) -> list[tuple[int, datetime]]:
        """(post number, publish time) newest first; post numbers are stable ids."""
        resolved = [
            (number, (now - stamp) if isinstance(stamp, timedelta) else stamp)
            for number, stamp in enumerate(self.times)
        ]
        return sorted(resolved, key=lambda item: item[1], reverse=True)


class FakePlatforms:
    """The fake server; use as a context manager (or ``start``/``stop``)."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(SHANGHAI))
        self._accounts: dict[tuple[str, str], _Account] = {}
        self._blocks: dict[str, BlockKind] = {}
        self._answers: dict[str, tuple[AnswerOn, int, str, bytes]] = {}
        self._lock = threading.Lock()
        self.requests_seen: list[SeenRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._weibo_templates = self._load_weibo_templates()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakePlatforms:
        handler = type("_Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (which waits for the serve loop to notice) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> FakePlatforms:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakePlatforms is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- declaring accounts ----------------------------------------------------------------

    def _add(self, account: _Account) -> None:
        with self._lock:
            self._accounts[(account.platform, account.key)] = account

    def add_weibo_account(
        self,
        uid: str,
        posts_published_at: Sequence[PostTime],
        *,
        page_size: int = 10,
        pinned_index: int | None = None,
        time_style: Literal["api", "relative"] = "api",
        paging: Literal["since_id", "page"] = "since_id",
        pin_style: PinStyle = "title",
        tab: Literal["107603", "230413"] = "107603",
        statuses_count: int | None = None,
    ) -> None:
        """A weibo account; ``pinned_index`` (into posts_published_at) is shown first, pinned,
        marked the ``pin_style`` way. Its profile names the posts tab as ``tab`` says."""
        options = {
            "time_style": time_style,
            "paging": paging,
            "pin_style": pin_style,
            "tab": tab,
            "statuses_count": statuses_count,
        }
        self._add(
            _Account("weibo", uid, list(posts_published_at), page_size, pinned_index, options)
        )

    def add_wechat_account(
        self,
        biz: str,
        posts_published_at: Sequence[PostTime],
        *,
        feed_dates: bool = True,
        expired: Sequence[int] = (),
        name: str = "某市发布",
    ) -> str:
        """A WeChat account mirrored by a feed; returns the feed URL (needs a started server).

        ``feed_dates=False`` leaves the dates out of the feed so they must be read from the
        article pages; ``expired`` lists post numbers whose article page has expired. The
        same account is also served as a history page (``/mp/profile_ext?action=home``,
        10 messages and ``can_msg_continue``) with ``action=getmsg`` pages after it.
        """
        options = {"feed_dates": feed_dates, "expired": set(expired), "name": name}
        self._add(_Account("wechat", biz, list(posts_published_at), 0, None, options))
        return self.wechat_feed_url(biz)

    def add_toutiao_account(
        self,
        uid: str,
        posts_published_at: Sequence[PostTime],
        *,
        page_size: int = 10,
        times: Literal["publish_time", "create_time", "id_only"] = "publish_time",
        pinned_index: int | None = None,
    ) -> None:
        """A Toutiao account (``uid`` a profile token or numeric id). Items carry their
        publish time as ``times`` says, and a ``behot_time`` three days later."""
        options = {"times": times}
        self._add(
            _Account("toutiao", uid, list(posts_published_at), page_size, pinned_index, options)
        )

    def add_douyin_account(
        self,
        sec_uid: str,
        posts_published_at: Sequence[PostTime],
        *,
        page_size: int = 18,
        pinned_index: int | None = None,
    ) -> None:
        self._add(_Account("douyin", sec_uid, list(posts_published_at), page_size, pinned_index))

    def add_rss_feed(
        self,
        name: str,
        posts_published_at: Sequence[PostTime],
        *,
        fmt: Literal["rss", "atom"] = "rss",
        undated: int = 0,
    ) -> str:
        """A site feed; ``undated`` extra items carry no date. Returns its URL."""
        options = {"fmt": fmt, "undated": undated}
        self._add(_Account("rss", name, list(posts_published_at), 0, None, options))
        return self.rss_feed_url(name)

    def block(self, key: str, kind: BlockKind = "captcha") -> None:
        """Answer every request for account ``key`` (uid, biz, feed name) with ``kind``."""
        with self._lock:
            self._blocks[key] = kind

    def answer(
        self,
        key: str,
        payload: dict[str, Any] | bytes,
        *,
        status: int = 200,
        content_type: str | None = None,
        on: AnswerOn = "data",
    ) -> None:
        """Answer account ``key``'s data requests (or ``all``, or only Weibo's ``profile``)
        with ``payload``: a dict is sent as JSON, bytes as they are."""
        if isinstance(payload, dict):
            body = json.dumps(payload, ensure_ascii=False).encode()
            content_type = content_type or "application/json; charset=utf-8"
        else:
            body = payload
            content_type = content_type or "text/plain; charset=utf-8"
        with self._lock:
            self._answers[key] = (on, status, content_type, body)

    def unblock(self, key: str) -> None:
        with self._lock:
            self._blocks.pop(key, None)

    def wechat_feed_url(self, biz: str) -> str:
        return f"{self.base_url}/feeds/{quote(biz, safe='')}.atom"

    def rss_feed_url(self, name: str) -> str:
        return f"{self.base_url}/rss/{quote(name, safe='')}.xml"

    def requests_for(self, key: str) -> list[SeenRequest]:
        with self._lock:
            return [seen for seen in self.requests_seen if seen.account_key == key]

    # -- serving ---------------------------------------------------------------------------

    def _record(self, seen: SeenRequest) -> None:
        with self._lock:
            self.requests_seen.append(seen)

    def _account(self, platform: Platform, key: str) -> _Account | None:
        with self._lock:
            return self._accounts.get((platform, key))

    def _blocked(self, key: str) -> BlockKind | None:
        with self._lock:
            return self._blocks.get(key)

    def route(self, path: str, query: dict[str, str]) -> tuple[Platform | None, str]:
        """Which platform and account key a request is for."""
        if path == "/api/container/getIndex":
            container = query.get("containerid", "")
            if container.endswith(WEIBO_SECOND_SUFFIX):
                return "weibo", container.removesuffix(WEIBO_SECOND_SUFFIX)[6:]
            return "weibo", container[6:]
        if match := re.fullmatch(r"/feeds/([^/]+)\.atom", path):
            return "wechat", match[1]
        if match := re.fullmatch(r"/s/([^/]+)/(\d+)", path):
            return "wechat", match[1]
        if path == "/mp/profile_ext":
            return "wechat", query.get("__biz", "")
        if match := re.fullmatch(r"/c/user/(?:token/)?([^/]+)/", path):
            return "toutiao", match[1]
        if path == TOUTIAO_FEED_PATH:
            return "toutiao", query.get("token", "")
        if match := re.fullmatch(r"/rss/([^/]+)\.xml", path):
            return "rss", match[1]
        if match := re.fullmatch(r"/user/([^/]+)", path):
            return "douyin", match[1]
        if path == "/aweme/v1/web/aweme/post/":
            return "douyin", query.get("sec_user_id", "")
        return None, ""

    def respond(
        self, platform: Platform | None, key: str, path: str, query: dict[str, str]
    ) -> tuple[int, str, bytes, dict[str, str]]:
        """(status, content type, body, extra headers) for one request."""
        if path.startswith("/signin/"):
            return 200, "text/html; charset=utf-8", _fixture("weibo_login_page.html"), {}
        if platform is None:
            return 404, "text/plain", b"not found", {}
        kind = self._blocked(key)
        if kind is not None:
            return self._block_response(platform, kind)
        answered = self._answered(platform, key, path, query)
        if answered is not None:
            return answered
        account = self._account(platform, key)
        now = self._clock()
        if platform == "weibo":
            if query.get("containerid", "").startswith(WEIBO_PROFILE_PREFIX):
                return _json(self._weibo_profile(account))
            return _json(self._weibo(account, query, now))
        if account is None:
            return (
                404,
                "text/html; charset=utf-8",
                "<html><body>页面不存在</body></html>".encode(),
                {},
            )
        if platform == "wechat":
            return self._wechat(account, path, query, now)
        if platform == "toutiao":
            if path.startswith("/c/user/"):
                return 200, "text/html; charset=utf-8", self._toutiao_page(account), {}
            return _json(self._toutiao(account, query, now))
        if platform == "rss":
            return 200, "application/xml; charset=utf-8", self._rss(account, now), {}
        if path.startswith("/user/"):
            return 200, "text/html; charset=utf-8", self._douyin_page(account), {}
        return _json(self._douyin(account, query, now))

    def _answered(
        self, platform: Platform, key: str, path: str, query: dict[str, str]
    ) -> tuple[int, str, bytes, dict[str, str]] | None:
        with self._lock:
            answer = self._answers.get(key)
        if answer is None:
            return None
        on, status, content_type, body = answer
        is_profile = platform == "weibo" and query.get("containerid", "").startswith(
            WEIBO_PROFILE_PREFIX
        )
        is_page = path.startswith(("/user/", "/c/user/")) or (
            path == "/mp/profile_ext" and query.get("action") == "home"
        )
        if on == "all" or (on == "profile" and is_profile):
            return status, content_type, body, {}
        if on == "data" and not is_profile and not is_page and not path.startswith("/s/"):
            return status, content_type, body, {}
        return None

    def _block_response(
        self, platform: Platform, kind: BlockKind
    ) -> tuple[int, str, bytes, dict[str, str]]:
        html_type = "text/html; charset=utf-8"
        if kind == "captcha":
            name = "douyin_verify_page.html" if platform == "douyin" else "captcha_page.html"
            return 200, html_type, _fixture(name), {}
        if kind == "login":
            return 200, html_type, _fixture("weibo_login_page.html"), {}
        if kind == "login_redirect":
            location = f"{self.base_url}/signin/welcome?entry=mweibo"
            return 302, html_type, b"", {"Location": location}
        if kind.isdigit():
            status = int(kind)
            phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            return status, "text/plain", (phrase or f"status {status}").encode(), {}
        if kind == "err_json":
            error: dict[str, Any] = {
                "weibo": {"ok": 0, "msg": "请求过于频繁，歇歇吧", "data": {"cards": []}},
                "toutiao": {"message": "error", "data": [], "has_more": False},
                "douyin": {"status_code": 2154, "status_msg": "请求过于频繁"},
            }.get(platform, {"error": "unavailable"})
            return _json(error)
        if kind == "garbage":
            return 200, "application/json", b'{"ok":1,"data":{"cards":[{"card_type":9,', {}
        return 200, "application/json", b"", {}

    # weibo

    @staticmethod
    def _load_weibo_templates() -> list[dict[str, Any]]:
        text = _corpus_text("weibo", "nonebot-bison_weibo_ak_list_0.json")
        if text is None:
            return [
                {
                    "card_type": 9,
                    "mblog": {"id": "", "text": "示例微博", "pic_num": 0, "source": "微博"},
                }
            ]
        cards = json.loads(text)["data"]["cards"]
        return [card for card in cards if card.get("card_type") == 9]

    def _weibo_card(
        self, account: _Account, number: int, published_at: datetime, now: datetime
    ) -> dict[str, Any]:
        card = copy.deepcopy(self._weibo_templates[number % len(self._weibo_templates)])
        mblog = card["mblog"]
        account_part = zlib.crc32(account.key.encode()) % 1_000_000
        post_id = str(4_900_000_000_000_000 + account_part * 1000 + number)
        mblog["id"] = mblog["mid"] = post_id
        for marking in ("isTop", "title", "mblogtype"):
            mblog.pop(marking, None)
        card.pop("profile_type_id", None)
        if account.options.get("time_style") == "relative":
            mblog["created_at"] = weibo_relative_time(published_at, now)
        else:
            mblog["created_at"] = published_at.astimezone(SHANGHAI).strftime(_WEIBO_API_TIME)
        if number == account.pinned_index:
            style = account.options.get("pin_style", "title")
            if style == "isTop":
                mblog["isTop"] = 1
            elif style == "title":
                mblog["title"] = {"text": "置顶", "base_color": 1}
            elif style == "mblogtype":
                mblog["mblogtype"] = 2
            else:
                card["profile_type_id"] = "proweibotop_"
        return card

    def _weibo_container(self, account: _Account) -> str:
        if account.options.get("tab") == WEIBO_SECOND_PREFIX:
            return WEIBO_SECOND_PREFIX + account.key + WEIBO_SECOND_SUFFIX
        return WEIBO_CONTAINER_PREFIX + account.key

    def _weibo_profile(self, account: _Account | None) -> dict[str, Any]:
        """The profile answer: userInfo and the tab list naming the posts container."""
        if account is None:
            return WEIBO_EMPTY  # what m.weibo.cn answers for a uid that does not exist
        count = account.options.get("statuses_count")
        tabs = [
            {"id": 1, "tabKey": "profile", "title": "精选", "tab_type": "profile",
             "containerid": f"230283{account.key}"},
            {"id": 2, "tabKey": "weibo", "title": "微博", "tab_type": "weibo",
             "containerid": self._weibo_container(account), "apipath": "/profile/statuses"},
            {"id": 10, "tabKey": "album", "title": "相册", "tab_type": "album",
             "containerid": f"107803{account.key}"},
        ]  # fmt: skip
        user = {
            "id": int(account.key) if account.key.isdigit() else account.key,
            "screen_name": f"账号{account.key}",
            "statuses_count": len(account.times) if count is None else count,
            "verified": True,
        }
        return {"ok": 1, "data": {"userInfo": user, "tabsInfo": {"selectedTab": 2, "tabs": tabs}}}

    def _weibo(
        self, account: _Account | None, query: dict[str, str], now: datetime
    ) -> dict[str, Any]:
        if account is None:
            return WEIBO_EMPTY
        ordered = account.dated(now)
        if account.pinned_index is not None:
            ordered.sort(key=lambda item: item[0] != account.pinned_index)
        cards = [self._weibo_card(account, number, at, now) for number, at in ordered]
        start = 0
        if "since_id" in query:
            ids = [card["mblog"]["id"] for card in cards]
            if query["since_id"] not in ids:
                return WEIBO_EMPTY
            start = ids.index(query["since_id"])
        elif "page" in query:
            start = (int(query["page"]) - 1) * account.page_size
        page = cards[start : start + account.page_size]
        if not page:
            return WEIBO_EMPTY
        info: dict[str, Any] = {
            "containerid": self._weibo_container(account),
            "v_p": 42,
            "show_style": 1,
            "total": len(cards),
        }
        following = start + account.page_size
        if following < len(cards):
            if account.options.get("paging") == "page":
                info["page"] = following // account.page_size + 1
            else:
                info["since_id"] = int(cards[following]["mblog"]["id"])
        return {"ok": 1, "data": {"cardlistInfo": info, "cards": page, "showAppTips": 0}}

    # wechat

    def _wechat(
        self, account: _Account, path: str, query: dict[str, str], now: datetime
    ) -> tuple[int, str, bytes, dict[str, str]]:
        html_type = "text/html; charset=utf-8"
        dated = account.dated(now)
        if path.startswith("/feeds/"):
            return 200, "application/atom+xml; charset=utf-8", self._wechat_feed(account, dated), {}
        if path == "/mp/profile_ext" and query.get("action") == "getmsg":
            return _json(self._wechat_getmsg(account, dated, int(query.get("offset") or 0)))
        if path == "/mp/profile_ext":
            return 200, html_type, self._wechat_history(account, dated), {}
        number = int(path.rsplit("/", 1)[1])
        times = dict(dated)
        if number not in times:
            return 404, html_type, b"<html><body>not found</body></html>", {}
        if number in account.options["expired"]:
            page = _corpus_text("wechat", "WechatSogou_article_detail_expired.html")
            return 200, html_type, (page or _EXPIRED_STANDIN).encode(), {}
        return 200, html_type, _wechat_article(account, number, times[number]).encode(), {}

    def _article_url(self, account: _Account, number: int) -> str:
        return f"{self.base_url}/s/{quote(account.key, safe='')}/{number}"

    def _wechat_feed(self, account: _Account, dated: list[tuple[int, datetime]]) -> bytes:
        name = html.escape(account.options["name"])
        entries = []
        for number, published_at in dated:
            url = self._article_url(account, number)
            stamp = published_at.astimezone(SHANGHAI).isoformat()
            date_line = f"<updated>{stamp}</updated>" if account.options["feed_dates"] else ""
            entries.append(
                f"<entry><title type='html'>{html.escape(_title(account, number))}</title>"
                f"<id>{url}</id><link href='{url}'/>{date_line}"
                f"<content type='html'>&lt;p&gt;正文&lt;/p&gt;</content></entry>"
            )
        return (
            "<?xml version='1.0' encoding='utf-8'?>"
            "<feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<id>MP_WXS_{html.escape(account.key)}</id><title>{name}</title>"
            "<generator>https://github.com/cooderl/wewe-rss</generator>"
            f"{''.join(entries)}</feed>"
        ).encode()

    def _wechat_messages(
        self, account: _Account, dated: list[tuple[int, datetime]]
    ) -> dict[str, Any]:
        return {
            "list": [
                {
                    "app_msg_ext_info": {
                        "title": _title(account, number),
                        "content_url": self._article_url(account, number) + "?src=3&amp;ver=1",
                        "cover": "http://mmbiz.qpic.cn/mmbiz_jpg/fake/0?wx_fmt=jpeg",
                        "digest": "",
                        "multi_app_msg_item_list": [],
                    },
                    "comm_msg_info": {
                        "datetime": int(published_at.timestamp()),
                        "id": 1_000_000_000 + number,
                        "type": 49,
                    },
                }
                for number, published_at in dated
            ]
        }

    def _wechat_history(self, account: _Account, dated: list[tuple[int, datetime]]) -> bytes:
        """profile_ext?action=home: the first messages, and whether more exist."""
        first, rest = dated[:WECHAT_PAGE_SIZE], dated[WECHAT_PAGE_SIZE:]
        messages = self._wechat_messages(account, first)
        msg_line = f"var msgList = {json.dumps(messages, ensure_ascii=False)};"
        paging = (
            f"var can_msg_continue = '{1 if rest else 0}' * 1;\n"
            f"var next_offset = '{len(first)}' * 1;"
        )
        template = _corpus_text("wechat", "WechatSogou_bitsea-history.html")
        if template is None:
            return f"<html><body><script>{msg_line}\n{paging}</script></body></html>".encode()
        page = re.sub(r"var msgList = .*?;\s*$", lambda _: msg_line, template, flags=re.M)
        return page.replace("</body>", f"<script>{paging}</script></body>", 1).encode()

    def _wechat_getmsg(
        self, account: _Account, dated: list[tuple[int, datetime]], offset: int
    ) -> dict[str, Any]:
        """profile_ext?action=getmsg&f=json: the shape of the real answer."""
        page = dated[offset : offset + WECHAT_PAGE_SIZE]
        more = offset + WECHAT_PAGE_SIZE < len(dated)
        general = self._wechat_messages(account, page)
        return {
            "ret": 0,
            "errmsg": "ok",
            "msg_count": len(page),
            "can_msg_continue": 1 if more else 0,
            "general_msg_list": json.dumps(general, ensure_ascii=False),
            "next_offset": offset + len(page),
            "video_count": 1,
            "use_video_tab": 1,
            "real_type": 0,
        }

    # toutiao

    def _toutiao(self, account: _Account, query: dict[str, str], now: datetime) -> dict[str, Any]:
        """/api/pc/list/user/feed: items newest first, paged by max_behot_time (ms)."""
        below = int(query.get("max_behot_time") or 0)
        dated = account.dated(now)
        if account.pinned_index is not None and not below:
            dated.sort(key=lambda item: item[0] != account.pinned_index)
        remaining = [
            (number, at)
            for number, at in dated
            if not below
            or (
                number != account.pinned_index
                and int((at + TOUTIAO_BEHOT_DELAY).timestamp() * 1000) < below
            )
        ]
        page, rest = remaining[: account.page_size], remaining[account.page_size :]
        data = []
        for number, published_at in page:
            stamp = int(published_at.timestamp())
            item_id = str((stamp << 32) | (number & 0xFFFF))  # Toutiao ids start with the time
            item: dict[str, Any] = {
                "cell_type": 0,
                "item_id": item_id,
                "group_id": item_id,
                "title": _title(account, number),
                "behot_time": int((published_at + TOUTIAO_BEHOT_DELAY).timestamp()),
                "has_video": number % 3 == 2,
                "image_list": [{"url": "//p3.toutiaoimg.com/fake.jpg"}] if number % 2 else [],
                "source": "某市人民政府",
            }
            times = account.options.get("times", "publish_time")
            if times != "id_only":
                item[times] = stamp
            if number == account.pinned_index:
                item.update(is_stick=True, label="置顶")
            data.append(item)
        unpinned = [item for item in data if not item.get("is_stick")]
        next_time = unpinned[-1]["behot_time"] * 1000 if unpinned and rest else 0
        return {
            "message": "success",
            "data": data,
            "has_more": bool(rest),
            "next": {"max_behot_time": next_time},
        }

    def _toutiao_page(self, account: _Account) -> bytes:
        # Loads the feed the way toutiao.com's profile page does: once, then on scrolling.
        token = json.dumps(account.key)
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>头条</title></head>
<body style="height:5000px"><div id="feed"></div><script>
let cursor = 0, more = true, busy = false;
async function load() {{
  if (!more || busy) return; busy = true;
  const url = "{TOUTIAO_FEED_PATH}?category=profile_all&token=" + encodeURIComponent({token})
    + "&max_behot_time=" + cursor + "&aid=24&app_name=toutiao_web&_signature=_02B4Zfake";
  const data = await (await fetch(url)).json();
  more = !!data.has_more; cursor = (data.next || {{}}).max_behot_time || 0; busy = false;
  for (const item of data.data || []) {{
    const p = document.createElement("p"); p.textContent = item.title;
    document.getElementById("feed").appendChild(p);
  }}
}}
window.addEventListener("scroll", () => {{
  if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 10) load();
}});
load();
</script></body></html>""".encode()

    # rss

    def _rss(self, account: _Account, now: datetime) -> bytes:
        site = f"{self.base_url}/site/{quote(account.key, safe='')}"
        dated = account.dated(now)
        undated = [
            (len(account.times) + extra, None) for extra in range(account.options["undated"])
        ]
        items = []
        for number, published_at in [*dated, *undated]:
            url = f"{site}/{number}.html"
            title = html.escape(_title(account, number))
            if account.options["fmt"] == "atom":
                stamp = f"<updated>{published_at.isoformat()}</updated>" if published_at else ""
                items.append(f"<entry><id>{url}</id><title>{title}</title>{stamp}")
                items.append(f"<link href='{url}'/></entry>")
            else:
                stamp = (
                    f"<pubDate>{published_at.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>"
                    if published_at
                    else ""
                )
                items.append(f"<item><title>{title}</title><link>{url}</link>{stamp}</item>")
        if account.options["fmt"] == "atom":
            return (
                "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                f"<id>{site}</id><title>{html.escape(account.key)}</title>{''.join(items)}</feed>"
            ).encode()
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>{html.escape(account.key)}</title><link>{site}</link>"
            f"{''.join(items)}</channel></rss>"
        ).encode()

    # douyin

    def _douyin(self, account: _Account, query: dict[str, str], now: datetime) -> dict[str, Any]:
        below = int(query.get("max_cursor") or 0)
        dated = account.dated(now)
        if account.pinned_index is not None and not below:
            dated.sort(key=lambda item: item[0] != account.pinned_index)
        remaining = [
            (number, at)
            for number, at in dated
            if not below or (number != account.pinned_index and at.timestamp() * 1000 < below)
        ]
        page, rest = remaining[: account.page_size], remaining[account.page_size :]
        awemes = [
            {
                "aweme_id": str(7_440_000_000_000_000_000 + number),
                "desc": _title(account, number),
                "create_time": int(published_at.timestamp()),
                "aweme_type": 0,
                "is_top": int(number == account.pinned_index),
                "images": None,
                "video": {"play_addr": {"url_list": []}, "duration": 15000},
            }
            for number, published_at in page
        ]
        unpinned = [item for item in awemes if not item["is_top"]]
        max_cursor = unpinned[-1]["create_time"] * 1000 if unpinned and rest else 0
        return {
            "status_code": 0,
            "aweme_list": awemes,
            "has_more": int(bool(rest)),
            "max_cursor": max_cursor,
            "min_cursor": 0,
        }

    def _douyin_page(self, account: _Account) -> bytes:
        # Loads the post list the way douyin.com does: once on load, then on scrolling down.
        sec_uid = json.dumps(account.key)
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>抖音</title></head>
<body style="height:5000px"><div id="posts"></div><script>
let cursor = 0, more = true, busy = false;
async function load() {{
  if (!more || busy) return; busy = true;
  const url = "/aweme/v1/web/aweme/post/?device_platform=webapp&aid=6383&sec_user_id="
    + encodeURIComponent({sec_uid}) + "&count=18&max_cursor=" + cursor;
  const data = await (await fetch(url)).json();
  more = !!data.has_more; cursor = data.max_cursor; busy = false;
  for (const a of data.aweme_list || []) {{
    const p = document.createElement("p"); p.textContent = a.desc;
    document.getElementById("posts").appendChild(p);
  }}
}}
window.addEventListener("scroll", () => {{
  if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 10) load();
}});
load();
</script></body></html>""".encode()


def _fixture(name: str) -> bytes:
    return (FIXTURES_DIR / name).read_bytes()


def _json(payload: dict[str, Any]) -> tuple[int, str, bytes, dict[str, str]]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return 200, "application/json; charset=utf-8", body, {}


def _title(account: _Account, number: int) -> str:
    return f"{account.key} 第{number}条：关于做好冬季安全生产工作的通知"


_EXPIRED_STANDIN = (
    "<html><head><title></title></head><body><div class='weui-msg'>"
    "<h2 class='weui-msg__title'>链接已过期</h2></div></body></html>"
)
_ARTICLE_STANDIN = """<html><head><title>TITLE</title></head><body>
<div id="js_content"><p>正文</p></div><script>
var biz = "" || "BIZ"; var mid = "" || "" || "MID"; var idx = "" || "" || "1";
var nickname = "NICK"; var ct = "CT"; var publish_time = "DAY" || "";
var msg_title = "TITLE";
</script></body></html>"""


def _wechat_article(account: _Account, number: int, published_at: datetime) -> str:
    title = _title(account, number)
    local = published_at.astimezone(SHANGHAI)
    values = {
        "ct": str(int(published_at.timestamp())),
        "publish_time": f"{local:%Y-%m-%d}",
        "msg_title": title,
        "nickname": account.options["name"],
        "biz": account.key,
        "mid": str(2_650_000_000 + number),
    }
    template = _corpus_text("wechat", "WechatSogou_article_detail_qqmusic.html")
    if template is None:
        page = _ARTICLE_STANDIN
        for placeholder, name in (
            ("TITLE", "msg_title"),
            ("BIZ", "biz"),
            ("MID", "mid"),
            ("NICK", "nickname"),
            ("CT", "ct"),
            ("DAY", "publish_time"),
        ):
            page = page.replace(placeholder, values[name])
        return page
    page = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", template)
    for name, value in values.items():
        # The first string of `var name = "..." || ...` (or of `"" || "..."`) carries the value.
        page = re.sub(
            rf'(\bvar\s+{name}\s*=\s*)("[^"\n]*"(?:\s*\|\|\s*"[^"\n]*")*)',
            lambda match, value=value: f'{match[1]}"{value}"',
            page,
            count=1,
        )
    return page


class _Handler(BaseHTTPRequestHandler):
    fake: FakePlatforms

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        parts = parts._replace(path=unquote(parts.path))
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        platform, key = self.fake.route(parts.path, query)
        self.fake._record(
            SeenRequest(parts.path, query, platform or "", key, dict(self.headers.items()))
        )
        status, content_type, body, extra = self.fake.respond(platform, key, parts.path, query)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


@pytest.fixture
def fake_platforms() -> Iterator[FakePlatforms]:
    """A started FakePlatforms, stopped after the test (import it into a conftest to use)."""
    with FakePlatforms() as fake:
        yield fake
