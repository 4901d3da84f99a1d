"""Where notifications go: a WeCom group robot, a DingTalk robot, e-mail over SMTP.

E-mail goes through Apprise. The two robots are posted with httpx to their
documented webhook JSON (``{"msgtype": "text", "text": {"content": ...}}``): Apprise's
``wecombot`` and ``dingtalk`` plugins build the endpoint from a fixed
``https://qyapi.weixin.qq.com`` / ``https://oapi.dingtalk.com`` host and a key, so they
can be pointed neither at a private gateway nor at a local test fake. Webhook URLs,
keys, secrets and passwords never reach a log line or a stored error: errors are
reduced to their kind and HTTP status.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, urlencode

import httpx

from govwatch.logging_setup import install_log_redaction
from settings import Settings, get_settings

log = logging.getLogger("govwatch.notify")

# The robots' documented limits on a text message (bytes of UTF-8).
WECOM_TEXT_LIMIT = 2048
DINGTALK_TEXT_LIMIT = 18000
EMAIL_TEXT_LIMIT = 200_000


class ChannelError(RuntimeError):
    """A channel refused or could not take a message; the text holds no secret."""


class Channel(Protocol):
    """One configured destination."""

    name: str
    text_limit: int

    def send(self, title: str, body: str) -> None:
        """Deliver one message, or raise :class:`ChannelError`."""


def _post_robot(url: str, content: str, timeout_s: float, channel: str) -> None:
    try:
        response = httpx.post(
            url,
            json={"msgtype": "text", "text": {"content": content}},
            headers={"User-Agent": get_settings().user_agent},
            timeout=timeout_s,
        )
    except httpx.HTTPError as error:
        raise ChannelError(f"{channel}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise ChannelError(f"{channel}: HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        raise ChannelError(f"{channel}: 应答不是 JSON") from None
    if answer.get("errcode", 0) != 0:
        # errmsg is the robot's own text (e.g. "invalid webhook url"), safe to keep.
        raise ChannelError(f"{channel}: errcode {answer.get('errcode')} {answer.get('errmsg')}")


@dataclass(frozen=True)
class WeComChannel:
    """企业微信群机器人."""

    webhook_url: str = field(repr=False)
    timeout_s: float
    name: str = "wecom"
    text_limit: int = WECOM_TEXT_LIMIT

    def send(self, title: str, body: str) -> None:
        _post_robot(self.webhook_url, f"{title}\n{body}", self.timeout_s, self.name)


def dingtalk_signed_url(webhook_url: str, secret: str, now_ms: int | None = None) -> str:
    """The webhook URL with DingTalk's ``timestamp`` and ``sign`` (加签) parameters."""
    timestamp = str(now_ms if now_ms is not None else round(time.time() * 1000))
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    sign = base64.b64encode(digest).decode()
    separator = "&" if "?" in webhook_url else "?"
    return f"{webhook_url}{separator}{urlencode({'timestamp': timestamp, 'sign': sign})}"


@dataclass(frozen=True)
class DingTalkChannel:
    """钉钉群机器人, signed when a secret is configured."""

    webhook_url: str = field(repr=False)
    secret: str | None = field(repr=False)
    timeout_s: float
    name: str = "dingtalk"
    text_limit: int = DINGTALK_TEXT_LIMIT

    def send(self, title: str, body: str) -> None:
        url = self.webhook_url
        if self.secret:
            url = dingtalk_signed_url(url, self.secret)
        _post_robot(url, f"{title}\n{body}", self.timeout_s, self.name)


@dataclass(frozen=True)
class EmailChannel:
    """E-mail over SMTP (Apprise's ``mailto://`` / ``mailtos://``)."""

    apprise_url: str = field(repr=False)
    name: str = "email"
    text_limit: int = EMAIL_TEXT_LIMIT

    def send(self, title: str, body: str) -> None:
        import apprise  # loaded on use: only e-mail needs it

        notifier = apprise.Apprise()
        if not notifier.add(self.apprise_url):
            raise ChannelError("email: SMTP 设置无效")
        if not notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT):
            raise ChannelError("email: 发送失败")


def email_apprise_url(settings: Settings) -> str:
    """The Apprise URL of the configured SMTP server (credentials URL-quoted)."""
    mode = {"ssl": "ssl", "starttls": "starttls", "none": "insecure"}[settings.smtp_security]
    scheme = "mailto" if mode == "insecure" else "mailtos"
    credentials = ""
    if settings.smtp_user:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        credentials = f"{quote(settings.smtp_user, safe='')}:{quote(password, safe='')}@"
    recipients = ",".join(part.strip() for part in settings.smtp_to.split(",") if part.strip())
    query = urlencode(
        {"from": settings.smtp_from or settings.smtp_user, "to": recipients, "mode": mode}
    )
    return f"{scheme}://{credentials}{settings.smtp_host}:{settings.smtp_port}?{query}"


def configured_channels(settings: Settings) -> list[Channel]:
    """Every channel the settings configure, in a stable order."""
    channels: list[Channel] = []
    if settings.wecom_webhook_url:
        channels.append(
            WeComChannel(settings.wecom_webhook_url.get_secret_value(), settings.notify_timeout_s)
        )
    if settings.dingtalk_webhook_url:
        secret = settings.dingtalk_secret.get_secret_value() if settings.dingtalk_secret else None
        channels.append(
            DingTalkChannel(
                settings.dingtalk_webhook_url.get_secret_value(), secret, settings.notify_timeout_s
            )
        )
    if settings.smtp_host and settings.smtp_to.strip():
        channels.append(EmailChannel(email_apprise_url(settings)))
    # Apprise logs the URLs it notifies at debug level and httpx every request URL at
    # INFO; those hold SMTP passwords and robot keys. Quieted, and redacted anyway.
    install_log_redaction()
    return channels
