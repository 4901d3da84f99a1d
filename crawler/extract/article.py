"""Article pages: their publish date (for lists that print none) and their main text."""

from __future__ import annotations

import re
from datetime import date, datetime

import lxml.etree

from crawler.extract.dates import find_date, find_full_date

_PARSER = lxml.etree.HTMLParser(remove_comments=True)
# Meta names CMSs use for the publish time (TRS/Hanweb PubDate, gov.cn firstpublishedtime).
_META_NAMES = (
    "pubdate",
    "publishdate",
    "articlepubdate",
    "og:release_date",
    "article:published_time",
    "firstpublishedtime",
    "publish_time",
    "published_time",
    "releasedate",
)
_LABEL_RE = re.compile(r"(?:发布时间|发布日期|发文日期|发稿时间|时间|日期)\s*[：:]\s*")
_SCRIPT_VAR_RE = re.compile(
    r"""(?:publish_time|pubtime|publishtime|pubdate|publish_date)\W{0,4}\s*[=:]\s*["']"""
    r"""([^"']{6,40})["']""",
    re.IGNORECASE,
)


def _as_result(found: tuple[date, datetime | None]) -> datetime | date:
    published_on, published_at = found
    # A time of exactly midnight is what CMSs print when they store no time.
    if published_at is not None and published_at.time() != datetime.min.time():
        return published_at
    return published_on


def _from_meta(root: lxml.etree._Element, today: date) -> datetime | date | None:
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if name in _META_NAMES and content and name not in values:
            values[name] = content
    for name in _META_NAMES:
        if name in values and find_full_date(values[name]) is not None:
            found = find_date(values[name], today)
            if found is not None:
                return _as_result(found)
    return None


def _from_labels(root: lxml.etree._Element, today: date) -> datetime | date | None:
    body = next(root.iter("body"), None)
    if body is None:
        return None
    lxml.etree.strip_elements(body, "script", "style", with_tail=False)
    text = " ".join("".join(body.itertext()).split())
    for label in _LABEL_RE.finditer(text):
        window = text[label.end() : label.end() + 40]
        if find_full_date(window) is not None:
            found = find_date(window, today)
            if found is not None:
                return _as_result(found)
    return None


def _from_script_variables(html: str, today: date) -> datetime | date | None:
    for match in _SCRIPT_VAR_RE.finditer(html):
        if find_full_date(match.group(1)) is not None:
            found = find_date(match.group(1), today)
            if found is not None:
                return _as_result(found)
    return None


def extract_article_published(html: str, today: date) -> datetime | date | None:
    """When an article page says it was published: a datetime when it gives a time."""
    try:
        root = lxml.etree.fromstring(html, parser=_PARSER) if html.strip() else None
    except (lxml.etree.ParserError, ValueError):
        root = None
    if root is not None:
        for finder in (_from_meta, _from_labels):
            result = finder(root, today)
            if result is not None:
                return result
    result = _from_script_variables(html, today)
    if result is not None:
        return result
    if not html.strip():
        return None
    # htmldate knows many more page layouts but is far slower; only the last resort.
    # Imported here: most crawls never get this far, and it costs every crawl process
    # tens of milliseconds to import.
    from htmldate import find_date as htmldate_find_date

    found = htmldate_find_date(
        html, original_date=True, outputformat="%Y-%m-%d", max_date=today.isoformat()
    )
    return date.fromisoformat(found) if found else None


def extract_article_text(html: str, max_chars: int = 20_000) -> str:
    """The main text of an article page (navigation, sidebars and footers left out).

    trafilatura does the boilerplate removal; the result is cut to ``max_chars`` so one
    enormous page cannot bloat the store.
    """
    if not html.strip():
        return ""
    # Imported on first use: only crawls that open new articles for their text need it.
    from trafilatura import extract as trafilatura_extract

    text = trafilatura_extract(html, include_comments=False, include_tables=True, favor_recall=True)
    return (text or "")[:max_chars]
