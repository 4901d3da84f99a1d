"""TLS_INVALID: an expired, self-signed or wrong-host certificate."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_health_state import latest_site_checks, sites

PROBLEM_LABELS = {
    "expired": "证书已过期",
    "self_signed": "使用自签名证书",
    "wrong_host": "证书与域名不符",
    "untrusted": "证书签发机构不受信任",
    "handshake_failed": "HTTPS 握手失败",
}


class TlsInvalid(Rule):
    """The HTTPS certificate is expired, self-signed, for another host, or untrusted.

    The crawl still reads such a site (browsers let visitors click through); this rule
    says what visitors are warned about.
    """

    code = "TLS_INVALID"
    name = "HTTPS证书无效"
    threshold = "证书过期、自签名或与域名不符"
    message_template = "{site}的 HTTPS 证书无效:{problem}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        checks = latest_site_checks(context, "tls")
        for site in sites(context).values():
            check = checks.get(site.site_id)
            if check is None:
                continue
            detections: tuple[Detection, ...] = ()
            if not check.ok:
                problem = PROBLEM_LABELS.get(check.problem or "", check.problem or "未知问题")
                message = self.message_template.format(site=site.name, problem=problem)
                detections = (Detection(message, (site.url,)),)
            yield Judgement("site", site.site_id, site.unit, detections)
