"""TLS_INVALID: an expired, self-signed or wrong-host certificate."""

from __future__ import annotations

from monitor.rules.site_check_rule import SiteCheckRule
from monitor.site_health_state import SiteIdentity
from storage.models import SiteCheck

PROBLEM_LABELS = {
    "expired": "证书已过期",
    "self_signed": "使用自签名证书",
    "wrong_host": "证书与域名不符",
    "untrusted": "证书签发机构不受信任",
    "handshake_failed": "HTTPS 握手失败",
}


class TlsInvalid(SiteCheckRule):
    """The HTTPS certificate is expired, self-signed, for another host, or untrusted.

    The crawl still reads such a site (browsers let visitors click through); this rule
    says what visitors are warned about.
    """

    code = "TLS_INVALID"
    name = "HTTPS证书无效"
    threshold = "证书过期、自签名或与域名不符"
    message_template = "{site}的 HTTPS 证书无效:{problem}"
    check_kind = "tls"

    def message(self, site: SiteIdentity, check: SiteCheck) -> str:
        problem = PROBLEM_LABELS.get(check.problem or "", check.problem or "未知问题")
        return self.message_template.format(site=site.name, problem=problem)
