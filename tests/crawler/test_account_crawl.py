"""End to end: `scrapy crawl account` against local fakes of each platform, then a check."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fakes.platforms import FakePlatforms
from sqlalchemy import func, select

from crawler.runner import run_crawl
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import AccountFetch, Post
from storage.registry import sync_targets

DAYS = timedelta(days=1)
# What these tests are about (UPDATE_GAP, also on accounts, has its own tests).
ACCOUNT_RULES = {"ACCOUNT_STALE", "ACCOUNT_LOW_FREQUENCY", "ACCOUNT_ZOMBIE", "CHECK_FAILED"}


@pytest.fixture
def platforms() -> Iterator[FakePlatforms]:
    with FakePlatforms() as fake:
        yield fake


def register(accounts: str) -> None:
    with session_scope() as session:
        sync_targets(session, parse_targets(f"accounts:\n{accounts}", "t.yaml"))


def crawl(account_id: str, database_url: str, platforms: FakePlatforms) -> None:
    env = {
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_PLATFORM_DELAY_S": "0",
        **{
            f"GOVWATCH_{p.upper()}_BASE_URL": platforms.base_url
            for p in ("weibo", "toutiao", "douyin", "wechat")
        },
    }
    result = run_crawl("account", account_id, timeout_s=120, env=env)
    assert result.ok, result.log_tail


def rules() -> dict[str, set[str]]:
    with session_scope() as session:
        run_check(session, china_today())
        found: dict[str, set[str]] = {}
        for finding in query_findings(session):
            if finding.rule in ACCOUNT_RULES:
                found.setdefault(finding.target_id, set()).add(finding.rule)
        return found


def test_weibo_paginates_to_window_start_stores_once_and_judges(
    platforms: FakePlatforms, database_url: str
) -> None:
    # Active: 3 posts a week for 20 weeks, 10 posts a page.
    platforms.add_weibo_account("111", [DAYS * (2 * i + 1) for i in range(70)])
    register("  - {id: active, name: 活跃发布, platform: weibo, uid: '111'}\n")
    crawl("active", database_url, platforms)
    crawl("active", database_url, platforms)
    with session_scope() as session:
        posts = session.scalar(select(func.count(Post.id)))
        oldest = session.scalar(select(func.min(Post.published_on)))
    lookback = china_today() - timedelta(days=91)
    assert oldest < lookback  # reached the window start ...
    assert posts < 70  # ... and stopped there, not at the end of the timeline
    requests = len(platforms.requests_for("111"))
    assert requests == 2 * ((posts + 9) // 10)  # two crawls, same pages each time
    assert rules() == {}


def test_stale_and_low_frequency_accounts(platforms: FakePlatforms, database_url: str) -> None:
    platforms.add_weibo_account(
        "222", [DAYS * (15 + 7 * i) for i in range(20)]
    )  # weekly, last 15 d ago
    platforms.add_toutiao_account("333", [DAYS * (7 * i + 1) for i in range(20)])  # once a week
    register(
        "  - {id: stale, name: 沉睡发布, platform: weibo, uid: '222'}\n"
        "  - {id: weekly, name: 每周一条, platform: toutiao, uid: '333'}\n"
    )
    crawl("stale", database_url, platforms)
    crawl("weekly", database_url, platforms)
    found = rules()
    assert found["stale"] == {"ACCOUNT_STALE", "ACCOUNT_LOW_FREQUENCY"}
    assert found["weekly"] == {"ACCOUNT_LOW_FREQUENCY"}
    with session_scope() as session:
        stale = query_findings(session, account="stale", rule="ACCOUNT_STALE")[0]
        assert "已15天未更新" in stale.message and stale.severity == "veto"
        weeks = query_findings(session, account="weekly", rule="ACCOUNT_LOW_FREQUENCY")
    today = china_today()
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    first_monday = quarter_start + timedelta(days=(7 - quarter_start.weekday()) % 7)
    full_weeks = (today - first_monday).days // 7 + (
        1 if (today - first_monday).days % 7 == 6 else 0
    )
    full_weeks = len([w for w in range(20) if first_monday + timedelta(days=7 * w + 6) <= today])
    assert len(weeks) == full_weeks
    assert all(f.points == 5.0 for f in weeks)


@pytest.mark.parametrize("kind", ["login", "captcha", "418", "429"])
def test_blocks_are_check_failed_and_nothing_else(
    platforms: FakePlatforms, database_url: str, kind: str
) -> None:
    platforms.add_weibo_account("444", [DAYS * 30])
    platforms.block("444", kind)  # type: ignore[arg-type]
    register("  - {id: blocked, name: 被拦截, platform: weibo, uid: '444'}\n")
    crawl("blocked", database_url, platforms)
    assert rules() == {"blocked": {"CHECK_FAILED"}}
    with session_scope() as session:
        fetch = session.scalars(select(AccountFetch)).one()
        assert fetch.error_class == "blocked"
        assert session.scalar(select(func.count(Post.id))) == 0
    # Rate limits are asked again after a backoff (twice by default); other blocks are final.
    expected_requests = 3 if kind in ("418", "429") else 1
    assert len(platforms.requests_for("444")) == expected_requests


def test_rss_and_wechat_feeds(platforms: FakePlatforms, database_url: str) -> None:
    rss = platforms.add_rss_feed("site", [DAYS * 1, DAYS * 3, DAYS * 4])
    wechat = platforms.add_wechat_account("MzA5", [DAYS * 2, DAYS * 20], feed_dates=False)
    register(
        f"  - {{id: feed, name: 门户订阅, platform: rss, feed: '{rss}'}}\n"
        f"  - {{id: wx, name: 某市发布, platform: wechat, feed: '{wechat}'}}\n"
    )
    crawl("feed", database_url, platforms)
    crawl("wx", database_url, platforms)
    with session_scope() as session:
        counts = dict(
            session.execute(
                select(Post.account_id, func.count(Post.id)).group_by(Post.account_id)
            ).all()
        )
        wx_days = sorted(session.scalars(select(Post.published_on).where(Post.account_id == "wx")))
    assert counts == {"feed": 3, "wx": 2}
    assert wx_days == [china_today() - DAYS * 20, china_today() - DAYS * 2]  # read from articles


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed")
def test_douyin_in_browser(platforms: FakePlatforms, database_url: str) -> None:
    platforms.add_douyin_account("MS4wLj", [DAYS * i for i in range(1, 100, 2)], page_size=18)
    register("  - {id: dy, name: 抖音号, platform: douyin, uid: MS4wLj}\n")
    crawl("dy", database_url, platforms)
    with session_scope() as session:
        assert session.scalar(select(func.count(Post.id))) == 50  # three scrolled pages
    assert rules() == {}
