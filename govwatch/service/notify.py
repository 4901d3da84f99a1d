"""Notifications: new veto findings at once, and a daily digest, once each per channel.

Sending is two steps. ``queue_*`` writes one ``notifications`` row per channel and
subject (unique, so a finding seen by every cycle, or by two schedulers, is queued
once). ``deliver_pending`` claims pending rows, sends them grouped into as few
messages as each channel's size limit allows, retries with backoff, and marks them
sent; a channel that stays down keeps its rows pending for the next cycle (up to
``MAX_DELIVERY_ROUNDS``) and never stops the scheduler.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from govwatch.logging_setup import current_redactor
from govwatch.service.channels import Channel, ChannelError, configured_channels
from settings import Settings, get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import CrawlRun, Finding
from storage.service_models import Notification
from storage.upsert import conflict_insert

log = logging.getLogger("govwatch.notify")

#: Cycles a message is tried in before it is given up (each with the retries in settings).
MAX_DELIVERY_ROUNDS = 5
TITLE = "【govwatch】"
TARGET_LABELS = {"site": "网站", "column": "栏目", "account": "账号", "unit": "单位"}


def _insert_ignore(session: Session, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    insert = conflict_insert(session.get_bind().dialect.name)(Notification)
    # executemany rather than one VALUES list: thousands of rows would bind more
    # parameters than one SQLite statement may (SQLAlchemy batches the rows itself).
    session.execute(
        insert.on_conflict_do_nothing(
            index_elements=[Notification.channel, Notification.subject_key]
        ),
        rows,
    )


#: Finding ids per IN (...) look-up.
ID_CHUNK = 5000


def queue_veto_notifications(
    session: Session, finding_ids: Iterable[int], day: date, channels: Sequence[Channel]
) -> int:
    """Queue the veto findings among ``finding_ids`` (new or reopened) for every channel."""
    ids = list(finding_ids)
    if not ids or not channels:
        return 0
    veto_ids: list[int] = []
    # In chunks: a first check on a large database opens findings by the hundred
    # thousand, more than one statement may bind (SQLite allows 32,766 parameters).
    for start in range(0, len(ids), ID_CHUNK):
        veto_ids += session.scalars(
            select(Finding.id).where(
                Finding.id.in_(ids[start : start + ID_CHUNK]), Finding.severity == "veto"
            )
        )
    now = utcnow()
    rows: list[dict[str, object]] = [
        {
            "channel": channel.name,
            "kind": "veto",
            "subject_key": f"finding:{finding_id}:{day.isoformat()}",
            "finding_id": finding_id,
            "created_at": now,
            "status": "pending",
            "attempts": 0,
            "last_error": "",
        }
        for channel in channels
        for finding_id in sorted(veto_ids)
    ]
    _insert_ignore(session, rows)
    return len(veto_ids)


def queue_digest(session: Session, day: date, channels: Sequence[Channel]) -> None:
    """Queue the digest of ``day`` for every channel (once per day and channel)."""
    now = utcnow()
    _insert_ignore(
        session,
        [
            {
                "channel": channel.name,
                "kind": "digest",
                "subject_key": f"digest:{day.isoformat()}",
                "finding_id": None,
                "created_at": now,
                "status": "pending",
                "attempts": 0,
                "last_error": "",
            }
            for channel in channels
        ],
    )


def _finding_line(number: int, finding: Finding) -> str:
    label = TARGET_LABELS.get(finding.target_type, finding.target_type)
    unit = f"({finding.unit})" if finding.unit else ""
    evidence = (finding.evidence or [""])[0]
    line = f"{number}. [{finding.rule}] {label} {finding.target_id}{unit}:{finding.message}"
    return f"{line}\n   证据:{evidence}" if evidence else line


def _fit(header: str, lines: list[str], limit_bytes: int) -> list[str]:
    """Bodies of at most ``limit_bytes`` each, every one starting with ``header``."""
    bodies: list[str] = []
    current = header
    for line in lines:
        candidate = f"{current}\n{line}"
        if len(candidate.encode()) > limit_bytes and current != header:
            bodies.append(current)
            candidate = f"{header}\n{line}"
        if len(candidate.encode()) > limit_bytes:
            candidate = candidate.encode()[: limit_bytes - 3].decode(errors="ignore") + "…"
        current = candidate
    if current != header or not bodies:
        bodies.append(current)
    return bodies


def veto_messages(findings: Sequence[Finding], limit_bytes: int) -> list[tuple[str, str]]:
    """(title, body) messages announcing new veto findings, split to fit the channel."""
    title = f"{TITLE}新发现单项否决问题 {len(findings)} 个"
    lines = [_finding_line(number, finding) for number, finding in enumerate(findings, 1)]
    # Room for the title, which robots receive in the same text.
    room = limit_bytes - len(title.encode()) - 1
    bodies = _fit("请相关单位尽快核实整改:", lines, room)
    if len(bodies) == 1:
        return [(title, bodies[0])]
    return [(f"{title}({index}/{len(bodies)})", body) for index, body in enumerate(bodies, 1)]


def digest_message(session: Session, day: date, limit_bytes: int) -> tuple[str, str]:
    """The daily digest of ``day``: what is open, what changed and how crawls went."""
    now = utcnow()
    since = now - timedelta(days=1)
    open_by_severity = dict(
        session.execute(
            select(Finding.severity, func.count())
            .where(Finding.status == "open")
            .group_by(Finding.severity)
        ).all()
    )
    new_count = session.scalar(select(func.count()).where(Finding.first_seen >= since)) or 0
    resolved_count = (
        session.scalar(
            select(func.count()).where(Finding.status == "resolved", Finding.resolved_at >= since)
        )
        or 0
    )
    runs, failed = session.execute(
        select(func.count(), func.count().filter(CrawlRun.outcome == "failed")).where(
            CrawlRun.started_at >= since
        )
    ).one()
    vetoes = list(
        session.scalars(
            select(Finding)
            .where(Finding.status == "open", Finding.severity == "veto")
            .order_by(Finding.target_id, Finding.rule)
        )
    )
    title = f"{TITLE}每日监测简报 {day.isoformat()}"
    total_open = sum(open_by_severity.values())
    header = "\n".join(
        [
            f"未整改问题 {total_open} 个:单项否决 {open_by_severity.get('veto', 0)} 个,"
            f"扣分项 {open_by_severity.get('deduction', 0)} 个,"
            f"提示 {open_by_severity.get('info', 0)} 个。",
            f"近24小时新发现 {new_count} 个,已整改 {resolved_count} 个。",
            f"近24小时抓取 {runs} 次,失败 {failed} 次。",
            "未整改的单项否决问题:" if vetoes else "暂无未整改的单项否决问题。",
        ]
    )
    room = limit_bytes - len(title.encode()) - 1
    trailer_room = 120  # "……另有 N 个……" when not every veto finding fits
    body = header
    for number, finding in enumerate(vetoes, 1):
        candidate = f"{body}\n{_finding_line(number, finding)}"
        if len(candidate.encode()) > room - trailer_room:
            body += f"\n……另有 {len(vetoes) - number + 1} 个,详见 govwatch findings --rule 规则代码"
            break
        body = candidate
    return title, body


def _send_with_retries(
    channel: Channel, title: str, body: str, settings: Settings, wait: Callable[[float], object]
) -> str | None:
    """Send once, retrying with doubling delays; the last error text, or None when sent."""
    error_text: str | None = None
    for attempt in range(settings.notify_retries):
        try:
            channel.send(title, body)
            return None
        except ChannelError as error:
            error_text = str(error)
        except Exception as error:  # a channel must never take the scheduler down
            error_text = f"{channel.name}: {type(error).__name__}"
        # A robot's errmsg is its own text; should it ever echo the request, the row
        # and the log line still get no key or token.
        error_text = current_redactor().redact(error_text)
        log.warning("通知发送失败(第 %d 次): %s", attempt + 1, error_text)
        if attempt + 1 < settings.notify_retries:
            wait(settings.notify_backoff_s * (2**attempt))
    return error_text


def _claim(session: Session, channel: str) -> list[Notification]:
    """Pending rows of one channel, marked ``sending`` so no other process sends them."""
    pending_ids = list(
        session.scalars(
            select(Notification.id)
            .where(Notification.channel == channel, Notification.status == "pending")
            .order_by(Notification.id)
        )
    )
    claimed: list[Notification] = []
    for notification_id in pending_ids:
        result = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == "pending")
            .values(status="sending")
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(session.get(Notification, notification_id))  # type: ignore[arg-type]
    session.commit()
    return claimed


def deliver_pending(
    settings: Settings | None = None,
    channels: Sequence[Channel] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Send every pending notification; returns how many rows were sent."""
    settings = settings or get_settings()
    channels = configured_channels(settings) if channels is None else channels
    wait = (stop or threading.Event()).wait
    sent = 0
    for channel in channels:
        with session_scope() as session:
            claimed = _claim(session, channel.name)
            if not claimed:
                continue
            groups: list[tuple[list[Notification], list[tuple[str, str]]]] = []
            vetoes = [row for row in claimed if row.kind == "veto"]
            if vetoes:
                findings = [session.get(Finding, row.finding_id) for row in vetoes]
                present = [f for f in findings if f is not None]
                groups.append((vetoes, veto_messages(present, channel.text_limit)))
            for row in claimed:
                if row.kind == "digest":
                    day = date.fromisoformat(row.subject_key.split(":", 1)[1])
                    groups.append(([row], [digest_message(session, day, channel.text_limit)]))
            for rows, messages in groups:
                error_text = None
                for title, body in messages:
                    error_text = _send_with_retries(channel, title, body, settings, wait)
                    if error_text is not None:
                        break
                now = utcnow()
                for row in rows:
                    row.attempts += 1
                    if error_text is None:
                        row.status, row.sent_at, row.last_error = "sent", now, ""
                        sent += 1
                    else:
                        row.last_error = error_text[:2000]
                        gave_up = row.attempts >= MAX_DELIVERY_ROUNDS
                        row.status = "failed" if gave_up else "pending"
                session.commit()
    return sent
