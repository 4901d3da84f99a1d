"""RSS/Atom parsing shared by the rss adapter and the wechat adapter (feeds mirroring accounts).

feedparser does the format work; dates are re-read from the entry's own string with
dateparser because feedparser takes a date without a zone ("2025-11-20 10:00:00", common in
Chinese feeds) as UTC, while these feeds mean Beijing time.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dateparser
import feedparser

from crawler.platforms.base import BlockReason, Post, plain_title
from crawler.platforms.blocks import html_instead_of_data, looks_like_html

_IMG_RE = re.compile(r"<img\b", re.IGNORECASE)
_VIDEO_RE = re.compile(r"<video\b|<iframe\b[^>]*(?:video|player)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class UndatedEntry:
    """A feed entry without a usable date: reported, never given an invented one."""

    entry_id: str
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class FeedResult:
    """What one feed document holds."""

    posts: tuple[Post, ...]
    undated: tuple[UndatedEntry, ...]
    next_url: str | None  # RFC 5005 rel="next" (paged feeds)
    blocked: BlockReason | None = None
    detail: str = ""
    # RFC 5005 <fh:complete/>: the feed holds every entry there is. The only way a feed
    # proves it is whole; any other feed is the newest N entries.
    complete: bool = False


# RFC 5005 section 2: <fh:complete/> in the feed head, namespace below.
_HISTORY_NS = b"http://purl.org/syndication/history/1.0"
_COMPLETE_RE = re.compile(rb"<(?:[\w.-]+:)?complete\s*/>|<(?:[\w.-]+:)?complete\s*>\s*</")


def _declares_complete(body: bytes) -> bool:
    return _HISTORY_NS in body and bool(_COMPLETE_RE.search(body))


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            parsed = dateparser.parse(
                raw,
                settings={"TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True},
            )
            if parsed is not None:
                return parsed
        struct = entry.get(f"{key}_parsed")
        if struct:
            return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    return None


def _entry_html(entry: Any) -> str:
    parts = [entry.get("summary") or ""]
    parts.extend(content.get("value") or "" for content in entry.get("content") or ())
    return "\n".join(parts)


def _media_flags(entry: Any) -> tuple[bool, bool]:
    html_text = _entry_html(entry)
    media_types = [
        (link.get("type") or "")
        for link in entry.get("links") or ()
        if link.get("rel") == "enclosure"
    ]
    media_types.extend((media.get("type") or "") for media in entry.get("media_content") or ())
    has_images = bool(_IMG_RE.search(html_text)) or any(
        kind.startswith("image/") for kind in media_types
    )
    has_video = bool(_VIDEO_RE.search(html_text)) or any(
        kind.startswith("video/") for kind in media_types
    )
    return has_images, has_video


def parse_feed(body: bytes, content_type: str | None) -> FeedResult:
    """Posts of an RSS/Atom document; undated entries are listed apart, not guessed."""
    if not body.strip():
        return FeedResult(
            (), (), None, BlockReason.UNPARSEABLE, "订阅源返回空内容(HTTP 200,无正文)"
        )
    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = feedparser.parse(body, response_headers=headers)
    except Exception as error:
        detail = f"not an RSS/Atom feed ({type(error).__name__})"
        return FeedResult((), (), None, BlockReason.UNPARSEABLE, detail)
    if not parsed.version and not parsed.entries:
        if looks_like_html(body, content_type):
            reason, detail = html_instead_of_data(body, "a feed")
        else:
            reason = BlockReason.UNPARSEABLE
            problem = parsed.get("bozo_exception")
            detail = f"not an RSS/Atom feed ({problem})" if problem else "not an RSS/Atom feed"
        return FeedResult((), (), None, reason, detail)

    posts: list[Post] = []
    undated: list[UndatedEntry] = []
    for entry in parsed.entries:
        url = entry.get("link") or ""
        entry_id = entry.get("id") or url
        title = plain_title(entry.get("title")) or plain_title(_entry_html(entry))
        published_at = _entry_date(entry)
        if published_at is None or not entry_id:
            undated.append(UndatedEntry(entry_id=entry_id, url=url, title=title))
            continue
        has_images, has_video = _media_flags(entry)
        posts.append(
            Post(
                platform_post_id=entry_id,
                url=url,
                title=title,
                published_at=published_at,
                has_images=has_images,
                has_video=has_video,
            )
        )
    next_url = next(
        (link.get("href") for link in parsed.feed.get("links") or () if link.get("rel") == "next"),
        None,
    )
    return FeedResult(
        tuple(posts), tuple(undated), next_url, complete=_declares_complete(body[:4096])
    )


def describe_undated(undated: tuple[UndatedEntry, ...]) -> str:
    """A log line naming entries skipped for lack of a date."""
    if not undated:
        return ""
    shown = "; ".join(entry.url or entry.entry_id or entry.title for entry in undated[:5])
    more = f" and {len(undated) - 5} more" if len(undated) > 5 else ""
    return f"{len(undated)} entries without a date skipped: {shown}{more}"
