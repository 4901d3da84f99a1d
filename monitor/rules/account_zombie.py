"""ACCOUNT_ZOMBIE: an account silent for 90 days or more, or empty: to be closed or merged."""

from __future__ import annotations

from monitor.rules.account_silence import AccountSilence


class AccountZombie(AccountSilence):
    """A 僵尸/空壳 account: no post for ``zombie_after_days`` (90) days, or none ever.

    Notices list these for closing or merging. Blocked accounts are CHECK_FAILED.
    """

    code = "ACCOUNT_ZOMBIE"
    name = "僵尸空壳账号"
    threshold = "90 天及以上无更新,或无任何内容"
    message_template = "{platform}账号「{name}」已{days}天未更新,属僵尸账号,应予关停或整合"
    empty_template = "{platform}账号「{name}」无任何内容,属空壳账号,应予关停或整合"
    limit_param = "zombie_after_days"

    def is_silent(self, days: int, limit: int) -> bool:
        return days >= limit  # "90 days or more"
