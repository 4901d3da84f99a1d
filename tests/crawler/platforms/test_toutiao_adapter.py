"""Tests for the toutiao adapter on profile-feed fixtures (synthetic, and real items)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crawler.platforms import AccountRef, BlockReason, PageRequest, get_adapter
from crawler.platforms.times import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "platforms"
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
ADAPTER = get_adapter("toutiao")
ACCOUNT = AccountRef("tt-1", "toutiao", "3253636303", None, "某市人民政府")
FIRST = ADAPTER.first_request(ACCOUNT)


def _parse(name: str, request=FIRST):
    body = (FIXTURES / name).read_bytes()
    return ADAPTER.parse(ACCOUNT, request, 200, body, "application/json", NOW)


def test_first_request_renders_the_profile_page_and_captures_its_feed() -> None:
    assert FIRST.url == "https://www.toutiao.com/c/user/3253636303/"
    assert FIRST.needs_browser
    token = AccountRef("tt-2", "toutiao", "MS4wLjABAAAAxyz", None, "x")
    assert (
        ADAPTER.first_request(token).url == "https://www.toutiao.com/c/user/token/MS4wLjABAAAAxyz/"
    )
    feed = (
        "https://www.toutiao.com/api/pc/list/user/feed?category=profile_all"
        "&token=MS4wLjABAAAAxyz&max_behot_time={}&aid=24&app_name=toutiao_web&_signature=_02B"
    )
    assert ADAPTER.capture_matches(FIRST, feed.format(0))
    assert not ADAPTER.capture_matches(FIRST, feed.format(1656311634989))
    later = PageRequest(url=FIRST.url, needs_browser=True, cursor="1656311634989")
    assert ADAPTER.capture_matches(later, feed.format(1656311634989))
    assert not ADAPTER.capture_matches(FIRST, "https://www.toutiao.com/api/pc/feed/?x=1")


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
    # publish_time missing: the id's high 32 bits, never behot_time (a feed push time).
    assert behot_only.published_at == datetime.fromtimestamp(7300000000000000004 >> 32, SHANGHAI)
    assert behot_only.published_at != datetime.fromtimestamp(1763500120, SHANGHAI)
    assert page.next_request is not None
    assert page.next_request.url == FIRST.url and page.next_request.needs_browser
    assert page.next_request.cursor == "1763500120"
    assert not page.end_of_timeline


def test_last_page_ends_pagination() -> None:
    page = _parse(
        "toutiao_profile_feed_last.json", _parse("toutiao_profile_feed_page1.json").next_request
    )
    assert len(page.posts) == 1
    assert page.next_request is None
    assert page.end_of_timeline  # has_more: false


def test_empty_feed_with_has_more_false_is_a_proven_empty_account() -> None:
    page = _parse("toutiao_profile_feed_empty.json")
    assert page.blocked is None and page.posts == () and page.next_request is None
    assert page.end_of_timeline


def test_success_without_data_or_has_more_is_check_failed() -> None:
    page = ADAPTER.parse(ACCOUNT, FIRST, 200, b'{"message": "success"}', "application/json", NOW)
    assert page.blocked is BlockReason.UNPARSEABLE and page.posts == ()


def test_real_items_use_publish_time_not_behot_time() -> None:
    """Items of a real 2018 feed answer: behot_time is 14 hours after publish_time, and the
    id's high bits agree with publish_time."""
    body = (FIXTURES / "toutiao_feed_items_real_2018.json").read_bytes()
    page = ADAPTER.parse(ACCOUNT, FIRST, 200, body, "application/json", NOW)
    pinned, plain = page.posts
    assert pinned.pinned  # is_stick, label 置顶
    assert pinned.published_at == datetime.fromtimestamp(1515514773, SHANGHAI)
    assert plain.published_at == datetime.fromtimestamp(1504657933, SHANGHAI)
    assert abs((6509088088281580039 >> 32) - 1515514773) < 3600


def test_error_message_is_blocked() -> None:
    page = _parse("toutiao_feed_error.json")
    assert page.blocked is BlockReason.HTTP_ERROR
    assert page.posts == ()
    assert "error" in page.detail
