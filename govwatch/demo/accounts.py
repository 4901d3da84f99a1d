"""Demo new-media accounts: a Weibo-shaped timeline API and a WeChat mirror feed.

Served by the demo server next to the demo site, with post times relative to now:
an active Weibo account, a Weibo account silent for 20 days (stale), and a WeChat
account (mirrored by an RSS feed, as wewe-rss or RSSHub publish it) that posts only
once a week (low frequency).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from storage.clock import CHINA_TZ

PAGE_SIZE = 10


@dataclass(frozen=True)
class DemoAccount:
    """One demo account and the ages of its posts (days before now, newest first)."""

    account_id: str
    name: str
    platform: str  # weibo | wechat
    uid: str
    ages_in_days: tuple[float, ...]


ACCOUNTS = (
    DemoAccount(
        "demo-weibo", "示范县发布", "weibo", "5000000001", tuple(i * 1.5 + 0.2 for i in range(80))
    ),
    DemoAccount(
        "demo-weibo-quiet", "示范县文旅", "weibo", "5000000002", (20.3, 26.1, 33.4, 41.0, 55.2)
    ),
    DemoAccount(
        "demo-wechat", "示范县融媒", "wechat", "demo-wx", tuple(i * 7 + 1.2 for i in range(16))
    ),
)


def _posts(account: DemoAccount, now: datetime) -> list[tuple[str, datetime]]:
    return [
        (f"{account.uid}{index:04d}", now - timedelta(days=age))
        for index, age in enumerate(account.ages_in_days)
    ]


def _weibo_profile(account: DemoAccount) -> bytes:
    """The profile answer a crawl reads first: the account exists, and its posts tab."""
    tabs = [
        {
            "tabKey": "weibo",
            "tab_type": "weibo",
            "title": "微博",
            "containerid": f"107603{account.uid}",
        }
    ]
    user = {
        "id": int(account.uid),
        "screen_name": account.name,
        "statuses_count": len(account.ages_in_days),
    }
    data = {"userInfo": user, "tabsInfo": {"selectedTab": 1, "tabs": tabs}}
    return json.dumps({"ok": 1, "data": data}, ensure_ascii=False).encode()


def weibo_timeline(query: str, now: datetime) -> bytes | None:
    """``/api/container/getIndex``: the mobile API's profile or timeline page, or None if
    unknown."""
    params = parse_qs(query)
    container = params.get("containerid", [""])[0]
    weibo = [a for a in ACCOUNTS if a.platform == "weibo"]
    profile = next((a for a in weibo if f"100505{a.uid}" == container), None)
    if profile is not None:
        return _weibo_profile(profile)
    account = next((a for a in weibo if f"107603{a.uid}" == container), None)
    if account is None:
        return None
    posts = _posts(account, now)
    start = int(params.get("since_id", ["0"])[0] or 0)
    page = posts[start : start + PAGE_SIZE]
    cards = [
        {
            "card_type": 9,
            "mblog": {
                "id": post_id,
                "created_at": published.astimezone(CHINA_TZ).strftime("%a %b %d %H:%M:%S %z %Y"),
                "text": f"{account.name}:第{post_id[-4:]}条政务信息",
                "pics": [],
            },
        }
        for post_id, published in page
    ]
    more = start + PAGE_SIZE < len(posts)
    info = {"since_id": start + PAGE_SIZE} if more else {}
    return json.dumps({"ok": 1, "data": {"cardlistInfo": info, "cards": cards}}).encode()


def wechat_feed(path: str, now: datetime) -> bytes | None:
    """``/feeds/<uid>.xml``: an RSS mirror of a WeChat account, or None if unknown."""
    name = urlsplit(path).path.rsplit("/", 1)[-1].removesuffix(".xml")
    account = next((a for a in ACCOUNTS if a.platform == "wechat" and a.uid == name), None)
    if account is None:
        return None
    items = "".join(
        f"<item><title>{escape(account.name)}:第{post_id[-4:]}期</title>"
        f"<link>https://mp.weixin.qq.com/s/{post_id}</link><guid>{post_id}</guid>"
        f"<pubDate>{format_datetime(published.astimezone(CHINA_TZ))}</pubDate></item>"
        for post_id, published in _posts(account, now)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(account.name)}</title><link>https://mp.weixin.qq.com/</link>"
        f"<description>微信公众号</description>{items}</channel></rss>"
    ).encode()


def demo_accounts_yaml(base_url: str) -> str:
    """The accounts section of the demo targets file."""
    root = base_url.rstrip("/")
    lines = ["accounts:"]
    for account in ACCOUNTS:
        lines.append(f"  - id: {account.account_id}")
        lines.append(f"    name: {account.name}")
        lines.append(f"    platform: {account.platform}")
        lines.append(f'    uid: "{account.uid}"')
        if account.platform == "wechat":
            lines.append(f"    feed: {root}/feeds/{account.uid}.xml")
        lines.append("    unit: 县政府办公室")
    return "\n".join(lines) + "\n"
