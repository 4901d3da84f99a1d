"""New-media platform adapters (weibo, wechat, douyin, toutiao, rss) and their registry.

Importing this package imports every adapter module so ``ADAPTERS`` is complete.
"""

from crawler.platforms import douyin, rss, toutiao, wechat, weibo  # noqa: F401  (registers)
from crawler.platforms.base import (
    AccountRef,
    BlockReason,
    PageRequest,
    PlatformAdapter,
    Post,
    TimelinePage,
)
from crawler.platforms.registry import (
    ADAPTERS,
    DEFAULT_BASE_URLS,
    UnknownPlatformError,
    get_adapter,
    register,
)

__all__ = [
    "ADAPTERS",
    "DEFAULT_BASE_URLS",
    "AccountRef",
    "BlockReason",
    "PageRequest",
    "PlatformAdapter",
    "Post",
    "TimelinePage",
    "UnknownPlatformError",
    "get_adapter",
    "register",
]
