"""Soft-error recognition on small hand-written pages."""

from __future__ import annotations

import pytest

from crawler.health.soft_error import error_page_url_reason, soft_error_reason


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>404</title></head><body>x</body></html>",
        "<html><head><title>提示</title></head><body><p>您访问的页面不存在</p></body></html>",
        "<html><head><title>页面未找到 - 某某市人民政府</title></head><body></body></html>",
        "<html><body><h1>找不到该页面</h1></body></html>",
        "<html><body><div>Error 404</div></body></html>",
    ],
)
def test_error_pages_are_recognised(page: str) -> None:
    assert soft_error_reason(page.encode()) is not None


def test_gbk_error_page_is_recognised() -> None:
    page = (
        "<html><head><meta charset='gbk'><title>提示</title></head><body>页面不存在</body></html>"
    )
    assert soft_error_reason(page.encode("gbk"), "text/html") is not None


def test_article_mentioning_404_is_not_an_error_page() -> None:
    filler = "关于做好2024年政务公开工作的通知。" * 40
    page = (
        f"<html><head><title>通知公告</title></head><body><p>{filler}第404号文件</p></body></html>"
    )
    assert soft_error_reason(page.encode()) is None


def test_error_page_urls() -> None:
    assert error_page_url_reason("http://x.gov.cn/404.html") is not None
    assert error_page_url_reason("http://x.gov.cn/error.jsp?code=1") is not None
    assert error_page_url_reason("http://x.gov.cn/a/index.html?error=notfound") is not None
    assert error_page_url_reason("http://x.gov.cn/col/col404/index.html") is None


def test_numbered_titles_are_not_error_pages() -> None:
    page = "<html><head><title>第404期 政务简报</title></head><body>x</body></html>"
    assert soft_error_reason(page.encode()) is None
