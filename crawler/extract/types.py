"""Value types returned by the column-list extractor (shared with spiders and the monitor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal


@dataclass(frozen=True, slots=True)
class ListedItem:
    """One entry of a column list page."""

    title: str
    url: str  # absolute
    published_on: date | None
    published_at: datetime | None = None  # naive local time, only when the page gives a time
    pinned: bool = False  # 置顶
    # The page printed only month and day ("05-20"): the year is inferred, from the day
    # of the check among other hints, so the same page may read differently another day.
    year_inferred: bool = False


@dataclass(frozen=True, slots=True)
class ListPage:
    """What a column list page says: its items, or why there are none."""

    items: tuple[ListedItem, ...]
    # empty = the page says 暂无信息/暂无数据 or has an empty list container;
    # unparsed = we could not find any list at all
    status: Literal["ok", "empty", "unparsed"]
    detail: str = ""  # human-readable reason, in English, for logs
    # Pagination targets found on this page; the immediate next page comes first when known.
    next_page_urls: tuple[str, ...] = ()
    # Why the extractor is unsure (runner-up list of similar weight, items without dates,
    # guessed years), in Chinese: stored with the fetch and shown by `govwatch extract`.
    doubts: tuple[str, ...] = ()
    # The doubt, among ``doubts``, that makes the newest date a guess (another list of
    # similar weight may be the column's, or years were inferred): the crawl then reports
    # the column for review instead of judging it. Empty when the read can be judged;
    # items without dates are not such a doubt (their articles are opened for dates).
    review_reason: str = ""

    @property
    def reads_the_day(self) -> bool:
        """Whether reading this page depended on the day it was read (years inferred
        for month-day dates): another day, the same page may give other dates."""
        return any(item.year_inferred for item in self.items)

    @property
    def newest_published_on(self) -> date | None:
        """Newest date over dated items; pinned old items do not hide newer ones."""
        dated = [item.published_on for item in self.items if item.published_on is not None]
        return max(dated) if dated else None
