"""Tests for the weibo adapter on the real m.weibo.cn payloads of the corpus and fixtures."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from corpus import corpus_path

from crawler.platforms import AccountRef, BlockReason, PageRequest, get_adapter
from crawler.platforms.times import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "platforms"
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
ADAPTER = get_adapter("weibo")
ACCOUNT = AccountRef("wb-1", "weibo", "6279793937", None, "明日方舟")
PROFILE = ADAPTER.first_request(ACCOUNT)
PROFILE_BODY = corpus_path("weibo", "nonebot-bison_weibo_ak_profile.json").read_text("utf-8")


def _timeline_request(account: AccountRef) -> PageRequest:
    """The first timeline request, as the (real) profile answer locates it."""
    body = PROFILE_BODY.replace("6279793937", account.uid or "").encode()
    request = ADAPTER.first_request(account)
    page = ADAPTER.parse(account, request, 200, body, "application/json", NOW)
    assert page.lookup and page.blocked is None and page.next_request is not None
    return page.next_request


FIRST = _timeline_request(ACCOUNT)


def _parse(body: bytes, request: PageRequest = FIRST, status: int = 200):
    return ADAPTER.parse(ACCOUNT, request, status, body, "application/json", NOW)


def _cursor(request: PageRequest | None) -> dict:
    assert request is not None and request.cursor is not None
    return json.loads(request.cursor)


def test_first_request_is_the_profile_and_its_tabs_name_the_timeline() -> None:
    assert PROFILE.url == (
        "https://m.weibo.cn/api/container/getIndex?type=uid&value=6279793937"
        "&containerid=1005056279793937"
    )
    assert not PROFILE.needs_browser
    # The real profile's tab list names the posts tab (tab_type weibo): 1076036279793937.
    assert FIRST.url == "https://m.weibo.cn/api/container/getIndex?containerid=1076036279793937"
    assert _cursor(FIRST) == {"container": "1076036279793937", "statuses": 1553}


def test_ak_list_0_posts_pinned_media_and_since_id() -> None:
    page = _parse(corpus_path("weibo", "nonebot-bison_weibo_ak_list_0.json").read_bytes())
    assert page.blocked is None
    assert len(page.posts) == 10
    pinned = page.posts[0]
    assert pinned.platform_post_id == "4645748019299849"
    assert pinned.pinned and pinned.has_video and not pinned.has_images
    assert pinned.published_at == datetime(2021, 6, 8, 9, 35, 4, tzinfo=SHANGHAI)
    assert pinned.title.startswith("#明日方舟# #音律联觉#")
    assert not pinned.title.endswith("全文")
    assert [post.pinned for post in page.posts[1:]] == [False] * 9
    newest = max(page.posts, key=lambda post: post.published_at)
    assert newest.platform_post_id == "4649031014551911"
    assert newest.has_images
    assert newest.url == "https://m.weibo.cn/detail/4649031014551911"
    assert all(post.published_at.tzinfo is not None for post in page.posts)
    assert page.next_request is not None
    assert page.next_request.url == FIRST.url + "&since_id=4646131823281332"
    assert _cursor(page.next_request)["since_id"] == "4646131823281332"
    assert page.next_request.headers == FIRST.headers
    assert not page.end_of_timeline


def test_ak_list_1_has_eleven_posts_with_a_retweet_dated_by_its_own_time() -> None:
    page = _parse(corpus_path("weibo", "nonebot-bison_weibo_ak_list_1.json").read_bytes())
    assert page.blocked is None
    assert len(page.posts) == 11
    by_id = {post.platform_post_id: post for post in page.posts}
    assert by_id["4649106427873349"].published_at == datetime(
        2021, 6, 17, 16, 0, 11, tzinfo=SHANGHAI
    )
    retweet = by_id["4648806186747944"]
    assert retweet.published_at == datetime(2021, 6, 16, 20, 7, 7, tzinfo=SHANGHAI)


def test_ys_list_0_uses_the_older_page_number_pagination() -> None:
    account = AccountRef("wb-2", "weibo", "1907518591", None, "ys")
    request = _timeline_request(account)
    body = corpus_path("weibo", "nonebot-bison_weibo_ys_list_0.json").read_bytes()
    page = ADAPTER.parse(account, request, 200, body, "application/json", NOW)
    assert len(page.posts) == 11
    assert page.posts[0].pinned and page.posts[0].has_images
    assert page.next_request is not None
    assert page.next_request.url.endswith("containerid=1076031907518591&page=2")
    assert _cursor(page.next_request)["page"] == 2
    # Page 2 answering "next is page 2" again must not loop.
    again = ADAPTER.parse(account, page.next_request, 200, body, "application/json", NOW)
    assert again.next_request is None


EMPTY = corpus_path("weibo", "nonebot-bison_weibo_err_profile.json").read_bytes()


def test_nothing_here_for_the_profile_is_an_account_not_found() -> None:
    page = _parse(EMPTY, PROFILE)
    assert page.blocked is BlockReason.NOT_FOUND
    assert page.posts == ()
    assert page.next_request is None
    assert "这里还没有内容" in page.detail


def test_nothing_here_on_the_posts_tab_of_an_existing_empty_account_is_proven_empty() -> None:
    account = AccountRef("wb-3", "weibo", "1000000001", None, "空账号")
    profile = json.loads(PROFILE_BODY.replace("6279793937", "1000000001"))
    profile["data"]["userInfo"]["statuses_count"] = 0
    located = ADAPTER.parse(
        account, ADAPTER.first_request(account), 200, json.dumps(profile).encode(), None, NOW
    )
    assert located.next_request is not None
    page = ADAPTER.parse(account, located.next_request, 200, EMPTY, "application/json", NOW)
    assert page.blocked is None and page.posts == () and page.end_of_timeline


def test_nothing_here_while_the_profile_counts_posts_is_check_failed() -> None:
    page = _parse(EMPTY)  # the real profile says 1553 posts
    assert page.blocked is BlockReason.UNPARSEABLE
    assert "1553" in page.detail and not page.end_of_timeline


def test_err_json_on_a_later_page_is_the_end_of_the_timeline() -> None:
    later = PageRequest(
        url=FIRST.url + "&since_id=1", cursor=json.dumps({**_cursor(FIRST), "since_id": "1"})
    )
    page = _parse(EMPTY, later)
    assert page.blocked is None
    assert page.posts == ()
    assert page.next_request is None
    assert page.end_of_timeline


def test_since_id_repeating_the_request_ends_pagination() -> None:
    body = corpus_path("weibo", "nonebot-bison_weibo_ak_list_0.json").read_bytes()
    same = PageRequest(
        url=FIRST.url + "&since_id=4646131823281332",
        cursor=json.dumps({**_cursor(FIRST), "since_id": "4646131823281332"}),
    )
    page = _parse(body, same)
    assert page.next_request is None and not page.end_of_timeline


def test_last_page_without_since_id_ends_pagination() -> None:
    payload = json.loads(corpus_path("weibo", "nonebot-bison_weibo_ak_list_0.json").read_bytes())
    del payload["data"]["cardlistInfo"]["since_id"]
    page = _parse(json.dumps(payload).encode())
    assert len(page.posts) == 10
    assert page.next_request is None
    assert not page.end_of_timeline  # no more pages offered is no proof of the end


def test_relative_times_and_card_groups() -> None:
    page = _parse((FIXTURES / "weibo_timeline_relative_times.json").read_bytes())
    assert page.blocked is None
    times = [post.published_at for post in page.posts]
    assert times == [
        NOW,
        datetime(2025, 11, 23, 9, 25, tzinfo=SHANGHAI),
        datetime(2025, 11, 23, 7, 30, tzinfo=SHANGHAI),
        datetime(2025, 11, 23, 8, 21, tzinfo=SHANGHAI),
        datetime(2025, 11, 22, 10, 21, tzinfo=SHANGHAI),
        datetime(2025, 11, 20, tzinfo=SHANGHAI),
        datetime(2024, 12, 31, tzinfo=SHANGHAI),
        datetime(2022, 5, 14, 10, 21, 33, tzinfo=SHANGHAI),
    ]
    assert page.posts[3].has_video
    assert page.posts[1].has_images and not page.posts[0].has_images
    assert page.posts[0].title == "#某市发布# 第0条 @某市"
    assert _cursor(page.next_request)["page"] == 2


def test_empty_cards_with_ok_1_is_check_failed_not_an_empty_account() -> None:
    body = json.dumps({"ok": 1, "data": {"cardlistInfo": {"since_id": 5}, "cards": []}}).encode()
    page = _parse(body)
    assert page.blocked is BlockReason.UNPARSEABLE
    assert "cards 列表为空" in page.detail
    assert page.posts == () and not page.end_of_timeline


def test_cards_without_posts_are_check_failed() -> None:
    cards = [{"card_type": 11, "card_group": [{"card_type": 4, "desc": "暂无微博"}]}]
    page = _parse(json.dumps({"ok": 1, "data": {"cards": cards}}).encode())
    assert page.blocked is BlockReason.UNPARSEABLE
    assert "没有微博内容" in page.detail


def test_posts_with_unreadable_times_make_the_page_unparseable() -> None:
    body = json.dumps(
        {"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": {"id": "1", "created_at": "?"}}]}}
    ).encode()
    page = _parse(body)
    assert page.blocked is BlockReason.UNPARSEABLE
    assert page.posts == ()


def test_login_required_answer() -> None:
    body = b'{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome?entry=mweibo"}'
    page = _parse(body)
    assert page.blocked is BlockReason.LOGIN_WALL
    assert page.posts == ()


def test_rate_limit_message_in_json() -> None:
    page = _parse('{"ok":0,"msg":"请求过于频繁，歇歇吧"}'.encode())
    assert page.blocked is BlockReason.RATE_LIMITED


def test_second_profile_tab_container_is_used_when_the_profile_names_it() -> None:
    profile = json.loads(PROFILE_BODY)
    for tab in profile["data"]["tabsInfo"]["tabs"]:
        if tab["tab_type"] == "weibo":
            tab["containerid"] = "2304136279793937_-_WEIBO_SECOND_PROFILE_WEIBO"
    page = _parse(json.dumps(profile).encode(), PROFILE)
    assert page.lookup and page.next_request is not None
    assert page.next_request.url == (
        "https://m.weibo.cn/api/container/getIndex?"
        "containerid=2304136279793937_-_WEIBO_SECOND_PROFILE_WEIBO&page_type=03"
    )


def test_pinned_by_every_marking() -> None:
    """The real 2020 getIndex answer marks its pin with both isTop and mblogtype 2; each
    marking alone, and a proweibotop card, must still be recognised."""
    real = json.loads((FIXTURES / "weibo_getindex_pinned_mblogtype2.json").read_bytes())
    card = real["data"]["cards"][0]
    assert card["mblog"]["mblogtype"] == 2 and card["mblog"]["isTop"] == 1
    for keep in ("isTop", "mblogtype", "proweibotop", "title"):
        variant = json.loads(json.dumps(real))
        mblog = variant["data"]["cards"][0]["mblog"]
        del mblog["isTop"], mblog["mblogtype"]
        if keep == "isTop":
            mblog["isTop"] = 1
        elif keep == "mblogtype":
            mblog["mblogtype"] = 2
        elif keep == "proweibotop":
            variant["data"]["cards"][0]["profile_type_id"] = "proweibotop_"
        else:
            mblog["title"] = {"text": "置顶", "base_color": 1}
        (post,) = _parse(json.dumps(variant).encode()).posts
        assert post.pinned, keep
    del mblog["title"]
    (post,) = _parse(json.dumps(variant).encode()).posts
    assert not post.pinned


def test_432_and_visitor_gate_are_login_walls() -> None:
    assert _parse(b"", status=432).blocked is BlockReason.LOGIN_WALL
    visitor = (FIXTURES / "weibo_visitor_system.html").read_bytes()
    page = ADAPTER.parse(ACCOUNT, FIRST, 200, visitor, "text/html", NOW)
    assert page.blocked is BlockReason.LOGIN_WALL
    assert page.posts == ()


def test_parse_is_pure() -> None:
    body = corpus_path("weibo", "nonebot-bison_weibo_ak_list_0.json").read_bytes()
    assert _parse(body) == _parse(body)
