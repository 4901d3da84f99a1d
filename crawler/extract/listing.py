"""Find the main list of a government column page: its items' titles, links and dates.

The extractor is a pure function over HTML. It starts from the dates printed on the page,
climbs from each date to the element that also holds a link (that element is one item), and
groups items that are siblings under one parent. Groups are scored by size and title length,
and marked down when they sit in headers, footers, navigation, marquees or sidebar boxes
("最新动态", "热点推荐"); a pager right after a group marks it up. Lists that the same
template prints several times (tab panels, TRS lists split into blocks) are merged into the
chosen one. Per-column CSS selectors bypass the heuristics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import lxml.etree
from lxml.etree import _Element as Element  # parsed with the plain (fast) etree parser

from crawler.extract.dates import (
    DAY_ONLY_RE,
    YEAR_MONTH_RE,
    date_from_url,
    find_date,
    find_full_date,
    find_month_day,
    month_from_url,
    page_generated_on,
    standalone_date,
    year_near,
)
from crawler.extract.hanweb import find_datastore, records_as_html
from crawler.extract.types import ListedItem, ListPage


@dataclass(frozen=True, slots=True)
class Selectors:
    """Per-column CSS overrides from the targets file (parsel ``::attr(x)``/``::text`` allowed).

    ``item`` selects each list entry; ``title``, ``link`` and ``date`` are relative to it.
    """

    item: str
    title: str | None = None
    link: str | None = None
    date: str | None = None


_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True)
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
# Cheap test before the date regexes: a number followed by a date separator and a digit.
_DATE_HINT_RE = re.compile(r"\d\s*[-/.年月]\s*\d")
_EMPTY_MARKER_RE = re.compile(
    r"暂无(?:信息|数据|内容|记录|相关信息|公开信息)|没有(?:相关)?记录|无记录"
)
# Only the next few siblings: a pager follows its list, and the string value of every later
# sibling (the rest of the page) costs milliseconds per candidate list.
_PAGER_AFTER_XPATH = lxml.etree.XPath(
    "boolean(following-sibling::*[position() <= 3][contains(., '下一页') or contains(., '下页') "
    "or contains(., '尾页') or contains(., '末页') or descendant-or-self::*[@data-gw-pager]])"
)
_PAGER_LINKS_XPATH = lxml.etree.XPath(
    "//a[@href][contains(., '下一页') or contains(., '下页') or contains(., '后一页') "
    "or contains(@title, '下一页') or contains(@href, 'index_') or contains(@href, 'list_') "
    "or contains(@href, 'default_') or contains(@onclick, 'location')]"
)
_NEXT_TEXT_RE = re.compile(r"^\s*(?:下一页|下页|后一页|下一頁)\s*[>»›]*\s*$")
# A pager arrow marked as "next" by its class (JEECMS: <a class="next"> &gt;&gt; </a>).
_NEXT_CLASS_RE = re.compile(r"(?:^|\s)(?:next|next-?page|page-?next)(?:\s|$)", re.IGNORECASE)
# Pagers whose links only say where to go in script: href="#" onclick="location.href='x'".
_ONCLICK_TARGET_RE = re.compile(r"location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]")
_PAGED_HREF_RE = re.compile(r"(?:^|/)(?:index|list|default)_\d+\.s?html?$", re.IGNORECASE)
_CREATE_PAGE_RE = re.compile(
    r"createPage(?:HTML)?\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([^'\"]+)['\"]"
    r"\s*,\s*['\"]([^'\"]+)['\"]"
)
# class/id tokens of page furniture that is never a column's own list.
_FURNITURE_RE = re.compile(
    r"(?:^|[\s_-])(?:foot(?:er)?|header|top|nav(?:bar)?|menu|crumbs?|breadcrumbs?|marquee|mq|"
    r"scroll|yqlj|friend(?:link)?s?|links?|copyright|side(?:bar)?|aside)(?:$|[\s_\d-])",
    re.IGNORECASE,
)
_FURNITURE_TAGS = frozenset({"header", "footer", "nav", "aside", "marquee"})
# Headings of boxes that list other columns' items next to the main list.
_SIDEBAR_HEADING_RE = re.compile(r"最新|热点|热门|推荐|排行|相关|猜你|专题|图片新闻|友情链接")
_PINNED_RE = re.compile(r"置顶|zhiding|istop|is[_-]top|settop", re.IGNORECASE)
# Plain substring tests: a case-insensitive regex over a whole page costs milliseconds.
_PINNED_MARKERS = ("置顶", "zhiding", "istop", "isTop", "is_top", "is-top", "settop", "ZHIDING")
_PINNED_TITLE_RE = re.compile(r"^\s*(?:[\[【(（]\s*置顶\s*[\]】)）]|置顶\s*[:：]?)\s*")
_TRUNCATION_SUFFIXES = ("...", "…", "..", "。。。")
_INDEX_FILES = frozenset({"index.html", "index.htm", "index.shtml", "index.jhtml", "index.jsp"})
_NOT_TITLES = frozenset(
    {
        "更多",
        "more",
        "more>>",
        "更多>>",
        "查看更多",
        "详细",
        "详情",
        ">>",
        "查阅全文",
        "阅读全文",
        "查看全文",
        "全文",
    }
)
_LIST_CONTAINER_TAGS = frozenset({"ul", "ol", "tbody", "table", "dl"})
_ENTRY_TAGS = frozenset({"li", "tr", "dd"})
_MAX_CLIMB_TO_LINK = 4
_MAX_EXTEND = 4
_MAX_LINKS_PER_ITEM = 3
_DISTINCT_LINKS_UP_TO = 8
# Wrappers between a split list's blocks and their common ancestor (div > div > ul).
_MAX_BLOCK_DEPTH = 3
# A runner-up list this close to the chosen one's score makes the choice a guess.
_CLOSE_SCORE = 0.75


# XPath keeps the per-node work in C: the extractor walks every page it checks.
# Any a[@href] counts when deciding where one entry ends and the next begins.
_LINK_COUNT_XPATH = lxml.etree.XPath("count(descendant-or-self::a[@href])")
_TEXT_NODES_XPATH = lxml.etree.XPath("//body//text()[normalize-space()]")
_PINNED_ATTRIBUTES_XPATH = lxml.etree.XPath(
    "descendant-or-self::*/@class | descendant-or-self::*/@id | descendant-or-self::*/@src "
    "| descendant-or-self::*/@alt | descendant-or-self::*/@title"
)


@lru_cache(maxsize=64)
def _base_parts(base_url: str) -> tuple[str, str] | None:
    """The origin and the directory of ``base_url``, or None when only urljoin is safe."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path or "/"
    directory = path[: path.rfind("/") + 1]
    if "/." in directory:
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin, origin + directory


