"""The arguments of ``scrapy crawl site|account``, checked before anything is crawled.

A wrong argument is a :class:`SpiderArgumentError` whose message is one line naming
the argument, what is wrong and what is allowed (the registered ids, or how to list
them). ``crawler.commands.crawl`` checks them before Scrapy starts, so the operator
sees that line and exit code 2 instead of a traceback; the spiders call the same
functions, so a crawl started another way is refused the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Account, Site
from storage.registry import LIST_HINT, known_targets_hint

#: The longest ad-hoc URL: what ``sites.url`` holds (the targets file's limit too).
MAX_URL = 2000

#: The ``-a`` arguments each spider accepts.
ACCEPTED = {"site": ("site", "url"), "account": ("account",)}


class SpiderArgumentError(ValueError):
    """A ``-a`` argument of ``scrapy crawl`` that cannot be used (exit 2)."""


def check_adhoc_url(url: str) -> str:
    """An ad-hoc site URL: http(s) with a host, no spaces, at most ``MAX_URL`` long."""
    allowed = "应为 http:// 或 https:// 开头的网站地址,如 -a url=https://www.example.gov.cn/"
    if len(url) > MAX_URL:
        raise SpiderArgumentError(f"参数 url 太长({len(url)} 个字符),最多 {MAX_URL} 个字符")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"不支持 {parts.scheme}: 网址" if parts.scheme else "不是网址"
        raise SpiderArgumentError(f"参数 url {url!r} {scheme};{allowed}")
    if not parts.hostname or any(ch.isspace() for ch in url):
        raise SpiderArgumentError(f"参数 url {url!r} 不是有效网址(缺少主机名或含空格);{allowed}")
    return url


def check_unknown_arguments(spider: str, arguments: Mapping[str, object]) -> None:
    """Refuse ``-a`` names the spider does not take (a typo would be ignored silently)."""
    accepted = ACCEPTED[spider]
    for name in arguments:
        if name not in accepted:
            raise SpiderArgumentError(
                f"未知参数 -a {name}=…;{spider} 只接受 "
                + "、".join(f"-a {option}=…" for option in accepted)
            )


def site_argument(session: Session, site: str | None, url: str | None) -> tuple[str, str]:
    """``("site", ID)`` of a registered active site, or ``("url", URL)`` for an ad-hoc one."""
    if bool(site) == bool(url):
        what = "只能指定一个" if site and url else "缺少参数"
        raise SpiderArgumentError(
            f"{what}:请用 -a site=ID 指定已登记网站({LIST_HINT}),"
            "或用 -a url=https://… 临时检查一个未登记的网站"
        )
    if url:
        return "url", check_adhoc_url(url)
    known = session.scalar(select(Site.id).where(Site.id == site, Site.active.is_(True)))
    if known is None:
        raise SpiderArgumentError(
            f"参数 site: 网站 {site!r} 未登记或已停用;{known_targets_hint(session, Site)}"
        )
    return "site", str(site)


def account_argument(session: Session, account: str | None) -> str:
    """The id of a registered, active account."""
    if not account:
        raise SpiderArgumentError(
            f"缺少参数:请用 -a account=ID 指定已登记的新媒体账号({LIST_HINT})"
        )
    known = session.scalar(
        select(Account.id).where(Account.id == account, Account.active.is_(True))
    )
    if known is None:
        raise SpiderArgumentError(
            f"参数 account: 账号 {account!r} 未登记或已停用;{known_targets_hint(session, Account)}"
        )
    return account


def check_crawl_arguments(spider: str, arguments: Mapping[str, str]) -> None:
    """Check ``scrapy crawl SPIDER -a ...`` for the site and account spiders (others pass)."""
    if spider not in ACCEPTED:
        return
    check_unknown_arguments(spider, arguments)
    from storage.db import session_scope  # opening the database migrates it: only here

    with session_scope() as session:
        if spider == "site":
            site_argument(session, arguments.get("site"), arguments.get("url"))
        else:
            account_argument(session, arguments.get("account"))
