"""Drive the adapters against the local fake platform server with httpx, page by page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from fakes.platforms import FakePlatforms

from crawler.platforms import AccountRef, BlockReason, PageRequest, TimelinePage, get_adapter
from crawler.platforms.douyin import capture_matches
from crawler.platforms.times import SHANGHAI

MAX_PAGES = 20
WINDOW = timedelta(days=14)


def _fetch(client: httpx.Client, request: PageRequest) -> tuple[int, bytes, str | None]:
    response = client.get(request.url, headers=request.headers)
    return response.status_code, response.content, response.headers.get("content-type")


def walk(
    platform: str,
    fake: FakePlatforms,
    account: AccountRef,
    stop_before: datetime | None = None,
) -> list[TimelinePage]:
    """Pages until next_request is None (or, like the spider, until posts get too old)."""
    adapter = get_adapter(platform, fake.base_url)
    pages: list[TimelinePage] = []
    request: PageRequest | None = adapter.first_request(account)
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        while request is not None and len(pages) < MAX_PAGES:
            status, body, content_type = _fetch(client, request)
            page = adapter.parse(
                account, request, status, body, content_type, datetime.now(SHANGHAI)
            )
            if page.lookup and page.blocked is None:
                request = page.next_request  # Weibo's profile: locates the timeline
                continue
            pages.append(page)
            unpinned = [post.published_at for post in page.posts if not post.pinned]
            if stop_before is not None and unpinned and min(unpinned) < stop_before:
                break
            request = page.next_request
    assert len(pages) < MAX_PAGES, "pagination did not end"
    return pages


def _posts(pages: list[TimelinePage]) -> list:
    return [post for page in pages for post in page.posts]


def _weibo(uid: str) -> AccountRef:
    return AccountRef(f"wb-{uid}", "weibo", uid, None, uid)


def test_weibo_walks_since_id_pages_until_the_end(fake_platforms: FakePlatforms) -> None:
    ages = [timedelta(hours=hours) for hours in range(1, 50, 2)]  # 25 posts
    fake_platforms.add_weibo_account("2000000001", ages, page_size=10, pinned_index=7)
    pages = walk("weibo", fake_platforms, _weibo("2000000001"))
    assert [len(page.posts) for page in pages] == [10, 10, 5]
    assert all(page.blocked is None for page in pages)
    posts = _posts(pages)
    assert len({post.platform_post_id for post in posts}) == 25
    assert posts[0].pinned and sum(post.pinned for post in posts) == 1
    newest = max(post.published_at for post in posts)
    assert datetime.now(SHANGHAI) - newest < timedelta(hours=2)
    seen = fake_platforms.requests_for("2000000001")
    assert len(seen) == 4  # the profile, then three timeline pages
    assert seen[0].query["containerid"] == "1005052000000001"
    assert seen[1].query["containerid"] == "1076032000000001"  # named by the profile's tabs
    assert "since_id" not in seen[1].query
    assert seen[2].query["since_id"] == pages[1].posts[0].platform_post_id
    assert seen[1].headers.get("MWeibo-Pwa") == "1"


def test_weibo_fresh_and_stale_accounts(fake_platforms: FakePlatforms) -> None:
    fake_platforms.add_weibo_account("2000000002", [timedelta(days=2), timedelta(days=40)])
    fake_platforms.add_weibo_account("2000000003", [timedelta(days=20), timedelta(days=45)])
    window_start = datetime.now(SHANGHAI) - WINDOW
    fresh = _posts(walk("weibo", fake_platforms, _weibo("2000000002")))
    stale = _posts(walk("weibo", fake_platforms, _weibo("2000000003")))
    assert max(post.published_at for post in fresh) > window_start
    assert max(post.published_at for post in stale) < window_start


def test_weibo_spider_style_stop_makes_one_request(fake_platforms: FakePlatforms) -> None:
    ages = [timedelta(days=day) for day in range(0, 60, 2)]  # 30 posts, 3 pages
    fake_platforms.add_weibo_account("2000000004", ages, page_size=10)
    pages = walk(
        "weibo",
        fake_platforms,
        _weibo("2000000004"),
        stop_before=datetime.now(SHANGHAI) - WINDOW,
    )
    assert len(pages) == 1
    assert pages[0].next_request is not None
    assert len(fake_platforms.requests_for("2000000004")) == 2  # profile + one page


def test_weibo_relative_times_and_page_numbers(fake_platforms: FakePlatforms) -> None:
    ages = [timedelta(seconds=20), timedelta(minutes=5), timedelta(hours=30), timedelta(days=3)]
    ages += [timedelta(days=400)]
    fake_platforms.add_weibo_account(
        "2000000005", ages, page_size=2, time_style="relative", paging="page"
    )
    pages = walk("weibo", fake_platforms, _weibo("2000000005"))
    assert [len(page.posts) for page in pages] == [2, 2, 1]
    seen = fake_platforms.requests_for("2000000005")
    assert [request.query.get("page") for request in seen] == [None, None, "2", "3"]
    now = datetime.now(SHANGHAI)
    posts = _posts(pages)
    assert now - posts[0].published_at < timedelta(minutes=2)
    assert timedelta(minutes=4) < now - posts[1].published_at < timedelta(minutes=7)
    assert timedelta(days=300) < now - posts[-1].published_at


def test_weibo_unknown_account_is_not_found(fake_platforms: FakePlatforms) -> None:
    (page,) = walk("weibo", fake_platforms, _weibo("2999999999"))
    assert page.blocked is BlockReason.NOT_FOUND


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("captcha", BlockReason.CAPTCHA),
        ("login", BlockReason.LOGIN_WALL),
        ("login_redirect", BlockReason.LOGIN_WALL),
        ("418", BlockReason.RATE_LIMITED),
        ("429", BlockReason.RATE_LIMITED),
        ("432", BlockReason.LOGIN_WALL),
        ("err_json", BlockReason.RATE_LIMITED),
        ("garbage", BlockReason.UNPARSEABLE),
        ("empty", BlockReason.UNPARSEABLE),
    ],
)
def test_weibo_blocks(fake_platforms: FakePlatforms, kind: str, reason: BlockReason) -> None:
    fake_platforms.add_weibo_account("2000000006", [timedelta(days=1)])
    fake_platforms.block("2000000006", kind=kind)  # type: ignore[arg-type]
    (page,) = walk("weibo", fake_platforms, _weibo("2000000006"))
    assert page.blocked is reason
    assert page.posts == ()
    fake_platforms.unblock("2000000006")
    (page,) = walk("weibo", fake_platforms, _weibo("2000000006"))
    assert page.blocked is None and len(page.posts) == 1


def test_wechat_feed_with_dates(fake_platforms: FakePlatforms) -> None:
    feed = fake_platforms.add_wechat_account(
        "MzA3MDAwMDAwMQ==", [timedelta(days=1), timedelta(days=9)]
    )
    account = AccountRef("wx-1", "wechat", None, feed, "某市发布")
    (page,) = walk("wechat", fake_platforms, account)
    assert page.blocked is None
    assert len(page.posts) == 2
    assert datetime.now(SHANGHAI) - page.posts[0].published_at < timedelta(days=1, minutes=1)


def test_wechat_feed_without_dates_reads_article_pages(fake_platforms: FakePlatforms) -> None:
    biz = "MzA3MDAwMDAwMg=="
    ages = [timedelta(days=1), timedelta(days=3), timedelta(days=30)]
    feed = fake_platforms.add_wechat_account(biz, ages, feed_dates=False, expired=[1])
    account = AccountRef("wx-2", "wechat", None, feed, "某市发布")
    pages = walk("wechat", fake_platforms, account)
    assert len(pages) == 4  # the feed, then one article page per undated entry
    assert all(page.blocked is None for page in pages)
    posts = _posts(pages)
    assert len(posts) == 2  # post 1's article expired
    now = datetime.now(SHANGHAI)
    assert sorted(round((now - post.published_at) / timedelta(days=1)) for post in posts) == [1, 30]
    assert "expired" in pages[2].detail
    assert len(fake_platforms.requests_for(biz)) == 4


def test_wechat_history_page(fake_platforms: FakePlatforms) -> None:
    biz = "MzA3MDAwMDAwMw=="
    fake_platforms.add_wechat_account(biz, [timedelta(hours=5), timedelta(days=2)])
    account = AccountRef("wx-3", "wechat", biz, None, "某市发布")
    (page,) = walk("wechat", fake_platforms, account)
    assert page.blocked is None
    assert len(page.posts) == 2
    assert page.posts[0].url.startswith(f"{fake_platforms.base_url}/s/{quote(biz, safe='')}/")


def test_wechat_captcha(fake_platforms: FakePlatforms) -> None:
    biz = "MzA3MDAwMDAwNA=="
    feed = fake_platforms.add_wechat_account(biz, [timedelta(days=1)])
    fake_platforms.block(biz, kind="captcha")
    (page,) = walk("wechat", fake_platforms, AccountRef("wx-4", "wechat", None, feed, "x"))
    assert page.blocked is BlockReason.CAPTCHA


def _browser_walk(
    platform: str, fake: FakePlatforms, account: AccountRef, xhr_url: Callable[[str], str]
) -> list[TimelinePage]:
    """A browser-read platform page by page: the page's own feed request for each cursor
    (``xhr_url(cursor)``, a stand-in for the browser), checked against capture_matches."""
    adapter = get_adapter(platform, fake.base_url)
    request: PageRequest | None = adapter.first_request(account)
    pages: list[TimelinePage] = []
    with httpx.Client(timeout=10) as client:
        assert request is not None and request.needs_browser
        assert client.get(request.url).status_code == 200
        while request is not None and len(pages) < MAX_PAGES:
            xhr = xhr_url(request.cursor or "0")
            assert adapter.capture_matches(request, xhr)
            response = client.get(xhr)
            page = adapter.parse(
                account,
                request,
                response.status_code,
                response.content,
                response.headers.get("content-type"),
                datetime.now(SHANGHAI),
            )
            pages.append(page)
            request = page.next_request
    return pages


def _toutiao_xhr(fake: FakePlatforms, token: str) -> Callable[[str], str]:
    return lambda cursor: (
        f"{fake.base_url}/api/pc/list/user/feed?category=profile_all&token={token}"
        f"&max_behot_time={cursor}&aid=24&app_name=toutiao_web&_signature=x"
    )


@pytest.mark.parametrize("times", ["publish_time", "create_time", "id_only"])
def test_toutiao_walks_feed_pages_with_publish_times(
    fake_platforms: FakePlatforms, times: str
) -> None:
    token = "MS4wLjABAAAAtoutiao1"
    ages = [timedelta(hours=6 * step) for step in range(1, 13)]  # 12 posts
    fake_platforms.add_toutiao_account(token, ages, page_size=5, times=times)  # type: ignore[arg-type]
    account = AccountRef("tt-1", "toutiao", token, None, "x")
    pages = _browser_walk("toutiao", fake_platforms, account, _toutiao_xhr(fake_platforms, token))
    assert [len(page.posts) for page in pages] == [5, 5, 2]
    assert pages[-1].end_of_timeline and not pages[0].end_of_timeline
    posts = _posts(pages)
    assert len({post.platform_post_id for post in posts}) == 12
    # Publish times (never behot_time, three days later): the newest is 6 hours old.
    now = datetime.now(SHANGHAI)
    assert timedelta(hours=5) < now - posts[0].published_at < timedelta(hours=7)
    assert timedelta(hours=71) < now - posts[-1].published_at < timedelta(hours=73)
    seen = [r for r in fake_platforms.requests_for(token) if r.path.startswith("/api/")]
    assert seen[0].query["max_behot_time"] == "0"


def test_toutiao_blocked(fake_platforms: FakePlatforms) -> None:
    fake_platforms.add_toutiao_account("3000000002", [timedelta(days=1)])
    fake_platforms.answer("3000000002", {"message": "error", "data": [], "has_more": False})
    account = AccountRef("tt-2", "toutiao", "3000000002", None, "x")
    xhr = _toutiao_xhr(fake_platforms, "3000000002")
    (page,) = _browser_walk("toutiao", fake_platforms, account, xhr)
    assert page.blocked is BlockReason.HTTP_ERROR


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_rss_feed(fake_platforms: FakePlatforms, fmt: str) -> None:
    ages = [timedelta(days=1), timedelta(days=20)]
    feed = fake_platforms.add_rss_feed(f"site-{fmt}", ages, fmt=fmt, undated=1)  # type: ignore[arg-type]
    (page,) = walk("rss", fake_platforms, AccountRef("rss-1", "rss", None, feed, "x"))
    assert page.blocked is None
    assert len(page.posts) == 2
    assert "1 entries without a date skipped" in page.detail
    now = datetime.now(SHANGHAI)
    assert timedelta(hours=23) < now - page.posts[0].published_at < timedelta(hours=25)


def test_rss_429(fake_platforms: FakePlatforms) -> None:
    feed = fake_platforms.add_rss_feed("busy", [timedelta(days=1)])
    fake_platforms.block("busy", kind="429")
    (page,) = walk("rss", fake_platforms, AccountRef("rss-2", "rss", None, feed, "x"))
    assert page.blocked is BlockReason.RATE_LIMITED


def test_douyin_post_list_chain_as_a_browser_would_capture_it(
    fake_platforms: FakePlatforms,
) -> None:
    sec_uid = "MS4wLjABAAAAfake"
    ages = [timedelta(days=day) for day in range(1, 8)]
    fake_platforms.add_douyin_account(sec_uid, ages, page_size=3, pinned_index=6)
    adapter = get_adapter("douyin", fake_platforms.base_url)
    account = AccountRef("dy-1", "douyin", sec_uid, None, "x")
    request: PageRequest | None = adapter.first_request(account)
    pages: list[TimelinePage] = []
    with httpx.Client(timeout=10) as client:
        page_html = client.get(request.url)
        assert "/aweme/v1/web/aweme/post/" in page_html.text
        while request is not None and len(pages) < MAX_PAGES:
            # What the page's script requests for this cursor (stand-in for the browser).
            xhr = (
                f"{fake_platforms.base_url}/aweme/v1/web/aweme/post/?sec_user_id={sec_uid}"
                f"&count=18&max_cursor={request.cursor or 0}"
            )
            assert capture_matches(request, xhr)
            response = client.get(xhr)
            page = adapter.parse(
                account,
                request,
                response.status_code,
                response.content,
                response.headers.get("content-type"),
                datetime.now(SHANGHAI),
            )
            pages.append(page)
            request = page.next_request
    assert [len(page.posts) for page in pages] == [3, 3, 1]
    posts = _posts(pages)
    assert posts[0].pinned
    assert len({post.platform_post_id for post in posts}) == 7
