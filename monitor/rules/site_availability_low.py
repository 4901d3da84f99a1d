"""SITE_AVAILABILITY_LOW: the homepage failed in some probes, below the veto line (首页可用性)."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.rules.site_unreachable import enough_probes
from monitor.site_health_state import probe_windows


class SiteAvailabilityLow(Rule):
    """The homepage failed in 1% or more of the week's probes but under the veto line."""

    code = "SITE_AVAILABILITY_LOW"
    name = "首页可用性不足"
    threshold = "近 7 天首页打不开的监测次数占比 ≥ 1% 且 < 5%"
    message_template = "{site}首页近{days}天{probes}次监测中有{failed}次无法访问(占{share:.1%})"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        days = context.rubric.param(self.code, "window_days")
        low = context.rubric.param(self.code, "failed_share")
        veto_line = context.rubric.param("SITE_UNREACHABLE", "failed_share")
        for window in probe_windows(context, days):
            if not enough_probes(window, context, self.code):
                continue
            detections: tuple[Detection, ...] = ()
            if low <= window.failed_share < veto_line:
                message = self.message_template.format(
                    site=window.site_name,
                    days=days,
                    probes=window.probes,
                    failed=window.failed,
                    share=window.failed_share,
                )
                detections = (Detection(message, (window.url,)),)
            yield Judgement("site", window.site_id, window.unit, detections)