def join_url(base_url: str, href: str) -> str:
    """``urljoin(base_url, href)``, without urljoin's parsing for the links lists print.

    urljoin costs more than reading an entry; list links are absolute, root-relative
    ("/art/…") or relative to the column ("./202601/t…", "News.shtml?p5=1"). Anything with
    dot segments, a scheme, a query or a fragment alone goes through urljoin.
    """
    if href.startswith(("http://", "https://")):
        return href
    parts = _base_parts(base_url)
    if parts is None or not href or "/." in href or "\\" in href:
        return urljoin(base_url, href)
    origin, directory = parts
    first = href[0]
    if first == "/":
        return urljoin(base_url, href) if href.startswith("//") else origin + href
    if href.startswith("./"):
        rest = href[2:]
        if rest.startswith((".", "/")):
            return urljoin(base_url, href)
        return directory + rest
    if first in ".?#" or ":" in href.split("/", 1)[0]:
        return urljoin(base_url, href)
    return directory + href


def _is_item_link(anchor: Element) -> bool:
    href = anchor.get("href")
    if not href:
        return False
    href = href.strip().lower()
    return bool(href) and not href.startswith(("javascript:", "#", "mailto:", "tel:"))


def _links(element: Element) -> list[Element]:
    return [anchor for anchor in element.iter("a") if _is_item_link(anchor)]


class _LinkCounts(dict[Element, int]):
    """Per-page memo of how many link targets each element holds (entries are counted often).

    Links to the same address count once: an entry's title and its "查阅全文" or
    thumbnail link are one entry, not two.
    """

    def __missing__(self, element: Element) -> int:
        count = int(_LINK_COUNT_XPATH(element))  # type: ignore[arg-type]
        # Only item-sized elements need distinct targets (their counts are compared with
        # _MAX_LINKS_PER_ITEM); sets over a whole page's links would cost milliseconds.
        if 1 < count <= _DISTINCT_LINKS_UP_TO:
            count = len({anchor.get("href", "").strip() for anchor in element.iter("a")} - {""})
        self[element] = count
        return count


def _text(element: Element) -> str:
    return "".join(element.itertext())


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _parse(html: str) -> Element | None:
    html = _XML_DECLARATION_RE.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        return lxml.etree.fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


# ---------------------------------------------------------------------------- one item


@dataclass(slots=True)
class _ItemDate:
    published_on: date
    published_at: datetime | None
    month_day_only: bool


@dataclass(slots=True)
class YearHints:
    """What a page tells about the year of its month-day-only dates ("05-20").

    ``reference`` is the day the page was current (the check day, or the page's own
    generation stamp when older); ``newest_full`` the newest full date printed on it.
    ``moved`` collects the years a cross-check changed, for the result's doubts.
    """

    reference: date
    newest_full: date | None = None
    moved: set[int] | None = None


# A month-day date more than this far after every full date on the same page is taken
# to belong to the year of those dates (a page saved or left stale long ago).
_MONTH_DAY_DRIFT_DAYS = 200


def _split_text(item: Element, anchor: Element) -> tuple[list[str], list[str]]:
    """Text segments of ``item`` inside ``anchor`` and outside it, in document order."""
    inside = set(anchor.iter())
    title_parts: list[str] = []
    other_parts: list[str] = []
    for node in item.iter():
        if node.text and isinstance(node.tag, str):
            (title_parts if node in inside else other_parts).append(node.text)
        if node.tail and node is not item:
            in_anchor = node in inside and node is not anchor
            (title_parts if in_anchor else other_parts).append(node.tail)
    return title_parts, other_parts


def _standalone(segments: list[str], today: date) -> tuple[int, _ItemDate] | None:
    """Index and date of the first segment that is a date and nothing else (full dates
    before month-day ones)."""
    month_day: tuple[int, _ItemDate] | None = None
    for index, segment in enumerate(segments):
        if not segment.strip() or _DATE_HINT_RE.search(segment) is None:
            continue
        found = standalone_date(segment, today)
        if found is None:
            continue
        item_date = _ItemDate(found[0], found[1], month_day_only=found[2])
        if not found[2]:
            return index, item_date
        if month_day is None:
            month_day = (index, item_date)
    return month_day


