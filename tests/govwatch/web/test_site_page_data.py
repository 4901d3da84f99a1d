"""What the dashboard's site page lists: each article once, failed columns as failed."""

from __future__ import annotations

from datetime import date, datetime

from observe import observe_column, register_columns
from sqlalchemy import func, select

from crawler.extract import ListedItem, ListPage
from crawler.observations import ColumnRef, PageObservation
from storage.db import session_scope
from storage.models import HOMEPAGE_COLUMN_NAME, Item
from storage.observations import record_page
from storage.stats import column_summaries, newest_site_items

SEEN = datetime(2026, 9, 30, 2)


def test_a_column_that_answered_500_is_failed_not_empty(database_url: str) -> None:
    register_columns({"动态": "news", "咨询": "interaction", "人事": "static"})
    observe_column("动态", [date(2026, 9, 29)], SEEN)
    observe_column("咨询", [date(2026, 9, 1)], datetime(2026, 9, 29, 2))  # read once ...
    observe_column("咨询", [], SEEN, error_class="http_error")  # ... then 500
    observe_column("人事", [], SEEN)  # really empty
    with session_scope() as session:
        summaries = {c.name: c for c in column_summaries(session, "s")}
    assert summaries["咨询"].last_fetch_failed
    assert summaries["咨询"].failure_label == "读取失败(HTTP 500)"
    assert not summaries["人事"].last_fetch_failed and summaries["人事"].item_count == 0
    assert not summaries["动态"].last_fetch_failed
    assert summaries["动态"].last_fetched_china.isoformat() == "2026-09-30T10:00:00+08:00"


def test_an_article_on_the_homepage_and_in_its_column_is_listed_once(database_url: str) -> None:
    register_columns({"动态": "news"})
    day = date(2026, 9, 29)
    observe_column("动态", [day], SEEN)
    article = "http://h.gov.cn/动态/2026-09-29-0.html"
    homepage = PageObservation(
        "s",
        "homepage",
        "http://h.gov.cn/",
        200,
        "ok",
        "",
        ColumnRef(HOMEPAGE_COLUMN_NAME, "http://h.gov.cn/", origin="homepage"),
        ListPage((ListedItem("动态2026-09-29-0", article, day),), "ok"),
    )
    with session_scope() as session:
        record_page(session, None, homepage, SEEN)
    with session_scope() as session:
        assert session.scalar(select(func.count(Item.id))) == 2  # stored once per place
        items = newest_site_items(session, "s")
    assert [(item.url, item.where) for item in items] == [(article, "动态")]
