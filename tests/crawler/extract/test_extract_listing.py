"""extract_list on real corpus pages and on hand-written pages of each layout."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from corpus import corpus_path

from crawler.extract import ListedItem, ListPage, Selectors, extract_list
from crawler.extract.encoding import decode_html

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "extract"
EXPECTED = FIXTURES / "expected"


def _expected(stem: str) -> dict:
    return json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))


def _page_bytes(reference: str) -> bytes:
    source, _, relative = reference.partition(":")
    if source == "corpus":
        return corpus_path(*relative.split("/")).read_bytes()
    return (FIXTURES / relative).read_bytes()


def _expected_items(expected: dict) -> tuple[ListedItem, ...]:
    return tuple(
        ListedItem(
            title=item["title"],
            url=item["url"],
            published_on=date.fromisoformat(item["published_on"]),
            published_at=(
                datetime.fromisoformat(item["published_at"]) if "published_at" in item else None
            ),
            pinned=item.get("pinned", False),
            year_inferred=item.get("year_inferred", False),
        )
        for item in expected["items"]
    )


def _run(stem: str) -> tuple[ListPage, dict]:
    expected = _expected(stem)
    html = decode_html(_page_bytes(expected["page"]), expected.get("content_type"))
    page = extract_list(
        html,
        expected["base_url"],
        date.fromisoformat(expected["today"]),
        homepage=expected.get("mode") == "homepage",
    )
    return page, expected


@pytest.mark.parametrize("stem", sorted(path.stem for path in EXPECTED.glob("*.json")))
def test_page_matches_hand_checked_expectation(stem: str) -> None:
    page, expected = _run(stem)
    assert page.status == expected["status"], page.detail
    assert page.items == _expected_items(expected)
    newest = expected["newest_published_on"]
    assert page.newest_published_on == (date.fromisoformat(newest) if newest else None)
    assert list(page.next_page_urls) == expected["next_page_urls"]


# ------------------------------------------------------------- real corpus pages


def test_zhangshu_trs_table_skips_the_header_marquee() -> None:
    page, _ = _run("zhangshu_trs_comprehensive_info")
    assert len(page.items) == 24
    assert page.items[0] == ListedItem(
        title="江西（樟树）医药产业招商引资推介会举行",
        url="http://www.zhangshu.gov.cn/zwgk/zhxx/201710/t20171019_398276.html",
        published_on=date(2017, 10, 19),
        year_inferred=True,  # the page prints 10-19
    )
    assert not any("/wsfw/" in item.url for item in page.items)
    # MM-DD dates get the URL's year, not the year of the check.
    assert {item.published_on.year for item in page.items if item.published_on} == {2017}
    assert page.next_page_urls == ("http://www.zhangshu.gov.cn/zwgk/zhxx/index_1.html",)


def test_zhangshu_keeps_numbers_in_titles_out_of_dates() -> None:
    page, _ = _run("zhangshu_trs_comprehensive_info")
    last = page.items[-1]
    assert last.title == "樟树市对省环保督察组交办信访件14-12处理情况"
    assert last.published_on == date(2017, 9, 25)


def test_hd_takes_every_dated_block_once_and_no_menu() -> None:
    page, _ = _run("hd_gov_cn_hdzfxxgk_home_TRS_saved_a6b88b9")
    assert len(page.items) == 54
    assert len({item.url for item in page.items}) == 54
    assert page.items[-1] == ListedItem(
        title="邯郸市人民政府令第163号《关于废止部分政府规章的决定》",
        url="http://hdzfxxgk.hd.gov.cn/zfwj/xdfz/201808/t20180814_847667.html",
        published_on=date(2017, 11, 28),
    )
    assert not any(item.title in ("领导分工", "政府文件", "网站声明") for item in page.items)


def test_dingxi_hanweb_uses_full_title_attribute() -> None:
    page, _ = _run("dingxi_gov_cn_hanweb_jpage_datastore_col12377")
    assert len(page.items) == 45
    assert page.items[1] == ListedItem(
        title="定西市工信局关于对省级第二轮环保督察反馈第四项第十三项问题整改完成情况的公示",
        url="http://www.dingxi.gov.cn/art/2022/1/19/art_12377_1486583.html",
        published_on=date(2022, 1, 19),
    )
    other_host = [item for item in page.items if "zwgk.dingxi.gov.cn" in item.url]
    assert [item.url for item in other_host] == [
        "http://zwgk.dingxi.gov.cn/art/2021/11/4/art_12480_1461862.html"
    ]
    assert page.next_page_urls[0].startswith(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?page=1&"
    )


# ----------------------------------------------------------- hand-written pages


def test_pinned_old_item_does_not_hide_the_newest_date() -> None:
    page, _ = _run("pinned_old_item")
    assert page.items[0].pinned is True
    assert page.items[0].title == "某某市政府信息公开指南"
    assert page.items[0].published_on == date(2019, 1, 5)
    assert page.newest_published_on == date(2023, 3, 10)
    assert [item.pinned for item in page.items[1:]] == [False, False, False]


def test_empty_column_with_a_sidebar_is_empty() -> None:
    page, _ = _run("empty_zanwu_with_sidebar")
    assert page.status == "empty"
    assert page.items == ()
    assert "暂无信息" in page.detail


@pytest.mark.parametrize("marker", ["暂无信息", "暂无数据", "没有记录"])
def test_empty_markers(marker: str) -> None:
    html = f"<html><body><div class='list'><p>{marker}</p></div></body></html>"
    page = extract_list(html, "http://www.example.gov.cn/tzgg/", date(2024, 1, 1))
    assert (page.status, page.items) == ("empty", ())


def test_page_without_any_list_is_unparsed() -> None:
    page, _ = _run("no_list_page")
    assert (page.status, page.items) == ("unparsed", ())
    assert extract_list("", "http://www.example.gov.cn/", date(2024, 1, 1)).status == "unparsed"


def test_date_inside_the_link_is_cut_from_the_title() -> None:
    html = """<ul class="list">
      <li><a href="/a/1.html">关于开展安全检查的通知 [2023-03-02]</a></li>
      <li><a href="/a/2.html">关于调整公交线路的通告 03-01</a></li>
    </ul>"""
    page = extract_list(html, "http://www.example.gov.cn/tzgg/", date(2023, 3, 5))
    assert page.items == (
        ListedItem(
            "关于开展安全检查的通知", "http://www.example.gov.cn/a/1.html", date(2023, 3, 2)
        ),
        ListedItem(
            "关于调整公交线路的通告",
            "http://www.example.gov.cn/a/2.html",
            date(2023, 3, 1),
            year_inferred=True,
        ),
    )


def test_title_attribute_replaces_truncated_link_text_only() -> None:
    html = """<ul>
      <li><a href="/a/1.html" title="关于开展2023年度全市统计执法检查工作的通知">关于开展2023年度全市统计…</a>
          <span>2023-06-02</span></li>
      <li><a href="/a/2.html" title="栏目：通知公告">关于征集民生实事项目的公告</a><span>2023-05-30</span></li>
    </ul>"""
    page = extract_list(html, "http://www.example.gov.cn/", date(2023, 6, 10))
    assert [item.title for item in page.items] == [
        "关于开展2023年度全市统计执法检查工作的通知",
        "关于征集民生实事项目的公告",
    ]


def test_text_date_wins_over_a_disagreeing_url_date() -> None:
    page, _ = _run("date_forms_table")
    by_url = {item.url: item for item in page.items}
    item = by_url["http://www.example.gov.cn/zfwj/202411/t20241105_500.html"]
    assert item.published_on == date(2024, 11, 6)


def test_month_day_takes_the_url_year_across_new_year() -> None:
    html = """<table>
      <tr><td><a href="./201712/t20171230_1.html">年终总结大会召开</a></td><td>12-30</td></tr>
      <tr><td><a href="./201801/t20180102_2.html">新年第一次常务会议</a></td><td>01-02</td></tr>
    </table>"""
    page = extract_list(html, "http://www.example.gov.cn/xw/", date(2020, 6, 1))
    assert [item.published_on for item in page.items] == [date(2017, 12, 30), date(2018, 1, 2)]


def test_gbk_page_keeps_sidebar_and_footer_out() -> None:
    page, _ = _run("gbk_meta_div_sidebar")
    assert [item.title for item in page.items] == [
        "县长主持召开全县乡村振兴工作推进会议并作重要讲话",
        "县农业农村局开展春季动物防疫检查",
        "我县召开䶮城片区旧城改造动员会",
        "县人大常委会视察重点项目建设",
    ]


# ------------------------------------------------------------------- pagination


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('createPageHTML(21, 0, "index", "html");', ("http://www.example.gov.cn/xw/index_1.html",)),
        (
            'createPageHTML(21, 3, "index", "shtml");',
            ("http://www.example.gov.cn/xw/index_4.shtml",),
        ),
        (
            "createPageHTML('page_div', 5, 1, 'index', 'htm', 88);",
            ("http://www.example.gov.cn/xw/index_2.htm",),
        ),
        ('createPageHTML(3, 2, "index", "html");', ()),
    ],
)
def test_trs_create_page_html(script: str, expected: tuple[str, ...]) -> None:
    html = f"""<ul><li><a href="./a.html">某某工作会议召开</a><span>2023-01-02</span></li>
      <li><a href="./b.html">某某调研活动</a><span>2023-01-01</span></li></ul>
      <div><script>{script}</script></div>"""
    page = extract_list(html, "http://www.example.gov.cn/xw/", date(2023, 2, 1))
    assert page.next_page_urls == expected


def test_next_page_link_comes_first() -> None:
    page, _ = _run("dl_pagination")
    assert page.next_page_urls[0] == "http://www.example.gov.cn/xwzx/tpxw/list_2.shtml"


# -------------------------------------------------------------------- selectors


def test_selectors_override_the_heuristics() -> None:
    html = """<div class="side"><ul>
        <li><a href="/x/1.html">侧栏条目一</a><span>2024-05-30</span></li>
        <li><a href="/x/2.html">侧栏条目二</a><span>2024-05-29</span></li>
        <li><a href="/x/3.html">侧栏条目三</a><span>2024-05-28</span></li></ul></div>
      <div class="cards">
        <div class="card"><h4>关于开展防汛演练的通知</h4><a class="go" href="/tz/9.html">查看</a>
          <p class="meta">发布：2024-05-01</p></div>
        <div class="card"><h4>关于加强森林防火的通告</h4><a class="go" href="/tz/8.html">查看</a>
          <p class="meta">发布：04-20</p></div>
      </div>"""
    selectors = Selectors(
        item="div.card", title="h4::text", link="a.go::attr(href)", date="p.meta::text"
    )
    page = extract_list(html, "http://www.example.gov.cn/tz/", date(2024, 6, 1), selectors)
    assert page.status == "ok"
    assert page.items == (
        ListedItem(
            "关于开展防汛演练的通知", "http://www.example.gov.cn/tz/9.html", date(2024, 5, 1)
        ),
        ListedItem(
            "关于加强森林防火的通告",
            "http://www.example.gov.cn/tz/8.html",
            date(2024, 4, 20),
            year_inferred=True,
        ),
    )


def test_selectors_that_match_nothing_are_unparsed() -> None:
    page = extract_list(
        "<ul><li><a href='/a.html'>某某通知</a> 2024-01-01</li></ul>",
        "http://www.example.gov.cn/",
        date(2024, 6, 1),
        Selectors(item="div.nothing"),
    )
    assert page.status == "unparsed"
    assert "div.nothing" in page.detail


# ------------------------------------------------ real pages of issue 14's failure classes


def test_stats_gov_cn_takes_the_date_element_not_the_date_in_the_title() -> None:
    page, _ = _run("real_stats_gov_cn_xzqhdm_list_fragment")
    assert page.items[0] == ListedItem(
        title="最新县及县以上行政区划代码（截止2016年7月31日）",
        url="http://www.stats.gov.cn/tjsj/tjbz/xzqhdm/201703/t20170310_1471429.html",
        published_on=date(2017, 3, 10),
    )
    # The shown date wins over the URL's (t20140116 is shown as 2014-01-17).
    assert page.items[3].published_on == date(2014, 1, 17)
    assert page.doubts == ()


def test_wfrsks_homepage_counts_every_dated_box() -> None:
    page, _ = _run("real_wfrsks_com_homepage_aspnet")
    assert len(page.items) == 49
    assert page.newest_published_on == date(2018, 3, 19)  # in the last box, 其他信息
    # One box only (the column mode) would have said 2018-03-15.
    html = decode_html((FIXTURES / "real" / "wfrsks_com_homepage_aspnet.html").read_bytes())
    column = extract_list(html, "http://www.wfrsks.com/", date(2026, 11, 23))
    assert column.newest_published_on == date(2018, 3, 15)


def test_gjj_beijing_tab_panels_are_all_read_on_a_homepage_and_a_doubt_otherwise() -> None:
    page, _ = _run("real_gjj_beijing_gov_cn_homepage_policy_tabs_fragment")
    assert len(page.items) == 30
    html = decode_html(
        (FIXTURES / "real" / "gjj_beijing_gov_cn_homepage_policy_tabs_fragment.html").read_bytes()
    )
    column = extract_list(html, "http://gjj.beijing.gov.cn/", date(2026, 11, 23))
    assert len(column.items) == 6
    assert column.doubts and "列表" in column.doubts[0]
