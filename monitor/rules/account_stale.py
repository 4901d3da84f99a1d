"""ACCOUNT_STALE: a new-media account with no post in the 14 days before the check."""

from __future__ import annotations

from monitor.rules.account_silence import AccountSilence


class AccountStale(AccountSilence):
    """An account whose newest post is more than 14 days before the day judged.

    The indicators' 内容不更新 veto: no post in the two weeks before the check. Only
    timelines that were read count; a blocked or unreachable account is CHECK_FAILED.
    """

    code = "ACCOUNT_STALE"
    name = "内容不更新"
    threshold = "检查前 14 天内无更新"
    message_template = "{platform}账号「{name}」已{days}天未更新(最近一条发布于{newest})"
    empty_template = "{platform}账号「{name}」没有任何发布内容"
    limit_param = "stale_after_days"
