"""A finding's evidence page: what the crawl saw, rendered from stored observations.

An office publicly criticised for a veto will ask "show me". The answer must show
the problem as govwatch observed it, so nothing is fetched again (a later fetch may
fail and show a browser's "This site can't be reached", or show raw API JSON): the
page is rendered from stored observations — the homepage's or the column's items
with their stated dates and when the crawl saw them, the columns' newest dates, an
account's posts with their dates, the homepage probes — headed by the finding's
sentence and the time of the crawl it rests on.

The dashboard renders it when someone opens it (``/findings/{id}/evidence``), so a
check spends nothing on evidence: it never opens a browser or renders a page per new
finding. A finding whose problem stored data cannot show gets no page, and the
dashboard says so (``无可靠取证页``) instead of showing a misleading one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import CHINA_TZ, UTC, utcnow
from storage.models import Account, AccountFetch, Fetch, Finding, Item, Post, Probe, SiteColumn

#: What the dashboard says when stored observations cannot show a finding's problem.
NO_FAITHFUL_EVIDENCE = "无可靠取证页:存储的观测无法如实呈现该问题,请按证据链接人工核实"

ROWS = 30  # entries an evidence page lists
#: Vetoes shown by the homepage's items and every column's newest date.
SITE_RULES = frozenset(
    {
        "HOMEPAGE_NOT_UPDATED",
        "HOMEPAGE_FEW_UPDATES",
        "SITE_COLUMNS_NOT_UPDATED",
        "SITE_COLUMNS_LONG_NOT_UPDATED",
        "SITE_EMPTY_COLUMNS",
    }
)


def _local(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return f"{moment.replace(tzinfo=UTC).astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    if not rows:
        return f"<table><tr>{head}</tr><tr><td colspan={len(headers)}>{escape(empty)}</td></tr></table>"
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _items_section(session: Session, column: SiteColumn, title: str) -> str:
    fetch = session.scalars(
        select(Fetch).where(Fetch.column_id == column.id).order_by(Fetch.id.desc()).limit(1)
    ).first()
    items = session.scalars(
        select(Item)
        .where(Item.column_id == column.id)
        .order_by(Item.published_on.desc().nulls_last(), Item.id.desc())
        .limit(ROWS)
    ).all()
    read = (
        f"最近一次抓取:{_local(fetch.fetched_at)}({'读取成功' if fetch.succeeded else '失败:' + fetch.error_class})"
        if fetch
        else "尚未抓取"
    )
    rows = [
        (item.published_on or "无日期", item.title[:60], _local(item.first_seen_at))
        for item in items
    ]
    return f"<h2>{escape(title)}</h2><p class=m>{escape(column.url)} · {escape(read)}</p>" + _table(
        ("发布日期", "标题", "首次抓取到"), rows, "列表中没有任何信息"
    )


def _site_sections(session: Session, site_id: str) -> str:
    """The homepage's items, and every column's newest date and last read."""
    columns = session.scalars(
        select(SiteColumn).where(SiteColumn.site_id == site_id).order_by(SiteColumn.id)
    ).all()
    parts = [_items_section(session, c, "首页所列信息") for c in columns if c.origin == "homepage"]
    rows = []
    for column in columns:
        if column.origin == "homepage":
            continue
        newest = session.scalar(
            select(Item.published_on)
            .where(Item.column_id == column.id, Item.published_on.is_not(None))
            .order_by(Item.published_on.desc())
            .limit(1)
        )
        fetch = session.scalars(
            select(Fetch).where(Fetch.column_id == column.id).order_by(Fetch.id.desc()).limit(1)
        ).first()
        outcome = "—" if fetch is None else ("成功" if fetch.succeeded else fetch.error_class)
        rows.append(
            (
                column.name,
                column.category,
                newest or "无",
                _local(fetch and fetch.fetched_at),
                outcome,
            )
        )
    parts.append(
        "<h2>各栏目最近更新</h2>"
        + _table(("栏目", "类别", "最近一条发布日期", "最近抓取", "抓取结果"), rows, "没有栏目")
    )
    return "".join(parts)


def _account_section(session: Session, account_id: str) -> str:
    account = session.get(Account, account_id)
    read = session.scalars(
        select(AccountFetch)
        .where(AccountFetch.account_id == account_id, AccountFetch.page_number == 1)
        .order_by(AccountFetch.id.desc())
        .limit(1)
    ).first()
    posts = session.scalars(
        select(Post)
        .where(Post.account_id == account_id)
        .order_by(Post.published_at.desc())
        .limit(ROWS)
    ).all()
    name = account.name if account else account_id
    when = _local(read.fetched_at) if read else "—"
    rows = [
        (_local(post.published_at), ("[置顶] " if post.pinned else "") + post.title[:60])
        for post in posts
    ]
    return f"<h2>账号「{escape(name)}」时间线(读取于 {escape(when)})</h2>" + _table(
        ("发布时间", "内容"), rows, "时间线中没有任何发布内容"
    )


def _probe_section(session: Session, site_id: str) -> str:
    since = utcnow() - timedelta(days=7)
    probes = session.scalars(
        select(Probe)
        .where(Probe.site_id == site_id, Probe.probed_at >= since)
        .order_by(Probe.probed_at.desc())
        .limit(ROWS * 2)
    ).all()
    rows = [
        (_local(p.probed_at), "可访问" if p.ok else "不可访问", p.http_status or "—", p.detail[:80])
        for p in probes
    ]
    return "<h2>首页可用性探测(近7天)</h2>" + _table(
        ("探测时间", "结果", "HTTP 状态", "说明"), rows, "没有探测记录"
    )


def evidence_html(session: Session, finding: Finding) -> str | None:
    """The evidence page of ``finding`` from stored observations; None: none is faithful."""
    rule, target = finding.rule, finding.target_id
    if rule in SITE_RULES:
        body = _site_sections(session, target)
    elif rule in ("SITE_UNREACHABLE", "SITE_AVAILABILITY_LOW"):
        body = _probe_section(session, target)
    elif rule in ("ACCOUNT_STALE", "ACCOUNT_ZOMBIE", "ACCOUNT_LOW_FREQUENCY"):
        body = _account_section(session, target)
    elif finding.target_type == "column" and rule in (
        "COLUMN_STALE",
        "COLUMN_EMPTY",
        "ITEM_BACKDATED",
    ):
        site_id, _, name = target.partition("/")
        column = session.scalars(
            select(SiteColumn).where(SiteColumn.site_id == site_id, SiteColumn.name == name)
        ).first()
        if column is None:
            return None
        body = _items_section(session, column, f"「{name}」栏目所列信息")
    else:
        return None
    return (
        "<!doctype html><html><head><meta charset=utf-8><style>"
        "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;margin:24px}"
        "table{border-collapse:collapse;width:100%;font-size:13px}"
        "td,th{border:1px solid #ced4da;padding:3px 6px;text-align:left}"
        "h1{font-size:18px;color:#c92a2a}h2{font-size:15px;margin-top:18px}.m{color:#495057}"
        "</style></head><body>"
        f"<h1>{escape(finding.message)}</h1>"
        f"<p class=m>govwatch 取证页:以下为抓取时所见(来自存储的观测,非事后重新访问)。"
        f"生成于 {escape(_local(utcnow()))}</p>{body}</body></html>"
    )
