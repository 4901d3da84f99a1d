"""Tests for the rss adapter on synthetic feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.platforms import AccountRef, BlockReason, get_adapter
from crawler.platforms.times import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "platforms"
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
ADAPTER = get_adapter("rss")
ACCOUNT = AccountRef("rss-1", "rss", None, "https://www.example.gov.cn/feed/atom.xml", "某区")
FIRST = ADAPTER.first_request(ACCOUNT)


def _parse(name: str, content_type: str = "application/rss+xml"):
    return ADAPTER.parse(ACCOUNT, FIRST, 200, (FIXTURES / name).read_bytes(), content_type, NOW)


def test_first_request_is_the_feed() -> None:
    assert FIRST.url == ACCOUNT.feed
    with pytest.raises(ValueError, match="no feed URL"):
        ADAPTER.first_request(AccountRef("rss-2", "rss", None, None, "x"))


def test_rss_dates_media_and_undated_entry() -> None:
    page = _parse("rss_gov_news.xml")
    assert page.blocked is None
    assert page.next_request is None
    meeting, drill, notice = page.posts
    assert meeting.published_at == datetime(2025, 11, 21, 17, 20, tzinfo=SHANGHAI)
    assert meeting.platform_post_id == "t20251121_1001"
    assert meeting.has_images and not meeting.has_video
    assert drill.published_at == datetime(2025, 11, 19, 2, 0, tzinfo=UTC)
    assert drill.has_video
    # A date without a zone in a Chinese feed is Beijing time, not UTC.
    assert notice.published_at == datetime(2025, 11, 10, 9, 30, tzinfo=SHANGHAI)
    assert all(post.published_at.tzinfo is not None for post in page.posts)
    assert "1 entries without a date skipped" in page.detail
    assert "https://www.example.gov.cn/zfxxgk/zn/" in page.detail


def test_paged_atom_follows_relative_next_link() -> None:
    page = _parse("rss_atom_paged_1.xml", "application/atom+xml")
    assert len(page.posts) == 1
    assert page.posts[0].published_at == datetime(2025, 11, 22, 8, 0, tzinfo=SHANGHAI)
    assert page.next_request is not None
    assert page.next_request.url == "https://www.example.gov.cn/feed/atom-2.xml"


def test_feed_with_only_undated_entries_is_unparseable_not_empty() -> None:
    page = _parse("rss_all_undated.xml")
    assert page.blocked is BlockReason.UNPARSEABLE
    assert page.posts == ()
    assert "2 entries without a date" in page.detail


def test_valid_feed_without_items_is_check_failed_not_an_empty_account() -> None:
    page = _parse("rss_empty.xml")
    assert page.blocked is BlockReason.UNPARSEABLE and page.posts == ()
    assert "没有任何条目" in page.detail


def test_empty_body_with_200_is_check_failed() -> None:
    for body in (b"", b"   \n"):
        page = ADAPTER.parse(ACCOUNT, FIRST, 200, body, "application/rss+xml", NOW)
        assert page.blocked is BlockReason.UNPARSEABLE
        assert "空内容" in page.detail


def test_a_feed_proves_completeness_only_with_fh_complete() -> None:
    plain = _parse("rss_gov_news.xml")
    assert plain.posts and not plain.end_of_timeline
    complete = (FIXTURES / "rss_fh_complete.xml").read_bytes()
    page = ADAPTER.parse(ACCOUNT, FIRST, 200, complete, "application/rss+xml", NOW)
    assert page.blocked is None and len(page.posts) == 1 and page.end_of_timeline


def test_html_and_garbage_instead_of_a_feed() -> None:
    captcha = _parse("captcha_page.html", "text/html")
    assert captcha.blocked is BlockReason.CAPTCHA
    plain = ADAPTER.parse(ACCOUNT, FIRST, 200, b"<html><body>hello</body></html>", None, NOW)
    assert plain.blocked is BlockReason.UNPARSEABLE
    garbage = ADAPTER.parse(ACCOUNT, FIRST, 200, b'{"not": "a feed"}', "application/json", NOW)
    assert garbage.blocked is BlockReason.UNPARSEABLE and garbage.posts == ()
