"""What ACCOUNT_STALE and ACCOUNT_ZOMBIE share: judging how long a read timeline is silent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from monitor.account_state import AccountState, account_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule

PLATFORM_LABELS = {
    "weibo": "微博",
    "wechat": "微信公众号",
    "douyin": "抖音",
    "toutiao": "今日头条",
    "rss": "订阅源",
}


def platform_label(platform: str) -> str:
    """The platform's name as a notice writes it."""
    return PLATFORM_LABELS.get(platform, platform)


class AccountSilence(Rule):
    """Flags a readable account silent for longer than the rubric's ``limit_param`` days,
    or with nothing in it at all. Blocked or unreachable accounts are CHECK_FAILED."""

    limit_param: ClassVar[str]
    empty_template: ClassVar[str]  # the sentence for an account with no posts at all

    def is_silent(self, days: int, limit: int) -> bool:
        """Whether ``days`` without a post break a limit of ``limit`` days."""
        return days > limit

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        limit = context.rubric.param(self.code, self.limit_param)
        for state in account_states(context):
            if state.readable:
                detections = self._detect(state, context, limit)
                yield Judgement("account", state.account_id, state.unit, detections)

    def _detect(
        self, state: AccountState, context: CheckContext, limit: int
    ) -> tuple[Detection, ...]:
        evidence = (state.first_page_url,) if state.first_page_url else ()
        platform = platform_label(state.platform)
        if state.newest_post_on is None:
            message = self.empty_template.format(platform=platform, name=state.name)
            return (Detection(message, evidence),)
        days = (context.as_of - state.newest_post_on).days
        if not self.is_silent(days, limit):
            return ()
        message = self.message_template.format(
            platform=platform, name=state.name, days=days, newest=f"{state.newest_post_on:%Y-%m-%d}"
        )
        return (Detection(message, evidence),)
