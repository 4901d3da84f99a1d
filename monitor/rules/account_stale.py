"""ACCOUNT_STALE: a new-media account with no post in the 14 days before the check."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.account_state import account_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule

PLATFORM_LABELS = {
    "weibo": "微博",
    "wechat": "微信公众号",
    "douyin": "抖音",
    "toutiao": "今日头条",
    "rss": "订阅源",
}


class AccountStale(Rule):
    """An account whose newest post is more than 14 days before the day judged.

    The indicators' 内容不更新 veto: no post in the two weeks before the check. Only
    timelines that were read count; a blocked or unreachable account is CHECK_FAILED.
    """

    code = "ACCOUNT_STALE"
    name = "内容不更新"
    threshold = "检查前 14 天内无更新"
    message_template = "{platform}账号「{name}」已{days}天未更新(最近一条发布于{newest})"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        limit = context.rubric.param(self.code, "stale_after_days")
        for state in account_states(context):
            if not state.readable:
                continue
            platform = PLATFORM_LABELS.get(state.platform, state.platform)
            evidence = (state.first_page_url,) if state.first_page_url else ()
            detections: tuple[Detection, ...] = ()
            if state.newest_post_on is None:
                message = f"{platform}账号「{state.name}」没有任何发布内容"
                detections = (Detection(message, evidence),)
            elif (days := (context.as_of - state.newest_post_on).days) > limit:
                message = self.message_template.format(
                    platform=platform,
                    name=state.name,
                    days=days,
                    newest=f"{state.newest_post_on:%Y-%m-%d}",
                )
                detections = (Detection(message, evidence),)
            yield Judgement("account", state.account_id, state.unit, detections)
