"""Recognising responses that are not the account's timeline: walls, captchas, errors.

A platform that wants a login, a captcha or a slower client usually still answers, often with
status 200 and an HTML page. Those answers must become ``blocked`` (CHECK_FAILED), never an
empty timeline that would make the account look stale.
"""

from __future__ import annotations

import json
import re
from typing import Any

from crawler.platforms.base import BlockReason

# Weibo answers 418 ("I'm a teapot") to clients it throttles; 432 when the visitor cookie
# (SUB/SUBP) is missing, i.e. it wants a (visitor) login.
_STATUS_REASONS: dict[int, BlockReason] = {
    401: BlockReason.LOGIN_WALL,
    404: BlockReason.NOT_FOUND,
    410: BlockReason.NOT_FOUND,
    418: BlockReason.RATE_LIMITED,
    429: BlockReason.RATE_LIMITED,
    432: BlockReason.LOGIN_WALL,
}

# Markers looked for only in the first part of a page, lower-cased. Captcha first: captcha
# pages often also say "登录".
_SCAN_CHARS = 20_000
_CAPTCHA_MARKERS = (
    "captcha",
    "geetest",
    "验证码",
    "安全验证",
    "请完成验证",
    "完成验证后",  # mp.weixin.qq.com "环境异常 ... 完成验证后即可继续访问"
    "环境异常",
    "滑块",
    "antispider",  # weixin.sogou.com/antispider
    "异常访问请求",
    "verifycenter",  # douyin / bytedance verify pages
    "verify.snssdk.com",
)
_LOGIN_MARKERS = (
    "passport.weibo.cn",
    "passport.weibo.com",
    "login.sina.com.cn",
    "sina visitor system",  # weibo's visitor-cookie gate
    "请在微信客户端打开",  # wechat profile page without a client key
    "sso.toutiao.com",
    "请登录",
    "登录后查看",
    "扫码登录",
    'type="password"',
    "type='password'",
)
_RATE_MARKERS = ("请求过于频繁", "访问过于频繁", "操作过于频繁", "too many requests")
_NOT_FOUND_MARKERS = ("用户不存在", "账号不存在", "该账号已注销", "该账号因违反", "页面不存在")

_HTML_START_RE = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<script|<meta)", re.I)


def status_block(status: int) -> tuple[BlockReason, str] | None:
    """A block for a status that is not a readable answer, or None for 2xx."""
    if 200 <= status < 300:
        return None
    reason = _STATUS_REASONS.get(status)
    if reason is not None:
        return reason, f"HTTP {status}"
    if 300 <= status < 400:
        return BlockReason.HTTP_ERROR, f"HTTP {status}: redirect was not followed"
    return BlockReason.HTTP_ERROR, f"HTTP {status}"


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """Whether a body is an HTML page (by content type or by how it starts)."""
    if content_type and "html" in content_type.lower():
        return True
    return bool(_HTML_START_RE.match(body[:512]))


def page_block(text: str) -> tuple[BlockReason, str] | None:
    """A block named by an HTML/text page's content (captcha, login, throttling, gone)."""
    head = text[:_SCAN_CHARS].lower()
    for markers, reason, what in (
        (_CAPTCHA_MARKERS, BlockReason.CAPTCHA, "captcha page"),
        (_RATE_MARKERS, BlockReason.RATE_LIMITED, "rate-limit page"),
        (_LOGIN_MARKERS, BlockReason.LOGIN_WALL, "login page"),
        (_NOT_FOUND_MARKERS, BlockReason.NOT_FOUND, "account-gone page"),
    ):
        for marker in markers:
            if marker in head:
                return reason, f"{what} (marker {marker!r})"
    return None


def message_block(message: str) -> BlockReason | None:
    """A block named by an API error message ("请求过于频繁", "请先登录"...)."""
    lowered = message.lower()
    if any(marker in lowered for marker in _RATE_MARKERS):
        return BlockReason.RATE_LIMITED
    if any(marker in lowered for marker in ("登录", "login")):
        return BlockReason.LOGIN_WALL
    if any(marker in lowered for marker in ("验证", "captcha")):
        return BlockReason.CAPTCHA
    if any(marker in lowered for marker in _NOT_FOUND_MARKERS):
        return BlockReason.NOT_FOUND
    return None


def html_instead_of_data(body: bytes, what: str) -> tuple[BlockReason, str]:
    """The block for an HTML page where JSON or a feed was expected."""
    text = body.decode("utf-8", errors="replace")
    found = page_block(text)
    if found is not None:
        return found
    return BlockReason.UNPARSEABLE, f"HTML page instead of {what}"


def json_object(
    status: int, body: bytes, content_type: str | None, what: str
) -> dict[str, Any] | tuple[BlockReason, str]:
    """The JSON object a platform API answered, or why the answer is a block.

    The checks every JSON adapter makes, in order: an error status, an HTML page (login
    wall, captcha) instead of data, a body that is not JSON, JSON that is not an object.
    """
    failed = status_block(status)
    if failed is not None:
        return failed
    if looks_like_html(body, content_type):
        return html_instead_of_data(body, what)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        return BlockReason.UNPARSEABLE, f"{what} is not JSON: {error}"
    if not isinstance(payload, dict):
        return BlockReason.UNPARSEABLE, f"{what} is not a JSON object"
    return payload
