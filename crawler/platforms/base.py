"""Types shared by the new-media platform adapters and the spider that drives them.

An adapter knows how to ask one platform for an account's timeline (``first_request``) and
how to turn one response into posts plus the next request (``parse``). It never does I/O:
the Scrapy spider makes the requests (in a browser when ``needs_browser`` is set) and
decides when to stop paginating, so adapters can be tested on saved payloads.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from w3lib.html import remove_tags, replace_entities

TITLE_MAX_CHARS = 200


@dataclass(frozen=True, slots=True)
class AccountRef:
    """What the targets file says about one new-media account."""

    account_id: str  # govwatch's id
    platform: str  # weibo | wechat | douyin | toutiao | rss
    uid: str | None
    feed: str | None  # feed URL (rss, or a feed mirroring a wechat account)
    name: str


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One HTTP request an adapter wants made."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)  # cookies/tokens; never logged
    # douyin: render the page in Playwright and capture the post-list JSON it loads.
    needs_browser: bool = False
    # For needs_browser: which XHR response to capture (substring of its URL).
    capture_url_contains: str | None = None
    cursor: str | None = None  # adapter-private pagination state

    def __repr__(self) -> str:
        # Headers carry cookies; keep them out of logs and tracebacks.
        return (
            f"PageRequest(url={self.url!r}, headers=<{len(self.headers)} hidden>, "
            f"needs_browser={self.needs_browser}, "
            f"capture_url_contains={self.capture_url_contains!r}, cursor={self.cursor!r})"
        )


@dataclass(frozen=True, slots=True)
class Post:
    """One post as the freshness check needs it."""

    platform_post_id: str
    url: str
    title: str  # title or first 200 chars of text
    published_at: datetime  # timezone-aware
    has_images: bool
    has_video: bool
    pinned: bool = False


class BlockReason(StrEnum):
    """Why an account could not be read: becomes CHECK_FAILED, never "stale"."""

    LOGIN_WALL = "login_wall"
    CAPTCHA = "captcha"
    RATE_LIMITED = "rate_limited"
    NOT_FOUND = "not_found"  # account does not exist or was closed
    UNPARSEABLE = "unparseable"
    HTTP_ERROR = "http_error"


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """What one response said about an account's timeline.

    ``next_request`` None only means the adapter cannot ask for more; it is no proof that
    the timeline ended. Only ``end_of_timeline`` is: set it when the platform itself says
    nothing older exists (``can_msg_continue: 0``, ``has_more: 0``, Weibo's "这里还没有内容"
    after the last page...). See ``crawler.platforms.coverage`` for what the spider makes
    of it.
    """

    posts: tuple[Post, ...]
    next_request: PageRequest | None  # None when the adapter cannot ask for more
    blocked: BlockReason | None = None
    # Why the page was blocked, or what was skipped; shown to users in CHECK_FAILED
    # messages, so it never contains cookies.
    detail: str = ""
    # The platform's positive proof that nothing older than this page's posts exists.
    end_of_timeline: bool = False
    # The answer only located the timeline (Weibo's profile, whose tab list names the
    # posts container): no observation is stored for it and ``next_request`` is followed.
    lookup: bool = False


def blocked_page(reason: BlockReason, detail: str) -> TimelinePage:
    """A page that could not be read: no posts, no next request."""
    return TimelinePage(posts=(), next_request=None, blocked=reason, detail=detail)


class PlatformAdapter(ABC):
    """Builds requests for one platform and parses its responses; register with @register."""

    name: ClassVar[str]  # registry key

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers: dict[str, str] = dict(headers or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @abstractmethod
    def first_request(self, account: AccountRef) -> PageRequest:
        """The request for the newest page of the account's timeline."""

    def capture_matches(self, request: PageRequest, xhr_url: str) -> bool:
        """For ``needs_browser`` requests: whether a response the page loaded is the one
        ``request`` asks for (its URL contains ``capture_url_contains`` by default)."""
        marker = request.capture_url_contains
        return bool(marker) and marker in xhr_url

    @abstractmethod
    def parse(
        self,
        account: AccountRef,
        request: PageRequest,
        status: int,
        body: bytes,
        content_type: str | None,
        now: datetime,
    ) -> TimelinePage:
        """Posts on one response and the next request; a pure function of its inputs."""


_SPACES_RE = re.compile(r"\s+")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain_title(text: str | None) -> str:
    """Tag-free, entity-decoded, whitespace-collapsed text cut to TITLE_MAX_CHARS."""
    if not text:
        return ""
    plain = replace_entities(remove_tags(_BR_RE.sub(" ", text)))
    return _SPACES_RE.sub(" ", plain).strip()[:TITLE_MAX_CHARS]
