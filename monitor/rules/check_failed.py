"""CHECK_FAILED: a target govwatch could not read, so it judged nothing about it."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule

ERROR_LABELS = {
    "http_error": "服务器返回错误状态",
    "timeout": "访问超时",
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "tls": "HTTPS 连接失败",
    "login_wall": "需要登录才能访问",
    "unparsed": "页面中未能识别出信息列表",
    "other": "访问失败",
}


class CheckFailed(Rule):
    """A column page or homepage that could not be read in its latest crawl.

    Blocked, login walls, timeouts, error statuses and pages with no recognisable
    list: the target is reported as not checked, never as stale or empty, since a
    false finding is worse than a missed one.
    """

    code = "CHECK_FAILED"
    name = "无法检查"
    severity = "info"
    points = 0.0
    threshold = "最近一次抓取失败"
    message_template = "{target}无法检查:{reason}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        for page_kind in ("homepage", "column"):
            for state in column_states(context, page_kind):
                if state.error_class is None:
                    continue  # never crawled: nothing to say yet
                if page_kind == "homepage":
                    target_type, target_id, label = "site", state.site_id, f"{state.site_name}首页"
                else:
                    target_type, target_id = "column", state.target_id
                    label = f"{state.site_name}「{state.column_name}」栏目"
                detections: tuple[Detection, ...] = ()
                if not state.readable:
                    reason = ERROR_LABELS.get(state.error_class, "访问失败")
                    if state.error_detail:
                        reason = f"{reason}({state.error_detail})"
                    message = self.message_template.format(target=label, reason=reason)
                    detections = (Detection(message, (state.fetch_url or state.column_url,)),)
                yield Judgement(target_type, target_id, state.unit, detections)
