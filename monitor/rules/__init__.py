"""The rule registry: every rule govwatch evaluates, in the order it reports them.

Adding a rule is one module under ``monitor/rules/`` and one line in ``RULES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.rules.account_directory import AccountNotListed, ListedAccountUnknown
from monitor.rules.account_low_frequency import AccountLowFrequency
from monitor.rules.account_stale import AccountStale
from monitor.rules.account_zombie import AccountZombie
from monitor.rules.activity_missing import ActivityMissing
from monitor.rules.annual_report_late import AnnualReportLate
from monitor.rules.base import Rule
from monitor.rules.batch_update import BatchUpdate
from monitor.rules.check_failed import CheckFailed
from monitor.rules.column_empty import ColumnEmpty
from monitor.rules.column_stale import ColumnStale
from monitor.rules.homepage_few_updates import HomepageFewUpdates
from monitor.rules.homepage_not_updated import HomepageNotUpdated
from monitor.rules.interaction_unanswered import InteractionUnanswered
from monitor.rules.interpretation_missing import InterpretationMissing
from monitor.rules.ipv6_unsupported import Ipv6Unsupported
from monitor.rules.item_backdated import ItemBackdated
from monitor.rules.link_broken import ImageBroken, LinkBroken
from monitor.rules.search_broken import SearchBroken
from monitor.rules.site_availability_low import SiteAvailabilityLow
from monitor.rules.site_column_vetoes import (
    SiteColumnsLongNotUpdated,
    SiteColumnsNotUpdated,
    SiteEmptyColumns,
)
from monitor.rules.site_identity_missing import SiteIdentityMissing
from monitor.rules.site_structure_changed import SiteStructureChanged
from monitor.rules.site_unreachable import SiteUnreachable
from monitor.rules.tls_invalid import TlsInvalid
from monitor.rules.unit_quota import UnitQuota
from monitor.rules.update_gap import UpdateGap
from monitor.rules.wrong_expression import WrongExpression

RULES: tuple[type[Rule], ...] = (
    CheckFailed,
    SiteUnreachable,
    SiteAvailabilityLow,
    HomepageNotUpdated,
    HomepageFewUpdates,
    SiteColumnsNotUpdated,
    SiteColumnsLongNotUpdated,
    SiteEmptyColumns,
    ColumnEmpty,
    ColumnStale,
    ItemBackdated,
    UpdateGap,
    InteractionUnanswered,
    WrongExpression,
    BatchUpdate,
    LinkBroken,
    ImageBroken,
    Ipv6Unsupported,
    TlsInvalid,
    AccountStale,
    AccountLowFrequency,
    AccountZombie,
    UnitQuota,
    SiteIdentityMissing,
    SearchBroken,
    AnnualReportLate,
    ActivityMissing,
    AccountNotListed,
    ListedAccountUnknown,
    InterpretationMissing,
    SiteStructureChanged,
)


@dataclass(frozen=True)
class NotAutomated:
    """An indicator that needs a person; govwatch lists it instead of pretending to judge."""

    name: str
    reason: str


NOT_AUTOMATED: tuple[NotAutomated, ...] = (
    NotAutomated("内容准确性、政治性", "超出错误表述词库的内容准确性与政治性判断需人工审核"),
    NotAutomated("办事指南要素完整性", "办事指南要素是否齐全、准确需人工逐项核对"),
    NotAutomated("在线访谈质量", "访谈内容质量与回应情况需人工评价"),
    NotAutomated("新媒体互动回应", "需登录账号后台查看留言,无法从外部自动检查"),
    NotAutomated("加分项(第三部分)", "创新与示范加分需检查组人工评定"),
)


def rule_by_code(code: str) -> type[Rule]:
    """The rule class with ``code``; raises KeyError naming the known codes."""
    for rule in RULES:
        if rule.code == code:
            return rule
    raise KeyError(f"未知的规则代码 {code!r};已有: {', '.join(r.code for r in RULES)}")
