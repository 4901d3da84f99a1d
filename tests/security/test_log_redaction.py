"""No secret reaches a log line, at any level (issue 13): every secret setting, URL
passwords, robot keys and tokens, cookies; in messages, arguments and tracebacks,
whichever logger and handler they pass through, httpx's request log at DEBUG included.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from pydantic import SecretStr

from govwatch.logging_setup import (
    REDACTED,
    Redactor,
    install_log_redaction,
    settings_secrets,
)
from govwatch.web.auth import hash_password
from settings import Settings, get_settings

DASHBOARD_HASH = hash_password("dashboard-password")


def secret_fields() -> list[str]:
    """Every setting that holds a secret (SecretStr): new ones are covered unasked."""
    return [
        name
        for name, field in Settings.model_fields.items()
        if "SecretStr" in str(field.annotation)
    ]


def secret_env() -> dict[str, str]:
    """A distinctive value for every secret setting, plus the URLs holding passwords."""
    env: dict[str, str] = {}
    for name in secret_fields():
        if name.endswith("_url"):
            value = f"http://127.0.0.1:9/hook?key={name}-key-X7&access_token={name}-tok-Y8"
        elif name.endswith("_cookie"):
            value = f"SUB={name}-cookie-A1; SUBP={name}-cookie-B2"
        else:
            value = f"{name}-value-Z9"
        env[f"GOVWATCH_{name.upper()}"] = value
    env["GOVWATCH_DATABASE_URL"] = "postgresql+psycopg://govwatch:db-password-Q4@127.0.0.1/gw"
    env["GOVWATCH_REDIS_URL"] = "redis://:redis-password-R5@127.0.0.1:6379/0"
    env["GOVWATCH_SMTP_USER"] = "mailer"
    env["GOVWATCH_DASHBOARD_USERS"] = f'{{"inspector": "{DASHBOARD_HASH}"}}'
    return env


def leaked(text: str, env: dict[str, str]) -> list[str]:
    """The secret values (and their distinctive fragments) found in ``text``."""
    needles = [
        value
        for key, value in env.items()
        if key not in ("GOVWATCH_DATABASE_URL", "GOVWATCH_REDIS_URL", "GOVWATCH_SMTP_USER")
    ]
    needles += ["db-password-Q4", "redis-password-R5", DASHBOARD_HASH.split("$")[-1]]
    for name in secret_fields():
        needles += [f"{name}-key-X7", f"{name}-tok-Y8", f"{name}-cookie-A1", f"{name}-cookie-B2"]
    return [needle for needle in needles if needle in text]


@pytest.fixture
def all_secrets_set(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    env = secret_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG by any logger, as a handler would print it; the
    chatty loggers are set back to DEBUG to prove redaction, not just quiet."""
    install_log_redaction()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    chatty = ("httpx", "httpcore", "apprise")
    old_levels = {name: logging.getLogger(name).level for name in chatty}
    for name in chatty:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in old_levels.items():
            logging.getLogger(name).setLevel(level)


def test_every_secret_setting_is_known_to_the_redactor(all_secrets_set: dict[str, str]) -> None:
    assert {
        "weibo_cookie",
        "wechat_cookie",
        "douyin_cookie",
        "toutiao_cookie",
        "wecom_webhook_url",
        "dingtalk_webhook_url",
        "dingtalk_secret",
        "smtp_password",
        "dashboard_session_secret",
    } <= set(secret_fields())
    redactor = Redactor(settings_secrets(get_settings()))
    everything = " | ".join(all_secrets_set.values())
    clean = redactor.redact(everything)
    assert leaked(clean, all_secrets_set) == []
    assert REDACTED in clean


def test_log_records_are_redacted_in_messages_args_and_tracebacks(
    all_secrets_set: dict[str, str], debug_log: io.StringIO
) -> None:
    settings = get_settings()
    cookie = settings.weibo_cookie.get_secret_value()  # type: ignore[union-attr]
    password = settings.smtp_password.get_secret_value()  # type: ignore[union-attr]
    log = logging.getLogger("govwatch.test")
    log.debug("sending with cookie %s", cookie)
    log.info("webhook %s", settings.wecom_webhook_url)  # a SecretStr prints as ****
    log.info("webhook %s", all_secrets_set["GOVWATCH_WECOM_WEBHOOK_URL"])
    log.warning("db %s redis %s", settings.database_url, settings.redis_url)
    log.error("headers %r", {"Cookie": "anything=at-all-9", "User-Agent": "govwatch"})
    try:
        raise RuntimeError(f"SMTP login failed for mailer:{password}")
    except RuntimeError:
        log.exception("notify failed")
    # A logger with its own handler, not propagating: redacted all the same.
    own_stream = io.StringIO()
    own = logging.getLogger("thirdparty.isolated")
    own.propagate = False
    own.addHandler(logging.StreamHandler(own_stream))
    own.setLevel(logging.DEBUG)
    own.debug("token in %s", all_secrets_set["GOVWATCH_DINGTALK_WEBHOOK_URL"])
    text = debug_log.getvalue() + own_stream.getvalue()
    assert leaked(text, all_secrets_set) == []
    assert "at-all-9" not in text
    assert "notify failed" in text and "RuntimeError" in text  # the traceback is still there
    assert text.count(REDACTED) >= 6


def test_unknown_credentials_in_urls_are_redacted_by_shape() -> None:
    redactor = Redactor()
    text = redactor.redact(
        "POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7x "
        "https://oapi.dingtalk.com/robot/send?access_token=abcd&timestamp=1&sign=xyz%3D "
        "smtp://user:pa55word@mail.example.org:465 Cookie: SUB=_2A25abc"
    )
    for secret in ("693a91f6-7x", "access_token=abcd", "sign=xyz", "pa55word", "_2A25abc"):
        assert secret not in text
    assert "timestamp=1" in text and "user:***@mail.example.org" in text


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return


def test_httpx_request_log_at_debug_holds_no_key_or_token(
    all_secrets_set: dict[str, str], debug_log: io.StringIO
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        key = "wecom_webhook_url-key-X7"
        token = "dingtalk_webhook_url-tok-Y8"
        cookie = get_settings().weibo_cookie.get_secret_value()  # type: ignore[union-attr]
        httpx.post(f"http://127.0.0.1:{port}/send?key={key}", json={}, timeout=10)
        httpx.post(
            f"http://127.0.0.1:{port}/robot/send?access_token={token}",
            headers={"Cookie": cookie},
            json={},
            timeout=10,
        )
    finally:
        server.shutdown()
        server.server_close()
    text = debug_log.getvalue()
    assert "HTTP Request: POST" in text  # httpx did log the requests ...
    assert leaked(text, all_secrets_set) == []  # ... without the key, token or cookie
    assert "key=***" in text and "access_token=***" in text


def test_secretstr_fields_repr_hides_values() -> None:
    # The settings object itself is safe to print (pydantic masks SecretStr).
    settings = Settings(smtp_password=SecretStr("plain-smtp-pw"))
    assert "plain-smtp-pw" not in repr(settings) and "plain-smtp-pw" not in str(settings)
