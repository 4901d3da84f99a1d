"""A demo database stays a demo: the scheduler never sends demo accounts to real platforms."""

from __future__ import annotations

import logging

import pytest
from fakes.sites import refusing_port
from sqlalchemy import func, select

from govwatch.demo.guard import DemoServerNotRunning, demo_crawl_env
from govwatch.demo.site import DemoServer, demo_targets_yaml
from govwatch.service.crawls import crawl_target
from govwatch.targets_file import parse_targets
from storage.clock import china_today
from storage.db import session_scope
from storage.models import CrawlRun
from storage.registry import sync_targets


def register_demo(base_url: str) -> None:
    with session_scope() as session:
        sync_targets(session, parse_targets(demo_targets_yaml(base_url), "demo.yaml"))


def test_demo_accounts_are_crawled_only_against_the_running_demo_server(
    database_url: str,
) -> None:
    with DemoServer(china_today) as server:
        register_demo(server.base_url)
        env = demo_crawl_env("account", "demo-weibo")
        root = server.base_url.rstrip("/")
        assert env == {
            "GOVWATCH_WEIBO_BASE_URL": root,
            "GOVWATCH_WECHAT_BASE_URL": root,
            "GOVWATCH_PLATFORM_DELAY_S": "0",
        }
        assert demo_crawl_env("site", "demo") is None  # the site's URL is the demo's own
    with pytest.raises(DemoServerNotRunning, match="演示账号 demo-weibo 只在演示网站运行时抓取"):
        demo_crawl_env("account", "demo-weibo")


def test_real_accounts_are_untouched(database_url: str) -> None:
    text = "accounts:\n  - {id: real, name: 某县发布, platform: weibo, uid: '5000000001'}\n"
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))
    assert demo_crawl_env("account", "real") is None


def test_scheduler_skips_demo_accounts_when_the_demo_is_not_running(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with refusing_port() as port:
        register_demo(f"http://127.0.0.1:{port}/")  # what ./run.sh left behind
        with caplog.at_level(logging.WARNING, logger="govwatch.scheduler"):
            assert crawl_target("account", "demo-weibo-quiet") == "skipped"
    assert "不会发往真实平台" in caplog.text
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CrawlRun)) == 0
