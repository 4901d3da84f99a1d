"""A fictional district with known numbers, stored as if crawled: the data behind the
sample report and dashboard screenshot in ``docs/``, and the report and dashboard tests.

Three towns/streets and four departments; two sites (the district portal, whose
columns are kept by the towns and departments, and a bureau's own site whose homepage
and news went quiet in August); three new-media accounts (one healthy, one silent for
20 days, one posting once a week). Items are published on spread days of July to
September 2026 (plus June, outside the sample period), all seen by one crawl on
2026-09-30; a check as of that day stores the findings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from crawler.extract.types import ListedItem, ListPage
from crawler.observations import AccountPageObservation, ColumnRef, PageObservation
from crawler.platforms.base import Post
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.clock import CHINA_TZ
from storage.models import HOMEPAGE_COLUMN_NAME
from storage.observations import (
    finish_crawl_run,
    record_account_page,
    record_page,
    start_crawl_run,
)
from storage.registry import sync_targets

PERIOD_START = date(2026, 7, 1)
PERIOD_END = date(2026, 9, 30)
#: When the one crawl saw everything (10:00 in China on the last day).
SEEN_AT = datetime(2026, 9, 30, 2, 0)

TARGETS_YAML = """\
units:
  - {name: 仓山镇, kind: town}
  - {name: 城门镇, kind: town}
  - {name: 金山街道, kind: street}
  - {name: 区教育局, kind: department}
  - {name: 区卫健委, kind: department}
  - {name: 区大数据服务中心, kind: department}
  - {name: 区融媒体中心, kind: department}
sites:
  - id: cangshan
    name: 福州市仓山区人民政府
    url: http://www.cangshan.example.gov.cn/
    unit: 区大数据服务中心
    columns:
      - {name: 仓山镇动态, url: 'http://www.cangshan.example.gov.cn/csz/', category: news, unit: 仓山镇}
      - {name: 城门镇动态, url: 'http://www.cangshan.example.gov.cn/cmz/', category: news, unit: 城门镇}
      - {name: 金山街道动态, url: 'http://www.cangshan.example.gov.cn/jsjd/', category: news, unit: 金山街道}
      - {name: 教育动态, url: 'http://www.cangshan.example.gov.cn/jydt/', category: news, unit: 区教育局}
      - {name: 卫健动态, url: 'http://www.cangshan.example.gov.cn/wjdt/', category: news, unit: 区卫健委}
      - {name: 通知公告, url: 'http://www.cangshan.example.gov.cn/tzgg/', category: notice}
  - id: jiaoyu
    name: 仓山区教育局
    url: http://jyj.cangshan.example.gov.cn/
    unit: 区教育局
    columns:
      - {name: 工作动态, url: 'http://jyj.cangshan.example.gov.cn/gzdt/', category: news}
      - {name: 人事信息, url: 'http://jyj.cangshan.example.gov.cn/rsxx/', category: static}
accounts:
  - {id: cangshan-fabu, name: 仓山发布, platform: weibo, uid: '1001', unit: 区融媒体中心}
  - {id: cangshan-jiaoyu, name: 仓山教育, platform: wechat, uid: '1002', unit: 区教育局}
  - {id: chengmen-fabu, name: 城门发布, platform: douyin, uid: '1003', unit: 城门镇}
