"""CHECK_FAILED: a target govwatch could not read, so it judged nothing about it."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.account_state import account_states
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
    "blocked": "平台拒绝访问",
    # Pages that opened but are not the site (crawler/page_faults.py names the fault).
    "waf": "网站防火墙拦截",
    "captcha": "需要验证码",
    "maintenance": "网站维护中",
    "empty_page": "页面内容为空",
    "soft_404": "页面不存在",
    "js_required": "需要 JavaScript 才能显示",
    "js_list": "列表由脚本生成",
    "redirected": "地址被重定向",
    "implausible_dates": "日期不可信",
    "dates_unread": "文章日期未能读取",
    "list_doubtful": "列表识别存疑,转人工复核",
}

BLOCK_LABELS = {
    "login_wall": "平台要求登录",
    "captcha": "平台要求验证码",
    "rate_limited": "平台限制访问频率",
    "not_found": "账号不存在或已注销",
    "unparseable": "平台返回的数据无法解析",
    "http_error": "平台返回错误",
}


class CheckFailed(Rule):
    """A column page, homepage or account timeline that could not be read in its latest crawl.

    Blocked, login walls, timeouts, error statuses, pages with no recognisable list
    and lists the extractor was unsure of (``list_doubtful``: another list of similar
    weight, guessed years; a person reviews the page): the target is reported as not
    checked, never as stale or empty, since a false finding is worse than a missed one. A target read before but not on or
    after the day judged (no crawl covers it, see ``monitor/coverage.py``) is
    reported the same way, as 未能检查 with what is missing.
    """

    code = "CHECK_FAILED"
    name = "无法检查"
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
                if state.coverage_gap and not state.failed:
                    # Read once, but no read covers the day judged: say so, judge nothing.
                    message = f"{label}未能检查:{state.coverage_gap}"
                    detections = (Detection(message, (state.fetch_url or state.column_url,)),)
                elif state.failed:
                    reason = ERROR_LABELS.get(state.error_class, "访问失败")
                    if state.error_detail:
                        reason = f"{reason}({state.error_detail})"
                    message = self.message_template.format(target=label, reason=reason)
                    detections = (Detection(message, (state.fetch_url or state.column_url,)),)
                yield Judgement(target_type, target_id, state.unit, detections)
        for account in account_states(context):
            if account.error_class is None:
                continue
            detections = ()
            if account.coverage_gap and not account.failed:
                message = f"账号「{account.name}」未能检查:{account.coverage_gap}"
                detections = (Detection(message, (account.first_page_url or "",)),)
            elif account.failed:
                reason = BLOCK_LABELS.get(account.block_reason or "", "") or ERROR_LABELS.get(
                    account.error_class, "访问失败"
                )
                if account.error_detail:
                    reason = f"{reason}({account.error_detail})"
                message = self.message_template.format(
                    target=f"账号「{account.name}」", reason=reason
                )
                detections = (Detection(message, (account.first_page_url or "",)),)
            yield Judgement("account", account.account_id, account.unit, detections)