def _date_from_segments(segments: list[str], today: date) -> _ItemDate | None:
    # Segment by segment first: a date glued to the next text ("2018-02-142018年1月") is
    # still whole inside its own text node.
    for segment in segments:
        full = find_full_date(segment)
        if full is not None:
            return _ItemDate(full[0], full[1], month_day_only=False)
    joined = " ".join(segments)
    full = find_full_date(joined)
    if full is not None:
        return _ItemDate(full[0], full[1], month_day_only=False)
    # Day and year-month printed in separate elements: <span>20</span><span>2022-05</span>.
    stripped = [segment.strip() for segment in segments if segment.strip()]
    year_month = next((m for s in stripped if (m := YEAR_MONTH_RE.match(s))), None)
    day = next((m for s in stripped if (m := DAY_ONLY_RE.match(s))), None)
    if year_month is not None and day is not None:
        try:
            found = date(int(year_month[1]), int(year_month[2]), int(day[1]))
        except ValueError:
            found = None
        if found is not None:
            return _ItemDate(found, None, month_day_only=False)
    month_day = find_month_day(joined, today)
    if month_day is not None:
        return _ItemDate(month_day[0], month_day[1], month_day_only=True)
    return None


_ELLIPSIS_RE = re.compile(r"…+|\.{2,}|。{3}")


def _elided(title: str, attribute: str) -> bool:
    """Whether ``title`` is ``attribute`` with a middle part cut out ("关于印发……的通知")."""
    parts = _ELLIPSIS_RE.split(title)
    if len(parts) != 2 or len(attribute) <= len(title) - 2:
        return False
    head, tail = parts[0].strip(), parts[1].strip()
    return bool(head) and attribute.startswith(head) and attribute.endswith(tail)


def _title_of(anchor: Element, title_text: str) -> str:
    title = _clean(title_text)
    attribute = _clean(anchor.get("title"))
    if attribute and (
        not title or title.endswith(_TRUNCATION_SUFFIXES) or _elided(title, attribute)
    ):
        return attribute
    if not title:
        image = next(anchor.iter("img"), None)
        if image is not None:
            return _clean(image.get("alt"))
    return title


def _choose_anchor(item: Element) -> Element | None:
    links = _links(item)
    if len(links) == 1:
        return links[0]
    best: Element | None = None
    best_length = -1
    for anchor in links:
        text = _clean(_text(anchor))
        if text.lower() in _NOT_TITLES:
            continue
        length = max(len(text), len(_clean(anchor.get("title"))))
        # Category tags like "[社会]" lose against the real title.
        if text.startswith(("[", "【")) and text.endswith(("]", "】")):
            length //= 4
        if length > best_length:
            best, best_length = anchor, length
    return best


def _is_pinned(item: Element, title: str, other_text: str) -> bool:
    if "置顶" in title or "置顶" in other_text:
        return True
    return any(_PINNED_RE.search(value) for value in _PINNED_ATTRIBUTES_XPATH(item))  # type: ignore[union-attr]


_OPENING = "([（【"
_CLOSING = ")]）】"


def _cut_date(title_text: str, match: re.Match[str]) -> str:
    """``title_text`` without the date found in it, and without brackets around that date."""
    start, end = match.start(), match.end()
    before = title_text[:start].rstrip()
    after = title_text[end:].lstrip()
    if before.endswith(tuple(_OPENING)) and after.startswith(tuple(_CLOSING)):
        before, after = before[:-1], after[1:]
    return f"{before} {after}".strip()


def _item_date(
    title_parts: list[str], other_parts: list[str], today: date
) -> tuple[_ItemDate | None, str]:
    """The item's date and its title text (without the date when the date was in the link).

    A date alone in its own element wins over dates inside text: outside the link first,
    then inside it (``<a><em>2018-02-14</em>标题</a>``); a date in the title text
    ("…（截止2016年7月31日）") is the last resort.
    """
    title_text = "".join(title_parts)
    outside = _standalone(other_parts, today)
    if outside is not None and not outside[1].month_day_only:
        return outside[1], title_text
    inside = _standalone(title_parts, today)
    if inside is not None and not inside[1].month_day_only:
        rest = title_parts[: inside[0]] + title_parts[inside[0] + 1 :]
        return inside[1], "".join(rest)
    item_date = _date_from_segments(other_parts, today)
    if item_date is not None and not item_date.month_day_only:
        return item_date, title_text
    if outside is not None:
        return outside[1], title_text
    if inside is not None:
        rest = title_parts[: inside[0]] + title_parts[inside[0] + 1 :]
        return inside[1], "".join(rest)
    if item_date is not None:
        return item_date, title_text
    # The date printed inside the link text, after the title: "标题 2022-05-20".
    full = find_full_date(title_text)
    month_day = None if full else find_month_day(title_text, today, anchored_end=True)
    found = full or month_day
    if found is None:
        return None, title_text
    return (
        _ItemDate(found[0], found[1], month_day_only=full is None),
        _cut_date(title_text, found[2]),
    )


def _with_year(item_date: _ItemDate, url: str, hints: YearHints | None) -> _ItemDate:
    """A month-day-only date with the year the page and the URL point to."""
    published_on = item_date.published_on
    anchored: date | None = None
    url_date = date_from_url(url)
    if url_date is not None:
        # The URL knows the day the CMS filed the article.
        anchored = year_near(published_on.month, published_on.day, url_date)
    elif (folder := month_from_url(url)) is not None:
        anchored = year_near(published_on.month, published_on.day, date(folder[0], folder[1], 15))
    elif (
        hints is not None
        and hints.newest_full is not None
        and (published_on - hints.newest_full).days > _MONTH_DAY_DRIFT_DAYS
    ):
        anchored = year_near(published_on.month, published_on.day, hints.newest_full)
        if anchored is not None and anchored > hints.reference:
            anchored = None
        if anchored is not None and anchored != published_on and hints.moved is not None:
            hints.moved.add(anchored.year)
    if anchored is None or anchored == published_on:
        return item_date
    published_at = item_date.published_at
    if published_at is not None:
        published_at = published_at.replace(year=anchored.year)
    return _ItemDate(anchored, published_at, month_day_only=True)