"""

#: Items per column per month: (site id, column name) -> {"YYYY-MM": count}.
COLUMN_ITEMS: dict[tuple[str, str], dict[str, int]] = {
    ("cangshan", "仓山镇动态"): {"2026-06": 9, "2026-07": 12, "2026-08": 11, "2026-09": 10},
    ("cangshan", "城门镇动态"): {"2026-07": 8, "2026-08": 10, "2026-09": 3},
    ("cangshan", "金山街道动态"): {"2026-07": 10, "2026-08": 4, "2026-09": 12},
    ("cangshan", "教育动态"): {"2026-07": 6, "2026-08": 5, "2026-09": 9},
    ("cangshan", "卫健动态"): {"2026-07": 15, "2026-08": 14, "2026-09": 16},
    ("cangshan", "通知公告"): {"2026-07": 2, "2026-08": 1, "2026-09": 2},
    ("jiaoyu", "工作动态"): {"2026-07": 5, "2026-08": 3},
    ("jiaoyu", "人事信息"): {},
}

#: Homepage item days (the homepage pseudo-column: never counted for a unit). The portal
#: publishes daily in the last fortnight; the bureau's homepage stopped in mid-August.
HOMEPAGE_DAYS: dict[str, list[date]] = {
    "cangshan": [date(2026, 9, 17) + timedelta(days=offset) for offset in range(14)],
    "jiaoyu": [date(2026, 8, 5), date(2026, 8, 11), date(2026, 8, 17)],
}

#: Items per unit per month in the sample period, as the report must count them.
EXPECTED_UNIT_COUNTS: dict[str, dict[str, int]] = {
    "仓山镇": {"2026-07": 12, "2026-08": 11, "2026-09": 10},
    "城门镇": {"2026-07": 8, "2026-08": 10, "2026-09": 3},
    "金山街道": {"2026-07": 10, "2026-08": 4, "2026-09": 12},
    "区教育局": {"2026-07": 11, "2026-08": 8, "2026-09": 9},
    "区卫健委": {"2026-07": 15, "2026-08": 14, "2026-09": 16},
    "区大数据服务中心": {"2026-07": 2, "2026-08": 1, "2026-09": 2},
    "区融媒体中心": {"2026-07": 0, "2026-08": 0, "2026-09": 0},
}


def _month_days(month: str, count: int) -> list[date]:
    # Spread over days 1..25 so no month looks batch-published at its end.
    year, month_number = (int(part) for part in month.split("-"))
    return [date(year, month_number, 1 + (index * 25) // count) for index in range(count)]


def account_post_days() -> dict[str, list[date]]:
    """Post days per account (June to September 2026)."""
    healthy = [
        date(2026, month, day)
        for month in (6, 7, 8, 9)
        for day in range(1, 32, 3)
        if not (month in (6, 9) and day > 30)
    ]
    silent = [date(2026, month, day) for month in (7, 8) for day in range(1, 30, 4)]
    silent += [date(2026, 9, 1), date(2026, 9, 10)]
    weekly = [date(2026, 7, 3) + timedelta(weeks=week) for week in range(13)]
    return {"cangshan-fabu": healthy, "cangshan-jiaoyu": silent, "chengmen-fabu": weekly}


def _listed_items(site_id: str, column: str, per_month: dict[str, int]) -> tuple[ListedItem, ...]:
    items = []
    for month, count in per_month.items():
        for index, published_on in enumerate(_month_days(month, count)):
            url = f"http://{site_id}.example.gov.cn/{column}/{month}-{index}.html"
            items.append(ListedItem(f"{column}{month}第{index + 1}条信息", url, published_on))
    items.sort(key=lambda item: item.published_on or date.min, reverse=True)
    return tuple(items)


def _record_site(session: Session, site_id: str, site_url: str) -> None:
    run_id = start_crawl_run(session, "site", site_id)
    homepage = tuple(
        ListedItem(f"首页信息{index + 1}", f"{site_url}home/{index}.html", published_on)
        for index, published_on in enumerate(HOMEPAGE_DAYS[site_id])
    )
    record_page(
        session,
        run_id,
        PageObservation(
            site_id,
            "homepage",
            site_url,
            200,
            "ok",
            "",
            ColumnRef(HOMEPAGE_COLUMN_NAME, site_url, origin="homepage"),
            ListPage(homepage, "ok"),
        ),
        SEEN_AT,
    )
    for (owner, column), per_month in COLUMN_ITEMS.items():
        if owner != site_id:
            continue
        items = _listed_items(site_id, column, per_month)
        url = f"{site_url}{column}/"
        record_page(
            session,
            run_id,
            PageObservation(
                site_id,
                "column",
                url,
                200,
                "ok",
                "",
                ColumnRef(column, url),
                ListPage(items, "ok" if items else "empty"),
            ),
            SEEN_AT,
        )
    finish_crawl_run(session, run_id)


def _record_account(session: Session, account_id: str, days: list[date]) -> None:
    run_id = start_crawl_run(session, "account", account_id)
    posts = tuple(
        Post(
            f"{account_id}-{index}",
            f"http://m.example.cn/{account_id}/{index}",
            f"{account_id}第{index + 1}条",
            datetime(day.year, day.month, day.day, 9, tzinfo=CHINA_TZ),
            False,
            False,
        )
        for index, day in enumerate(days)
    )
    page = AccountPageObservation(
        account_id, f"http://m.example.cn/{account_id}", 1, 200, "ok", None, "", posts, date.min
    )
    record_account_page(session, run_id, page, SEEN_AT)
    finish_crawl_run(session, run_id)


def build_sample_district(session: Session, check: bool = True) -> None:
    """Register the district, store one crawl of everything, and (by default) check it."""
    sync_targets(session, parse_targets(TARGETS_YAML, "sample-district.yaml"))
    session.flush()
    _record_site(session, "cangshan", "http://www.cangshan.example.gov.cn/")
    _record_site(session, "jiaoyu", "http://jyj.cangshan.example.gov.cn/")
    for account_id, days in account_post_days().items():
        _record_account(session, account_id, days)
    session.flush()
    if check:
        run_check(session, PERIOD_END)
