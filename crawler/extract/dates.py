"""Find publish dates in list-page text and in article URLs of Chinese government sites.

Regular expressions instead of dateparser: these run for every item of every list page and
the extractor has to keep up with >= 200 pages/s on one core; dateparser costs milliseconds
per call and guesses far more forms than the handful these CMSs print, which would turn
numbers in titles ("信访件16-10") into dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# Time part shared by both date forms: "10:30", "10:30:05", "10时30分".
_TIME = (
    r"(?:[\sT]*(?P<hour>[01]?\d|2[0-3])\s*[:：时]\s*(?P<minute>[0-5]\d)"
    r"(?:\s*[:：分]\s*(?P<second>[0-5]\d))?)?"
)
_FULL_DATE_RE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<month>\d{1,2})\s*(?:[-/.]|月)"
    r"\s*(?P<day>\d{1,2})(?!\d)(?:\s*日)?" + _TIME
)
_MONTH_DAY_RE = re.compile(
    r"(?<![\d./-])(?P<month>\d{1,2})\s*(?:[-/.]|月)\s*(?P<day>\d{1,2})(?![\d%.])(?:\s*日)?" + _TIME
)
# Year-month alone ("2022-05", "2022年5月"), used with a day printed in another element.
YEAR_MONTH_RE = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?\s*$")
DAY_ONLY_RE = re.compile(r"^\s*(\d{1,2})\s*日?\s*$")

_URL_DATE_RES = (
    # TRS WCM: ./201710/t20171019_398276.html
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    # Hanweb: /art/2022/1/20/art_12377_1486865.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    # gov.cn / xinhua: /2022-05/20/content_5691424.htm
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),
    # content_20220520_xxx.html, detail_20220520..., /20220520/
    re.compile(r"(?:content_|detail_|/)((?:19|20)\d{2})(\d{2})(\d{2})(?:[_/.]|$)"),
    # /2022/0520/ and /2022/05/20/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def infer_year(month: int, day: int, today: date) -> date | None:
    """The latest date with this month and day that is not after ``today``."""
    for year in range(today.year, today.year - 9, -1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def year_near(month: int, day: int, anchor: date) -> date | None:
    """The date with this month and day closest to ``anchor`` (year before, same or after)."""
    candidates = [
        candidate
        for year in (anchor.year - 1, anchor.year, anchor.year + 1)
        if (candidate := _safe_date(year, month, day)) is not None
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: abs((candidate - anchor).days))


def _with_time(day: date, match: re.Match[str]) -> datetime | None:
    if match.group("hour") is None:
        return None
    return datetime(
        day.year,
        day.month,
        day.day,
        int(match.group("hour")),
        int(match.group("minute")),
        int(match.group("second") or 0),
    )


def find_full_date(text: str) -> tuple[date, datetime | None, re.Match[str]] | None:
    """First date with a year in ``text``, its time if one follows, and the match."""
    for match in _FULL_DATE_RE.finditer(text):
        found = _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
        if found is not None:
            return found, _with_time(found, match), match
    return None


def find_month_day(
    text: str, today: date, *, anchored_end: bool = False
) -> tuple[date, datetime | None, re.Match[str]] | None:
    """First month-day date ("05-20", "5月20日") in ``text``, year inferred from ``today``.

    With ``anchored_end`` only a date that ends the text counts (a date printed inside a
    link after the title), so numbers inside titles are not taken for dates.
    """
    for match in _MONTH_DAY_RE.finditer(text):
        if anchored_end and text[match.end() :].strip(" \t\r\n)]）】") != "":
            continue
        month, day = int(match["month"]), int(match["day"])
        found = infer_year(month, day, today) if 1 <= month <= 12 else None
        if found is not None:
            return found, _with_time(found, match), match
    return None


def find_date(text: str, today: date) -> tuple[date, datetime | None] | None:
    """First date in ``text`` (with a time when one follows); month-day dates get their year
    from ``today`` so that they are never in the future."""
    full = find_full_date(text)
    month_day = find_month_day(text, today)
    if full is None and month_day is None:
        return None
    if full is None or (month_day is not None and month_day[2].start() < full[2].start()):
        assert month_day is not None
        return month_day[0], month_day[1]
    return full[0], full[1]


# A date that fills its own text node, with at most a label and brackets around it:
# "<span>2022-05-20</span>", "[2022-05-20]", "发布日期：2022年5月20日", "(05-20)".
_LABEL = r"(?:发布(?:日期|时间)|更新(?:日期|时间)|成文日期|日期|时间)?\s*[:：]?"
_STANDALONE_FULL_RE = re.compile(
    r"^\s*[\[【(（]?\s*" + _LABEL + r"\s*" + _FULL_DATE_RE.pattern + r"\s*[\]】)）]?\s*$"
)
_STANDALONE_MONTH_DAY_RE = re.compile(
    r"^\s*[\[【(（]?\s*" + _LABEL + r"\s*" + _MONTH_DAY_RE.pattern + r"\s*[\]】)）]?\s*$"
)
# TRS and most CMSs file articles in year-month folders: /202008/t20200802_1.html, /2020-08/.
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d{2})-?(0[1-9]|1[0-2])/")
# Stamps some CMSs print when they write a static page (生成时间, generated at, Last-Modified).
_GENERATED_RE = re.compile(
    r"(?:生成(?:时间|日期)|页面生成|generated(?:\s+(?:on|at))?|last-?modified(?:time)?)"
    r"[\s\"'=:：]*(?:content\s*=\s*[\"'])?"
    r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})",
    re.IGNORECASE,
)


def standalone_date(text: str, today: date) -> tuple[date, datetime | None, bool] | None:
    """The date that makes up all of ``text`` (a label and brackets allowed), its time, and
    whether only month and day were printed; None when ``text`` holds anything else.

    A date alone in its own element is what the page shows as the item's date; a date
    inside title text ("（截止2016年7月31日）") is part of the title.
    """
    if len(text) > 40:
        return None
    match = _STANDALONE_FULL_RE.match(text)
    if match is not None:
        found = _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
        if found is not None:
            return found, _with_time(found, match), False
        return None
    match = _STANDALONE_MONTH_DAY_RE.match(text)
    if match is not None and 1 <= int(match["month"]) <= 12:
        found = infer_year(int(match["month"]), int(match["day"]), today)
        if found is not None:
            return found, _with_time(found, match), True
    return None


def month_from_url(url: str) -> tuple[int, int] | None:
    """``(year, month)`` of a year-month folder in ``url`` (``/202008/``, ``/2020-08/``)."""
    match = _URL_MONTH_RE.search(url)
    return (int(match[1]), int(match[2])) if match else None


_GENERATED_MARKERS = (
    "生成时间",
    "生成日期",
    "页面生成",
    "generated",
    "Generated",
    "lastmodified",
    "LastModified",
    "lastModified",
    "last-modified",
    "Last-Modified",
)


def page_generated_on(html: str) -> date | None:
    """The day a static page says it was generated, when it says so."""
    # Substring tests first: a case-insensitive regex over a whole page costs milliseconds.
    for marker in _GENERATED_MARKERS:
        start = html.find(marker)
        while start >= 0:
            match = _GENERATED_RE.match(html, start, start + 120)
            if match is not None:
                found = _safe_date(int(match[1]), int(match[2]), int(match[3]))
                if found is not None:
                    return found
            start = html.find(marker, start + 1)
    return None


def date_from_url(url: str) -> date | None:
    """The date that CMSs put into article URLs (TRS, Hanweb, gov.cn), if any."""
    for pattern in _URL_DATE_RES:
        for match in pattern.finditer(url):
            found = _safe_date(int(match[1]), int(match[2]), int(match[3]))
            if found is not None:
                return found
    return None
