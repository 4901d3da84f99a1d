"""What a spider hands the storage pipeline: one observation per page it tried to read.

Site crawls yield :class:`PageObservation`; account crawls :class:`AccountPageObservation`.
A site crawl also hands over each list page's fresh reading (:class:`ReadingObservation`).

An observation says which page it was, how the fetch ended, and (for a page that was
read) the list the extractor found. The spider decides nothing about staleness; the
pipeline stores, the monitor judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crawler.extract.interaction import Message
from crawler.extract.types import ListPage
from crawler.platforms.base import Post


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """Which column a page belongs to; discovered columns are registered by the pipeline."""

    name: str
    url: str
    category: str = "other"
    origin: str = "registered"  # registered | discovered


@dataclass(frozen=True, slots=True)
class PageObservation:
    """The outcome of one page fetch in a site crawl."""

    site_id: str
    page_kind: str  # homepage | column | column_more (a later list page of a column)
    url: str
    http_status: int | None
    # ok | http_error | timeout | dns | refused | tls | login_wall | unparsed | other, or a
    # page fault (crawler/page_faults.py): waf | captcha | maintenance | empty_page |
    # soft_404 | js_required | js_list | redirected | implausible_dates | dates_unread |
    # list_doubtful
    error_class: str
    error_detail: str = ""
    column: ColumnRef | None = None
    list_page: ListPage | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the page was read."""
        return self.error_class == "ok"


@dataclass(frozen=True, slots=True)
class AccountPageObservation:
    """The outcome of reading one page of an account's timeline."""

    account_id: str
    url: str
    page_number: int
    http_status: int | None
    error_class: str  # ok | blocked | timeout | dns | refused | tls | http_error | other
    block_reason: str | None = None
    error_detail: str = ""
    posts: tuple[Post, ...] = ()
    complete_from: date | None = None  # set on the page that ended the crawl

    @property
    def succeeded(self) -> bool:
        """Whether the page was read."""
        return self.error_class == "ok"


@dataclass(frozen=True, slots=True)
class LinksObservation:
    """The links and images one page of a site shows (checked once per crawl run)."""

    site_id: str
    page_url: str
    on_homepage: bool
    links: tuple[str, ...]
    images: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArticleObservation:
    """The main text of a newly listed article (for the wording check)."""

    site_id: str
    column: ColumnRef
    url: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class MessagesObservation:
    """The messages an interaction column lists."""

    site_id: str
    column: ColumnRef
    messages: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class ReadingObservation:
    """A list page's fresh reading, kept so the next crawl need not read the page again
    if it comes back unchanged (crawler/listing_cache.py)."""

    site_id: str
    url: str
    key: str
    listing: ListPage
    read_on: date
