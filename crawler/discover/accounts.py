"""The new-media accounts a government site lists (政务新媒体 directory, 新媒体矩阵
page, or the 官方微博/官方微信 blocks of its homepage): platform, name, uid or link.

Sites list them three ways, all read here: a table with a header row (名称 | 平台 |
主办单位), list entries or paragraphs naming the platform ("新浪微博:示范县发布"), and
links to the account on its platform (weibo.com/u/UID, mp.weixin.qq.com/…__biz=…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.etree
import lxml.html

# Platform words as sites print them; longer first so "微信公众号" is not read as "微信".
_PLATFORM_WORDS: tuple[tuple[str, str], ...] = (
    ("微信公众号", "wechat"),
    ("微信公众平台", "wechat"),
    ("微信视频号", "other"),
    ("视频号", "other"),
    ("公众号", "wechat"),
    ("微信", "wechat"),
    ("新浪微博", "weibo"),
    ("官方微博", "weibo"),
    ("微博", "weibo"),
    ("抖音号", "douyin"),
    ("抖音", "douyin"),
    ("今日头条", "toutiao"),
    ("头条号", "toutiao"),
    ("头条", "toutiao"),
    ("快手", "other"),
    ("人民号", "other"),
    ("百家号", "other"),
    ("学习强国", "other"),
    ("客户端", "other"),
)
_PLATFORM_RE = re.compile("|".join(re.escape(word) for word, _ in _PLATFORM_WORDS))
_PLATFORM_OF = dict(_PLATFORM_WORDS)

_LINK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("weibo", re.compile(r"^(?:www\.|m\.)?weibo\.c(?:om|n)$")),
    ("wechat", re.compile(r"^mp\.weixin\.qq\.com$")),
    ("douyin", re.compile(r"^(?:www\.|v\.)?(?:ies)?douyin\.com$")),
    ("toutiao", re.compile(r"^(?:www\.|m\.)?toutiao\.com$")),
)
_WEIBO_UID_RE = re.compile(r"^/(?:u/|profile/)?(\d{5,})/?$")
_DOUYIN_UID_RE = re.compile(r"^/user/([\w-]+)")
_TOUTIAO_UID_RE = re.compile(r"^/c/user/(?:token/)?([\w=-]+)")
_LABEL_RE = re.compile(
    r"(?:账号名称|账号|名称|平台|类型|官方|二维码|扫一扫|关注|扫码|请扫描|[:：|/()（）【】\[\]「」<>《》·\-—])"
)
_NAME_HEADERS = ("名称", "账号", "新媒体")
_PLATFORM_HEADERS = ("平台", "类型", "渠道")
_MAX_NAME = 30


@dataclass(frozen=True, slots=True)
class ListedAccount:
    """One account a site lists."""

    platform: str  # weibo | wechat | douyin | toutiao | other
    name: str
    uid: str | None = None
    link: str | None = None


def _text(element: lxml.etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def account_from_link(url: str) -> tuple[str, str | None] | None:
    """(platform, uid or None) when ``url`` points at an account on a platform."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for platform, host_re in _LINK_PATTERNS:
        if not host_re.match(host):
            continue
        if platform == "wechat":
            return platform, (parse_qs(parts.query).get("__biz") or [None])[0]
        uid_re = {"weibo": _WEIBO_UID_RE, "douyin": _DOUYIN_UID_RE, "toutiao": _TOUTIAO_UID_RE}
        match = uid_re[platform].match(parts.path)
        return platform, match.group(1) if match else None
    return None


def _clean_name(text: str) -> str:
    name = _PLATFORM_RE.sub(" ", text)
    name = _LABEL_RE.sub(" ", name)
    name = re.sub(r"^\s*\d+\s*[.、]?", " ", name)  # a row number
    return " ".join(name.split())


def _from_table(table: lxml.etree._Element, base_url: str) -> list[ListedAccount]:
    rows = table.xpath(".//tr")
    if len(rows) < 2:
        return []
    header = [_text(cell) for cell in rows[0].xpath("./th|./td")]
    name_col = next((i for i, h in enumerate(header) if any(w in h for w in _NAME_HEADERS)), None)
    platform_col = next(
        (i for i, h in enumerate(header) if any(w in h for w in _PLATFORM_HEADERS)), None
    )
    if name_col is None or platform_col is None or name_col == platform_col:
        return []
    found = []
    for row in rows[1:]:
        cells = row.xpath("./th|./td")
        if len(cells) <= max(name_col, platform_col):
            continue
        platform_text = _text(cells[platform_col])
        word = _PLATFORM_RE.search(platform_text)
        name = _text(cells[name_col])
        if not word or not name or len(name) > _MAX_NAME:
            continue
        link, uid = _row_link(row, base_url)
        found.append(ListedAccount(_PLATFORM_OF[word.group(0)], name, uid, link))
    return found


def _row_link(element: lxml.etree._Element, base_url: str) -> tuple[str | None, str | None]:
    for anchor in element.iter("a"):
        url = urljoin(base_url, (anchor.get("href") or "").strip())
        if (known := account_from_link(url)) is not None:
            return url, known[1]
    return None, None


def _is_block(element: lxml.etree._Element) -> bool:
    return element.tag in ("li", "dd", "dt", "p", "td", "span", "div", "a", "h3", "h4")


def extract_accounts(html: str, base_url: str) -> list[ListedAccount]:
    """Every account the page lists, in page order, once per (platform, name or uid)."""
    if not html.strip():
        return []
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    for junk in root.xpath("//script|//style|//noscript"):
        junk.drop_tree()
    found: list[ListedAccount] = []
    in_tables: set[lxml.etree._Element] = set()
    for table in root.iter("table"):
        accounts = _from_table(table, base_url)
        if accounts:
            found.extend(accounts)
            in_tables.update(table.iter())
    for anchor in root.iter("a"):
        if anchor in in_tables:
            continue
        url = urljoin(base_url, (anchor.get("href") or "").strip())
        known = account_from_link(url)
        if known is None:
            continue
        name = _clean_name(_text(anchor) or anchor.get("title") or "")
        if not name:
            parent = anchor.getparent()
            name = _clean_name(_text(parent)) if parent is not None else ""
        if name and len(name) <= _MAX_NAME:
            found.append(ListedAccount(known[0], name, known[1], url))
        in_tables.update(anchor.iter())
    for element in root.iter():
        if element in in_tables or not _is_block(element) or not isinstance(element.tag, str):
            continue
        # Leaf blocks only: a container's text repeats its children's.
        if any(_is_block(child) and _PLATFORM_RE.search(_text(child)) for child in element):
            continue
        text = _text(element)
        alts = " ".join(img.get("alt") or "" for img in element.iter("img"))
        for source in (text, alts):
            word = _PLATFORM_RE.search(source)
            if not word or len(source) > 60:
                continue
            name = _clean_name(source)
            if name and 2 <= len(name) <= _MAX_NAME:
                found.append(ListedAccount(_PLATFORM_OF[word.group(0)], name))
                break
    unique: dict[tuple[str, str], ListedAccount] = {}
    for account in found:
        key = (account.platform, account.uid or account.name)
        if key not in unique and (account.platform, account.name) not in unique:
            unique[key] = account
            unique.setdefault((account.platform, account.name), account)
    ordered: list[ListedAccount] = []
    for account in unique.values():
        if account not in ordered:
            ordered.append(account)
    return ordered


def normalized_account_name(name: str) -> str:
    """A name for matching a listed account with a registered one (platform words,
    punctuation and spaces removed)."""
    return re.sub(r"\s+", "", _clean_name(name))
