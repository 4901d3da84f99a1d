"""SITE_UNREACHABLE: the homepage failed to open in too many probes (站点无法访问)."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_health_state import ProbeWindow, probe_windows


def enough_probes(window: ProbeWindow, context: CheckContext, code: str) -> bool:
    """Whether the window holds enough probes to judge (a fresh install does not)."""
    return window.probes >= context.rubric.param(code, "min_probes")


class SiteUnreachable(Rule):
    """The homepage failed to open within the time limit in 5% or more of the probes
    of the last 7 days (the indicators probe at least 20 times a day).

    Judged only when the window holds ``min_probes`` probes, so a new deployment does
    not veto a site on a handful of probes.
    """

    code = "SITE_UNREACHABLE"
    name = "站点无法访问"
    threshold = "近 7 天首页打不开的监测次数占比 ≥ 5%"
    message_template = "{site}首页近{days}天{probes}次监测中有{failed}次无法访问(占{share:.1%})"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        days = context.rubric.param(self.code, "window_days")
        threshold = context.rubric.param(self.code, "failed_share")
        for window in probe_windows(context, days):
            if not enough_probes(window, context, self.code):
                continue
            detections: tuple[Detection, ...] = ()
            if window.failed_share >= threshold:
                message = self.message_template.format(
                    site=window.site_name,
                    days=days,
                    probes=window.probes,
                    failed=window.failed,
                    share=window.failed_share,
                )
                if window.last_failure_detail:
                    message += f",如:{window.last_failure_detail}"
                detections = (Detection(message, (window.url,)),)
            yield Judgement("site", window.site_id, window.unit, detections)
