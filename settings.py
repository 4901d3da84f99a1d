"""Every govwatch setting with its default, in one place.

Each field can be overridden by an environment variable ``GOVWATCH_<NAME>`` (upper
case) or by a line in a ``.env`` file in the working directory. Nothing else in
the code base reads the environment for configuration: ask :func:`get_settings`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError


class Settings(BaseSettings):
    """govwatch configuration; the README's "Settings" section lists what users set."""

    model_config = SettingsConfigDict(
        env_prefix="GOVWATCH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- storage --------------------------------------------------------------------
    database_url: str = "sqlite:///data/govwatch.db"
    targets: str = "targets.yaml"

    # --- crawling -------------------------------------------------------------------
    # Every request names govwatch and where to reach its operator (issue 13): sites and
    # platforms see who reads them. Empty: "govwatch/0.1 (+CONTACT_URL; ...)".
    user_agent: str = ""
    contact_url: str = Field(
        default="",
        pattern=r"^(https?://[!-~]+)?$",  # printable ASCII: it goes into a header
        description="the page named in the User-Agent: your office's contact page",
    )
    # Inspection is mandated by the State Council's indicators and site owners cannot opt
    # out of it, so robots.txt is not obeyed unless a deployment says so.
    obey_robots: bool = Field(default=False, description="obey robots.txt (Scrapy ROBOTSTXT_OBEY)")
    log_level: str = Field(
        default="INFO",
        pattern="(?i)^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$",
        description="scheduler and spider log level; secrets are redacted at every level",
    )
    download_timeout_s: float = 30.0
    download_delay_s: float = 0.5
    concurrent_requests_per_domain: int = 4
    retry_times: int = 2
    crawl_timeout_s: float = 1800.0
    max_list_pages: int = Field(default=1, ge=1, description="list pages followed per column")
    article_date_probes: int = Field(
        default=3, ge=0, description="undated list items whose articles are opened for a date"
    )
    render_fallback: bool = Field(
        default=True, description="re-read a static column with no list in the browser"
    )
    browser_page_timeout_s: float = Field(
        default=60.0, gt=0, description="hard limit for one browser page, close included"
    )
    article_probe_timeout_s: float = Field(
        default=20.0, gt=0, description="hard limit for opening one article for its date"
    )
    browser_executable: str = "/usr/bin/chromium"
    browser_args: list[str] = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
    ]

    # --- judging ---------------------------------------------------------------------
    # The rubric (rules, severities, points, caps, thresholds); empty: the shipped
    # monitor/rubric.yaml, whose defaults follow the national indicators (docs/indicators.md).
    rubric: str = ""
    # The wrong-expression word list; empty: the shipped monitor/wording/data list.
    word_list: str = ""
    # A readable crawl speaks for its own China day and this many days after it (crawls
    # run daily); a day no crawl speaks for is not judged (未能检查).
    observation_grace_days: int = Field(
        default=1, ge=0, le=7, description="days a readable crawl speaks for after its own"
    )

    # --- site health -----------------------------------------------------------------
    probe_timeout_s: float = Field(default=15.0, description="a homepage must open within this")
    probe_concurrency: int = 20
    check_links: bool = Field(default=True, description="check links and images after a crawl")
    check_article_links: bool = Field(default=False, description="also check links in articles")
    health_article_pages: int = Field(
        default=1, ge=0, description="newest articles per column whose images are checked"
    )
    article_text_pages: int = Field(
        default=3, ge=0, description="new articles per column whose text is kept for wording checks"
    )
    link_timeout_s: float = 15.0
    link_per_host_concurrency: int = 4
    link_per_host_delay_s: float = 0.0

    # --- new-media accounts ------------------------------------------------------------
    platform_delay_s: float = Field(
        default=3.0, description="seconds between requests to a platform"
    )
    account_lookback_days: int = Field(
        default=91, description="timelines are read back this far (and always to the quarter start)"
    )
    account_max_pages: int = 50
    rate_limit_retries: int = Field(
        default=2, ge=0, description="retries, with exponential backoff, after a rate-limit answer"
    )
    rate_limit_backoff_s: float = Field(default=30.0, ge=0, description="first backoff; doubles")
    # Cookies or tokens per platform, sent as the Cookie header; never logged.
    weibo_cookie: SecretStr | None = None
    wechat_cookie: SecretStr | None = None
    douyin_cookie: SecretStr | None = None
    toutiao_cookie: SecretStr | None = None

    # --- scheduler and notifications -------------------------------------------------
    probe_interval_s: float = Field(default=300.0, gt=0, description="homepage probes")
    site_crawl_interval_s: float = Field(default=86400.0, gt=0, description="site crawls")
    account_crawl_interval_s: float = Field(default=21600.0, gt=0, description="account crawls")
    schedule_jitter_s: float = Field(
        default=600.0, ge=0, description="random delay added to each scheduled crawl"
    )
    schedule_spread_s: float = Field(
        default=900.0, ge=0, description="first crawls of newly scheduled targets spread over this"
    )
    misfire_grace_s: float = Field(
        default=43200.0,
        gt=0,
        description="a run missed while stopped still runs (once) within this",
    )
    max_concurrent_crawls: int = Field(
        default=4,
        ge=1,
        description="crawls at once (the scheduler's crawl processes; each Redis worker's targets)",
    )
    # Warm workers (crawler/warm_pool.py): scheduled crawls run one after another in up to
    # max_concurrent_crawls long-lived processes instead of a new process each (issue 17).
    crawl_workers_warm: bool = Field(
        default=True, description="run scheduled crawls in warm worker processes"
    )
    crawl_worker_max_crawls: int = Field(
        default=50, ge=1, description="crawls a warm worker runs before it is replaced"
    )
    crawl_worker_max_rss_mb: int = Field(
        default=1024,
        ge=64,
        description="a warm worker above this many MB after a crawl is replaced",
    )
    crawl_stop_grace_s: float = Field(
        default=10.0, ge=0, description="on shutdown, seconds a crawl gets to stop before a kill"
    )
    check_poll_s: float = Field(
        default=120.0, gt=0, description="how often finished crawls are looked for and checked"
    )
    check_max_age_s: float = Field(
        default=3600.0, gt=0, description="a check runs at least this often (probes, clock)"
    )
    targets_poll_s: float = Field(default=30.0, gt=0, description="targets file change polling")
    digest_hour: int = Field(default=8, ge=0, le=23, description="daily digest hour, China time")
    failing_after_runs: int = Field(
        default=3, ge=1, description="`govwatch status` lists targets whose last N runs failed"
    )
    metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Prometheus endpoint port; 0: off"
    )
    metrics_host: str = "127.0.0.1"
    # Set: crawls go through a Redis queue shared by `python scheduler.py --worker` processes.
    redis_url: str = ""
    # Notification channels; each is used when configured. Secrets are never logged.
    wecom_webhook_url: SecretStr | None = None  # 企业微信群机器人 webhook (…/send?key=…)
    dingtalk_webhook_url: SecretStr | None = None  # 钉钉机器人 webhook (…/send?access_token=…)
    dingtalk_secret: SecretStr | None = None  # 钉钉机器人加签密钥 (SEC…)
    smtp_host: str = ""
    smtp_port: int = Field(default=465, ge=1, le=65535)
    smtp_security: str = Field(default="ssl", pattern="^(ssl|starttls|none)$")
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = ""
    smtp_to: str = Field(default="", description="comma-separated recipients")
    notify_retries: int = Field(default=3, ge=1, description="attempts per message and channel")
    notify_backoff_s: float = Field(default=2.0, ge=0, description="first retry delay, doubling")
    notify_timeout_s: float = 15.0

    # --- dashboard ---------------------------------------------------------------------
    # Who may log in to `govwatch serve`: user name -> scrypt hash of the password, as
    # JSON in GOVWATCH_DASHBOARD_USERS; `python -m govwatch.web.auth` prints a hash.
    # Plain passwords are never stored.
    dashboard_users: dict[str, str] = {}
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = Field(default=8000, ge=1, le=65535)
    # Signs the session cookie. Empty: a random secret per process, so logins end when
    # the dashboard restarts; set it where several workers serve the dashboard.
    dashboard_session_secret: SecretStr | None = None
    dashboard_session_max_age_s: int = Field(default=8 * 3600, description="login lifetime")
    # Set when the dashboard is reached over HTTPS only (behind the TLS proxy): the
    # browser then never sends the session cookie over plain HTTP.
    dashboard_cookie_secure: bool = False
    dashboard_login_max_failures: int = Field(
        default=5, ge=1, description="failed logins (per user, per address) before a lockout"
    )
    dashboard_login_lockout_s: float = Field(
        default=60.0, gt=0, description="first lockout; doubles with each further failure"
    )

    # --- platform endpoints (tests and mirrors point these elsewhere) ---------------
    weibo_base_url: str = "https://m.weibo.cn"
    wechat_base_url: str = "https://mp.weixin.qq.com"
    douyin_base_url: str = "https://www.douyin.com"
    toutiao_base_url: str = "https://www.toutiao.com"
    rss_base_url: str = ""

    @field_validator("dashboard_users")
    @classmethod
    def _scrypt_hashes(cls, users: dict[str, str]) -> dict[str, str]:
        # A plain password or a truncated hash here would lock everyone out silently.
        for name, stored in users.items():
            if not name.strip():
                raise ValueError("用户名不能为空")
            if not _SCRYPT_HASH.fullmatch(stored):
                raise ValueError(
                    f"用户 {name!r} 的密码不是 scrypt 哈希(应形如 scrypt$16384$8$1$盐$哈希,"
                    "由 python -m govwatch.web.auth 生成;不要填写明文密码)"
                )
        return users

    @model_validator(mode="after")
    def _default_user_agent(self) -> Settings:
        # ASCII only: HTTP header values are Latin-1 and httpx refuses anything else.
        if not self.user_agent:
            contact = f"+{self.contact_url}; " if self.contact_url else ""
            self.user_agent = f"govwatch/0.1 ({contact}government website inspection)"
        return self

    def platform_base_url(self, platform: str) -> str:
        """The endpoint a platform adapter talks to."""
        return str(getattr(self, f"{platform}_base_url"))

    def platform_hosts(self) -> list[str]:
        """The hosts of the platform endpoints (for per-host politeness)."""
        hosts = []
        for platform in ("weibo", "wechat", "douyin", "toutiao"):
            host = urlsplit(self.platform_base_url(platform)).hostname
            if host and host not in hosts:
                hosts.append(host)
        return hosts

    def platform_headers(self, platform: str) -> dict[str, str]:
        """Request headers (the cookie, if configured) for a platform."""
        cookie = getattr(self, f"{platform}_cookie", None)
        return {"Cookie": cookie.get_secret_value()} if cookie else {}


