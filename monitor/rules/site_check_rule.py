"""What IPV6_UNSUPPORTED and TLS_INVALID share: judging each site's latest technical check."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_health_state import SiteIdentity, latest_site_checks, sites
from storage.models import SiteCheck


class SiteCheckRule(Rule):
    """Reports a site whose latest check of ``check_kind`` failed; sites never checked
    are left unjudged."""

    check_kind: ClassVar[str]  # ipv6 | tls

    @abstractmethod
    def message(self, site: SiteIdentity, check: SiteCheck) -> str:
        """The sentence for a failed check."""

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        checks = latest_site_checks(context, self.check_kind)
        for site in sites(context).values():
            check = checks.get(site.site_id)
            if check is None:
                continue
            detections: tuple[Detection, ...] = ()
            if not check.ok:
                detections = (Detection(self.message(site, check), (site.url,)),)
            yield Judgement("site", site.site_id, site.unit, detections)
