"""Publish dates of real government article pages."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from corpus import corpus_path

from crawler.extract.article import extract_article_published

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GNE_zjdpc_gzggw_1.html", datetime(2016, 11, 22, 9, 53)),  # meta PubDate
        ("GNE_shanxi_gov_1.html", datetime(2019, 9, 18, 6, 23)),
        ("nfra_rendered_page_source_debug.html", datetime(2024, 7, 12, 17, 33)),
        ("nfra_rendered_merged_cells_page_source.html", datetime(2025, 6, 3, 11, 18)),
        ("GNE_govcn_gongbao_other_1.html", date(2007, 8, 20)),  # meta firstpublishedtime
        ("GNE_cmse_gov_1.html", date(2012, 6, 24)),  # 发布日期: label
        ("magichtml_kepu_gov_cn_content_1755244.html", date(2023, 12, 1)),  # htmldate
    ],
)
def test_gov_article_dates(name: str, expected: date) -> None:
    html = corpus_path("gov-article", name).read_text(encoding="utf-8")
    assert extract_article_published(html, TODAY) == expected


def test_label_with_time() -> None:
    html = "<html><body><div class='info'>发布时间：2024-03-05 10:20 来源：市政府办</div></body></html>"
    assert extract_article_published(html, TODAY) == datetime(2024, 3, 5, 10, 20)


def test_meta_og_release_date_before_body_text() -> None:
    html = (
        '<html><head><meta property="og:release_date" content="2023-04-01"></head>'
        "<body>发布日期：2020-01-01</body></html>"
    )
    assert extract_article_published(html, TODAY) == date(2023, 4, 1)


def test_script_variable_publish_time() -> None:
    html = '<html><body><script>var publish_time = "2018-03-19" || "";</script></body></html>'
    assert extract_article_published(html, TODAY) == date(2018, 3, 19)


def test_page_without_date() -> None:
    assert extract_article_published("<html><body><p>无日期</p></body></html>", TODAY) is None
