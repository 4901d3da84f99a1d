"""Walk one site for discovery: homepage, navigation and 信息公开目录 pages, each column's
first list page, and its 政务新媒体 directory. Deciding what a page is stays in pure
functions (``crawler.discover``, ``crawler.extract``); this module only orders the reads.

A page is a *section* (导航页) rather than a column when it is a 信息公开/政务公开
catalogue, or when it has no list of its own (or is named like a section, 新闻中心)
and links to at least ``_MIN_SECTION_LINKS`` columns the homepage did not show.
Sections are expanded, not listed; everything left out is kept with its reason, so
nothing is dropped silently.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import lxml.html

from crawler.discover.accounts import ListedAccount, extract_accounts
from crawler.discover.classify import Classification, ListEvidence, classify_column
from crawler.extract import extract_list
from crawler.extract.discovery import DiscoveredColumn, discover_columns
from govwatch.discovery.fetch import FetchedPage

_CATALOG_RE = re.compile(r"信息公开|政务公开|公开目录|主动公开|法定主动|党务公开")
_MEDIA_RE = re.compile(r"新媒体|媒体矩阵|政务微博|政务微信|微博微信")
_SECTION_SUFFIX_RE = re.compile(r"(?:中心|公开|互动|交流|服务|目录|专栏|频道|导航)$")
_NOT_A_COLUMN_RE = re.compile(
    r"办事|服务大厅|政务服务网|网上办|在线办|下载|查询|地图|English|无障碍|RSS", re.IGNORECASE
)
_MIN_SECTION_LINKS = 3
_MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class SiteInput:
    """One homepage to discover, as the office's list gives it."""

    url: str
    name: str | None = None
    unit: str | None = None
    unit_kind: str | None = None
    site_id: str | None = None


@dataclass(frozen=True, slots=True)
class FoundColumn:
    """A column discovery found, with its category and where it was found."""

    name: str
    url: str
    classification: Classification
    found_on: str  # the page (首页, or a section's name) that links to it
    list_status: str  # ok | empty | unparsed | failed
    items: int = 0
    newest: date | None = None


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A link discovery did not make a column, and why (in Chinese)."""

    name: str
    url: str
    reason: str


@dataclass
class SiteDiscovery:
    """Everything discovery learnt about one site."""

    site: SiteInput
    title: str = ""
    failure: str | None = None  # the homepage could not be read: why
    columns: list[FoundColumn] = field(default_factory=list)
    sections: list[LeftOut] = field(default_factory=list)  # navigation pages expanded
    left_out: list[LeftOut] = field(default_factory=list)
    accounts: list[ListedAccount] = field(default_factory=list)
    media_pages: list[str] = field(default_factory=list)
    pages_read: int = 0

    @property
    def ok(self) -> bool:
        """Whether the homepage was read."""
        return self.failure is None


def page_title(html: str) -> str:
    """The site's name from the homepage ``<title>`` ("首页 - X县人民政府" -> X县人民政府)."""
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return ""
    title = " ".join(" ".join(root.xpath("//title//text()")).split())
    parts = [part.strip() for part in re.split(r"[-_|—–·]+", title) if part.strip()]
    named = [part for part in parts if re.search(r"政府|人民|局|委|办|厅|网", part)]
    chosen = (named or parts or [""])[0]
    return chosen.removesuffix("门户网站").removesuffix("网站").strip() or chosen


def same_page(a: str, b: str) -> bool:
    def key(url: str) -> str:
        parts = urlsplit(url)
        path = re.sub(r"/(?:index|default)\.\w+$", "/", parts.path or "/")
        return f"{parts.hostname}{path.rstrip('/')}?{parts.query}"

    return key(a) == key(b)


def _evidence(page: FetchedPage, today: date) -> tuple[ListEvidence, int, date | None]:
    listing = extract_list(page.text, page.final_url, today)
    dates = tuple(item.published_on for item in listing.items if item.published_on)
    evidence = ListEvidence(listing.status, tuple(i.title for i in listing.items), dates)
    return evidence, len(listing.items), listing.newest_published_on


