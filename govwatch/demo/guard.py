"""Keeping a demo database a demo: the demo's accounts never reach a real platform.

``govwatch demo`` (``./run.sh``) registers three demo accounts whose timelines its
own server fakes; the overrides pointing the platform adapters at that server
live only inside ``govwatch demo``. Crawled later by the scheduler with the normal
settings, the demo's Weibo accounts would be looked up on m.weibo.cn. A demo
account is therefore crawled only against the demo server, when it is running
(the registered demo site's address), and refused with a message otherwise.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from sqlalchemy import select

from govwatch.demo.accounts import ACCOUNTS
from storage.db import session_scope
from storage.models import Account, Site

#: The demo site's id in ``demo_targets_yaml``; its URL is the demo server's address.
DEMO_SITE_ID = "demo"

_DEMO_ACCOUNTS = {(account.account_id, account.platform, account.uid) for account in ACCOUNTS}


class DemoServerNotRunning(RuntimeError):
    """A demo account is due but the demo server that fakes its platform is not up."""


def _is_demo_account(target_id: str) -> bool:
    with session_scope() as session:
        row = session.execute(
            select(Account.id, Account.platform, Account.uid).where(Account.id == target_id)
        ).first()
    return row is not None and tuple(row) in _DEMO_ACCOUNTS


def _demo_root() -> str | None:
    with session_scope() as session:
        url = session.scalar(select(Site.url).where(Site.id == DEMO_SITE_ID))
    return url.rstrip("/") if url else None


def _answers(root: str, timeout_s: float = 2.0) -> bool:
    parts = urlsplit(root)
    if not parts.hostname or parts.port is None:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout_s):
            return True
    except OSError:
        return False


def demo_crawl_env(target_type: str, target_id: str) -> dict[str, str] | None:
    """The settings a crawl of a demo account needs (None: not a demo target).

    Raises :class:`DemoServerNotRunning` when the demo server is not up: the account
    must then not be crawled at all.
    """
    if target_type != "account" or not _is_demo_account(target_id):
        return None
    root = _demo_root()
    if root is None or not _answers(root):
        raise DemoServerNotRunning(
            f"演示账号 {target_id} 只在演示网站运行时抓取"
            f"(演示网站 {root or '未登记'} 没有运行),不会发往真实平台;"
            "运行 ./run.sh 重新演示,或用 govwatch targets load 载入真实的检查对象"
        )
    env = {f"GOVWATCH_{platform.upper()}_BASE_URL": root for platform in ("weibo", "wechat")}
    env["GOVWATCH_PLATFORM_DELAY_S"] = "0"
    return env
