"""No secret anywhere (issue 13): with every secret setting set and logging at DEBUG, a
full scheduler cycle (probe, site and account crawls with platform cookies, check,
notifications to local WeCom, DingTalk and SMTP fakes, the SMTP one requiring a
password), direct crawls, the CLI, every report format and the dashboard leave no
secret value in any log line, output, report file or database table."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.gov_pages import list_page
from fakes.platforms import FakePlatforms
from fakes.routed_server import RoutedServer
from fastapi.testclient import TestClient
from service_fakes import FakeSmtp, FakeWebhook
from service_process import FAST_SETTINGS, REPO_ROOT, SchedulerProcess
from sqlalchemy import inspect, text

from govwatch.web.app import create_app
from govwatch.web.auth import hash_password
from settings import Settings, get_settings
from storage.clock import china_today
from storage.db import get_engine

DAYS = timedelta(days=1)
DASHBOARD_PASSWORD = "dashboard-pass-Uv12"
DASHBOARD_HASH = hash_password(DASHBOARD_PASSWORD)
WECOM_KEY = "wecom-key-Ab12Cd34Ef"
DING_TOKEN = "ding-token-Gh56Ij78Kl"
COOKIE_VALUES = {
    "weibo": ("weibo-sub-Mn90Op12", "weibo-subp-Qr34St56"),
    "wechat": ("wechat-uin-Uv78Wx90", "wechat-key-Yz12Ab34"),
    "douyin": ("douyin-sid-Cd56Ef78", "douyin-tt-Gh90Ij12"),
    "toutiao": ("toutiao-web-Kl34Mn56", "toutiao-tt-Op78Qr90"),
}
OTHER_SECRETS = {
    "GOVWATCH_DINGTALK_SECRET": "SECding-secret-St12Uv34Wx",
    "GOVWATCH_SMTP_PASSWORD": "smtp-pass-Yz56Ab78Cd",
    "GOVWATCH_DASHBOARD_SESSION_SECRET": "session-secret-Ef90Gh12Ij",
}
SMTP_USER = "mailer"


def secret_needles(env: dict[str, str]) -> list[str]:
    """Every value that must never be seen, whole and in its distinctive parts."""
    needles = [WECOM_KEY, DING_TOKEN, DASHBOARD_PASSWORD, DASHBOARD_HASH.split("$")[-1]]
    needles += [value for pair in COOKIE_VALUES.values() for value in pair]
    needles += list(OTHER_SECRETS.values())
    needles += [env["GOVWATCH_WECOM_WEBHOOK_URL"], env["GOVWATCH_DINGTALK_WEBHOOK_URL"]]
    return needles


def assert_clean(where: str, content: str, env: dict[str, str]) -> None:
    found = [needle for needle in secret_needles(env) if needle in content]
    assert not found, f"{where} holds {found}"


def every_secret_is_set(env: dict[str, str]) -> None:
    """Guard: this test sets every SecretStr setting there is (new ones included)."""
    secret_fields = {
        name
        for name, field in Settings.model_fields.items()
        if "SecretStr" in str(field.annotation)
    }
    assert {f"GOVWATCH_{name.upper()}" for name in secret_fields} <= set(env), secret_fields


def dump_all_tables() -> str:
    """Every row of every table in the database (Alembic's and APScheduler's too)."""
    engine = get_engine()
    lines = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    lines.append(f"{table}: {value}")
    return "\n".join(lines)


@pytest.fixture
def county_site() -> Iterator[RoutedServer]:
    """A site whose homepage has not changed for 30 days (a veto) and a fresh column."""
    today = china_today()
    with RoutedServer() as server:
        server.set_html("/", list_page("首页要闻", [30, 40], today, prefix="/home/"))
        server.set_html("/news/", list_page("工作动态", [1, 3], today, prefix="/news/"))
        yield server


def run_spider(spider: str, argument: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-a", argument],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            **env,
            "SCRAPY_SETTINGS_MODULE": "crawler.settings",
            "PYTHONPATH": str(REPO_ROOT),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


@pytest.mark.database_neutral
@pytest.mark.timeout(900)
def test_no_secret_in_logs_outputs_reports_or_tables(
    county_site: RoutedServer,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    govwatch_cli: Callable[..., Any],
) -> None:
    with (
        FakePlatforms() as platforms,
        FakeWebhook() as wecom,
        FakeWebhook() as dingtalk,
        FakeSmtp(credentials=(SMTP_USER, OTHER_SECRETS["GOVWATCH_SMTP_PASSWORD"])) as smtp,
    ):
        platforms.add_weibo_account("111", [DAYS * (2 * i + 1) for i in range(12)])
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"""units: [{{name: 县政府办}}]
sites:
  - id: county
    name: county县人民政府
    url: {county_site.base_url}
    unit: 县政府办
    columns:
      - {{name: 工作动态, url: '{county_site.base_url}news/', category: news}}
