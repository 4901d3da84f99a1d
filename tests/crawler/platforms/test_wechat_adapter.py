"""Tests for the wechat adapter: article pages, history page, mirrored feed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from corpus import corpus_path

from crawler.platforms import AccountRef, BlockReason, PageRequest, get_adapter
from crawler.platforms.times import SHANGHAI
from crawler.platforms.wechat import js_var, parse_wechat_article, wechat_article_gone

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "platforms"
NOW = datetime(2025, 11, 23, 9, 30, tzinfo=SHANGHAI)
ADAPTER = get_adapter("wechat")
FEED_ACCOUNT = AccountRef(
    "wx-1", "wechat", None, "https://rss.example.cn/feeds/MP_WXS_1.atom", "某市发布"
)
BIZ_ACCOUNT = AccountRef("wx-2", "wechat", "MjM5MjAzODU2MA==", None, "槽边往事")


@pytest.mark.parametrize(
    ("name", "title", "published_at", "nickname"),
    [
        (
            "WechatSogou_article_detail_mpvoice.html",
            "语音 | 早安武汉〔2018.3.19 周一〕",
            datetime(2018, 3, 19, 5, 30, tzinfo=SHANGHAI),
            "长江日报",
        ),
        (
            "WechatSogou_article_detail_qqmusic.html",
            "关于音乐",
            datetime(2018, 4, 7, 22, 21, 55, tzinfo=SHANGHAI),
            "闲云野鹤古刹",
        ),
        (
            "GNE_wechat_article_1.html",
            "三星 Galaxy S20 系列手机正式发布",
            datetime.fromtimestamp(1581517074, SHANGHAI),
            "爱否科技",
        ),
    ],
)
def test_article_pages(name: str, title: str, published_at: datetime, nickname: str) -> None:
    page = corpus_path("wechat", name).read_text(encoding="utf-8")
    post = parse_wechat_article(page)
    assert post is not None
    assert post.title == title
    assert post.published_at == published_at
    assert post.url.startswith("https://mp.weixin.qq.com/s?__biz=")
    assert post.has_images
    assert not post.has_video  # "video_iframe" in the page's scripts is not a video
    assert js_var(page, "nickname") == nickname


def test_article_url_from_msg_link_and_given_url() -> None:
    page = corpus_path("wechat", "GNE_wechat_article_2.html").read_bytes()
    post = parse_wechat_article(page)
    assert post is not None
    assert post.url.startswith("http://mp.weixin.qq.com/s?__biz=MzI2MzEwNTY3OQ==&mid=2648978231")
    assert "&amp;" not in post.url
    assert post.platform_post_id == "MzI2MzEwNTY3OQ==:2648978231:1"
    given = parse_wechat_article(page, url="https://mp.weixin.qq.com/s/abc")
    assert given is not None and given.url == "https://mp.weixin.qq.com/s/abc"


def test_expired_article() -> None:
    page = corpus_path("wechat", "WechatSogou_article_detail_expired.html").read_text()
    assert parse_wechat_article(page) is None
    assert wechat_article_gone(page)


def test_article_with_only_a_publish_date() -> None:
    page = (
        '<script>var msg_title = "通知\\x0a公告"; var publish_time = "2025-11-20" || "";</script>'
    )
    post = parse_wechat_article(page, url="https://mp.weixin.qq.com/s/x")
    assert post is not None
    assert post.title == "通知 公告"
    assert post.published_at == datetime(2025, 11, 20, tzinfo=SHANGHAI)


def test_history_page_timeline() -> None:
    request = ADAPTER.first_request(BIZ_ACCOUNT)
    assert "/mp/profile_ext?action=home&__biz=MjM5MjAzODU2MA%3D%3D" in request.url
    body = corpus_path("wechat", "WechatSogou_bitsea-history.html").read_bytes()
    page = ADAPTER.parse(BIZ_ACCOUNT, request, 200, body, "text/html; charset=utf-8", NOW)
    assert page.blocked is None
    assert page.next_request is None
    assert len(page.posts) == 10
    assert page.posts[0].title == "帝都深处好修行"
    assert page.posts[0].published_at == datetime.fromtimestamp(1500872686, SHANGHAI)
    assert page.posts[-1].published_at == datetime.fromtimestamp(1499484206, SHANGHAI)
    assert page.posts[0].url.startswith("https://mp.weixin.qq.com/s?timestamp=1500903767&src=3")
    assert "&amp;" not in page.posts[0].url
    assert len({post.platform_post_id for post in page.posts}) == 10


def test_history_page_with_entity_escaped_string_and_multi_article_push() -> None:
    messages = {
        "list": [
            {
                "app_msg_ext_info": {
                    "title": "头条",
                    "content_url": "/s?a=1&amp;b=2",
                    "multi_app_msg_item_list": [
                        {"title": "次条 &amp; 三条", "content_url": "/s?c=3"}
                    ],
                },
                "comm_msg_info": {"datetime": 1763780000, "id": 7, "type": 49},
            },
            {"comm_msg_info": {"datetime": 1763700000, "id": 8, "type": 1, "content": "文字消息"}},
        ]
    }
    escaped = json.dumps(messages, ensure_ascii=False).replace('"', "&quot;")
    body = f"<html><script>var msgList = '{escaped}';</script></html>".encode()
    request = ADAPTER.first_request(BIZ_ACCOUNT)
    page = ADAPTER.parse(BIZ_ACCOUNT, request, 200, body, "text/html", NOW)
    assert [post.title for post in page.posts] == ["头条", "次条 & 三条", "文字消息"]
    assert page.posts[0].url == "https://mp.weixin.qq.com/s?a=1&b=2"
    assert page.posts[1].platform_post_id == "7_2"


def test_history_page_without_client_key_is_a_login_wall() -> None:
    body = "<html><body><p>请在微信客户端打开链接。</p></body></html>".encode()
    page = ADAPTER.parse(
        BIZ_ACCOUNT, ADAPTER.first_request(BIZ_ACCOUNT), 200, body, "text/html", NOW
    )
    assert page.blocked is BlockReason.LOGIN_WALL
    assert page.posts == ()


def test_feed_with_an_undated_entry_fetches_its_article_page() -> None:
    request = ADAPTER.first_request(FEED_ACCOUNT)
    assert request.url == FEED_ACCOUNT.feed
    body = (FIXTURES / "wechat_wewe_rss.atom").read_bytes()
    page = ADAPTER.parse(FEED_ACCOUNT, request, 200, body, "application/atom+xml", NOW)
    assert page.blocked is None
    assert [post.title for post in page.posts] == [
        "关于2025年冬季供暖工作安排的通告",
        "市政府常务会议研究部署安全生产工作",
    ]
    assert page.posts[0].published_at == datetime(2025, 11, 22, 18, 30, tzinfo=SHANGHAI)
    assert page.posts[0].has_images and not page.posts[1].has_images
    assert "1 entries without a date" in page.detail
    article_request = page.next_request
    assert article_request is not None
    assert article_request.url == "https://mp.weixin.qq.com/s/AbCdEf1234567890synthetic3"

    article = corpus_path("wechat", "WechatSogou_article_detail_qqmusic.html").read_bytes()
    dated = ADAPTER.parse(FEED_ACCOUNT, article_request, 200, article, "text/html", NOW)
    assert dated.blocked is None
    assert len(dated.posts) == 1
    assert dated.posts[0].url == article_request.url
    assert dated.next_request is None


def test_expired_article_in_the_queue_is_skipped_and_the_queue_continues() -> None:
    request = PageRequest(
        url="https://mp.weixin.qq.com/s/gone",
        cursor=json.dumps({"articles": ["https://mp.weixin.qq.com/s/next"]}),
    )
    body = corpus_path("wechat", "WechatSogou_article_detail_expired.html").read_bytes()
    page = ADAPTER.parse(FEED_ACCOUNT, request, 200, body, "text/html", NOW)
    assert page.blocked is None
    assert page.posts == ()
    assert "expired" in page.detail
    assert page.next_request is not None
    assert page.next_request.url == "https://mp.weixin.qq.com/s/next"


def test_captcha_instead_of_article_or_feed_is_blocked() -> None:
    captcha = (FIXTURES / "captcha_page.html").read_bytes()
    queued = PageRequest(url="https://mp.weixin.qq.com/s/x", cursor='{"articles": []}')
    for request in (ADAPTER.first_request(FEED_ACCOUNT), queued):
        page = ADAPTER.parse(FEED_ACCOUNT, request, 200, captcha, "text/html", NOW)
        assert page.blocked is BlockReason.CAPTCHA
        assert page.posts == ()


def test_account_without_feed_or_biz_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="neither feed nor"):
        ADAPTER.first_request(AccountRef("wx-3", "wechat", None, None, "x"))


GETMSG = PageRequest(
    url="https://mp.weixin.qq.com/mp/profile_ext?action=getmsg&__biz=MjM5MjAzODU2MA%3D%3D&f=json&offset=10",
    cursor=json.dumps({"offset": 10}),
)


def test_real_getmsg_page_is_followed_by_its_next_offset() -> None:
    body = (FIXTURES / "wechat_getmsg_page.json").read_bytes()
    page = ADAPTER.parse(BIZ_ACCOUNT, GETMSG, 200, body, "application/json", NOW)
    assert page.blocked is None and not page.end_of_timeline
    assert [post.platform_post_id for post in page.posts] == [
        "1000000275_1",
        "1000000274_1",
        "1000000274_2",
    ]
    assert page.posts[0].published_at == datetime.fromtimestamp(1510333570, SHANGHAI)
    assert page.posts[0].url.startswith("http://mp.weixin.qq.com/s?__biz=MzIzOTU0NTQ0MA==")
    assert page.next_request is not None
    assert "action=getmsg" in page.next_request.url and "offset=20" in page.next_request.url
    assert json.loads(page.next_request.cursor or "{}") == {"offset": 20}


def test_real_getmsg_end_is_the_proven_end_of_the_timeline() -> None:
    body = (FIXTURES / "wechat_getmsg_end.json").read_bytes()
    page = ADAPTER.parse(BIZ_ACCOUNT, GETMSG, 200, body, "application/json", NOW)
    assert page.blocked is None and page.posts == () and page.end_of_timeline
    assert page.next_request is None


@pytest.mark.parametrize(
    "name", ["wechat_getmsg_no_session.json", "wechat_getmsg_no_session_base_resp.json"]
)
def test_no_session_is_a_login_wall(name: str) -> None:
    body = (FIXTURES / name).read_bytes()
    for request in (GETMSG, ADAPTER.first_request(BIZ_ACCOUNT)):
        page = ADAPTER.parse(BIZ_ACCOUNT, request, 200, body, "application/json", NOW)
        assert page.blocked is BlockReason.LOGIN_WALL
        assert "no session" in page.detail


def test_history_page_saying_more_exist_continues_with_getmsg() -> None:
    page_html = corpus_path("wechat", "WechatSogou_bitsea-history.html").read_text("utf-8")
    more = page_html.replace("</body>", "<script>var can_msg_continue = '1' * 1;"
                             "var next_offset = '10' * 1;</script></body>", 1)  # fmt: skip
    request = ADAPTER.first_request(BIZ_ACCOUNT)
    page = ADAPTER.parse(BIZ_ACCOUNT, request, 200, more.encode(), "text/html", NOW)
    assert page.blocked is None and len(page.posts) >= 10 and not page.end_of_timeline
    assert page.next_request is not None and "offset=10" in page.next_request.url
    # The same page without the two fields (the old history page) proves nothing either way.
    bare = ADAPTER.parse(BIZ_ACCOUNT, request, 200, page_html.encode(), "text/html", NOW)
    assert bare.posts and bare.next_request is None and not bare.end_of_timeline
    ended = more.replace("can_msg_continue = '1'", "can_msg_continue = '0'")
    last = ADAPTER.parse(BIZ_ACCOUNT, request, 200, ended.encode(), "text/html", NOW)
    assert last.end_of_timeline and last.next_request is None
