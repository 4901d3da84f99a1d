"""Find a site's columns (栏目) in its homepage or section navigation and classify them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import lxml.etree
import tldextract

from crawler.extract.dates import date_from_url

_PARSER = lxml.etree.HTMLParser(remove_comments=True)
# The suffix list snapshot shipped with tldextract: no network, no cache directory.
_DOMAINS = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())

_NOT_COLUMN_NAMES = frozenset(
    {
        "首页",
        "网站首页",
        "返回首页",
        "更多",
        "更多>>",
        "more",
        "more>>",
        "网站地图",
        "联系我们",
        "网站声明",
        "帮助",
        "设为首页",
        "加入收藏",
        "无障碍",
        "长者模式",
        "english",
        "繁体",
        "简体",
        "登录",
        "注册",
        "搜索",
        "高级搜索",
    }
)
_MAX_NAME_LENGTH = 16
_ARTICLE_PATH_RE = re.compile(r"(?:/t\d{8}_\d+|/art_\d+_\d+|content_\d+)\.\w+$")
_FILE_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".png", ".zip", ".rar")

# Checked in this order: the first category whose keywords occur in the name wins, so
# "政策解读" is policy and not news, and "领导信箱" is interaction and not overview.
_CATEGORY_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("interaction", ("咨询", "留言", "信箱", "征集", "调查", "互动", "投诉", "建议", "访谈")),
    ("policy", ("政策", "规范性文件", "文件", "法规", "解读")),
    ("notice", ("通知公告", "公告", "公示", "通告", "通知")),
    ("overview", ("机构概况", "领导信息", "机构职能", "领导", "机构", "职能", "概况", "简介")),
    ("static", ("人事信息", "规划计划", "人事", "规划", "计划", "任免")),
    ("news", ("要闻", "动态", "新闻", "图片新闻", "工作动态", "资讯", "快讯")),
)


@dataclass(frozen=True, slots=True)
class DiscoveredColumn:
    """A column link found in a page's navigation."""

    name: str
    url: str
    category: str


def classify_column(name: str) -> str:
    """One of news | notice | policy | static | overview | interaction | other."""
    for category, keywords in _CATEGORY_KEYWORDS:
        if any(keyword in name for keyword in keywords):
            return category
    return "other"


@lru_cache(maxsize=1024)
def _site_of(host: str) -> str:
    parts = _DOMAINS(host)
    return parts.top_domain_under_public_suffix or host


def _looks_like_column(url: str) -> bool:
    path = urlsplit(url).path.lower()
    if path.endswith(_FILE_EXTENSIONS) or _ARTICLE_PATH_RE.search(path):
        return False
    return date_from_url(url) is None


def discover_columns(html: str, base_url: str) -> list[DiscoveredColumn]:
    """Column links of this site in page order, one per URL (the first name wins)."""
    if not html.strip():
        return []
    try:
        root = lxml.etree.fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return []
    if root is None:
        return []
    base_host = urlsplit(base_url).hostname or ""
    base_site = _site_of(base_host)
    columns: list[DiscoveredColumn] = []
    seen: set[str] = set()
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        url = urljoin(base_url, href).split("#")[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        if _site_of(parts.hostname) != base_site:
            continue
        name = " ".join("".join(anchor.itertext()).split()) or " ".join(
            (anchor.get("title") or "").split()
        )
        if (
            not name
            or len(name) > _MAX_NAME_LENGTH
            or name.lower() in _NOT_COLUMN_NAMES
            or name.rstrip(">》» ") in _NOT_COLUMN_NAMES
            or url in seen
            or url.rstrip("/") == base_url.rstrip("/")
            or not _looks_like_column(url)
        ):
            continue
        seen.add(url)
        columns.append(DiscoveredColumn(name=name, url=url, category=classify_column(name)))
    return columns
