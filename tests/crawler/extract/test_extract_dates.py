"""Date forms printed on government list pages and carried in article URLs."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crawler.extract.dates import date_from_url, find_date, infer_year

TODAY = date(2022, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-05-20", (date(2022, 5, 20), None)),
        ("[2022-05-20]", (date(2022, 5, 20), None)),
        ("(2022-05-20)", (date(2022, 5, 20), None)),
        ("（2022-05-20）", (date(2022, 5, 20), None)),
        ("2022年5月20日", (date(2022, 5, 20), None)),
        ("2022 年 05 月 20 日", (date(2022, 5, 20), None)),
        ("2022/5/20", (date(2022, 5, 20), None)),
        ("2022.05.20", (date(2022, 5, 20), None)),
        ("发布时间：2022-05-20 14:30", (date(2022, 5, 20), datetime(2022, 5, 20, 14, 30))),
        ("2022-05-20 14:30:15", (date(2022, 5, 20), datetime(2022, 5, 20, 14, 30, 15))),
        ("2022年5月20日 9时05分", (date(2022, 5, 20), datetime(2022, 5, 20, 9, 5))),
        ("05-20", (date(2022, 5, 20), None)),
        ("5月20日", (date(2022, 5, 20), None)),
        ("08-16 16:16", (date(2021, 8, 16), datetime(2021, 8, 16, 16, 16))),
        ("标题 2021-13-45 再 2021-12-01", (date(2021, 12, 1), None)),
    ],
)
def test_find_date_reads_each_form(text: str, expected: tuple[date, datetime | None]) -> None:
    assert find_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["信访件16-10处理情况", "增长1.5%", "电话：0795-7309000", "无日期"]
)
def test_find_date_ignores_numbers_that_are_not_dates(text: str) -> None:
    assert find_date(text, TODAY) is None


def test_month_day_is_never_in_the_future() -> None:
    assert find_date("06-01", TODAY) == (date(2022, 6, 1), None)
    assert find_date("06-02", TODAY) == (date(2021, 6, 2), None)
    assert find_date("12-31", date(2025, 1, 3)) == (date(2024, 12, 31), None)


def test_infer_year_skips_to_a_leap_year_for_february_29() -> None:
    assert infer_year(2, 29, date(2023, 3, 1)) == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.zhangshu.gov.cn/zwgk/zhxx/201710/t20171019_398276.html", date(2017, 10, 19)),
        ("http://www.dingxi.gov.cn/art/2022/1/20/art_12377_1486865.html", date(2022, 1, 20)),
        ("http://www.gov.cn/zhengce/content/2022-05/20/content_5691424.htm", date(2022, 5, 20)),
        ("http://www.example.gov.cn/xw/content_20220520_123.html", date(2022, 5, 20)),
        ("http://www.example.gov.cn/xwzx/2023/0812/c1.html", date(2023, 8, 12)),
        ("http://www.example.gov.cn/zfwj/a1.html", None),
        ("http://www.example.gov.cn/zfwj/t20221345_1.html", None),
    ],
)
def test_date_from_url(url: str, expected: date | None) -> None:
    assert date_from_url(url) == expected
