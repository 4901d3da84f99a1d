"""Logging without secrets: every log record is redacted before any handler sees it.

govwatch holds secrets in its settings (platform cookies, robot webhook URLs with
their ``key=`` / ``access_token=``, the DingTalk signing secret, the SMTP password,
the dashboard's session secret and password hashes, passwords inside database and
Redis URLs). Libraries log what they send: httpx writes every request URL at INFO,
Apprise its notification URLs at DEBUG, Scrapy the requests it crawls. Filters on
loggers miss records that propagate from child loggers, and filters on handlers miss
handlers installed later (Scrapy and uvicorn install their own), so the redaction is
a log record factory: it runs when any logger creates a record, whoever handles it.

A record is redacted by formatting its message, replacing every configured secret
value (and its URL-quoted forms) and every value of a known secret query parameter,
URL password or ``Cookie`` header with ``***``; its traceback text likewise.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

if TYPE_CHECKING:
    from settings import Settings

# pydantic and the settings are imported when the first record is redacted, not when
# redaction is installed: a command that logs nothing does not pay for them (issue 17).

REDACTED = "***"
#: Shorter fragments of a secret (one cookie value, one query value) are not replaced
#: on their own: replacing "1" or "abc" everywhere would garble every log line.
MIN_SECRET_FRAGMENT = 6

#: Query parameters whose values are credentials wherever they appear.
SECRET_QUERY_PARAMETERS = (
    "key",
    "access_token",
    "token",
    "sign",
    "signature",
    "secret",
    "password",
    "passwd",
    "pwd",
    "appsecret",
    "ticket",
)
_QUERY_PATTERN = re.compile(
    r"(?i)([?&;](?:" + "|".join(SECRET_QUERY_PARAMETERS) + r")=)[^&\s\"'#<>]+"
)
# scheme://user:password@host -> scheme://user:***@host
_USERINFO_PATTERN = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^@\s/]+@")
# "Cookie: a=b", 'Cookie': 'a=b', b'Cookie': [b'a=b'], cookie=a=b (reprs and headers)
_COOKIE_PATTERN = re.compile(r"(?i)((?:set-)?cookie['\"]?\s*[:=]\s*\[?b?['\"]?)[^'\"\]\r\n]+")

#: Loggers that write request URLs or headers; kept at WARNING whatever the level.
CHATTY_LOGGERS = ("httpx", "httpcore", "hpack", "apprise", "urllib3")


def _url_secrets(url: str) -> list[str]:
    """The password and every query value of a URL (webhook keys and tokens)."""
    found: list[str] = []
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    if parts.password:
        found.append(parts.password)
    found += [value for _, value in parse_qsl(parts.query)]
    return found


def _cookie_secrets(cookie: str) -> list[str]:
    """Each cookie value of a ``Cookie`` header value."""
    found: list[str] = []
    for pair in cookie.split(";"):
        _, _, value = pair.partition("=")
        found.append(value.strip())
    return found


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value the settings hold, with the fragments that identify them."""
    from pydantic import SecretStr

    whole: list[str] = []
    fragments: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            whole.append(secret)
            if name.endswith("_url"):
                fragments += _url_secrets(secret)
            if name.endswith("_cookie"):
                fragments += _cookie_secrets(secret)
    for url in (settings.database_url, settings.redis_url):
        password = urlsplit(url).password if "://" in url else None
        if password:
            whole.append(password)
    # Password hashes are not passwords, but they let a password be guessed offline.
    whole += list(settings.dashboard_users.values())
    found = [secret for secret in whole if secret] + [
        fragment for fragment in fragments if len(fragment) >= MIN_SECRET_FRAGMENT
    ]
    variants: set[str] = set()
    for secret in found:
        variants.update({secret, quote(secret, safe=""), quote_plus(secret), quote(secret)})
    return sorted(variants, key=len, reverse=True)


class Redactor:
    """Replaces secret values and credential-shaped text in strings."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({value for value in secrets if value}, key=len, reverse=True)
        self._secrets_pattern = (
            re.compile("|".join(re.escape(value) for value in values)) if values else None
        )

    def redact(self, text: str) -> str:
        """``text`` without any secret in it."""
        if self._secrets_pattern is not None:
            text = self._secrets_pattern.sub(REDACTED, text)
        text = _QUERY_PATTERN.sub(lambda match: match.group(1) + REDACTED, text)
        text = _USERINFO_PATTERN.sub(lambda match: match.group(1) + REDACTED + "@", text)
        return _COOKIE_PATTERN.sub(lambda match: match.group(1) + REDACTED, text)


_redactor_cache: tuple[int, Redactor] | None = None
_busy = threading.local()


def current_redactor() -> Redactor:
    """The redactor for the process's current settings (rebuilt when they change)."""
    global _redactor_cache
    from settings import get_settings

    try:
        settings = get_settings()
    except Exception:  # invalid settings: the command reports them; patterns still apply
        return Redactor()
    if _redactor_cache is None or _redactor_cache[0] != id(settings):
        _redactor_cache = (id(settings), Redactor(settings_secrets(settings)))
    return _redactor_cache[1]


def redact_record(record: logging.LogRecord, redactor: Redactor) -> None:
    """Replace a record's message, traceback and stack text with redacted text."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it (without args) at emit
        record.msg, record.args = redactor.redact(str(record.msg)), ()
        return
    clean = redactor.redact(message)
    if clean != message:
        # Handlers then print the clean text; args (which held the secret) are gone.
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None:
        text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        clean_text = redactor.redact(text)
        record.exc_text = clean_text
        if clean_text != text:
            # Handlers that format exc_info themselves (rich, Sentry) must not see it.
            record.exc_info = None
    elif record.exc_text:
        record.exc_text = redactor.redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor.redact(record.stack_info)


class _RedactingRecordFactory:
    """Wraps the record factory in force; every record leaves it redacted."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        if getattr(_busy, "active", False):  # settings being read log something
            return record
        _busy.active = True
        try:
            redact_record(record, current_redactor())
        finally:
            _busy.active = False
        return record


def install_log_redaction() -> None:
    """Redact every log record of this process from now on (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecordFactory):
        logging.setLogRecordFactory(_RedactingRecordFactory(factory))
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str | int | None = None) -> None:
    """Log to stderr at ``level`` (default: GOVWATCH_LOG_LEVEL), secrets redacted."""
    install_log_redaction()
    if level is None:
        from settings import get_settings

        try:
            level = get_settings().log_level.upper()
        except Exception:  # bad settings are reported by the command that reads them
            level = logging.INFO
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
