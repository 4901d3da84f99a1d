"""Which targets a day's observations cover, and why the others are 未能检查.

govwatch judges only what it saw. A rule may judge a target as of a day (D) only
when a crawl covers D:

- a column or homepage: a readable fetch on D (or within ``observation_grace_days``
  before it, since crawls run daily), or the first readable fetch after D whose list
  reaches back to D (an item dated on or before D, or a list showing the column's
  whole content);
- an account timeline: a readable first page on D (or just before), or the first
  readable read after D that reaches back to D (a post dated on or before D). A read
  with no post at all counts only when the platform proved the timeline complete,
  and a partial timeline judges only the weeks it covers
  (``account_fetches.complete_from``, set only on the platform's proof).

When the latest crawl as of D failed, the target is CHECK_FAILED until a crawl
succeeds: nothing is judged stale, empty or not updated from older observations.

A site or account that is CHECK_FAILED or not covered gets no verdict (未能检查)
and is counted apart from 合格/不合格, with the reason this module gives. A column
that is not covered is left unjudged, and its findings do not count against its
site.
"""

from __future__ import annotations

from monitor.account_state import account_states
from monitor.column_state import column_states
from monitor.rules.base import CheckContext
from monitor.rules.check_failed import BLOCK_LABELS, ERROR_LABELS
from monitor.site_health_state import sites


def _failure(label: str, error_class: str, detail: str, block_reason: str | None = None) -> str:
    reason = BLOCK_LABELS.get(block_reason or "", "") or ERROR_LABELS.get(error_class, "访问失败")
    if detail:
        reason = f"{reason}({detail})"
    return f"{label}无法检查:{reason}"


def not_checked(context: CheckContext) -> dict[tuple[str, str], str]:
    """Targets not judged as of the day, keyed (target_type, target_id), with the reason.

    Keys are sites (their homepage), columns (``site/column``) and accounts.
    """
    key = "not_checked"
    if key in context.memo:
        return context.memo[key]
    result: dict[tuple[str, str], str] = {}
    for state in column_states(context, "homepage"):
        label = f"{state.site_name}首页"
        if state.failed:
            result[("site", state.site_id)] = _failure(
                label, state.error_class or "", state.error_detail
            )
        elif not state.readable:
            result[("site", state.site_id)] = f"{label}未能检查:{state.coverage_gap}"
    homepages = {state.site_id for state in column_states(context, "homepage")}
    for site in sites(context).values():
        if site.site_id not in homepages:  # never crawled: no homepage row yet
            result[("site", site.site_id)] = (
                f"{site.name}首页未能检查:{context.as_of} 当天及之后没有成功的抓取(从未成功抓取)"
            )
    for state in column_states(context):
        label = f"{state.site_name}「{state.column_name}」栏目"
        if state.failed:
            result[("column", state.target_id)] = _failure(
                label, state.error_class or "", state.error_detail
            )
        elif not state.readable:
            result[("column", state.target_id)] = f"{label}未能检查:{state.coverage_gap}"
    for account in account_states(context):
        label = f"账号「{account.name}」"
        if account.failed:
            result[("account", account.account_id)] = _failure(
                label, account.error_class or "", account.error_detail, account.block_reason
            )
        elif not account.readable:
            result[("account", account.account_id)] = f"{label}未能检查:{account.coverage_gap}"
    context.memo[key] = result
    return result
