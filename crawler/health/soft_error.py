"""Recognise "soft" error pages: 200 responses whose content says the page does not exist.

Pure functions over the first few KB of a body, shared by the homepage probe and the link
checker. Government CMSs often answer a missing article with HTTP 200 and a friendly
"页面不存在" page, which inspectors count as a broken link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from w3lib.encoding import html_to_unicode

# How much of a body is inspected; error pages say so in their <title> or first heading.
SNIFF_BYTES = 4096

# Phrases that only appear on error pages, matched anywhere in the sniffed text.
# A "404" inside them must stand alone ((?<!\w) / (?!\d)): menus list "页面404 页面405".
_STRONG_PHRASES = re.compile(
    r"您访问的页面不存在|页面不存在|页面未找到|找不到该页面|找不到页面|页面已删除|页面已被删除"
    r"|网页不存在|访问的页面不存在|该页面不存在|页面找不到了|page\s+not\s+found"
    r"|(?<!\w)404\s*not\s*found|(?<!\w)404\s*错误|错误\s*404(?!\d)|error\s*404(?!\d)"
    r"|(?<!\w)404页面",
    re.IGNORECASE,
)
# Weaker signals ("404", "not found") only count in the <title> or on a very short page,
# because article text may mention them. A bare 404 must stand alone: CJK characters are \w,
# so "第404期" does not match.
_WEAK_PHRASES = re.compile(r"(?<!\w)404(?!\w)|not\s*found|无法找到|出错了|访问出错", re.IGNORECASE)
_SHORT_PAGE_CHARS = 300

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")

_ERROR_PATH = re.compile(
    r"(^|/)(40[0-9]|50[0-9]|50x|error|errors|err|notfound|not[-_]found|page[-_]?not[-_]?found"
    r"|nopage|no[-_]page)(\.(s?html?|jsp|aspx?|php))?/?$",
    re.IGNORECASE,
)
_ERROR_QUERY = re.compile(r"(^|&)(error|err|errcode|errorcode)=", re.IGNORECASE)


def _decode(body: bytes, content_type: str | None) -> str:
    # w3lib follows the browser order: BOM, HTTP header, <meta charset>, then a guess; the
    # sniffed slice may cut a multi-byte character, which html_to_unicode replaces.
    _, text = html_to_unicode(content_type, body)
    return text


def soft_error_reason(body: bytes, content_type: str | None = None) -> str | None:
    """Why this (HTML) body looks like an error page, or None if it does not.

    Only the first SNIFF_BYTES bytes are looked at.
    """
    head = body[:SNIFF_BYTES]
    if not head.strip():
        return None
    title_match = _TITLE.search(head)
    if title_match:
        title = _SPACE.sub(" ", _decode(title_match.group(1), content_type)).strip()
        found = _STRONG_PHRASES.search(title) or _WEAK_PHRASES.search(title)
        if found:
            return f"title says {found.group(0)!r}"
    text = _decode(head, content_type)
    visible = _SPACE.sub(" ", _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", text))).strip()
    found = _STRONG_PHRASES.search(visible)
    if found:
        return f"page says {found.group(0)!r}"
    # A short page is only short if the body ended inside the sniffed slice.
    if len(body) <= SNIFF_BYTES and len(visible) <= _SHORT_PAGE_CHARS:
        found = _WEAK_PHRASES.search(visible)
        if found:
            return f"short page says {found.group(0)!r}"
    return None


def error_page_url_reason(url: str) -> str | None:
    """Why a redirect target URL looks like an error page (/404.html, /error.jsp?...)."""
    parts = urlsplit(url)
    if _ERROR_PATH.search(parts.path):
        return f"redirected to error page path {parts.path!r}"
    if _ERROR_QUERY.search(parts.query):
        return f"redirected to error query {parts.query!r}"
    return None


def is_html_content_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in {"text/html", "application/xhtml+xml"}