def read_item(
    item: Element,
    base_url: str,
    today: date,
    *,
    require_date: bool,
    check_pinned: bool = True,
    hints: YearHints | None = None,
    anchor: Element | None = None,
) -> ListedItem | None:
    """The ListedItem one list entry element stands for, or None when it is not one.

    ``today`` is the day month-day-only dates are placed before; ``hints`` carry what the
    page itself says about their year; ``anchor`` is the entry's title link when the caller
    has already chosen it.
    """
    if anchor is None:
        anchor = _choose_anchor(item)
    if anchor is None:
        return None
    url = join_url(base_url, anchor.get("href", "").strip())
    title_parts, other_parts = _split_text(item, anchor)
    reference = hints.reference if hints is not None else today
    item_date, title_text = _item_date(title_parts, other_parts, reference)
    title = _title_of(anchor, title_text)
    published_on: date | None = None
    published_at: datetime | None = None
    if item_date is not None:
        if item_date.month_day_only:
            item_date = _with_year(item_date, url, hints)
        published_on, published_at = item_date.published_on, item_date.published_at
    elif require_date:
        return None
    else:
        published_on = date_from_url(url)
    pinned = check_pinned and _is_pinned(item, title, "".join(other_parts))
    if pinned:
        title = _PINNED_TITLE_RE.sub("", title)
    if not title or title.lower() in _NOT_TITLES:
        return None
    return ListedItem(
        title=title,
        url=url,
        published_on=published_on,
        published_at=published_at,
        pinned=pinned,
        year_inferred=item_date is not None and item_date.month_day_only,
    )


# ----------------------------------------------------------------- finding the list


def _date_holders(root: Element, today: date) -> Iterator[tuple[Element, date | None]]:
    """Elements whose own text (or a child's tail) looks like a list date, with the full
    date in that text when there is one."""
    for text in _TEXT_NODES_XPATH(root):  # type: ignore[union-attr]
        if _DATE_HINT_RE.search(text) is None:
            continue
        stripped = text.strip()
        if len(stripped) > 200:
            continue
        full = find_full_date(stripped)
        if (
            full is not None
            or YEAR_MONTH_RE.match(stripped)
            or (len(stripped) <= 25 and find_month_day(stripped, today) is not None)
            or find_month_day(stripped, today, anchored_end=True) is not None
        ):
            owner = text.getparent()
            if owner is not None and text.is_tail:
                owner = owner.getparent()
            if owner is not None:
                yield owner, full[0] if full is not None else None


def _item_root(holder: Element, link_counts: _LinkCounts) -> Element | None:
    """Climb from a date to the element that also holds the item's link, then widen it to
    the largest ancestor that holds no other link (so each entry maps to one sibling)."""
    element: Element | None = holder
    for _ in range(_MAX_CLIMB_TO_LINK + 1):
        if element is None or element.tag in ("body", "html"):
            return None
        if link_counts[element]:
            break
        element = element.getparent()
    else:
        return None
    # A date inside a link: the item is (at least) the link's owner.
    ancestor = element.getparent()
    while ancestor is not None and ancestor.tag != "body":
        if ancestor.tag == "a":
            element = ancestor
        ancestor = ancestor.getparent()
    link_count = link_counts[element]
    if link_count > _MAX_LINKS_PER_ITEM:
        return None
    for _ in range(_MAX_EXTEND):
        parent = element.getparent()
        if parent is None or parent.tag in ("body", "html") or link_counts[parent] != link_count:
            break
        # The only entry of a list stays an entry: a paging block holding a single <li>
        # must give an <li>, like its sibling blocks, not the block's wrapper.
        if element.tag in _ENTRY_TAGS and parent.tag in _LIST_CONTAINER_TAGS and len(parent) == 1:
            break
        element = parent
    return element


def _shape(element: Element) -> tuple[object, ...]:
    return (
        element.tag,
        tuple(
            (child.tag, tuple(grandchild.tag for grandchild in child))
            for child in element
            if isinstance(child.tag, str)
        ),
    )


def _first_class(element: Element) -> str:
    classes = (element.get("class") or "").split()
    return classes[0] if classes else ""


@dataclass(slots=True)
class _Group:
    parent: Element
    tag: str
    elements: list[Element]
    items: list[ListedItem]
    score: float = 0.0
    penalized: bool = False
    # The title link chosen for each entry while scoring, reused when reading the entry.
    anchors: dict[Element, Element | None] = field(default_factory=dict)


def _is_furniture(element: Element, memo: dict[Element, bool] | None = None) -> bool:
    """Whether ``element`` sits in page furniture; ``memo`` keeps the answer for every
    ancestor walked (candidate lists of one page share most of their ancestors)."""
    walked: list[Element] = []
    result = False
    node: Element | None = element
    while node is not None and node.tag != "body":
        if memo is not None and node in memo:
            result = memo[node]
            break
        walked.append(node)
        if node.tag in _FURNITURE_TAGS:
            result = True
            break
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marker.strip() and _FURNITURE_RE.search(marker):
            result = True
            break
        node = node.getparent()
    if memo is not None:
        for node in walked:
            memo[node] = result
    return result


def _previous_texts(element: Element) -> Iterator[str]:
    sibling = element.getprevious()
    for _ in range(2):
        if sibling is None:
            return
        yield _clean(_text(sibling))
        sibling = sibling.getprevious()


