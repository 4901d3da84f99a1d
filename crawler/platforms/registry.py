"""Registry of platform adapters keyed by platform name, and the default base URLs.

Adapters register themselves with ``@register`` when their module is imported; importing the
``crawler.platforms`` package imports every adapter module, so the registry is complete as soon
as anything from the package is imported.
"""

from __future__ import annotations

from typing import TypeVar

from crawler.platforms.base import PlatformAdapter

AdapterClass = TypeVar("AdapterClass", bound=type[PlatformAdapter])

ADAPTERS: dict[str, type[PlatformAdapter]] = {}

DEFAULT_BASE_URLS: dict[str, str] = {
    "weibo": "https://m.weibo.cn",
    "wechat": "https://mp.weixin.qq.com",
    "douyin": "https://www.douyin.com",
    "toutiao": "https://www.toutiao.com",
    "rss": "",  # feeds carry absolute URLs
}


class UnknownPlatformError(KeyError):
    """A targets file names a platform no adapter handles."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown platform"


def register(adapter_class: AdapterClass) -> AdapterClass:
    """Class decorator adding an adapter under its ``name``; names must be unique."""
    platform = adapter_class.name
    existing = ADAPTERS.get(platform)
    if existing is not None and existing is not adapter_class:
        raise ValueError(f"platform {platform!r} already registered by {existing.__qualname__}")
    ADAPTERS[platform] = adapter_class
    return adapter_class


def get_adapter(
    platform: str, base_url: str | None = None, headers: dict[str, str] | None = None
) -> PlatformAdapter:
    """An adapter instance for ``platform``; ``base_url`` None means the real platform."""
    adapter_class = ADAPTERS.get(platform)
    if adapter_class is None:
        known = ", ".join(sorted(ADAPTERS)) or "none registered"
        raise UnknownPlatformError(f"unknown platform {platform!r} (known: {known})")
    if base_url is None:
        base_url = DEFAULT_BASE_URLS.get(platform, "")
    return adapter_class(base_url, headers)
