"""IPV6_UNSUPPORTED: the site is not reachable over IPv6."""

from __future__ import annotations

from monitor.rules.site_check_rule import SiteCheckRule
from monitor.site_health_state import SiteIdentity
from storage.models import SiteCheck


class Ipv6Unsupported(SiteCheckRule):
    """The site's host has no AAAA address, or does not answer HTTP over IPv6."""

    code = "IPV6_UNSUPPORTED"
    name = "不支持IPv6访问"
    threshold = "无 AAAA 记录或 IPv6 下无法访问"
    message_template = "{site}不支持 IPv6 访问({detail})"
    check_kind = "ipv6"

    def message(self, site: SiteIdentity, check: SiteCheck) -> str:
        return self.message_template.format(site=site.name, detail=check.detail)