def _under_sidebar_heading(parent: Element, elements: list[Element]) -> bool:
    # A heading row inside the list container itself: <table><tr><td>热点推荐</td></tr>...
    first = next(iter(parent), None)
    if first is not None and first not in elements:
        text = _clean(_text(first))
        if text and len(text) <= 20 and _SIDEBAR_HEADING_RE.search(text):
            return True
    node: Element | None = parent
    for _ in range(3):
        if node is None or node.tag == "body":
            return False
        for text in _previous_texts(node):
            if text and len(text) <= 20 and _SIDEBAR_HEADING_RE.search(text):
                return True
            if text:
                return False
        node = node.getparent()
    return False


def _pager_follows(parent: Element, memo: dict[Element, bool] | None = None) -> bool:
    node: Element | None = parent
    for _ in range(4):
        if node is None or node.tag == "body":
            return False
        found = memo.get(node) if memo is not None else None
        if found is None:
            found = bool(_PAGER_AFTER_XPATH(node))
            if memo is not None:
                memo[node] = found
        if found:
            return True
        node = node.getparent()
    return False


def _title_length(anchor: Element | None) -> int:
    if anchor is None:
        return -1
    return max(len(_clean(_text(anchor))), len(_clean(anchor.get("title"))))


@dataclass(slots=True)
class _PageMemo:
    """What scoring learns about one page's shared ancestors, kept across its lists."""

    furniture: dict[Element, bool] = field(default_factory=dict)
    pager: dict[Element, bool] = field(default_factory=dict)


def _score(group: _Group, memo: _PageMemo | None = None) -> None:
    # Scored before the entries are read (reading all candidates costs too much): the link
    # text stands in for the title.
    anchors = group.anchors
    for element in group.elements:
        anchors[element] = _choose_anchor(element)
    lengths = [_title_length(anchors[element]) for element in group.elements]
    weight = sum(1.0 + min(length, 30) / 30 for length in lengths if length >= 0)
    if _is_furniture(group.parent, memo.furniture if memo is not None else None):
        weight *= 0.3
        group.penalized = True
    if _under_sidebar_heading(group.parent, group.elements):
        weight *= 0.4
        group.penalized = True
    if _pager_follows(group.parent, memo.pager if memo is not None else None):
        weight *= 1.5
    group.score = weight


def _candidate_groups(
    root: Element, today: date, link_counts: _LinkCounts
) -> tuple[list[_Group], date | None]:
    """Sibling entries grouped by parent, and the newest full date printed on the page."""
    seen: set[Element] = set()
    groups: dict[tuple[Element, str], _Group] = {}
    newest_full: date | None = None
    for holder, full in _date_holders(root, today):
        if full is not None and full <= today and (newest_full is None or full > newest_full):
            newest_full = full
        element = _item_root(holder, link_counts)
        if element is None or element in seen:
            continue
        seen.add(element)
        parent = element.getparent()
        if parent is None:
            continue
        key = (parent, element.tag)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(parent=parent, tag=element.tag, elements=[], items=[])
        group.elements.append(element)
    return list(groups.values()), newest_full


def _read_group(
    group: _Group, base_url: str, today: date, check_pinned: bool, hints: YearHints
) -> None:
    elements: list[Element] = []
    items: list[ListedItem] = []
    anchors = group.anchors
    for element in group.elements:
        item = read_item(
            element,
            base_url,
            today,
            require_date=True,
            check_pinned=check_pinned,
            hints=hints,
            anchor=anchors.get(element),
        )
        if item is not None:
            elements.append(element)
            items.append(item)
    group.elements, group.items = elements, items


def _with_undated_siblings(group: _Group, base_url: str, today: date, hints: YearHints) -> None:
    """Add entries of the chosen list that print no date (pinned notices, say)."""
    known = set(group.elements)
    if len(known) < 2:
        return
    elements: list[Element] = []
    items: list[ListedItem] = []
    by_element = dict(zip(group.elements, group.items, strict=True))
    for child in group.parent:
        if child in known:
            elements.append(child)
            items.append(by_element[child])
        elif child.tag == group.tag and 0 < len(_links(child)) <= _MAX_LINKS_PER_ITEM:
            item = read_item(child, base_url, today, require_date=False, hints=hints)
            # A link to a folder is another column (a navigation entry), not an article.
            if item is not None and len(item.title) >= 4 and not _is_column_link(item.url):
                elements.append(child)
                items.append(item)
    group.elements, group.items = elements, items


def _is_column_link(url: str) -> bool:
    """Whether ``url`` names a folder (a column's index), as navigation links do."""
    path = urlsplit(url).path
    return path.endswith("/") or path.rsplit("/", 1)[-1].lower() in _INDEX_FILES


def _wrappers(parent: Element, depth: int) -> list[Element]:
    """``parent`` and up to ``depth`` of its ancestors, innermost first (body excluded)."""
    chain = [parent]
    node = parent.getparent()
    while node is not None and node.tag not in ("body", "html") and len(chain) <= depth:
        chain.append(node)
        node = node.getparent()
    return chain


def _block_top(best: Element, other: Element) -> tuple[int, Element, Element, Element] | None:
    """How many wrappers up two list containers meet, where, and the children of that common
    ancestor that wrap each, when both are wrapped the same way (same tags on the way up, at
    most ``_MAX_BLOCK_DEPTH`` wrappers)."""
    best_chain = _wrappers(best, _MAX_BLOCK_DEPTH)
    other_chain = _wrappers(other, _MAX_BLOCK_DEPTH)
    for level in range(1, min(len(best_chain), len(other_chain))):
        if best_chain[level] is other_chain[level]:
            best_path = [element.tag for element in best_chain[:level]]
            if best_path != [element.tag for element in other_chain[:level]]:
                return None
            return level, best_chain[level], best_chain[level - 1], other_chain[level - 1]
    return None


