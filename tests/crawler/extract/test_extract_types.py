"""ListPage.newest_published_on."""

from __future__ import annotations

from datetime import date

from crawler.extract.types import ListedItem, ListPage


def test_newest_ignores_order_and_undated_items() -> None:
    page = ListPage(
        items=(
            ListedItem("置顶旧闻", "http://x.gov.cn/1.html", date(2019, 1, 5), pinned=True),
            ListedItem("无日期", "http://x.gov.cn/2.html", None),
            ListedItem("新闻", "http://x.gov.cn/3.html", date(2023, 3, 10)),
        ),
        status="ok",
    )
    assert page.newest_published_on == date(2023, 3, 10)


def test_newest_of_an_empty_page_is_none() -> None:
    assert ListPage(items=(), status="empty").newest_published_on is None