def discover_site(
    site: SiteInput,
    fetch: Callable[[str], FetchedPage],
    today: date,
    *,
    max_pages: int = 80,
    budget_s: float = 300.0,
) -> SiteDiscovery:
    """Discover one site; ``fetch`` reads a page (never raises)."""
    started = time.monotonic()
    result = SiteDiscovery(site)
    home = fetch(site.url)
    result.pages_read = 1
    if not home.ok:
        result.failure = f"首页 {site.url} 无法读取:{home.error}"
        return result
    result.title = site.name or page_title(home.text) or urlsplit(site.url).hostname or site.url
    result.accounts.extend(extract_accounts(home.text, home.final_url))
    home_links = discover_columns(home.text, home.final_url)
    known_urls = {home.final_url, site.url} | {link.url for link in home_links}
    queue: deque[tuple[DiscoveredColumn, int, str]] = deque(
        (link, 1, "首页") for link in home_links
    )
    seen: list[str] = [home.final_url]
    names: set[str] = set()
    while queue:
        link, depth, found_on = queue.popleft()
        if any(same_page(link.url, url) for url in seen):
            continue
        seen.append(link.url)
        if _MEDIA_RE.search(link.name):
            _read_media_page(result, link, fetch)
            continue
        if _NOT_A_COLUMN_RE.search(link.name):
            result.left_out.append(LeftOut(link.name, link.url, "办事服务或工具链接,不是信息栏目"))
            continue
        out_of_time = time.monotonic() - started > budget_s
        if result.pages_read >= max_pages or out_of_time:
            limit = f"每站 {budget_s:g} 秒" if out_of_time else f"每站 {max_pages} 页"
            result.left_out.append(LeftOut(link.name, link.url, f"超出读取上限({limit}),未读取"))
            continue
        page = fetch(link.url)
        result.pages_read += 1
        if not page.ok:
            # A navigation link that does not open is still a column the site shows
            # (the crawl will report it CHECK_FAILED): listed, judged by its name only.
            _add_column(result, names, link, found_on, None, page, (0, None))
            continue
        evidence, items, newest = _evidence(page, today)
        new_links = [
            sub
            for sub in discover_columns(page.text, page.final_url)
            if sub.url not in known_urls and not same_page(sub.url, home.final_url)
        ]
        is_catalog = bool(_CATALOG_RE.search(link.name))
        is_section = depth < _MAX_DEPTH and (
            (is_catalog and len(new_links) >= 1)
            or (
                len(new_links) >= _MIN_SECTION_LINKS
                and (evidence.status == "unparsed" or bool(_SECTION_SUFFIX_RE.search(link.name)))
            )
        )
        if is_section:
            result.sections.append(
                LeftOut(link.name, link.url, f"栏目导航页,其下 {len(new_links)} 个链接已逐一读取")
            )
            for sub in new_links:
                known_urls.add(sub.url)
                queue.append((sub, depth + 1, link.name))
            continue
        _add_column(result, names, link, found_on, evidence, page, (items, newest))
    return result


def _add_column(
    result: SiteDiscovery,
    names: set[str],
    link: DiscoveredColumn,
    found_on: str,
    evidence: ListEvidence | None,
    page: FetchedPage,
    counts: tuple[int, date | None],
) -> None:
    name = link.name if link.name not in names else f"{link.name}({found_on})"
    if name in names:
        result.left_out.append(LeftOut(link.name, link.url, "与已列出的栏目同名"))
        return
    names.add(name)
    verdict = classify_column(link.name, evidence)
    if evidence is None:
        verdict = Classification(
            verdict.category,
            min(verdict.confidence, 0.5),
            f"{verdict.reason};页面无法读取:{page.error}",
        )
    result.columns.append(
        FoundColumn(
            name,
            page.final_url if page.ok and same_page(page.final_url, link.url) else link.url,
            verdict,
            found_on,
            evidence.status if evidence is not None else "failed",
            *counts,
        )
    )


def _read_media_page(
    result: SiteDiscovery, link: DiscoveredColumn, fetch: Callable[[str], FetchedPage]
) -> None:
    page = fetch(link.url)
    result.pages_read += 1
    if not page.ok:
        result.left_out.append(
            LeftOut(link.name, link.url, f"政务新媒体目录页无法读取:{page.error}")
        )
        return
    result.media_pages.append(page.final_url)
    listed = extract_accounts(page.text, page.final_url)
    for account in listed:
        if account not in result.accounts:
            result.accounts.append(account)
    result.sections.append(
        LeftOut(link.name, link.url, f"政务新媒体目录页,列出账号 {len(listed)} 个")
    )
