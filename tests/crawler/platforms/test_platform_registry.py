"""Tests for the adapter registry and the shared types."""

from __future__ import annotations

import pytest

from crawler.platforms import ADAPTERS, DEFAULT_BASE_URLS, get_adapter
from crawler.platforms.base import AccountRef, PageRequest, PlatformAdapter, plain_title
from crawler.platforms.registry import UnknownPlatformError, register
from crawler.platforms.weibo import WeiboAdapter


def test_every_platform_is_registered_with_a_default_base_url() -> None:
    assert set(ADAPTERS) == {"weibo", "wechat", "douyin", "toutiao", "rss"}
    assert set(DEFAULT_BASE_URLS) == set(ADAPTERS)
    for platform, adapter_class in ADAPTERS.items():
        assert adapter_class.name == platform


def test_get_adapter_uses_default_base_url_and_strips_slash() -> None:
    assert get_adapter("weibo").base_url == "https://m.weibo.cn"
    adapter = get_adapter("toutiao", "http://127.0.0.1:8000/", {"Cookie": "a=b"})
    assert adapter.base_url == "http://127.0.0.1:8000"
    assert adapter.headers == {"Cookie": "a=b"}


def test_unknown_platform_error_names_the_platform_and_the_known_ones() -> None:
    with pytest.raises(UnknownPlatformError) as raised:
        get_adapter("bilibili")
    message = str(raised.value)
    assert "'bilibili'" in message
    assert "weibo" in message


def test_registering_a_second_adapter_under_a_taken_name_fails() -> None:
    with pytest.raises(ValueError, match="already registered"):

        @register
        class OtherWeibo(WeiboAdapter):
            name = "weibo"


def test_adapter_is_abstract() -> None:
    with pytest.raises(TypeError):
        PlatformAdapter("https://example.com")  # type: ignore[abstract]


def test_page_request_repr_hides_headers() -> None:
    request = PageRequest(url="https://m.weibo.cn/x", headers={"Cookie": "SUB=secret"})
    assert "secret" not in repr(request)
    assert "SUB" not in repr(request)


def test_first_request_carries_adapter_headers_without_leaking_into_repr() -> None:
    adapter = get_adapter("weibo", headers={"Cookie": "SUB=secret"})
    request = adapter.first_request(AccountRef("a", "weibo", "123", None, "x"))
    assert request.headers["Cookie"] == "SUB=secret"
    assert "secret" not in repr(request) and "secret" not in repr(adapter)


def test_plain_title_strips_tags_entities_and_cuts_to_200_chars() -> None:
    assert plain_title("a<br />b &amp; <span>c</span>\n d") == "a b & c d"
    assert len(plain_title("字" * 300)) == 200
    assert plain_title(None) == ""