def _run_of_blocks(best: _Group, candidates: list[_Group], counts: _LinkCounts) -> list[_Group]:
    """Groups whose containers are wrapped like ``best``'s and whose wrappers follow one
    another (separators without links may sit between them): a list that a paging template
    (TRS avalon ``$showStatic(n)``, "static + dynamic part") split into one block per page."""
    found = [(top, group) for group in candidates if (top := _block_top(best.parent, group.parent))]
    if not found:
        return []
    # The closest common ancestor: blocks of the same list sit nearer than other boxes.
    level = min(top[0] for top, _ in found)
    by_top: dict[Element, list[_Group]] = {}
    ancestor = best_top = None
    for (at, common, top_of_best, top), group in found:
        if at == level:
            ancestor, best_top = common, top_of_best
            by_top.setdefault(top, []).append(group)
    if ancestor is None or best_top is None:
        return []
    children = [child for child in ancestor if isinstance(child.tag, str)]
    start = children.index(best_top)
    run: list[_Group] = []
    for step in (-1, 1):
        index = start + step
        while 0 <= index < len(children):
            child = children[index]
            if child in by_top:
                run.extend(by_top[child])
            elif counts[child]:
                break
            index += step
    return run


def _merge_template_twins(best: _Group, groups: list[_Group], counts: _LinkCounts) -> list[_Group]:
    """The chosen group plus lists printed by the same template (tabs, split blocks)."""
    best_shape = {_shape(element) for element in best.elements}
    best_class = _first_class(best.parent)
    chosen = [best]
    alike: list[_Group] = []
    for group in groups:
        if group is best or group.penalized or group.parent.tag != best.parent.tag:
            continue
        if not best_shape.intersection(_shape(element) for element in group.elements):
            continue
        siblings = group.parent.getparent() is best.parent.getparent()
        same_class = bool(best_class) and _first_class(group.parent) == best_class
        if siblings or same_class:
            chosen.append(group)
        else:
            alike.append(group)
    if alike:
        chosen.extend(_run_of_blocks(best, alike, counts))
    return chosen


def _document_order(root: Element) -> dict[Element, int]:
    return {element: index for index, element in enumerate(root.iter())}


def _dedupe(items: Iterable[ListedItem]) -> tuple[ListedItem, ...]:
    seen: set[str] = set()
    unique: list[ListedItem] = []
    for item in items:
        if item.url not in seen:
            seen.add(item.url)
            unique.append(item)
    return tuple(unique)


def _undated_list(root: Element, base_url: str, today: date) -> _Group | None:
    """Fallback for columns that print no dates: the largest run of sibling entries that
    each hold one link with a title-like text."""
    groups: dict[tuple[Element, str], _Group] = {}
    for anchor in _links(root):
        element = anchor
        for _ in range(3):
            if element.tag in ("li", "tr", "dd", "p"):
                break
            parent = element.getparent()
            if parent is None or parent.tag == "body":
                break
            element = parent
        parent = element.getparent()
        if parent is None or len(_links(element)) != 1:
            continue
        item = read_item(element, base_url, today, require_date=False)
        if item is None or len(item.title) < 6:
            continue
        key = (parent, element.tag)
        group = groups.setdefault(
            key, _Group(parent=parent, tag=element.tag, elements=[], items=[])
        )
        group.elements.append(element)
        group.items.append(item)
    best: _Group | None = None
    for group in groups.values():
        if len(group.items) < 3 or _is_furniture(group.parent):
            continue
        group.score = sum(min(len(item.title), 40) for item in group.items)
        if sum(len(item.title) for item in group.items) / len(group.items) < 8:
            continue
        if best is None or group.score > best.score:
            best = group
    return best


# ------------------------------------------------------------------------ pagination


def _mark_pagers_and_find_targets(root: Element, base_url: str) -> list[str]:
    """Next-page URLs from TRS createPageHTML scripts; marks the scripts' parents."""
    targets: list[str] = []
    for script in root.iter("script"):
        text = script.text or ""
        if "createPage" not in text:
            continue
        for match in _CREATE_PAGE_RE.finditer(text):
            page_count, current, name, extension = (
                int(match[1]),
                int(match[2]),
                match[3],
                match[4],
            )
            if current + 1 < page_count:
                targets.append(urljoin(base_url, f"{name}_{current + 1}.{extension}"))
        parent = script.getparent()
        if parent is not None:
            parent.set("data-gw-pager", "1")
    return targets


def _link_pagination(root: Element, base_url: str) -> tuple[list[str], list[str]]:
    next_links: list[str] = []
    other_links: list[str] = []
    for anchor in _PAGER_LINKS_XPATH(root):  # type: ignore[union-attr]
        if _is_item_link(anchor):
            href = anchor.get("href", "").strip()
        elif (target := _ONCLICK_TARGET_RE.search(anchor.get("onclick") or "")) is not None:
            href = target[1].strip()
        else:
            continue
        text = _clean(_text(anchor))
        if (
            _NEXT_TEXT_RE.match(text)
            or _clean(anchor.get("title")) in ("下一页", "下页")
            or _NEXT_CLASS_RE.search(anchor.get("class") or "")
        ):
            next_links.append(urljoin(base_url, href))
        elif _PAGED_HREF_RE.search(href.split("?")[0]):
            other_links.append(urljoin(base_url, href))
    return next_links, other_links


def _ordered_unique(urls: Iterable[str], exclude: str) -> tuple[str, ...]:
    seen = {exclude}
    ordered: list[str] = []
    for url in urls:
        if url not in seen:
            seen.add(url)
            ordered.append(url)
    return tuple(ordered)