_SCRYPT_HASH = re.compile(r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=_-]+\$[A-Za-z0-9+/=_-]+")

#: Settings whose values are never echoed in an error message.
_SECRET_SETTINGS = {"dashboard_users"}


class InvalidSettingError(ValueError):
    """A setting from the environment or ``.env`` that cannot be used; the message is
    one line naming the variable, what is wrong and what is allowed."""


def _what_is_allowed(detail: dict[str, Any]) -> str:
    """A pydantic error as what the value should be, in words an operator can act on."""
    kind, ctx = detail["type"], detail.get("ctx") or {}
    bounds = {
        "greater_than_equal": ("ge", "应大于或等于 {}"),
        "greater_than": ("gt", "应大于 {}"),
        "less_than_equal": ("le", "应小于或等于 {}"),
        "less_than": ("lt", "应小于 {}"),
    }
    if kind in bounds:
        key, text = bounds[kind]
        limit = ctx.get(key)
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)  # "应大于 0", not "0.0"
        return text.format(limit)
    simple = {
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "float_parsing": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "dict_type": '应为 JSON 对象,如 {"用户名": "scrypt$…"}',
        "list_type": '应为 JSON 数组,如 ["a", "b"]',
        "json_invalid": "不是有效的 JSON",
        "string_pattern_mismatch": f"应符合 {ctx.get('pattern', '')}",
    }
    if kind in simple:
        return simple[kind]
    return str(detail.get("msg", "")).removeprefix("Value error, ")


