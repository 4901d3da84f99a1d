"""Pages that opened but are not the site: WAF challenges, captchas, maintenance notices.

A government site behind a web application firewall (安全狗, 云锁, 加速乐 ...) often
answers a crawler with HTTP 200 and a tiny page whose only job is to run a script,
set a cookie and reload. Read as the site, such a page has no list and no dates, so a
homepage would look "not updated" and a column "empty": a false finding. These pure
functions recognise such pages by structure (almost no text, almost no links) and by
the well-known markers of each product, and name the fault so the crawl can record
the page as unreadable (the check then says CHECK_FAILED, never stale or empty).

Every fault is named in Chinese for the inspector; ``kind`` doubles as the fetch's
``error_class`` (at most 20 characters, the column's width).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from crawler.extract.types import ListPage
from crawler.health.soft_error import soft_error_reason

# error_class values this module produces (besides the ones fetch_errors.py gives).
WAF = "waf"
CAPTCHA = "captcha"
MAINTENANCE = "maintenance"
EMPTY_PAGE = "empty_page"
SOFT_404 = "soft_404"
JS_REQUIRED = "js_required"
JS_LIST = "js_list"
REDIRECTED = "redirected"
IMPLAUSIBLE_DATES = "implausible_dates"
DATES_UNREAD = "dates_unread"
LIST_DOUBTFUL = "list_doubtful"


@dataclass(frozen=True, slots=True)
class PageFault:
    """Why a page that opened cannot be read as the site: a kind and a message."""

    kind: str
    detail: str


# A page is "thin" when it has about as much text and as many links as a challenge
# or notice page; real homepages and column pages have far more of both.
_THIN_TEXT_CHARS = 800
_THIN_LINKS = 12

# (product, marker) found in the page source. These strings are what fingerprinting
# tools (wafw00f, sqlmap) look for; see tests/fixtures/site_faults/MANIFEST.md.
_WAF_BODY_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("云锁", re.compile(r"YunSuoAutoJump|yunsuologo|security_verify_(?:data|img)", re.I)),
    (
        "加速乐",
        # The first layer spells the cookie name out character by character.
        re.compile(
            r"__jsl_clearance|\('_'\)\+\('_'\)\+\('j'\)\+\('s'\)\+\('l'\)|"
            r"go\(\{\s*\"bts\"|jiasule\.com/static/js/http_error|notice-jiasule"
        ),
    ),
    ("安全狗", re.compile(r"404\.safedog\.cn|safedogsite|WebShieldSessionVerify", re.I)),
    ("宝塔网站防火墙", re.compile(r"btwaf|_fingerprint2daasdsaaa", re.I)),
    ("360网站卫士", re.compile(r"wzws-waf-cgi|wzws_cid", re.I)),
    ("创宇盾", re.compile(r"365cyd\.com/cyd-error-help|365cyd\.net", re.I)),
    ("阿里云 WAF", re.compile(r"errors\.aliyun\.com|alicdn\.com/sd-base/static/[\d.]+/image/405")),
    ("腾讯云 WAF", re.compile(r"waf\.tencent-cloud\.com", re.I)),
    ("雷池 WAF", re.compile(r"\.safeline/|safeline/challenge", re.I)),
    ("D盾", re.compile(r"D盾_拦截提示")),
)
# Header markers only name the product: sites behind a WAF send them on good pages too.
_WAF_HEADER_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("云锁", re.compile(r"yunsuo", re.I)),
    ("加速乐", re.compile(r"__jsluid|jsl_tracking|X-Via-JSL", re.I)),
    ("安全狗", re.compile(r"safedog|WAF/2\.0", re.I)),
)
# Phrases block pages print (in the visible text of a thin page).
_BLOCK_PHRASES = re.compile(
    r"请求带有不合法参数|已被网站管理员设置拦截|网站防火墙|访问被拦截|访问已被拦截|非法请求|"
    r"拦截提示|您的访问被阻断|检测到(?:您的)?(?:异常|可疑)访问|访问受限|Access Denied|"
    r"Web Application Firewall",
    re.I,
)
_CAPTCHA = re.compile(
    r"请输入验证码|输入验证码|验证码|滑动验证|拖动滑块|人机验证|安全验证|点击按钮进行验证|"
    r"captcha|geetest|verify you are human",
    re.I,
)
_JS_REQUIRED = re.compile(
    r"请(?:开启|启用|打开|允许)\s*(?:浏览器的?)?\s*JavaScript|(?:开启|启用)\s*JavaScript\s*(?:后|才能)|"
    r"JavaScript\s*(?:被|已被)?\s*(?:禁用|关闭)|浏览器不支持\s*JavaScript|"
    r"(?:enable|turn on)\s+JavaScript|JavaScript\s+(?:is\s+)?(?:required|disabled)",
    re.I,
)
_MAINTENANCE = re.compile(
    r"网站维护中|系统维护中|正在维护|维护升级中|升级维护中|系统升级中|网站升级中|"
    r"正在升级|暂停(?:访问|服务)|停机维护|维护期间|under maintenance|temporarily unavailable",
    re.I,
)
_PARKED = re.compile(
    r"域名(?:正在)?(?:出售|转让|停放)|此域名(?:可|正在)?出售|该域名(?:可|正在)?(?:出售|转让)|"
    r"domain (?:name )?(?:is|may be) for sale|buy this domain|sedoparking|parkingcrew|"
    r"bodis\.com|dan\.com|afternic|domain parking",
    re.I,
)
# A challenge sets the cookie it asks for, or reloads the page itself until it passes.
_CHALLENGE_SCRIPT = re.compile(
    r"document\.cookie\s*=|location\.reload\s*\(|"
    r"location(?:\.href)?\s*=\s*(?:window\.|self\.|document\.)?location\.(?:href|pathname)",
    re.I,
)
# A plain script redirect: ``location.href = "/portal/index.html"``.
_SCRIPT_REDIRECT = re.compile(
    r"(?:window\.|self\.|top\.|document\.)?location(?:\.href)?\s*=\s*[\"']([^\"']+)[\"']|"
    r"location\.(?:replace|assign)\s*\(\s*[\"']([^\"']+)[\"']",
    re.I,
)
# Script that fills the page from data: a list or app rendered in the browser.
_RENDERING_SCRIPT = re.compile(
    r"\.innerHTML\s*[+]?=|\$\.(?:ajax|get|post|getJSON)\s*\(|\bfetch\s*\(|XMLHttpRequest|"
    r"axios\.|document\.write\s*\(|\.append\s*\(|\.html\s*\(|new\s+Vue\s*\(|createApp\s*\(|"
    r"ReactDOM|layui\.|laypage|template\s*\(|v-for=|ng-repeat|\{\{\s*\w",
    re.I,
)
_APP_ROOT = re.compile(
    r"<div[^>]+id\s*=\s*[\"'](?:app|root|__next|__nuxt|main-app)[\"'][^>]*>\s*</div>", re.I
)
_SCRIPT_BLOCK = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_STYLE_BLOCK = re.compile(r"<(style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_NOSCRIPT = re.compile(r"<noscript\b[^>]*>(.*?)</noscript\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_LINK = re.compile(r"<a\b[^>]*\bhref\s*=\s*[\"']?(?!#|javascript:)[^\s\"'>]", re.I)
_EMPTY_MARKERS = re.compile(r"暂无(?:相关)?(?:信息|数据|内容|记录)|没有(?:相关)?(?:信息|数据|记录)")


def _visible_text(html: str) -> str:
    text = _SCRIPT_BLOCK.sub(" ", _COMMENT.sub(" ", html))
    text = _STYLE_BLOCK.sub(" ", text)
    return _SPACE.sub(" ", _TAG.sub(" ", text)).strip()


def _scripts(html: str) -> str:
    return "\n".join(f"{attrs}\n{body}" for attrs, body in _SCRIPT_BLOCK.findall(html))


def _header_product(headers: Mapping[str, str]) -> str | None:
    joined = "\n".join(f"{name}: {value}" for name, value in headers.items())
    for product, marker in _WAF_HEADER_MARKERS:
        if marker.search(joined):
            return product
    return None


def is_thin(html: str) -> bool:
    """Whether a page has as little text and as few links as a challenge or notice page."""
    return len(_visible_text(html)) <= _THIN_TEXT_CHARS and len(_LINK.findall(html)) <= _THIN_LINKS


def page_fault(
    html: str,
    *,
    headers: Mapping[str, str] | None = None,
    status: int = 200,
) -> PageFault | None:
    """The fault that makes this page unreadable as the site, or None for a real page.

    Only thin pages are suspected: a page with the text and links of a real homepage
    or column is taken as read whatever it mentions (an article about firewalls).
    """
    headers = headers or {}
    if not html.strip():
        return PageFault(EMPTY_PAGE, f"服务器返回 HTTP {status} 但页面内容为空")
    if not is_thin(html):
        return None
    text = _visible_text(html)
    scripts = _scripts(html)
    head = html[:200_000]
    for product, marker in _WAF_BODY_MARKERS:
        found = marker.search(head)
        if found:
            return PageFault(
                WAF,
                f"网站防火墙({product})拦截,返回的是验证或拦截页而不是网站内容"
                f"(页面特征 {found.group(0)!r})",
            )
    product = _header_product(headers)
    block = _BLOCK_PHRASES.search(text)
    if block:
        named = f"({product})" if product else ""
        return PageFault(WAF, f"网站防火墙{named}拦截了访问:页面显示「{block.group(0)}」")
    if len(text) <= 40 and _CHALLENGE_SCRIPT.search(scripts):
        named = f"({product})" if product else ""
        return PageFault(
            WAF,
            f"网站防火墙{named}返回 JavaScript 验证跳转页(页面只有设置 Cookie 或跳转的脚本),"
            "未能读取网站内容",
        )
    redirect = _SCRIPT_REDIRECT.search(scripts)
    if len(text) <= 40 and redirect:
        target = redirect.group(1) or redirect.group(2)
        return PageFault(
            JS_REQUIRED,
            f"页面只有一段跳转脚本(跳转到 {target}),静态页面中没有网站内容;"
            "请在登记中改用跳转后的地址",
        )
    captcha = _CAPTCHA.search(text) or _CAPTCHA.search(_attributes(head))
    if captcha and re.search(r"<(?:input|img|canvas|iframe)\b", head, re.I):
        return PageFault(CAPTCHA, f"网站要求输入验证码才能访问(页面显示「{captcha.group(0)}」)")
    noscript_text = " ".join(_visible_text(block) for block in _NOSCRIPT.findall(head))
    js_required = _JS_REQUIRED.search(text) or _JS_REQUIRED.search(noscript_text)
    if js_required:
        return PageFault(
            JS_REQUIRED,
            f"页面要求浏览器开启 JavaScript(「{js_required.group(0)}」),静态页面中没有网站内容",
        )
    maintenance = _MAINTENANCE.search(text)
    if maintenance:
        return PageFault(MAINTENANCE, f"网站显示维护或暂停服务页面(「{maintenance.group(0)}」)")
    parked = _PARKED.search(text) or _PARKED.search(head)
    if parked:
        return PageFault(REDIRECTED, f"页面是域名停放或出售页(「{parked.group(0)}」),不是网站内容")
    soft = soft_error_reason(html.encode("utf-8"), "text/html; charset=utf-8")
    if soft:
        return PageFault(SOFT_404, f"页面内容表明网页不存在(软 404:{soft})")
    app = _APP_ROOT.search(head) or _RENDERING_SCRIPT.search(scripts)
    if len(text) <= 40 and app:
        return PageFault(
            JS_REQUIRED,
            "页面内容由 JavaScript 脚本在浏览器中生成(特征 "
            f"{_SPACE.sub(' ', app.group(0))[:60]!r}),静态页面中几乎没有文字和链接;"
            "栏目可设置 render: js 用浏览器读取",
        )
    if not text and not _LINK.search(html):
        return PageFault(EMPTY_PAGE, f"服务器返回 HTTP {status} 但页面没有任何文字和链接")
    return None


_ATTRIBUTES = re.compile(r"\b(?:id|class|name|src)\s*=\s*[\"']([^\"']*)", re.I)


def _attributes(html: str) -> str:
    return " ".join(_ATTRIBUTES.findall(html))


def script_list_fault(html: str) -> PageFault | None:
    """A column page whose list is filled in by script (no list in the static HTML).

    Called when the extractor found no list, or only an empty list container: if the
    page's scripts build content (``innerHTML``, ``$.ajax``, a template ...) and the
    page does not itself say the column is empty, the list was never seen.
    """
    if _EMPTY_MARKERS.search(_visible_text(html)):
        return None
    scripts = _scripts(html)
    found = _RENDERING_SCRIPT.search(scripts) or _RENDERING_SCRIPT.search(html)
    if found is None:
        return None
    return PageFault(
        JS_LIST,
        "栏目列表由页面脚本生成,静态页面中没有信息列表(脚本特征 "
        f"{found.group(0).strip()!r}):该栏目应设置 render: js",
    )


def _site_key(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_site(host: str, site_hosts: Iterable[str]) -> bool:
    """Whether ``host`` belongs to the site: one of its hosts, or a subdomain of one."""
    key = _site_key(host)
    for known in site_hosts:
        other = _site_key(known)
        if key == other or key.endswith("." + other) or other.endswith("." + key):
            return True
    return False


_HOMEPAGE_PATH = re.compile(
    r"^/?(?:(?:index|default|home|main)\.(?:s?html?|jsp|aspx?|php))?$", re.I
)


def redirect_fault(
    requested_url: str, final_url: str, homepage_url: str, site_hosts: Iterable[str]
) -> PageFault | None:
    """A column that was redirected off the site, or back to the site's homepage."""
    if final_url == requested_url:
        return None
    final = urlsplit(final_url)
    if final.hostname and not same_site(final.hostname, site_hosts):
        return PageFault(
            REDIRECTED,
            f"栏目地址被重定向到站外域名 {final.hostname}({final_url}),"
            "可能域名已过期、被停放或栏目已迁移",
        )
    requested = urlsplit(requested_url)
    homepage = urlsplit(homepage_url)
    requested_is_home = _HOMEPAGE_PATH.match(requested.path or "/") is not None
    final_is_home = _HOMEPAGE_PATH.match(final.path or "/") is not None and not final.query
    if (
        final_is_home
        and not requested_is_home
        and _site_key(final.hostname or "") == _site_key(homepage.hostname or "")
    ):
        return PageFault(
            REDIRECTED,
            f"栏目地址被重定向到网站首页({final_url}),栏目可能已撤销或改版",
        )
    return None


def future_dates_fault(published: Iterable[date | None], today: date) -> PageFault | None:
    """A list whose every dated item is dated after ``today``: its dates are not believable."""
    dated = [day for day in published if day is not None]
    if not dated or any(day <= today for day in dated):
        return None
    return PageFault(
        IMPLAUSIBLE_DATES,
        f"列表中 {len(dated)} 条信息的日期全部晚于今天(最早 {min(dated).isoformat()}),"
        "日期不可信,未能判断更新情况",
    )


def doubtful_list_fault(listing: ListPage) -> PageFault | None:
    """A list read whose newest date is a guess: reported for review, not judged.

    The extractor says so (``ListPage.review_reason``) when another list of similar
    weight may be the column's own, or when month-day dates got a year the page only
    suggests. Judging such a read could make a false "stale" finding, so it is not
    judged (its items are not stored either); a person reviews the page instead.
    """
    if listing.status != "ok" or not listing.review_reason:
        return None
    return PageFault(
        LIST_DOUBTFUL, f"列表识别存疑,最新发布日期无法确认,需人工复核:{listing.review_reason}"
    )
