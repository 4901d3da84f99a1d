"""Tests for the toutiao adapter on synthetic profile-feed fixtures."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crawler.platforms import AccountRef, BlockReason, get_adapter
from crawler.platforms.times import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "platforms"
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
ADAPTER = get_adapter("toutiao")
ACCOUNT = AccountRef("tt-1", "toutiao", "3253636303", None, "某市人民政府")
FIRST = ADAPTER.first_request(ACCOUNT)


def _parse(name: str, request=FIRST):
    body = (FIXTURES / name).read_bytes()
    return ADAPTER.parse(ACCOUNT, request, 200, body, "application/json", NOW)


def test_first_request() -> None:
    assert FIRST.url == (
        "https://www.toutiao.com/api/pc/feed/?category=profile_all&utm_source=toutiao"
        "&visit_user_id=3253636303&max_behot_time=0"
    )


def test_page1_posts_and_next_max_behot_time() -> None:
    page = _parse("toutiao_profile_feed_page1.json")
    assert page.blocked is None
    assert [post.platform_post_id for post in page.posts] == [
        "7300000000000000001",
        "7300000000000000002",
        "7300000000000000003",
        "7300000000000000004",
    ]
    pinned, notice, video, behot_only = page.posts
    assert pinned.pinned and pinned.has_images
    assert notice.published_at == datetime.fromtimestamp(1763770000, SHANGHAI)
    assert notice.url == "https://www.toutiao.com/article/7300000000000000002/"
    assert video.has_video and video.url.endswith("/video/7300000000000000003/")
    # publish_time missing: behot_time is the best date there is.
    assert behot_only.published_at == datetime.fromtimestamp(1763500120, SHANGHAI)
    assert page.next_request is not None
    assert page.next_request.url.endswith("&max_behot_time=1763500120")
    assert page.next_request.cursor == "1763500120"


def test_last_page_ends_pagination() -> None:
    page = _parse(
        "toutiao_profile_feed_last.json", _parse("toutiao_profile_feed_page1.json").next_request
    )
    assert len(page.posts) == 1
    assert page.next_request is None


def test_empty_feed_is_an_unblocked_empty_page() -> None:
    page = _parse("toutiao_profile_feed_empty.json")
    assert page.blocked is None and page.posts == () and page.next_request is None


def test_error_message_is_blocked() -> None:
    page = _parse("toutiao_feed_error.json")
    assert page.blocked is BlockReason.HTTP_ERROR
    assert page.posts == ()
    assert "error" in page.detail