# ------------------------------------------------------------------------ selectors


def _selected_strings(item: object, css: str) -> list[str]:
    selected = item.css(css)  # type: ignore[attr-defined]
    if "::" in css:
        return [value for value in selected.getall() if value.strip()]
    return [_clean(_text(element.root)) for element in selected]


def _extract_with_selectors(
    html: str, base_url: str, today: date, selectors: Selectors
) -> list[ListedItem]:
    from parsel import Selector

    items: list[ListedItem] = []
    for entry in Selector(text=html).css(selectors.item):
        element = entry.root
        if not isinstance(element, Element):
            continue
        default = read_item(element, base_url, today, require_date=False)
        title = default.title if default else ""
        url = default.url if default else ""
        published_on = default.published_on if default else None
        published_at = default.published_at if default else None
        year_inferred = default.year_inferred if default else False
        if selectors.link:
            links = entry.css(selectors.link)
            href = links.get() if "::" in selectors.link else links.attrib.get("href")
            if href:
                url = urljoin(base_url, href.strip())
        if selectors.title:
            title = _clean(" ".join(_selected_strings(entry, selectors.title))) or title
        if selectors.date:
            date_text = " ".join(_selected_strings(entry, selectors.date))
            found = find_date(date_text, today)
            if found is not None:
                published_on, published_at = found
                full = find_full_date(date_text)
                year_inferred = full is None or (full[0], full[1]) != found
                url_date = date_from_url(url)
                if url_date is not None and full is None:
                    published_on = (
                        year_near(published_on.month, published_on.day, url_date) or published_on
                    )
        if not title or not url:
            continue
        items.append(
            ListedItem(
                title=title,
                url=url,
                published_on=published_on,
                published_at=published_at,
                pinned=default.pinned if default else False,
                year_inferred=year_inferred,
            )
        )
    return items


# ------------------------------------------------------------------------ entry point


def _empty_container(root: Element) -> bool:
    for element in root.iter("ul", "ol", "tbody", "dl"):
        marker = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if "list" in marker and len(element) == 0 and not _clean(_text(element)):
            return True
    return False


def _empty_or_unparsed(root: Element | None, next_urls: tuple[str, ...]) -> ListPage:
    text = _clean(_text(root)) if root is not None else ""
    marker = _EMPTY_MARKER_RE.search(text)
    if marker is not None:
        return ListPage(
            items=(),
            status="empty",
            detail=f"page says the column is empty ({marker.group(0)})",
            next_page_urls=next_urls,
        )
    if root is not None and _empty_container(root):
        return ListPage(items=(), status="empty", detail="list container has no entries")
    return ListPage(items=(), status="unparsed", detail="no dated list found on the page")


def _hanweb_list(html: str, base_url: str, today: date, selectors: Selectors | None) -> ListPage:
    datastore = find_datastore(html)
    assert datastore is not None
    next_urls = _ordered_unique(
        (urljoin(base_url, href) for href in datastore.next_group_hrefs), exclude=base_url
    )
    if not datastore.records:
        return ListPage(
            items=(),
            status="empty",
            detail="Hanweb datastore holds no records",
            next_page_urls=next_urls,
        )
    records_html = records_as_html(datastore)
    if selectors is not None:
        items = _dedupe(_extract_with_selectors(records_html, base_url, today, selectors))
    else:
        root = _parse(records_html)
        records = root.xpath("//div[@class='gw-hanweb-record']") if root is not None else []
        found = (read_item(record, base_url, today, require_date=False) for record in records)
        items = _dedupe(item for item in found if item is not None)
    if not items:
        return ListPage(
            items=(),
            status="unparsed",
            detail=f"Hanweb datastore has {len(datastore.records)} records but no links",
            next_page_urls=next_urls,
        )
    return ListPage(
        items=items,
        status="ok",
        detail=f"Hanweb datastore, {len(items)} records",
        next_page_urls=next_urls,
    )


