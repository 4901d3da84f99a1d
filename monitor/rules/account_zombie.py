"""ACCOUNT_ZOMBIE: an account silent for 90 days or more, or empty: to be closed or merged."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.account_state import account_states
from monitor.rules.account_stale import PLATFORM_LABELS
from monitor.rules.base import CheckContext, Detection, Judgement, Rule


class AccountZombie(Rule):
    """A 僵尸/空壳 account: no post for ``zombie_after_days`` (90) days, or none ever.

    Notices list these for closing or merging. Blocked accounts are CHECK_FAILED.
    """

    code = "ACCOUNT_ZOMBIE"
    name = "僵尸空壳账号"
    threshold = "90 天及以上无更新,或无任何内容"
    message_template = "{platform}账号「{name}」已{days}天未更新,属僵尸账号,应予关停或整合"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        limit = context.rubric.param(self.code, "zombie_after_days")
        for state in account_states(context):
            if not state.readable:
                continue
            platform = PLATFORM_LABELS.get(state.platform, state.platform)
            evidence = (state.first_page_url,) if state.first_page_url else ()
            detections: tuple[Detection, ...] = ()
            if state.newest_post_on is None:
                message = f"{platform}账号「{state.name}」无任何内容,属空壳账号,应予关停或整合"
                detections = (Detection(message, evidence),)
            elif (days := (context.as_of - state.newest_post_on).days) >= limit:
                message = self.message_template.format(
                    platform=platform, name=state.name, days=days
                )
                detections = (Detection(message, evidence),)
            yield Judgement("account", state.account_id, state.unit, detections)