def describe_invalid_settings(error: ValidationError | SettingsError) -> str:
    """One line for every bad setting in ``error``: variable, value, what is allowed."""
    if isinstance(error, SettingsError):
        # pydantic-settings could not even decode the value (a JSON setting that is
        # not JSON); its message names the field in quotes.
        found = re.search(r'field "([a-z_]+)"', str(error))
        name = found.group(1) if found else "?"
        return f"设置 GOVWATCH_{name.upper()} 无效: 不是有效的 JSON"
    parts = []
    for detail in error.errors():
        location = detail.get("loc") or ("?",)
        name = str(location[0])
        variable = f"GOVWATCH_{name.upper()}"
        value = detail.get("input")
        shown = ""
        secret = name in _SECRET_SETTINGS or any(
            word in name for word in ("cookie", "secret", "password", "webhook")
        )
        if not secret and isinstance(value, str | int | float) and len(str(value)) <= 80:
            shown = f"={value}"
        parts.append(f"设置 {variable}{shown} 无效: {_what_is_allowed(detail)}")
    return "; ".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``.

    Raises :class:`InvalidSettingError` (one line) when a value cannot be used; the
    command line and the scheduler turn it into exit 2.
    """
    try:
        return Settings()
    except (ValidationError, SettingsError) as error:
        raise InvalidSettingError(describe_invalid_settings(error)) from error