accounts:
  - {{id: county-weibo, name: 县政府微博, platform: weibo, uid: '111', unit: 县政府办}}
""",
            encoding="utf-8",
        )
        env = {
            **FAST_SETTINGS,
            "GOVWATCH_DATABASE_URL": database_url,
            "GOVWATCH_TARGETS": str(targets),
            "GOVWATCH_LOG_LEVEL": "DEBUG",
            "GOVWATCH_WECOM_WEBHOOK_URL": wecom.url(f"/cgi-bin/webhook/send?key={WECOM_KEY}"),
            "GOVWATCH_DINGTALK_WEBHOOK_URL": dingtalk.url(f"/robot/send?access_token={DING_TOKEN}"),
            "GOVWATCH_SMTP_HOST": "127.0.0.1",
            "GOVWATCH_SMTP_PORT": str(smtp.port),
            "GOVWATCH_SMTP_SECURITY": "none",
            "GOVWATCH_SMTP_USER": SMTP_USER,
            "GOVWATCH_SMTP_FROM": "govwatch@example.org",
            "GOVWATCH_SMTP_TO": "ops@example.org",
            "GOVWATCH_DASHBOARD_USERS": json.dumps({"inspector": DASHBOARD_HASH}),
            **OTHER_SECRETS,
            **{
                f"GOVWATCH_{platform.upper()}_COOKIE": f"a={first}; b={second}"
                for platform, (first, second) in COOKIE_VALUES.items()
            },
            **{
                f"GOVWATCH_{platform.upper()}_BASE_URL": platforms.base_url
                for platform in ("weibo", "wechat", "douyin", "toutiao")
            },
        }
        every_secret_is_set(env)

        # 1. A full cycle of the scheduler at DEBUG: its whole log.
        with SchedulerProcess(env, "--once") as once:
            assert once.wait(300) == 0, once.log[-3000:]
        assert_clean("scheduler log", once.log, env)
        assert "DEBUG" in once.log  # it did log at DEBUG
        # The notifications went out, through every channel, with the secrets in use.
        assert wecom.received and dingtalk.received and smtp.messages
        assert wecom.received[0].query["key"] == [WECOM_KEY]
        assert {"sign", "timestamp"} <= set(dingtalk.received[0].query)
        assert set(smtp.logins) == {SMTP_USER} and len(smtp.logins) == len(smtp.messages)
        assert platforms.requests_for("111"), "the account was crawled"

        # 2. The spiders on their own, at DEBUG: everything they print.
        output = run_spider("account", "account=county-weibo", env)
        output += run_spider("site", "site=county", env)
        assert_clean("spider output", output, env)
        assert "DEBUG" in output

    # 3. The CLI, every report format, in this process with the same settings.
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    outputs = []
    for args in (
        ("findings", "--status", "all", "--format", "json"),
        ("status", "--format", "json"),
        ("targets", "list", "--format", "json"),
        ("scores", "--format", "json"),
        ("rules",),
    ):
        result = govwatch_cli(*args)
        assert result.returncode == 0, (args, result.stderr)
        outputs.append(result.stdout + result.stderr)
    assert_clean("command output", "\n".join(outputs), env)
    period = ("--from", f"{china_today().year}-01-01", "--to", china_today().isoformat())
    reports = tmp_path / "reports"
    reports.mkdir()
    for suffix in ("md", "html", "xlsx", "csv"):
        result = govwatch_cli("report", *period, "--out", str(reports / f"r.{suffix}"))
        assert result.returncode == 0, result.stderr
        assert_clean(f"report {suffix} output", result.stdout + result.stderr, env)
    written = sorted(reports.iterdir())
    assert {path.name for path in written} >= {"r.md", "r.html", "r.xlsx", "r.csv", "r-notice.txt"}
    for path in written:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                content = "".join(
                    archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                )
        else:
            content = path.read_text(encoding="utf-8-sig")
        assert_clean(f"report {path.name}", content, env)

    # 4. The dashboard, logged in with the configured user and secret.
    with TestClient(create_app()) as client:
        login = client.post(
            "/login",
            data={"username": "inspector", "password": DASHBOARD_PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert login.status_code == 303
        pages = [
            client.get(path)
            for path in (
                "/",
                "/findings?status=all",
                "/sites/county",
                "/accounts/county-weibo",
                "/report",
            )
        ]
        assert all(page.status_code == 200 for page in pages)
        assert_clean("dashboard", "\n".join(page.text for page in pages), env)
        download = client.get(f"/report/download?from={period[1]}&to={period[3]}")
        assert download.status_code == 200
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            assert_clean(
                "dashboard report",
                "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()),
                env,
            )

    # 5. Every row of every table.
    dump = dump_all_tables()
    assert "county" in dump and "notifications" in dump
    assert_clean("database", dump, env)
