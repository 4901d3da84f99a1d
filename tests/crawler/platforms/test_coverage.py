"""The completeness rule every account crawl obeys (crawler.platforms.coverage)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from crawler.platforms.base import BlockReason, PageRequest, Post, TimelinePage, blocked_page
from crawler.platforms.coverage import TIMELINE_START, TimelineProgress
from crawler.platforms.times import SHANGHAI
from crawler.spiders.account import split_cookies

NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
WINDOW_START = date(2025, 10, 1)
NEXT = PageRequest(url="https://example.cn/next")


def _post(days_ago: float, pinned: bool = False) -> Post:
    at = NOW - timedelta(days=days_ago)
    return Post(f"p{days_ago}", "https://example.cn/p", "t", at, False, False, pinned)


def _page(*days_ago: float, follow: bool = True, end: bool = False, pin: float | None = None):
    posts = tuple(_post(days) for days in days_ago)
    if pin is not None:
        posts = (_post(pin, pinned=True), *posts)
    return TimelinePage(posts=posts, next_request=NEXT if follow else None, end_of_timeline=end)


def _progress(max_pages: int = 50) -> TimelineProgress:
    return TimelineProgress(WINDOW_START, max_pages)


def _day(days_ago: float) -> date:
    return (NOW - timedelta(days=days_ago)).date()


def test_an_explicit_end_proves_the_whole_timeline() -> None:
    progress = _progress()
    assert progress.after(_page(1, 2), 1, NOW).follow == NEXT
    step = progress.after(_page(3, end=True, follow=False), 2, NOW)
    assert step.follow is None and step.complete_from == TIMELINE_START


def test_an_empty_answer_with_an_end_marker_is_a_proven_empty_account() -> None:
    step = _progress().after(_page(follow=False, end=True), 1, NOW)
    assert step.page.blocked is None and step.complete_from == TIMELINE_START


def test_posts_past_the_window_start_prove_completeness_from_the_oldest_read() -> None:
    progress = _progress()
    progress.after(_page(1, 20), 1, NOW)
    step = progress.after(_page(40, 70), 2, NOW)  # 70 days ago is before Oct 1
    assert step.follow is None and step.complete_from == _day(70)


def test_no_next_page_without_an_end_marker_is_partial() -> None:
    progress = _progress()
    progress.after(_page(1, 5), 1, NOW)
    step = progress.after(_page(9, 12, follow=False), 2, NOW)
    assert step.page.blocked is None
    assert step.complete_from == _day(12)  # not TIMELINE_START: nothing says it ends here


def test_page_limit_is_partial() -> None:
    step = _progress(max_pages=1).after(_page(1, 5), 1, NOW)
    assert step.follow is None and step.complete_from == _day(5)


def test_no_posts_and_no_proof_is_check_failed() -> None:
    step = _progress().after(_page(follow=False), 1, NOW)
    assert step.page.blocked is BlockReason.UNPARSEABLE
    assert "不能视为空账号" in step.page.detail and step.complete_from is None


def test_only_pinned_posts_and_no_proof_is_check_failed() -> None:
    step = _progress().after(_page(follow=False, pin=300), 1, NOW)
    assert step.page.blocked is BlockReason.UNPARSEABLE and "置顶" in step.page.detail


def test_an_old_pin_neither_stops_paging_nor_sets_completeness() -> None:
    progress = _progress()
    step = progress.after(_page(1, 3, pin=300), 1, NOW)
    assert step.follow == NEXT and step.complete_from is None
    assert progress.oldest == _day(3)


def test_a_later_block_keeps_what_earlier_pages_proved() -> None:
    progress = _progress()
    progress.after(_page(1, 6), 1, NOW)
    step = progress.after(blocked_page(BlockReason.LOGIN_WALL, "no session"), 2, NOW)
    assert step.page.blocked is BlockReason.LOGIN_WALL and step.complete_from == _day(6)
    assert progress.failed() == _day(6)


def test_posts_dated_in_the_future_make_the_answer_check_failed() -> None:
    step = _progress().after(_page(1, -3), 1, NOW)
    assert step.page.blocked is BlockReason.UNPARSEABLE
    assert "晚于当前时间" in step.page.detail and step.page.posts == ()
    assert step.complete_from is None
    # Clock skew of a few minutes is not a fault.
    assert _progress().after(_page(-0.01, 2), 1, NOW).page.blocked is None


def test_cookie_header_becomes_scrapy_cookies() -> None:
    headers = {"Accept": "application/json", "Cookie": "SUB=_2A25x; SUBP=0033=; bad"}
    rest, cookies = split_cookies(headers)
    assert rest == {"Accept": "application/json"}
    assert cookies == {"SUB": "_2A25x", "SUBP": "0033="}
