"""Every adapter turns walls, captchas, throttling and garbage into ``blocked`` with no posts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crawler.platforms import AccountRef, BlockReason, get_adapter
from crawler.platforms.times import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "platforms"
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
ACCOUNTS = {
    "weibo": AccountRef("a", "weibo", "1000000001", None, "x"),
    "toutiao": AccountRef("a", "toutiao", "1000000001", None, "x"),
    "douyin": AccountRef("a", "douyin", "MS4wLjABAAAA", None, "x"),
    "wechat": AccountRef("a", "wechat", None, "https://rss.example.cn/feeds/x.atom", "x"),
    "rss": AccountRef("a", "rss", None, "https://www.example.gov.cn/rss.xml", "x"),
}
ERROR_JSON = {
    "weibo": (
        '{"ok":0,"msg":"请求过于频繁，歇歇吧","data":{"cards":[]}}',
        BlockReason.RATE_LIMITED,
    ),
    # What toutiao answers to a request without a valid signature: no reason given.
    "toutiao": ('{"message":"error","data":[],"has_more":false}', BlockReason.HTTP_ERROR),
    "douyin": ('{"status_code":2154,"status_msg":"请求过于频繁"}', BlockReason.RATE_LIMITED),
}
HTML = "text/html; charset=utf-8"


def _cases() -> list[object]:
    login = (FIXTURES / "weibo_login_page.html").read_bytes()
    captcha = (FIXTURES / "captcha_page.html").read_bytes()
    cases = []
    for platform in ACCOUNTS:
        cases += [
            (platform, "418", 418, b"", None, BlockReason.RATE_LIMITED),
            (platform, "429", 429, b"Too Many Requests", "text/plain", BlockReason.RATE_LIMITED),
            (platform, "404", 404, b"", None, BlockReason.NOT_FOUND),
            (platform, "500", 500, b"", None, BlockReason.HTTP_ERROR),
            (platform, "302", 302, b"", None, BlockReason.HTTP_ERROR),
            (platform, "login page", 200, login, HTML, BlockReason.LOGIN_WALL),
            (platform, "captcha page", 200, captcha, HTML, BlockReason.CAPTCHA),
            (
                platform,
                "garbage",
                200,
                b'{"ok":1,"data":{"cards":[',
                "application/json",
                BlockReason.UNPARSEABLE,
            ),
            (
                platform,
                "other html",
                200,
                b"<html><body>hello</body></html>",
                HTML,
                BlockReason.UNPARSEABLE,
            ),
        ]
    for platform, (body, reason) in ERROR_JSON.items():
        cases.append((platform, "err json", 200, body.encode(), "application/json", reason))
    return [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in cases]


@pytest.mark.parametrize(
    ("platform", "case", "status", "body", "content_type", "reason"),
    _cases(),
)
def test_blocked_with_no_posts(
    platform: str,
    case: str,
    status: int,
    body: bytes,
    content_type: str | None,
    reason: BlockReason,
) -> None:
    adapter = get_adapter(platform)
    account = ACCOUNTS[platform]
    page = adapter.parse(account, adapter.first_request(account), status, body, content_type, NOW)
    assert page.blocked is reason, page.detail
    assert page.posts == ()
    assert page.next_request is None
    assert page.detail


def test_detail_never_contains_request_headers() -> None:
    adapter = get_adapter("weibo", headers={"Cookie": "SUB=topsecret"})
    account = ACCOUNTS["weibo"]
    login = (FIXTURES / "weibo_login_page.html").read_bytes()
    page = adapter.parse(account, adapter.first_request(account), 200, login, HTML, NOW)
    assert "topsecret" not in page.detail
    assert "topsecret" not in repr(page)
