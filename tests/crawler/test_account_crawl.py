"""End to end: `scrapy crawl account` against local fakes of each platform, then a check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fakes.platforms import FakePlatforms
from sqlalchemy import func, select

from crawler.runner import REPO_ROOT, run_crawl
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


def crawl(account_id: str, database_url: str, platforms: FakePlatforms, **extra_env: str) -> None:
    env = {
        **extra_env,
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
    assert requests == 2 * (1 + (posts + 9) // 10)  # two crawls: profile, then the same pages
    with session_scope() as session:
        complete_from = session.scalars(
            select(AccountFetch.complete_from).where(AccountFetch.complete_from.is_not(None))
        ).all()
    assert complete_from == [oldest, oldest]  # proven back to the oldest post read, no further
    assert rules() == {}


def test_stale_and_low_frequency_accounts(platforms: FakePlatforms, database_url: str) -> None:
    platforms.add_weibo_account(
        "222", [DAYS * (15 + 7 * i) for i in range(20)]
    )  # weekly, last 15 d ago
    platforms.add_weibo_account("333", [DAYS * (7 * i + 1) for i in range(20)])  # once a week
    register(
        "  - {id: stale, name: 沉睡发布, platform: weibo, uid: '222'}\n"
        "  - {id: weekly, name: 每周一条, platform: weibo, uid: '333'}\n"
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


@pytest.mark.database_neutral
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


@pytest.mark.database_neutral
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


@pytest.mark.database_neutral
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed")
def test_douyin_in_browser(platforms: FakePlatforms, database_url: str) -> None:
    platforms.add_douyin_account("MS4wLj", [DAYS * i for i in range(1, 100, 2)], page_size=18)
    register("  - {id: dy, name: 抖音号, platform: douyin, uid: MS4wLj}\n")
    crawl("dy", database_url, platforms)
    with session_scope() as session:
        assert session.scalar(select(func.count(Post.id))) == 50  # three scrolled pages
    assert rules() == {}


# --- faults: every answer that is not a readable timeline ends CHECK_FAILED, and only that ---

WEIBO_NO_POST_CARDS = {
    "ok": 1,
    "data": {
        "cardlistInfo": {"containerid": "1076035550000001", "v_p": 42, "total": 0},
        "cards": [{"card_type": 11, "card_group": [{"card_type": 4, "desc": "暂无微博"}]}],
    },
}


def fault_accounts(platforms: FakePlatforms) -> dict[str, str]:
    """One account per fault (id -> what its CHECK_FAILED reason must name)."""
    platforms.add_weibo_account("5550000001", [DAYS * 1, DAYS * 2])
    platforms.answer("5550000001", {"ok": 1, "data": {"cards": []}})
    platforms.add_weibo_account("5550000002", [DAYS * 1])
    platforms.answer("5550000002", WEIBO_NO_POST_CARDS)
    platforms.add_weibo_account("5550000003", [-DAYS * 3, -DAYS * 40])  # dated ahead of now
    platforms.add_weibo_account("5550000004", [DAYS * 1])
    platforms.block("5550000004", "login")
    platforms.add_weibo_account("5550000005", [DAYS * 1])
    platforms.block("5550000005", "captcha")
    empty_feed = platforms.add_rss_feed("empty-feed", [])
    empty_body = platforms.add_rss_feed("empty-body", [DAYS * 1])
    platforms.answer("empty-body", b"", content_type="application/rss+xml")
    wechat = "MzAwMDAwMDAwMQ=="
    platforms.add_wechat_account(wechat, [DAYS * 1])
    platforms.answer(wechat, {"ret": -3, "errmsg": "no session", "cookie_count": 1}, on="all")
    register(
        "  - {id: wb-empty-cards, name: 空卡片, platform: weibo, uid: '5550000001'}\n"
        "  - {id: wb-no-posts, name: 无微博卡片, platform: weibo, uid: '5550000002'}\n"
        "  - {id: wb-future, name: 未来日期, platform: weibo, uid: '5550000003'}\n"
        "  - {id: wb-login, name: 要求登录, platform: weibo, uid: '5550000004'}\n"
        "  - {id: wb-captcha, name: 验证码, platform: weibo, uid: '5550000005'}\n"
        f"  - {{id: rss-empty, name: 空订阅源, platform: rss, feed: '{empty_feed}'}}\n"
        f"  - {{id: rss-blank, name: 空正文, platform: rss, feed: '{empty_body}'}}\n"
        f"  - {{id: wx-session, name: 无会话, platform: wechat, uid: '{wechat}'}}\n"
    )
    return {
        "wb-empty-cards": "cards 列表为空",
        "wb-no-posts": "没有微博内容",
        "wb-future": "晚于当前时间",
        "wb-login": "平台要求登录",
        "wb-captcha": "平台要求验证码",
        "rss-empty": "没有任何条目",
        "rss-blank": "空内容",
        "wx-session": "no session",
    }


FAULTS = (
    "wb-empty-cards",
    "wb-no-posts",
    "wb-future",
    "wb-login",
    "wb-captcha",
    "rss-empty",
    "rss-blank",
    "wx-session",
)


@pytest.mark.database_neutral
@pytest.mark.parametrize("account_id", FAULTS)
def test_fault_gives_check_failed_naming_the_fault_and_nothing_else(
    platforms: FakePlatforms, database_url: str, account_id: str
) -> None:
    named = fault_accounts(platforms)[account_id]  # registers them all; one is crawled
    crawl(account_id, database_url, platforms)
    assert rules() == {account_id: {"CHECK_FAILED"}}
    with session_scope() as session:
        (finding,) = query_findings(session, account=account_id, rule="CHECK_FAILED")
        assert named in finding.message, finding.message
        fetches = session.scalars(select(AccountFetch)).all()
        assert [f.error_class for f in fetches] == ["blocked"]
        assert fetches[0].complete_from is None
        assert session.scalar(select(func.count(Post.id))) == 0


@pytest.mark.database_neutral
def test_weibo_account_with_no_posts_is_told_apart_from_a_missing_one(
    platforms: FakePlatforms, database_url: str
) -> None:
    platforms.add_weibo_account("6660000001", [])  # exists, never posted
    register(
        "  - {id: empty, name: 空账号, platform: weibo, uid: '6660000001'}\n"
        "  - {id: missing, name: 已注销, platform: weibo, uid: '6660000002'}\n"
    )
    crawl("empty", database_url, platforms)
    crawl("missing", database_url, platforms)
    found = rules()
    # Proven empty (空壳): no post ever, so every full week of the quarter is short too.
    assert found["empty"] == {"ACCOUNT_STALE", "ACCOUNT_ZOMBIE", "ACCOUNT_LOW_FREQUENCY"}
    assert found["missing"] == {"CHECK_FAILED"}
    with session_scope() as session:
        fetches = {f.account_id: f for f in session.scalars(select(AccountFetch)).all()}
    assert fetches["empty"].error_class == "ok" and fetches["empty"].complete_from is not None
    assert fetches["missing"].block_reason == "not_found"


@pytest.mark.database_neutral
@pytest.mark.parametrize("pin_style", ["isTop", "title", "mblogtype", "proweibotop"])
def test_weibo_pins_of_every_marking_neither_stop_paging_nor_hide_silence(
    platforms: FakePlatforms, database_url: str, pin_style: str
) -> None:
    # Active: 3 posts a week for 20 weeks, and a pinned post 300 days old shown first.
    active = [DAYS * (2 * i + 1) for i in range(70)] + [DAYS * 300]
    platforms.add_weibo_account("7770000001", active, pinned_index=70, pin_style=pin_style)  # type: ignore[arg-type]
    # Silent for 20 days, with the same old pin.
    silent = [DAYS * (20 + 3 * i) for i in range(40)] + [DAYS * 300]
    platforms.add_weibo_account("7770000002", silent, pinned_index=40, pin_style=pin_style)  # type: ignore[arg-type]
    register(
        "  - {id: active, name: 活跃, platform: weibo, uid: '7770000001'}\n"
        "  - {id: silent, name: 沉默, platform: weibo, uid: '7770000002'}\n"
    )
    crawl("active", database_url, platforms)
    crawl("silent", database_url, platforms)
    found = rules()
    assert "active" not in found  # the whole window was read: no false low-frequency weeks
    assert "ACCOUNT_STALE" in found["silent"]  # the old pin does not count as fresh
    with session_scope() as session:
        pinned = session.scalars(select(Post).where(Post.pinned.is_(True))).all()
        oldest_active = session.scalar(
            select(func.min(Post.published_on)).where(
                Post.account_id == "active", Post.pinned.is_(False)
            )
        )
    assert {post.account_id for post in pinned} == {"active", "silent"}
    assert oldest_active < china_today() - timedelta(days=91)


@pytest.mark.database_neutral
def test_wechat_history_pages_reach_the_window_start(
    platforms: FakePlatforms, database_url: str
) -> None:
    biz = "MzAwMDAwMDAwMg=="
    platforms.add_wechat_account(biz, [DAYS * (1 + i) for i in range(150)])  # daily
    register(f"  - {{id: wx-daily, name: 每日发布, platform: wechat, uid: '{biz}'}}\n")
    crawl("wx-daily", database_url, platforms)
    with session_scope() as session:
        fetches = session.scalars(select(AccountFetch).order_by(AccountFetch.page_number)).all()
        oldest = session.scalar(select(func.min(Post.published_on)))
    getmsg = [r for r in platforms.requests_for(biz) if r.query.get("action") == "getmsg"]
    assert [r.query["offset"] for r in getmsg[:2]] == ["10", "20"]
    lookback = china_today() - timedelta(days=91)
    assert oldest < lookback  # followed next_offset back past the window start
    assert len(fetches) < 15  # ... and stopped there
    assert fetches[-1].complete_from == oldest
    assert rules() == {}  # no false ACCOUNT_LOW_FREQUENCY weeks


@pytest.mark.database_neutral
def test_wechat_no_session_on_a_later_page_keeps_only_what_was_proven(
    platforms: FakePlatforms, database_url: str
) -> None:
    biz = "MzAwMDAwMDAwMw=="
    platforms.add_wechat_account(biz, [DAYS * (1 + i) for i in range(30)])
    platforms.answer(biz, {"base_resp": {"ret": -3, "errmsg": "no session"}})  # getmsg only
    register(f"  - {{id: wx-half, name: 半截, platform: wechat, uid: '{biz}'}}\n")
    crawl("wx-half", database_url, platforms)
    with session_scope() as session:
        first, second = session.scalars(
            select(AccountFetch).order_by(AccountFetch.page_number)
        ).all()
        posts = session.scalar(select(func.count(Post.id)))
    assert first.error_class == "ok" and first.complete_from is None
    assert second.error_class == "blocked" and second.block_reason == "login_wall"
    # The home page's ten messages prove the timeline from the tenth day on, no further.
    assert posts == 10 and second.complete_from == china_today() - DAYS * 10


@pytest.mark.database_neutral
def test_platform_cookies_reach_the_platform_and_never_the_log(
    platforms: FakePlatforms, database_url: str
) -> None:
    platforms.add_weibo_account("8880000001", [DAYS * (2 * i + 1) for i in range(15)])
    register("  - {id: ck, name: 带登录, platform: weibo, uid: '8880000001'}\n")
    cookie = "SUB=_2A25secret-sub-value; SUBP=0033WrSXqPxfM72-secret"
    env = {
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_PLATFORM_DELAY_S": "0",
        "GOVWATCH_WEIBO_BASE_URL": platforms.base_url,
        "GOVWATCH_WEIBO_COOKIE": cookie,
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "account", "-a", "account=ck"]
    command += ["-s", "LOG_LEVEL=DEBUG"]
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = platforms.requests_for("8880000001")
    assert len(seen) >= 3  # the profile and two timeline pages
    for request in seen:
        assert "SUB=_2A25secret-sub-value" in request.cookie
        assert "SUBP=0033WrSXqPxfM72-secret" in request.cookie
    log = done.stdout + done.stderr
    assert "secret-sub-value" not in log and "0033WrSXqPxfM72-secret" not in log
    assert "GET " in log or "Crawled" in log  # the DEBUG log was really written


needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed"
)


@pytest.mark.database_neutral
@needs_chromium
def test_toutiao_profile_page_in_browser_gives_publish_times(
    platforms: FakePlatforms, database_url: str
) -> None:
    token = "MS4wLjABAAAAtt-e2e"
    # Every 2 days; items carry no publish_time: the id's time, not behot_time (+3 days).
    platforms.add_toutiao_account(
        token, [DAYS * (2 * i + 1) for i in range(60)], page_size=20, times="id_only"
    )
    register(f"  - {{id: tt, name: 头条号, platform: toutiao, uid: '{token}'}}\n")
    crawl("tt", database_url, platforms, GOVWATCH_TOUTIAO_COOKIE="ttwid=1%7Csecret-tt")
    with session_scope() as session:
        days = sorted(session.scalars(select(Post.published_on)), reverse=True)
    assert days[0] == china_today() - DAYS  # 1 day old, not pushed 3 days later
    assert days[:3] == [china_today() - DAYS * n for n in (1, 3, 5)]
    feed = [r for r in platforms.requests_for(token) if r.path.startswith("/api/")]
    assert len(feed) >= 3 and feed[0].query["max_behot_time"] == "0"
    # The cookie was put in the browser: the page's own feed requests carry it.
    assert all("ttwid=1%7Csecret-tt" in request.cookie for request in feed)
    assert rules() == {}


@pytest.mark.database_neutral
@needs_chromium
@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"status_code": 0}, "status_code=0"),
        (
            {"status_code": 0, "aweme_list": [], "has_more": 0,
             "not_login_module": {"guide_login_tip_exist": True}},
            "not_login_module",
        ),
        ({"status_code": 8, "status_msg": ""}, "status_code=8"),
        ({"status_code": 2483, "status_msg": ""}, "status_code=2483"),
    ],
)  # fmt: skip
def test_douyin_logged_out_answers_are_check_failed_only(
    platforms: FakePlatforms, database_url: str, payload: dict, named: str
) -> None:
    platforms.add_douyin_account("MS4wLjdy", [DAYS * 200])
    platforms.answer("MS4wLjdy", payload)
    register("  - {id: dy, name: 抖音号, platform: douyin, uid: MS4wLjdy}\n")
    crawl("dy", database_url, platforms)
    assert rules() == {"dy": {"CHECK_FAILED"}}
    with session_scope() as session:
        (finding,) = query_findings(session, account="dy", rule="CHECK_FAILED")
    assert "平台要求登录" in finding.message and named in finding.message
