"""Tests for the douyin adapter on synthetic post-list fixtures."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawler.platforms import AccountRef, BlockReason, PageRequest, get_adapter
from crawler.platforms.douyin import POST_LIST_PATH, capture_matches
from crawler.platforms.times import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "platforms"
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
ADAPTER = get_adapter("douyin")
ACCOUNT = AccountRef("dy-1", "douyin", "MS4wLjABAAAAsynthetic_sec_uid", None, "某市发布")
FIRST = ADAPTER.first_request(ACCOUNT)
XHR = (
    "https://www.douyin.com/aweme/v1/web/aweme/post/?device_platform=webapp&sec_user_id=x&count=18"
)


def _parse(name: str, request: PageRequest = FIRST):
    body = (FIXTURES / name).read_bytes()
    return ADAPTER.parse(ACCOUNT, request, 200, body, "application/json", NOW)


def test_first_request_renders_the_user_page_and_captures_the_post_list() -> None:
    assert FIRST.url == "https://www.douyin.com/user/MS4wLjABAAAAsynthetic_sec_uid"
    assert FIRST.needs_browser
    assert FIRST.capture_url_contains == POST_LIST_PATH
    assert FIRST.cursor is None


def test_page1_posts_pinned_note_and_next_cursor() -> None:
    page = _parse("douyin_post_page1.json")
    assert page.blocked is None
    pinned, newest, note, oldest = page.posts
    assert pinned.pinned and pinned.has_video and not pinned.has_images
    assert pinned.published_at == datetime.fromtimestamp(1762000000, SHANGHAI)
    assert newest.platform_post_id == "7440000000000000002"
    assert newest.url == "https://www.douyin.com/video/7440000000000000002"
    assert newest.title.startswith("今日立冬")
    assert note.has_images and not note.has_video
    assert note.url.endswith("/note/7440000000000000003")
    assert not oldest.pinned
    assert page.next_request is not None
    assert page.next_request.needs_browser
    assert page.next_request.cursor == "1763400000000"
    assert page.next_request.url == FIRST.url


def test_last_page_ends_pagination() -> None:
    page = _parse("douyin_post_last.json", _parse("douyin_post_page1.json").next_request)
    assert len(page.posts) == 1
    assert page.next_request is None


def test_account_without_posts_is_empty_not_blocked() -> None:
    page = _parse("douyin_post_empty.json")
    assert page.blocked is None and page.posts == () and page.next_request is None


def test_status_code_error_is_blocked() -> None:
    page = _parse("douyin_post_error.json")
    assert page.blocked is BlockReason.NOT_FOUND
    assert page.posts == ()


def test_verify_page_and_empty_body_are_blocked() -> None:
    verify = (FIXTURES / "douyin_verify_page.html").read_bytes()
    page = ADAPTER.parse(ACCOUNT, FIRST, 200, verify, "text/html", NOW)
    assert page.blocked is BlockReason.CAPTCHA
    empty = ADAPTER.parse(ACCOUNT, FIRST, 200, b"", "application/json", NOW)
    assert empty.blocked is BlockReason.UNPARSEABLE and empty.posts == ()


def test_capture_matches_first_and_later_pages() -> None:
    assert capture_matches(FIRST, XHR)
    assert capture_matches(FIRST, XHR + "&max_cursor=0")
    assert not capture_matches(FIRST, XHR + "&max_cursor=1763400000000")
    later = PageRequest(
        url=FIRST.url,
        needs_browser=True,
        capture_url_contains=POST_LIST_PATH,
        cursor="1763400000000",
    )
    assert capture_matches(later, XHR + "&max_cursor=1763400000000")
    assert not capture_matches(later, XHR)
    assert not capture_matches(FIRST, "https://www.douyin.com/aweme/v1/web/user/profile/other/")


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("douyin_status_code_only.json", "status_code=0"),
        ("douyin_not_login_module.json", "not_login_module"),
        ("douyin_status_8.json", "status_code=8"),
        ("douyin_status_2483.json", "status_code=2483"),
    ],
)
def test_logged_out_answers_are_login_walls_not_empty_timelines(name: str, named: str) -> None:
    page = _parse(name)
    assert page.blocked is BlockReason.LOGIN_WALL
    assert named in page.detail
    assert page.posts == () and not page.end_of_timeline


def test_only_a_stated_has_more_0_ends_the_timeline() -> None:
    assert _parse("douyin_post_last.json").end_of_timeline
    assert not _parse("douyin_post_page1.json").end_of_timeline
    body = json.loads((FIXTURES / "douyin_post_last.json").read_text("utf-8"))
    del body["has_more"]
    page = ADAPTER.parse(ACCOUNT, FIRST, 200, json.dumps(body).encode(), None, NOW)
    assert page.posts and not page.end_of_timeline
    body["has_more"] = 0
    body["not_login_module"] = {"guide_login_tip_exist": True}  # a visitor's cut-down page
    page = ADAPTER.parse(ACCOUNT, FIRST, 200, json.dumps(body).encode(), None, NOW)
    assert page.posts and not page.end_of_timeline
