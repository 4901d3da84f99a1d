"""A list page's reading kept for the next crawl: its key, its JSON form, and when it
may stand for reading the page again (crawler/listing_cache.py)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from corpus import corpus_dir

import crawler.listing_cache as listing_cache
from crawler.extract import ListedItem, ListPage, Selectors, extract_list
from crawler.extract.encoding import decode_html
from crawler.extract.listing_json import listing_from_json, listing_to_json
from crawler.listing_cache import ListingCache, reading_key
from storage.page_readings import KeptReading

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TODAY = date(2026, 12, 2)
URL = "http://www.example.gov.cn/tzgg/"


def saved_pages() -> list[Path]:
    """Every saved HTML page of the tests: real corpus pages and hand-written layouts."""
    roots = [FIXTURES / "extract", FIXTURES / "site_faults", corpus_dir()]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in (".html", ".htm", ".shtml", ".xml")
    )


def read(path: Path, today: date, homepage: bool) -> ListPage:
    return extract_list(decode_html(path.read_bytes(), None), URL, today, homepage=homepage)


def test_the_tests_have_saved_pages_to_read() -> None:
    assert len(saved_pages()) >= 60


@pytest.mark.parametrize("homepage", [False, True])
def test_a_reading_that_does_not_read_the_day_is_the_same_any_day(homepage: bool) -> None:
    """The rule a kept reading is reused by on a later day: on every saved page whose
    reading infers no year, reading it on other days gives the same reading."""
    other_days = (TODAY + timedelta(days=400), TODAY - timedelta(days=700), date(2024, 2, 29))
    independent = 0
    for path in saved_pages():
        reading = read(path, TODAY, homepage)
        if reading.reads_the_day:
            continue
        independent += 1
        for day in other_days:
            assert read(path, day, homepage) == reading, f"{path.name} read on {day}"
    assert independent >= 50


def test_a_month_day_list_reads_the_day() -> None:
    html = """<ul class="list">
      <li><a href="/a/1.html">关于开展安全检查的通知</a><span>11-30</span></li>
      <li><a href="/a/2.html">关于调整公交线路的通告</a><span>11-28</span></li>
      <li><a href="/a/3.html">关于征集民生实事项目的公告</a><span>11-20</span></li>
    </ul>"""
    reading = extract_list(html, URL, TODAY)
    assert reading.reads_the_day and all(item.year_inferred for item in reading.items)
    # Read a year on, the same page says another year.
    assert extract_list(html, URL, TODAY + timedelta(days=365)) != reading


def test_every_reading_of_the_saved_pages_survives_its_json_form() -> None:
    for path in saved_pages():
        for homepage in (False, True):
            reading = read(path, TODAY, homepage)
            assert listing_from_json(listing_to_json(reading)) == reading, path.name


def test_the_json_form_keeps_every_field() -> None:
    reading = ListPage(
        items=(
            ListedItem("置顶通知", "http://a.gov.cn/1.html", date(2026, 1, 2), pinned=True),
            ListedItem(
                "会议", "http://a.gov.cn/2.html", date(2026, 11, 3), datetime(2026, 11, 3, 9, 30)
            ),
            ListedItem("无日期", "http://a.gov.cn/3.html", None),
            ListedItem("月日", "http://a.gov.cn/4.html", date(2026, 5, 20), year_inferred=True),
        ),
        status="ok",
        detail="4 items under <ul>",
        next_page_urls=("http://a.gov.cn/index_1.html",),
        doubts=("1 条信息没有发布日期",),
        review_reason="页面上另有一个分量相近的列表",
    )
    assert listing_from_json(listing_to_json(reading)) == reading
    with pytest.raises(ValueError):
        listing_from_json(json.dumps({"items": []}))
    with pytest.raises(ValueError):
        listing_from_json("not json")


def test_the_key_changes_with_everything_the_reading_depends_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = (b"<html>page</html>", URL, "text/html", None, False)
    key = reading_key(*base)
    assert reading_key(*base) == key
    assert reading_key(b"<html>page.</html>", *base[1:]) != key
    assert reading_key(base[0], URL + "index_1.html", *base[2:]) != key
    assert reading_key(*base[:2], "text/html; charset=gbk", *base[3:]) != key
    assert reading_key(*base[:3], Selectors(item="li"), False) != key
    assert reading_key(*base[:4], True) != key
    monkeypatch.setattr(listing_cache, "extractor_version", lambda: "another extractor")
    assert reading_key(*base) != key


def test_the_extractor_version_is_a_digest_of_the_extractor_source() -> None:
    version = listing_cache.extractor_version()
    assert len(version) == 32 and version == listing_cache.extractor_version()
    sources = sorted(p.name for p in listing_cache._EXTRACTOR_DIR.glob("*.py"))
    assert {"listing.py", "dates.py", "types.py"} <= set(sources)


def kept(reading: ListPage, key: str = "k", read_on: date = TODAY) -> dict[str, KeptReading]:
    return {URL: KeptReading(key, listing_to_json(reading), read_on, reading.reads_the_day)}


def test_a_kept_reading_stands_only_for_the_same_page() -> None:
    reading = ListPage((ListedItem("通知", "http://a.gov.cn/1.html", date(2026, 11, 30)),), "ok")
    cache = ListingCache(kept(reading, read_on=TODAY - timedelta(days=30)), TODAY)
    assert cache.reading(URL, "k") == reading  # no inferred year: any day
    assert cache.reading(URL, "other key") is None
    assert cache.reading(URL + "index_1.html", "k") is None


def test_a_reading_with_inferred_years_stands_only_on_its_own_day() -> None:
    reading = ListPage(
        (ListedItem("通知", "http://a.gov.cn/1.html", date(2026, 11, 30), year_inferred=True),),
        "ok",
    )
    assert ListingCache(kept(reading), TODAY).reading(URL, "k") == reading
    yesterday = ListingCache(kept(reading, read_on=TODAY - timedelta(days=1)), TODAY)
    assert yesterday.reading(URL, "k") is None


def test_an_unreadable_kept_reading_is_read_again() -> None:
    cache = ListingCache(
        {URL: KeptReading("k", '{"items": [["only a title"]]}', TODAY, False)}, TODAY
    )
    assert cache.reading(URL, "k") is None
