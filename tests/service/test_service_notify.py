"""Notifications reach WeCom, DingTalk (signed) and SMTP once per finding, and a
channel that is down neither crashes the sender nor loses the message."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace

import pytest
from service_fakes import FakeSmtp, FakeWebhook
from sqlalchemy import insert, select

from govwatch.service.channels import configured_channels, dingtalk_signed_url
from govwatch.service.notify import (
    deliver_pending,
    queue_digest,
    queue_veto_notifications,
    veto_messages,
)
from settings import get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Finding
from storage.service_models import Notification

DAY = date(2026, 11, 23)
DING_SECRET = "SECtest-secret"


def add_finding(rule: str, severity: str, target_id: str, message: str) -> int:
    now = utcnow()
    with session_scope() as session:
        finding = Finding(
            fingerprint=f"{rule}|site|{target_id}|",
            rule=rule,
            severity=severity,
            target_type="site",
            target_id=target_id,
            unit="县政府办",
            message=message,
            evidence=[f"http://www.example.gov.cn/{target_id}/"],
            first_seen=now,
            last_seen=now,
        )
        session.add(finding)
        session.flush()
        return finding.id


@pytest.fixture
def channels_configured(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeWebhook, FakeWebhook, FakeSmtp]]:
    with FakeWebhook() as wecom, FakeWebhook() as dingtalk, FakeSmtp() as smtp:
        monkeypatch.setenv("GOVWATCH_WECOM_WEBHOOK_URL", wecom.url("/cgi-bin/webhook/send?key=k1"))
        monkeypatch.setenv(
            "GOVWATCH_DINGTALK_WEBHOOK_URL", dingtalk.url("/robot/send?access_token=t1")
        )
        monkeypatch.setenv("GOVWATCH_DINGTALK_SECRET", DING_SECRET)
        monkeypatch.setenv("GOVWATCH_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("GOVWATCH_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("GOVWATCH_SMTP_SECURITY", "none")
        monkeypatch.setenv("GOVWATCH_SMTP_FROM", "govwatch@example.org")
        monkeypatch.setenv("GOVWATCH_SMTP_TO", "ops@example.org, chief@example.org")
        monkeypatch.setenv("GOVWATCH_NOTIFY_BACKOFF_S", "0")
        get_settings.cache_clear()
        yield wecom, dingtalk, smtp
        get_settings.cache_clear()


def test_new_veto_reaches_every_channel_once(
    channels_configured: tuple[FakeWebhook, FakeWebhook, FakeSmtp],
) -> None:
    wecom, dingtalk, smtp = channels_configured
    veto = add_finding("HOMEPAGE_NOT_UPDATED", "veto", "county", "测试县政府首页已30天未更新")
    deduction = add_finding("COLUMN_STALE", "deduction", "county2", "栏目未更新")
    channels = configured_channels(get_settings())
    assert [channel.name for channel in channels] == ["wecom", "dingtalk", "email"]

    for _cycle in range(3):  # every cycle sees the same check result: sent once
        with session_scope() as session:
            queue_veto_notifications(session, [veto, deduction], DAY, channels)
        deliver_pending(get_settings(), channels)

    assert len(wecom.received) == 1 and len(dingtalk.received) == 1
    assert len(smtp.messages) == 2  # Apprise mails each recipient on its own
    text = wecom.texts()[0]
    assert text.startswith("【govwatch】新发现单项否决问题 1 个")
    assert "测试县政府首页已30天未更新" in text and "http://www.example.gov.cn/county/" in text
    assert "栏目未更新" not in text  # a deduction is not announced at once
    assert wecom.received[0].path == "/cgi-bin/webhook/send"
    assert wecom.received[0].query["key"] == ["k1"]
    assert dingtalk.texts() == wecom.texts()
    assert smtp.subjects() == ["【govwatch】新发现单项否决问题 1 个"] * 2
    recipients = sorted(rcpt for message in smtp.messages for rcpt in message.rcpt_tos)
    assert recipients == ["chief@example.org", "ops@example.org"]

    # DingTalk's 加签: sign = base64(HMAC-SHA256(secret, "timestamp\nsecret")).
    query = dingtalk.received[0].query
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(
        hmac.new(
            DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert sign == expected and query["access_token"] == ["t1"]
    with session_scope() as session:
        statuses = session.scalars(select(Notification.status)).all()
    assert statuses == ["sent", "sent", "sent"]


def test_a_channel_down_is_retried_later_without_crashing(
    channels_configured: tuple[FakeWebhook, FakeWebhook, FakeSmtp],
) -> None:
    wecom, dingtalk, smtp = channels_configured
    veto = add_finding("ACCOUNT_STALE", "veto", "weibo-quiet", "微博账号已21天未更新")
    channels = configured_channels(get_settings())
    wecom.fail_with_status = 503
    with session_scope() as session:
        queue_veto_notifications(session, [veto], DAY, channels)
    deliver_pending(get_settings(), channels)  # must not raise
    assert wecom.received == [] and len(dingtalk.received) == 1 and len(smtp.messages) == 2
    with session_scope() as session:
        row = session.scalar(select(Notification).where(Notification.channel == "wecom"))
        assert row is not None
        assert row.status == "pending" and row.attempts == 1
        assert "HTTP 503" in row.last_error and "k1" not in row.last_error  # no secret stored

    wecom.fail_with_status = None
    deliver_pending(get_settings(), channels)
    assert len(wecom.received) == 1 and len(dingtalk.received) == 1 and len(smtp.messages) == 2


def test_digest_once_a_day(
    channels_configured: tuple[FakeWebhook, FakeWebhook, FakeSmtp],
) -> None:
    wecom, _, _ = channels_configured
    add_finding("HOMEPAGE_NOT_UPDATED", "veto", "county", "测试县政府首页已30天未更新")
    channels = configured_channels(get_settings())
    for _ in range(2):
        with session_scope() as session:
            queue_digest(session, DAY, channels)
        deliver_pending(get_settings(), channels)
    assert len(wecom.received) == 1
    text = wecom.texts()[0]
    assert text.startswith("【govwatch】每日监测简报 2026-11-23")
    assert "单项否决 1 个" in text and "测试县政府首页已30天未更新" in text


def test_long_lists_are_split_to_the_robot_limit(database_url: str) -> None:
    ids = [
        add_finding("HOMEPAGE_NOT_UPDATED", "veto", f"site{n}", "首页长期未更新" * 10)
        for n in range(40)
    ]
    with session_scope() as session:
        findings = list(session.scalars(select(Finding).where(Finding.id.in_(ids))))
    messages = veto_messages(findings, 2048)
    assert len(messages) > 1
    for title, body in messages:
        assert len(f"{title}\n{body}".encode()) <= 2048
    assert sum(body.count("[HOMEPAGE_NOT_UPDATED]") for _, body in messages) == 40


def test_dingtalk_signature_is_appended_to_the_query() -> None:
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "s", 1)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1&sign=")


def test_a_first_check_opening_thousands_of_vetoes_queues_them_all(database_url: str) -> None:
    # More ids and rows than one statement may bind (PostgreSQL: 65,535 parameters;
    # SQLite: 32,766 unless built with more, as Debian's is).
    now = utcnow()
    rows = [
        {
            "fingerprint": f"RULE|site|s{index}|",
            "rule": "HOMEPAGE_NOT_UPDATED" if index % 8 == 0 else "COLUMN_STALE",
            "severity": "veto" if index % 8 == 0 else "deduction",
            "target_type": "site",
            "target_id": f"s{index}",
            "message": "问题",
            "evidence": [],
            "first_seen": now,
            "last_seen": now,
        }
        for index in range(72_000)
    ]
    with session_scope() as session:
        session.execute(insert(Finding), rows)
    with session_scope() as session:
        ids = list(session.scalars(select(Finding.id)))
        channel = SimpleNamespace(name="wecom")
        queued = queue_veto_notifications(session, ids, DAY, [channel])  # type: ignore[list-item]
    assert queued == 9_000
    with session_scope() as session:
        assert len(session.scalars(select(Notification.finding_id)).all()) == 9_000
