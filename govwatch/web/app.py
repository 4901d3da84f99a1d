"""The dashboard's FastAPI application: every page rendered on the server from Jinja2
templates, charts as inline SVG, nothing loaded from elsewhere, every page but the
login behind a signed session cookie.

Read-only: pages query what the crawls and checks stored; the report download judges
as of its last day inside a savepoint that is rolled back (``govwatch.reports``).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import select
from starlette.middleware.sessions import SessionMiddleware

from govwatch.finding_filters import UnknownFilterValue, resolve_filters
from govwatch.reports import build_report
from govwatch.reports.charts import bar_chart_svg, pass_rate_svg
from govwatch.reports.periods import month_bounds
from govwatch.reports.summary import rate_text
from govwatch.reports.xlsx import xlsx_bytes
from govwatch.web.auth import LoginThrottle, authenticate
from govwatch.web.sessions import end_session, session_user, start_session
from monitor.rules import RULES
from monitor.rules.account_silence import PLATFORM_LABELS
from monitor.scores import RegionTotals, TargetScore, compute_scores
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope, text_executor
from storage.findings_query import query_findings
from storage.models import Account, Finding, Site, Unit
from storage.stats import (
    account_monthly_counts,
    column_summaries,
    newest_account_posts,
    newest_findings,
    newest_site_items,
    open_finding_counts,
    registered_counts,
    site_monthly_item_counts,
)

TEMPLATES = Path(__file__).with_name("templates")
SEVERITY_LABELS = {"veto": "单项否决", "deduction": "扣分", "info": "提示"}
STATUS_LABELS = {"open": "未整改", "resolved": "已整改", "all": "全部"}
CATEGORY_LABELS = {
    "news": "动态要闻",
    "notice": "通知公告",
    "policy": "政策文件",
    "static": "人事规划",
    "overview": "概况信息",
    "interaction": "互动交流",
    "other": "其他",
}
#: Findings listed on one page; filters narrow a longer list.
FINDINGS_PAGE_LIMIT = 500
TIMELINE_MONTHS = 12


class LoginRequired(Exception):
    """A page was asked for without a logged-in session."""


def _user(request: Request) -> str:
    user = request.session.get("user")
    token = request.session.get("token")
    # The signed cookie must also name a live server-side login: logout revokes it.
    if not user or not isinstance(token, str) or session_user(token) != user:
        raise LoginRequired
    return str(user)


#: On every response. No script runs at all (the pages have none); styles are inline
#: in the templates; the charts are inline SVG; nothing is loaded from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def href_attr(url: object) -> Markup:
    """`` href="URL"`` for an http(s) URL, nothing otherwise: whatever a crawl stored
    (``javascript:``, ``data:``, ``file:``), only web links are ever clickable."""
    text = str(url or "").strip()
    if urlsplit(text).scheme.lower() not in ("http", "https"):
        return Markup("")
    return Markup(' href="{}"').format(text)


def _timeline_window(newest: date | None) -> tuple[date, date]:
    """Twelve months ending with this month (or the newest entry's month, if later)."""
    last = max(china_today(), newest) if newest else china_today()
    end = month_bounds(f"{last:%Y-%m}")[1]
    start = last.replace(day=1)
    for _ in range(TIMELINE_MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


def _timeline_svg(counts: dict[str, int | None], title: str) -> Markup:
    labels = [f"{int(month[5:])}月" if month[5:] != "01" else month for month in counts]
    return Markup(
        bar_chart_svg(
            labels,
            {title: [None if value is None else float(value) for value in counts.values()]},
            title,
            unit="条",
            width=760,
        )
    )


def _default_period() -> tuple[date, date]:
    """The current quarter up to today."""
    today = china_today()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return quarter_start, today


def create_app(
    users: dict[str, str] | None = None,
    session_secret: str | None = None,
    max_age_s: int | None = None,
) -> FastAPI:
    """The dashboard; users, secret and login lifetime default to the settings."""
    settings = get_settings()
    users = settings.dashboard_users if users is None else users
    if session_secret is None and settings.dashboard_session_secret is not None:
        session_secret = settings.dashboard_session_secret.get_secret_value()
    app = FastAPI(title="govwatch 监测看板", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret or secrets.token_urlsafe(32),
        session_cookie="govwatch_session",
        max_age=max_age_s or settings.dashboard_session_max_age_s,
        same_site="lax",
        # GOVWATCH_DASHBOARD_COOKIE_SECURE when users reach it over HTTPS (a TLS proxy).
        https_only=settings.dashboard_cookie_secure,
    )
    app.state.login_throttle = LoginThrottle(
        settings.dashboard_login_max_failures, settings.dashboard_login_lockout_s
    )
    max_age = max_age_s or settings.dashboard_session_max_age_s

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(
        severity_labels=SEVERITY_LABELS,
        status_labels=STATUS_LABELS,
        category_labels=CATEGORY_LABELS,
        platform_labels=PLATFORM_LABELS,
        rate_text=rate_text,
    )
    templates.env.filters["href_attr"] = href_attr

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(
            request, name, {"user": request.session.get("user"), **context}
        )

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, _error: LoginRequired) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "login.html", next=next, error="")

    @app.post("/login", response_model=None)
    def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        next: str = Form("/"),
    ) -> Response:
        throttle: LoginThrottle = app.state.login_throttle
        address = request.client.host if request.client else ""
        wait_s = throttle.retry_after(username, address)
        if wait_s > 0:
            # Refused without looking at the password, right or wrong.
            error = f"登录失败次数过多,请 {int(wait_s) + 1} 秒后再试"
            response = page(request, "login.html", next=next, error=error)
            response.status_code = 429
            response.headers["Retry-After"] = str(int(wait_s) + 1)
            return response
        if not authenticate(users, username, password):
            throttle.failed(username, address)
            response = page(request, "login.html", next=next, error="用户名或密码错误")
            response.status_code = 401
            return response
        throttle.succeeded(username, address)
        request.session.clear()
        request.session["user"] = username
        request.session["token"] = start_session(username, max_age)
        # Only local paths: a crafted ?next= must not send users elsewhere.
        safe_next = next if next.startswith("/") and not next.startswith("//") else "/"
        return RedirectResponse(safe_next, status_code=303)

    @app.post("/logout")
    def logout(request: Request) -> RedirectResponse:
        token = request.session.get("token")
        if isinstance(token, str):
            end_session(token)  # a copy of the cookie opens nothing any more
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        _user(request)
        with session_scope() as session:
            scores = compute_scores(session)
            counts = registered_counts(session)
            finding_counts = open_finding_counts(session)
            vetoes = newest_findings(session, ("veto",), limit=10)
        site_scores = [score for score in scores if score.target_type == "site"]
        account_scores = [score for score in scores if score.target_type == "account"]
        totals = {
            "政府网站": RegionTotals.of(site_scores),
            "政务新媒体": RegionTotals.of(account_scores),
            "合计": RegionTotals.of(scores),
        }
        chart = Markup(
            pass_rate_svg(
                [(label, t.passed, t.failed, t.not_checked) for label, t in totals.items()],
                "当前检查结果与合格率",
            )
        )
        return page(
            request,
            "overview.html",
            counts=counts,
            finding_counts=finding_counts,
            totals=totals,
            chart=chart,
            vetoes=vetoes,
            site_scores=site_scores,
            account_scores=account_scores,
        )

    @app.get("/findings", response_class=HTMLResponse)
    def findings(
        request: Request,
        site: str = "",
        account: str = "",
        unit: str = "",
        rule: str = "",
        status: str = "open",
    ) -> HTMLResponse:
        _user(request)
        if status not in STATUS_LABELS:
            status = "open"
        filter_error = ""
        with session_scope() as session:
            try:  # an unknown value says so and lists the known ones, as the CLI does
                wanted = resolve_filters(
                    text_executor(session),
                    site=site or None,
                    account=account or None,
                    unit=unit or None,
                    rule=rule or None,
                )
                rule = wanted.rule or ""
                rows = query_findings(
                    session,
                    site=wanted.site,
                    account=wanted.account,
                    unit=wanted.unit,
                    rule=wanted.rule,
                    status=status,
                )
            except UnknownFilterValue as problem:
                filter_error, rows = problem.for_dashboard(), []
            sites = session.execute(select(Site.id, Site.name).order_by(Site.id)).all()
            accounts = session.execute(select(Account.id, Account.name).order_by(Account.id)).all()
            units = list(session.scalars(select(Unit.name).order_by(Unit.name)))
        response = page(
            request,
            "findings.html",
            rows=rows[:FINDINGS_PAGE_LIMIT],
            total=len(rows),
            limit=FINDINGS_PAGE_LIMIT,
            filters={
                "site": site,
                "account": account,
                "unit": unit,
                "rule": rule,
                "status": status,
            },
            sites=sites,
            accounts=accounts,
            units=units,
            rules=[(rule_class.code, rule_class.name) for rule_class in RULES],
            filter_error=filter_error,
        )
        if filter_error:
            response.status_code = 400
        return response

    @app.get("/findings/{finding_id}/evidence", response_class=HTMLResponse)
    def finding_evidence(request: Request, finding_id: int) -> HTMLResponse:
        # Rendered on request from stored observations: checks spend nothing on evidence.
        from govwatch.web.evidence import NO_FAITHFUL_EVIDENCE, evidence_html

        _user(request)
        with session_scope() as session:
            finding = session.get(Finding, finding_id)
            html = evidence_html(session, finding) if finding is not None else None
        if html is not None:
            return HTMLResponse(html)
        what = f"问题 {finding_id}" if finding is None else None
        missing = page(request, "missing.html", what=what, note=NO_FAITHFUL_EVIDENCE)
        missing.status_code = 404
        return missing

    def _score_of(
        scores: list[TargetScore], target_type: str, target_id: str
    ) -> TargetScore | None:
        return next(
            (s for s in scores if s.target_type == target_type and s.target_id == target_id), None
        )

    @app.get("/sites/{site_id}", response_class=HTMLResponse)
    def site_page(request: Request, site_id: str) -> HTMLResponse:
        _user(request)
        with session_scope() as session:
            site = session.get(Site, site_id)
            if site is None:
                missing = page(request, "missing.html", what=f"网站 {site_id}")
                missing.status_code = 404
                return missing
            unit = site.unit.name if site.unit else None
            columns = column_summaries(session, site_id)
            items = newest_site_items(session, site_id, limit=20)
            newest = max(
                (c.newest_published_on for c in columns if c.newest_published_on), default=None
            )
            start, end = _timeline_window(newest)
            timeline = site_monthly_item_counts(session, site_id, start, end)
            site_findings = query_findings(session, site=site_id, status="open")
            score = _score_of(compute_scores(session), "site", site_id)
        return page(
            request,
            "site.html",
            site=site,
            unit=unit,
            columns=columns,
            items=items,
            chart=_timeline_svg(timeline, "近12个月各月发布信息数"),
            findings=site_findings,
            score=score,
        )

    @app.get("/accounts/{account_id}", response_class=HTMLResponse)
    def account_page(request: Request, account_id: str) -> HTMLResponse:
        _user(request)
        with session_scope() as session:
            account = session.get(Account, account_id)
            if account is None:
                missing = page(request, "missing.html", what=f"账号 {account_id}")
                missing.status_code = 404
                return missing
            unit = account.unit.name if account.unit else None
            posts = newest_account_posts(session, account_id, limit=20)
            newest = posts[0].published_on if posts else None
            start, end = _timeline_window(newest)
            timeline = account_monthly_counts(session, account_id, start, end)
            account_findings = query_findings(session, account=account_id, status="open")
            score = _score_of(compute_scores(session), "account", account_id)
        return page(
            request,
            "account.html",
            account=account,
            unit=unit,
            posts=posts,
            chart=_timeline_svg(timeline, "近12个月各月发布条数"),
            findings=account_findings,
            score=score,
        )

    @app.get("/report", response_class=HTMLResponse)
    def report_form(request: Request) -> HTMLResponse:
        _user(request)
        start, end = _default_period()
        return page(request, "report.html", start=start, end=end, error="")

    @app.get("/report/download", response_model=None)
    def report_download(request: Request) -> Response:
        _user(request)
        try:
            start = date.fromisoformat(request.query_params.get("from", ""))
            end = date.fromisoformat(request.query_params.get("to", ""))
        except ValueError:
            default_start, default_end = _default_period()
            response = page(
                request,
                "report.html",
                start=default_start,
                end=default_end,
                error="请填写 YYYY-MM-DD 格式的起止日期",
            )
            response.status_code = 400
            return response
        if start > end:
            response = page(
                request, "report.html", start=start, end=end, error="开始日期晚于结束日期"
            )
            response.status_code = 400
            return response
        with session_scope() as session:
            built = build_report(session, start, end)
        filename = f"govwatch-report-{start}_{end}.xlsx"
        return Response(
            xlsx_bytes(built),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return app
