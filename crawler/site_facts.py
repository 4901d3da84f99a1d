"""What a site crawl records about a homepage besides its list, for rules that never
fetch: the footer's identity marks, a test of the site search (searching for the
homepage's newest item), and the accounts of the 政务新媒体 directory.

:class:`SiteFactsMixin` gives the site spider the callbacks (spider methods, so the
Redis workers can route them by name); the spider calls :meth:`homepage_facts` once
per homepage it read. What cannot be observed is recorded with ``ok=False`` and a
reason, and is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.discover.accounts import ListedAccount, extract_accounts
from crawler.extract import ListPage, extract_list
from crawler.extract.discovery import discover_columns
from crawler.extract.search_form import (
    find_search_form,
    has_search_box,
    result_lists,
    search_words,
)
from crawler.extract.site_identity import read_identity_marks
from crawler.fetch_errors import classify_failure

MEDIA_LINK_RE = re.compile(r"新媒体|媒体矩阵|政务微博|政务微信")
_MIN_TITLE = 6


@dataclass(frozen=True, slots=True)
class SiteFactObservation:
    """One fact about a site (kind: identity | search | media_directory)."""

    site_id: str
    kind: str
    ok: bool  # False: could not be observed; ``detail`` says why
    url: str
    data: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


def _accounts_data(accounts: list[ListedAccount]) -> list[dict[str, Any]]:
    return [asdict(account) for account in accounts]


class SiteFactsMixin:
    """Callbacks of the site spider that observe homepage facts."""

    site_id: str
    today: date

    def homepage_facts(self, response: Response, listing: ListPage) -> Iterator[Any]:
        """Identity marks now; the search test and the directory as requests."""
        marks = read_identity_marks(response.text)
        yield SiteFactObservation(self.site_id, "identity", True, response.url, marks.as_dict())
        yield from self._search_test(response, listing)
        yield from self._media_directory(response)

    def _search_test(self, response: Response, listing: ListPage) -> Iterator[Any]:
        box = has_search_box(response.text)
        form = find_search_form(response.text, response.url)
        if not box and form is None:
            yield SiteFactObservation(self.site_id, "search", True, response.url, {"box": False})
            return
        dated = [i for i in listing.items if i.published_on and len(i.title) >= _MIN_TITLE]
        newest = max(dated, key=lambda item: item.published_on or date.min, default=None)
        if form is None or newest is None:
            reason = "搜索框需脚本提交" if form is None else "首页没有可供检索的近期信息"
            yield SiteFactObservation(
                self.site_id, "search", False, response.url, {"box": True}, f"{reason},未测试"
            )
            return
        words = search_words(newest.title)
        url, data = form.request_for(words)
        kwargs = {"words": words, "item_url": newest.url}
        common = {
            "callback": self.parse_search_result,
            "errback": self.search_failed,
            "cb_kwargs": kwargs,
            "dont_filter": True,
        }
        if data is None:
            yield scrapy.Request(url, **common)
        else:
            yield scrapy.FormRequest(url, formdata=data, **common)

    def parse_search_result(self, response: Response, words: str, item_url: str) -> Iterator[Any]:
        """A search result page: does it list the item searched for?"""
        base = {"box": True, "tested": True, "words": words, "item_url": item_url}
        if not hasattr(response, "text"):
            yield SiteFactObservation(
                self.site_id, "search", False, response.url, base, "搜索结果不是网页,未判断"
            )
            return
        if result_lists(response.text, response.url, words, item_url):
            yield SiteFactObservation(
                self.site_id, "search", True, response.url, {**base, "found": True}
            )
            return
        if extract_list(response.text, response.url, self.today).status == "unparsed":
            # Results drawn by scripts look like "nothing found" to us: not judged.
            yield SiteFactObservation(
                self.site_id, "search", False, response.url, base, "搜索结果页无法解析,未判断"
            )
            return
        yield SiteFactObservation(
            self.site_id, "search", True, response.url, {**base, "found": False}
        )

    def search_failed(self, failure: Failure) -> Iterator[Any]:
        """The search request failed: an error status is the site's; a network error is not judged."""
        request = failure.request  # type: ignore[attr-defined]
        error_class, status, detail = classify_failure(failure)
        base = {"box": True, "tested": True, **request.cb_kwargs}
        if error_class == "http_error":
            data = {**base, "found": False, "failed": f"HTTP {status}"}
            yield SiteFactObservation(self.site_id, "search", True, request.url, data)
        else:
            yield SiteFactObservation(
                self.site_id, "search", False, request.url, base, f"搜索请求失败({detail}),未判断"
            )

    def _media_directory(self, response: Response) -> Iterator[Any]:
        links = [
            link
            for link in discover_columns(response.text, response.url)
            if MEDIA_LINK_RE.search(link.name)
        ]
        if links:
            yield scrapy.Request(
                links[0].url,
                callback=self.parse_media_directory,
                errback=self.media_directory_failed,
                dont_filter=True,
            )
            return
        accounts = extract_accounts(response.text, response.url)
        if accounts:
            data = {"accounts": _accounts_data(accounts), "source": "homepage"}
            yield SiteFactObservation(self.site_id, "media_directory", True, response.url, data)
        else:
            yield SiteFactObservation(
                self.site_id, "media_directory", False, response.url, {}, "首页未找到政务新媒体目录"
            )

    def parse_media_directory(self, response: Response) -> Iterator[Any]:
        """The 政务新媒体 directory page: the accounts it lists."""
        accounts = (
            extract_accounts(response.text, response.url) if hasattr(response, "text") else []
        )
        if not accounts:
            yield SiteFactObservation(
                self.site_id,
                "media_directory",
                False,
                response.url,
                {},
                "政务新媒体目录页中未识别出账号,未判断",
            )
            return
        data = {"accounts": _accounts_data(accounts), "source": "directory"}
        yield SiteFactObservation(self.site_id, "media_directory", True, response.url, data)

    def media_directory_failed(self, failure: Failure) -> Iterator[Any]:
        """The directory page could not be read: not judged."""
        request = failure.request  # type: ignore[attr-defined]
        _, _, detail = classify_failure(failure)
        yield SiteFactObservation(
            self.site_id,
            "media_directory",
            False,
            request.url,
            {},
            f"政务新媒体目录页无法读取({detail})",
        )
