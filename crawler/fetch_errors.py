"""Turning a failed download into an error class an operator can act on.

Scrapy reports failures as Twisted failures of many types; inspectors need to know
whether the host did not resolve, refused, timed out, broke TLS or answered with an
error status. Pages that open but are a login wall are classified here too.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from scrapy import exceptions as scrapy_errors
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure


def _optional(name: str) -> tuple[type[BaseException], ...]:
    error = getattr(scrapy_errors, name, None)
    return (error,) if isinstance(error, type) else ()


# Scrapy 2.14+ raises its own download exceptions; older releases (and some handlers)
# still surface Twisted's. Accept both.
_DNS = (net_error.DNSLookupError, *_optional("CannotResolveHostError"))
_REFUSED = (net_error.ConnectionRefusedError, *_optional("DownloadConnectionRefusedError"))
_TIMEOUTS = (
    net_error.TimeoutError,
    net_error.TCPTimedOutError,
    *_optional("DownloadTimeoutError"),
)
_LOGIN_PATH = re.compile(r"(^|/)(login|logon|signin|sso|cas|passport|auth)([/._?-]|$)", re.I)
_PASSWORD_INPUT = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.I)


def classify_failure(failure: Failure) -> tuple[str, int | None, str]:
    """``(error_class, http_status, detail)`` for a download that failed."""
    value = failure.value
    if failure.check(HttpError):
        status = value.response.status
        return "http_error", status, f"HTTP {status}"
    if failure.check(*_DNS):
        return "dns", None, f"域名无法解析: {value}"
    if failure.check(*_REFUSED):
        return "refused", None, "连接被拒绝"
    if failure.check(*_TIMEOUTS):
        return "timeout", None, "连接超时"
    text = f"{type(value).__name__}: {value}"
    if "SSL" in text or "TLS" in text or "certificate" in text.lower():
        return "tls", None, f"TLS 握手失败: {text}"
    if "timed out" in text.lower() or "Timeout" in type(value).__name__:
        return "timeout", None, "连接超时"
    return "other", None, text[:500]


def login_wall_reason(
    requested_url: str, final_url: str, html: str, list_found: bool
) -> str | None:
    """Why a page that opened is a login wall rather than the column, or None.

    A redirect to a login path is always a wall. A password box alone is only a wall
    when no list was found: many portals carry a small login form in a sidebar.
    """
    requested_path = urlparse(requested_url).path
    final_path = urlparse(final_url).path
    if final_path != requested_path and _LOGIN_PATH.search(final_path):
        return f"被重定向到登录页 {final_url}"
    if not list_found and _PASSWORD_INPUT.search(html[:200_000]):
        return "页面要求登录(含密码输入框)"
    return None
