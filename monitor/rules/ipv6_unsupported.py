"""IPV6_UNSUPPORTED: the site is not reachable over IPv6."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_health_state import latest_site_checks, sites


class Ipv6Unsupported(Rule):
    """The site's host has no AAAA address, or does not answer HTTP over IPv6."""

    code = "IPV6_UNSUPPORTED"
    name = "不支持IPv6访问"
    threshold = "无 AAAA 记录或 IPv6 下无法访问"
    message_template = "{site}不支持 IPv6 访问({detail})"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        checks = latest_site_checks(context, "ipv6")
        for site in sites(context).values():
            check = checks.get(site.site_id)
            if check is None:
                continue
            detections: tuple[Detection, ...] = ()
            if not check.ok:
                message = self.message_template.format(site=site.name, detail=check.detail)
                detections = (Detection(message, (site.url,)),)
            yield Judgement("site", site.site_id, site.unit, detections)
