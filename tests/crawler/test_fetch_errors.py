"""Classifying failed downloads and login walls, the words CHECK_FAILED findings carry."""

from __future__ import annotations

import pytest
from scrapy import exceptions as scrapy_errors
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from crawler.fetch_errors import classify_failure, login_wall_reason


def failure_of(error: BaseException) -> Failure:
    try:
        raise error
    except BaseException:
        return Failure()


def test_http_error_keeps_the_status() -> None:
    response = HtmlResponse(
        "http://x.gov.cn/", status=503, body=b"", request=Request("http://x.gov.cn/")
    )
    assert classify_failure(failure_of(HttpError(response, "Ignoring"))) == (
        "http_error",
        503,
        "HTTP 503",
    )


@pytest.mark.parametrize(
    ("error", "error_class"),
    [
        (net_error.DNSLookupError("no such host"), "dns"),
        (net_error.ConnectionRefusedError(), "refused"),
        (net_error.TCPTimedOutError(), "timeout"),
        (net_error.TimeoutError(), "timeout"),
        (ValueError("SSL routines: certificate verify failed"), "tls"),
        (RuntimeError("something odd"), "other"),
    ],
)
def test_network_errors(error: BaseException, error_class: str) -> None:
    assert classify_failure(failure_of(error))[0] == error_class


@pytest.mark.parametrize(
    ("name", "error_class"),
    [
        ("CannotResolveHostError", "dns"),
        ("DownloadConnectionRefusedError", "refused"),
        ("DownloadTimeoutError", "timeout"),
    ],
)
def test_scrapy_download_errors(name: str, error_class: str) -> None:
    error_type = getattr(scrapy_errors, name, None)
    if error_type is None:
        pytest.skip(f"this Scrapy has no {name}")
    assert classify_failure(failure_of(error_type("x")))[0] == error_class


def test_login_walls() -> None:
    assert "登录页" in login_wall_reason(
        "http://x.gov.cn/col/", "http://x.gov.cn/sso/login.jsp?to=/col/", "<html></html>", True
    )
    form = "<form><input name=u><input type='password' name=p></form>"
    assert login_wall_reason("http://x.gov.cn/col/", "http://x.gov.cn/col/", form, False)
    # A portal with a small login box beside its list is not a wall.
    assert login_wall_reason("http://x.gov.cn/", "http://x.gov.cn/", form, True) is None
    # A column whose path merely contains "auth" is not a login page.
    assert login_wall_reason("http://x.gov.cn/a/", "http://x.gov.cn/authority/", "", True) is None