def extract_list(
    html: str,
    base_url: str,
    today: date,
    selectors: Selectors | None = None,
    *,
    homepage: bool = False,
) -> ListPage:
    """The main list of a column page, or with ``homepage`` the items of every dated box.

    ``today`` is the day of the check; month-day-only dates get the latest year that does
    not put them after it (or the page's generation day), unless the item's URL carries a
    date or a year-month folder, or every full date on the page is far older (then the
    year of those dates, noted in ``doubts``).
    """
    may_be_hanweb = "<record" in html or "<datastore" in html or "<DATASTORE" in html
    if may_be_hanweb and find_datastore(html) is not None:
        return _hanweb_list(html, base_url, today, selectors)
    root = _parse(html)
    if root is None:
        return ListPage(items=(), status="unparsed", detail="document is empty or not HTML")
    base_element = next(root.iter("base"), None)
    if base_element is not None and base_element.get("href"):
        base_url = urljoin(base_url, base_element.get("href", "").strip())

    script_targets = _mark_pagers_and_find_targets(root, base_url)
    lxml.etree.strip_elements(root, "script", "style", "noscript", "select", with_tail=False)
    next_links, other_links = _link_pagination(root, base_url)
    next_urls = _ordered_unique([*script_targets, *next_links, *other_links], exclude=base_url)

    if selectors is not None:
        items = _dedupe(_extract_with_selectors(html, base_url, today, selectors))
        if items:
            return ListPage(
                items=items,
                status="ok",
                detail=f"column selectors matched {len(items)} items",
                next_page_urls=next_urls,
            )
        page = _empty_or_unparsed(root, next_urls)
        if page.status == "unparsed":
            return ListPage(
                items=(),
                status="unparsed",
                detail=f"column selector {selectors.item!r} matched no item",
                next_page_urls=next_urls,
            )
        return page

    # Most pages never mention pinning; skip the per-item attribute scan on those.
    check_pinned = any(marker in html for marker in _PINNED_MARKERS)
    link_counts = _LinkCounts()
    groups, newest_full = _candidate_groups(root, today, link_counts)
    generated = page_generated_on(html)
    hints = YearHints(
        reference=generated if generated is not None and generated < today else today,
        newest_full=newest_full,
        moved=set(),
    )
    memo = _PageMemo()
    for group in groups:
        _score(group, memo)
    groups.sort(key=lambda group: group.score, reverse=True)
    if homepage:
        return _homepage_list(
            root, groups, base_url, today, check_pinned, hints, next_urls, memo.furniture
        )
    best: _Group | None = None
    for group in groups:
        _read_group(group, base_url, today, check_pinned, hints)
        if group.items:
            best = group
            break
    if best is not None and len(best.items) < 2 and best.penalized:
        best = None
    if best is None or (best.penalized and _EMPTY_MARKER_RE.search(_text(root))):
        undated = None if best is not None else _undated_list(root, base_url, today)
        if undated is None:
            return _empty_or_unparsed(root, next_urls)
        return ListPage(
            items=_dedupe(undated.items),
            status="ok",
            detail=f"list without dates, {len(undated.items)} items",
            next_page_urls=next_urls,
            doubts=("列表条目没有发布日期，日期取自网址或无法确定",),
        )
    twins = _merge_template_twins(best, groups, link_counts)
    chosen: list[_Group] = []
    for group in twins:
        if group is not best:
            _read_group(group, base_url, today, check_pinned, hints)
        if group.items:
            _with_undated_siblings(group, base_url, today, hints)
            chosen.append(group)
    if len(chosen) > 1:
        order = _document_order(root)
        chosen.sort(key=lambda group: order.get(group.parent, 0))
    items = _dedupe(item for group in chosen for item in group.items)
    blocks = f" in {len(chosen)} blocks" if len(chosen) > 1 else ""
    doubts = _doubts(items, hints)
    rival = _rival(best, twins, groups, base_url, today, check_pinned, hints)
    if rival is not None:
        doubts.insert(0, rival)
    return ListPage(
        items=items,
        status="ok",
        detail=f"{len(items)} items{blocks} under <{best.parent.tag}>",
        next_page_urls=next_urls,
        doubts=tuple(doubts),
        review_reason=rival or _guessed_years(hints),
    )


def _guessed_years(hints: YearHints) -> str:
    """The doubt that month-day dates got a year the page only suggests ("" when none did)."""
    if not hints.moved:
        return ""
    years = "、".join(str(year) for year in sorted(hints.moved))
    return f"只有月-日的日期按页面上的完整日期推定为 {years} 年"


def _doubts(items: tuple[ListedItem, ...], hints: YearHints) -> list[str]:
    """Why the dates of ``items`` may not be what the page means (in Chinese: users read it).

    Items without dates are only noted: the crawl opens their articles for dates, and
    an item whose date stays unknown counts as no update, as the indicators say.
    """
    doubts: list[str] = []
    undated = sum(1 for item in items if item.published_on is None)
    if undated:
        doubts.append(f"{undated} 条信息没有发布日期")
    if guessed := _guessed_years(hints):
        doubts.append(guessed)
    return doubts


def _contains(outer: Element, inner: Element) -> bool:
    node: Element | None = inner
    while node is not None:
        if node is outer:
            return True
        node = node.getparent()
    return False


def _rival(
    best: _Group,
    chosen: list[_Group],
    groups: list[_Group],
    base_url: str,
    today: date,
    check_pinned: bool,
    hints: YearHints,
) -> str | None:
    """A doubt when another list, not merged into the chosen one, scores almost as high."""
    for group in groups:
        if group in chosen or group.penalized or len(group.elements) < 3:
            continue
        if group.score < best.score * _CLOSE_SCORE:
            return None
        if _contains(best.parent, group.parent) or _contains(group.parent, best.parent):
            continue
        _read_group(group, base_url, today, check_pinned, hints)
        if len(group.items) >= 3:
            return (
                f"页面上另有一个分量相近的列表（{len(group.items)} 条），所选列表可能不是栏目主列表"
            )
    return None


def _homepage_list(
    root: Element,
    groups: list[_Group],
    base_url: str,
    today: date,
    check_pinned: bool,
    hints: YearHints,
    next_urls: tuple[str, ...],
    furniture: dict[Element, bool] | None = None,
) -> ListPage:
    """Every dated box of a homepage: the homepage rules judge all new items on it.

    Page furniture (header, footer, navigation, friend links, marquees) is left out; boxes
    under headings such as "最新动态" count here, unlike on a column page.
    """
    chosen: list[_Group] = []
    for group in groups:
        if _is_furniture(group.parent, furniture):
            continue
        _read_group(group, base_url, today, check_pinned, hints)
        if len(group.items) >= 2:
            chosen.append(group)
    if not chosen:
        return _empty_or_unparsed(root, next_urls)
    order = _document_order(root)
    chosen.sort(key=lambda group: order.get(group.parent, 0))
    items = _dedupe(item for group in chosen for item in group.items)
    return ListPage(
        items=items,
        status="ok",
        detail=f"homepage, {len(items)} items in {len(chosen)} dated boxes",
        next_page_urls=next_urls,
        doubts=tuple(_doubts(items, hints)),
        review_reason=_guessed_years(hints),
    )
