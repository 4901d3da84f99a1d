"""ACCOUNT_NOT_LISTED and LISTED_ACCOUNT_UNKNOWN: registered accounts against the
政务新媒体 directory the unit's site publishes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from crawler.discover.accounts import normalized_account_name
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_facts_state import latest_facts, site_units
from storage.models import Account, SiteObservation, Unit

PLATFORM_LABELS = {
    "weibo": "微博",
    "wechat": "微信公众号",
    "douyin": "抖音",
    "toutiao": "今日头条",
    "rss": "RSS",
    "other": "其他平台",
}


@dataclass(frozen=True, slots=True)
class _Registered:
    account_id: str
    name: str
    platform: str
    uid: str | None
    unit_id: int | None
    unit: str | None


def _registered(context: CheckContext) -> list[_Registered]:
    if "registered_accounts" not in context.memo:
        rows = context.session.execute(
            select(
                Account.id, Account.name, Account.platform, Account.uid, Account.unit_id, Unit.name
            )
            .outerjoin(Unit, Unit.id == Account.unit_id)
            .where(Account.active.is_(True))
            .order_by(Account.id)
        )
        context.memo["registered_accounts"] = [_Registered(*row) for row in rows]
    return context.memo["registered_accounts"]


def _listed(fact: SiteObservation) -> list[dict[str, str | None]]:
    return list(fact.data.get("accounts") or [])


def _matches(listed: dict[str, str | None], account: _Registered) -> bool:
    # An RSS mirror of a WeChat account is the WeChat account the directory lists.
    platform = "wechat" if account.platform == "rss" else account.platform
    if listed.get("platform") not in (platform, "other"):
        return False
    if listed.get("uid") and account.uid and listed["uid"] == account.uid:
        return True
    return normalized_account_name(str(listed.get("name") or "")) == normalized_account_name(
        account.name
    )


def _directories(context: CheckContext) -> dict[str, SiteObservation]:
    return {
        site_id: fact
        for site_id, fact in latest_facts(context, "media_directory").items()
        if fact.ok and _listed(fact)
    }


class AccountNotListed(Rule):
    """A registered account whose unit's site publishes a 政务新媒体 directory that does
    not list it (matched by uid, else by name).

    Accounts whose unit has no site with a readable directory are not judged.
    """

    code = "ACCOUNT_NOT_LISTED"
    name = "账号未在网站公开"
    threshold = "已登记账号未列入主办单位网站的政务新媒体目录"
    message_template = "{platform}账号「{name}」未列入{site}的政务新媒体目录"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        directories = _directories(context)
        units = site_units(context)
        for account in _registered(context):
            sites = [
                (units[site_id], fact)
                for site_id, fact in directories.items()
                if site_id in units
                and account.unit_id
                and units[site_id].unit_id == account.unit_id
            ]
            if not sites:
                continue
            if any(_matches(listed, account) for _, fact in sites for listed in _listed(fact)):
                yield Judgement("account", account.account_id, account.unit)
                continue
            site, fact = sites[0]
            text = self.message_template.format(
                platform=PLATFORM_LABELS.get(account.platform, account.platform),
                name=account.name,
                site=site.name,
            )
            yield Judgement(
                "account", account.account_id, account.unit, (Detection(text, (fact.url,)),)
            )


class ListedAccountUnknown(Rule):
    """An account a site's 政务新媒体 directory lists that no registered account matches:
    nobody monitors it (register it, or have the site remove it if it is closed)."""

    code = "LISTED_ACCOUNT_UNKNOWN"
    name = "目录账号未纳入监测"
    threshold = "网站政务新媒体目录中的账号未登记"
    message_template = "{site}政务新媒体目录列出的{platform}账号「{name}」未登记监测"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        registered = _registered(context)
        units = site_units(context)
        for site_id, fact in _directories(context).items():
            site = units.get(site_id)
            if site is None:
                continue
            detections = []
            for listed in _listed(fact):
                if any(_matches(listed, account) for account in registered):
                    continue
                platform = str(listed.get("platform") or "other")
                name = str(listed.get("name") or "")
                text = self.message_template.format(
                    site=site.name, platform=PLATFORM_LABELS.get(platform, platform), name=name
                )
                evidence = (str(listed.get("link") or fact.url),)
                detections.append(Detection(text, evidence, subject=f"{platform}:{name}"))
            yield Judgement("site", site_id, site.unit, tuple(detections))
