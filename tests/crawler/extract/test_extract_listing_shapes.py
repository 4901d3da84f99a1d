"""extract_list on the page shapes that broke it on real government sites (issue 14).

Each page below is cut down to the structure a CMS family prints (the class names and
nesting are those of the sites named in each test); the full real pages are in
tests/fixtures/extract/real/ and are checked item by item in test_extract_listing.py.
"""

from __future__ import annotations

from datetime import date

from crawler.extract import ListedItem, extract_list
from crawler.extract.dates import month_from_url, page_generated_on, standalone_date

TODAY = date(2026, 11, 23)


def _li(day: str, number: int) -> str:
    return (
        f'<li><a href="./2026{day[5:7]}/t2026{day[5:7]}{day[8:10]}_{number}.htm" '
        f'title="财政厅通知第{number}号关于预算管理的事项">财政厅通知第{number}号关于预算管理的事项</a>'
        f'<span class="bf-pass">{day}</span></li>'
    )


def _avalon_page() -> str:
    """TRS avalon paging (czt.fujian.gov.cn style): one classless <ul> per page of five
    items, each inside its own ``div.list_base_date_01[ms-visible="$showStatic(n)"]``,
    the static blocks followed by an empty dynamic container."""
    days = [f"2026-09-{day:02d}" for day in range(29, 14, -1)]
    blocks = []
    for start in range(0, 15, 5):
        items = "".join(_li(day, 100 - start - i) for i, day in enumerate(days[start : start + 5]))
        blocks.append(
            f'<div class="list_base_date_01" ms-visible="$showStatic({start + 1})">'
            f"<ul>{items}</ul></div>"
        )
    sidebar = "".join(
        f'<li><a href="/zwgk/rdzt/{n}.htm">热点专题第{n}期专题报道</a><span>2026-08-0{n}</span></li>'
        for n in range(1, 5)
    )
    return (
        "<html><body><div class='nav'><a href='/'>首页</a></div>"
        "<div class='main'><div class='gl_list' ms-controller='list'>"
        f"<div ms-visible='showStatic'>{''.join(blocks)}</div>"
        "<div ms-visible='!showStatic'></div></div>"
        "<div class='page'><a href='index_1.htm'>下一页</a></div></div>"
        f"<div class='right'><h3>热点专题</h3><ul>{sidebar}</ul></div>"
        "</body></html>"
    )


def test_blocks_of_the_same_shape_that_follow_one_another_are_one_list() -> None:
    page = extract_list(_avalon_page(), "https://czt.fujian.gov.cn/zwgk/tzgg/", TODAY)
    assert page.status == "ok"
    assert len(page.items) == 15
    assert page.items[0].published_on == date(2026, 9, 29)
    assert page.items[-1].published_on == date(2026, 9, 15)
    assert not any("rdzt" in item.url for item in page.items)
    assert "3 blocks" in page.detail


def test_a_last_block_of_one_entry_is_merged_too() -> None:
    # 平潭 数据图解: 16 entries in blocks of 5+5+5+1. The lone <li> holds the only link of
    # its <ul> and wrapper <div>, which must not make the wrapper the entry.
    days = [f"2026-09-{day:02d}" for day in range(29, 13, -1)]
    blocks = "".join(
        f"<div ms-visible='$showStatic({start + 1})'><ul>"
        + "".join(_li(day, 100 - start - i) for i, day in enumerate(days[start : start + 5]))
        + "</ul><div class='border_b_dashed'></div></div>"
        for start in range(0, 16, 5)
    )
    html = (
        "<html><body><div class='list_base' ms-controller='list'>"
        f"<div ms-visible='showStatic'>{blocks}</div></div></body></html>"
    )
    page = extract_list(html, "https://www.pingtan.gov.cn/zwgk/tjxx/sjtj/", TODAY)
    assert len(page.items) == 16
    assert page.items[-1].published_on == date(2026, 9, 14)
    assert "4 blocks" in page.detail


def test_blocks_split_by_a_list_of_other_links_are_not_merged() -> None:
    html = (
        "<html><body><div class='c'>"
        "<div><ul>" + "".join(_li(f"2026-09-{d}", d) for d in (20, 19, 18, 17)) + "</ul></div>"
        "<div><a href='/a'>机构设置</a><a href='/b'>领导信息</a><a href='/c'>联系我们</a></div>"
        "<div><ul>"
        + "".join(_li(f"2026-08-{d}", d) for d in (20, 19, 18))
        + "</ul></div></div></body></html>"
    )
    page = extract_list(html, "https://czt.fujian.gov.cn/zwgk/tzgg/", TODAY)
    assert [item.published_on.month for item in page.items if item.published_on] == [9] * 4


def test_a_date_alone_in_its_element_wins_over_a_date_in_the_title() -> None:
    # TRS WCM lists that put the date element inside the link (<a><span>标题</span><font>…).
    rows = [
        ("关于全市重点项目建设进展情况的通报（截止2016年7月31日）", "2016-08-05", 1),
        ("关于公布2016年第二批行政审批事项清单的通知", "2016-07-29", 2),
        ("关于2016年上半年政府信息公开工作情况的报告（截止2016年6月30日）", "2016-07-15", 3),
    ]
    items = "".join(
        f'<li><a href="./201608/t2016080{n}_{n}.html"><span>{title}</span>'
        f"<font>{day}</font></a></li>"
        for title, day, n in rows
    )
    page = extract_list(
        f"<html><body><ul class='list'>{items}</ul></body></html>",
        "http://www.example.gov.cn/zwgk/",
        TODAY,
    )
    assert [(item.title, item.published_on) for item in page.items] == [
        (title, date.fromisoformat(day)) for title, day, _ in rows
    ]


def test_a_date_glued_to_the_title_is_read_on_element_boundaries() -> None:
    rows = [
        ("2018-02-14", "2018年1月全市政府信息公开工作简报", "201802/t20180201_1"),
        ("2018-01-30", "2017年12月全市政府信息公开工作简报", "201801/t20180102_2"),
        ("2018-01-05", "2017年11月全市政府信息公开工作简报", "201712/t20171201_3"),
    ]
    items = "".join(
        f'<li><a href="./{path}.html"><em>{day}</em>{title}</a></li>' for day, title, path in rows
    )
    page = extract_list(
        f"<html><body><ul class='list'>{items}</ul></body></html>",
        "http://www.example.gov.cn/xxgk/",
        TODAY,
    )
    # The shown date, not the (weeks older) date in the URL; the title without the date.
    assert [(item.published_on, item.title) for item in page.items] == [
        (date.fromisoformat(day), title) for day, title, _ in rows
    ]


def _homepage() -> str:
    news = "".join(
        f'<li><a href="/xwzx/{n}.htm">市政府召开第{n}次常务会议研究部署重点工作</a>'
        f"<span>11-{20 - n:02d}</span></li>"
        for n in range(1, 6)
    )
    notices = "".join(
        f'<li><span>2026-11-{18 - n:02d}</span><a href="/tzgg/{n}.htm">'
        f"关于做好第{n}批冬季安全生产检查工作的通知</a></li>"
        for n in range(1, 5)
    )
    policies = "".join(
        f'<li><a href="/zcwj/{n}.htm">关于印发第{n}号专项资金管理办法的通知</a>'
        f"<em>2026-10-{20 - n:02d}</em></li>"
        for n in range(1, 4)
    )
    return (
        "<html><body><div class='header'><ul class='nav'><li><a href='/'>首页</a></li></ul></div>"
        f"<div class='box1'><h3>政务要闻</h3><ul>{news}</ul></div>"
        f"<div class='box2'><h3>通知公告</h3><ul>{notices}</ul></div>"
        f"<div class='box3'><h3>最新文件</h3><ul>{policies}</ul></div>"
        "<div class='footer'><a href='/wzdt'>网站地图 2026-01-01</a></div></body></html>"
    )


def test_homepage_mode_takes_every_dated_box() -> None:
    page = extract_list(_homepage(), "http://www.example.gov.cn/", TODAY, homepage=True)
    assert page.status == "ok"
    assert len(page.items) == 12
    assert {item.url.split("/")[3] for item in page.items} == {"xwzx", "tzgg", "zcwj"}
    assert page.newest_published_on == date(2026, 11, 19)
    # The column mode still picks one list.
    column = extract_list(_homepage(), "http://www.example.gov.cn/", TODAY)
    assert len(column.items) < 12


def test_month_day_year_follows_the_full_dates_on_a_stale_page() -> None:
    # A homepage last updated in July 2020, read in November 2026: "07-28" is 2020-07-28,
    # not 2026-07-28, and the result says the year was inferred.
    html = (
        "<html><body><div class='a'><ul>"
        + "".join(
            f'<li><a href="/xw/{n}.htm">县政府召开第{n}次专题会议部署防汛工作</a>'
            f"<span>07-{28 - n:02d}</span></li>"
            for n in range(1, 5)
        )
        + "</ul></div><div class='b'><ul>"
        + "".join(
            f'<li><a href="/gg/{n}.htm">关于第{n}批项目资金拨付情况的公示</a>'
            f"<span>2020-07-{20 - n:02d}</span></li>"
            for n in range(1, 4)
        )
        + "</ul></div></body></html>"
    )
    page = extract_list(html, "http://www.example.gov.cn/", TODAY, homepage=True)
    assert page.newest_published_on == date(2020, 7, 27)
    assert any("2020" in doubt for doubt in page.doubts)
    # The year is the page's suggestion, not something it states: a review, not a finding.
    assert "2020" in page.review_reason


def test_month_day_year_from_a_year_month_url_folder() -> None:
    html = (
        "<html><body><ul class='list'>"
        + "".join(
            f'<li><a href="./201912/a{n}.html">某某县召开第{n}次安全生产工作会议</a>'
            f"<span>12-{20 - n:02d}</span></li>"
            for n in range(1, 4)
        )
        + "</ul></body></html>"
    )
    page = extract_list(html, "http://www.example.gov.cn/xw/", TODAY)
    assert page.newest_published_on == date(2019, 12, 19)
    assert page.doubts == ()


def test_month_day_year_from_the_page_generation_stamp() -> None:
    html = (
        "<html><head><meta name='lastmodifiedtime' content='2021-01-05 10:00:00'></head>"
        "<body><ul class='list'>"
        + "".join(
            f'<li><a href="/xw/{n}.htm">某某县召开第{n}次安全生产工作会议</a>'
            f"<span>{month}</span></li>"
            for n, month in enumerate(("01-04", "12-30", "12-21"), start=1)
        )
        + "</ul></body></html>"
    )
    page = extract_list(html, "http://www.example.gov.cn/xw/", TODAY)
    assert [item.published_on for item in page.items] == [
        date(2021, 1, 4),
        date(2020, 12, 30),
        date(2020, 12, 21),
    ]


def test_two_lists_of_similar_weight_are_a_doubt() -> None:
    def box(name: str, month: int) -> str:
        return (
            "<div><ul>"
            + "".join(
                f'<li><a href="/{name}/{n}.htm">关于第{n}批{name}事项办理情况的公告</a>'
                f"<span>2026-{month:02d}-{10 + n:02d}</span></li>"
                for n in range(1, 7)
            )
            + "</ul></div><p>说明文字</p>"
        )

    html = f"<html><body>{box('tzgg', 11)}<hr>{box('gsgg', 10)}</body></html>"
    page = extract_list(html, "http://www.example.gov.cn/", TODAY)
    assert page.status == "ok"
    assert any("列表" in doubt for doubt in page.doubts)
    # The newest date depends on which list is the column's: not to be judged.
    assert page.review_reason == page.doubts[0]


def test_a_clear_main_list_has_no_doubts() -> None:
    page = extract_list(_avalon_page(), "https://czt.fujian.gov.cn/zwgk/tzgg/", TODAY)
    assert page.doubts == ()
    assert page.review_reason == ""


def test_a_list_without_dates_is_a_doubt() -> None:
    html = (
        "<html><body><ul class='list'>"
        + "".join(
            f'<li><a href="/zcwj/{n}.htm">关于印发某某市第{n}批专项行动方案的通知</a></li>'
            for n in range(1, 6)
        )
        + "</ul></body></html>"
    )
    page = extract_list(html, "http://www.example.gov.cn/zcwj/", TODAY)
    assert page.status == "ok"
    assert page.doubts and "日期" in page.doubts[0]
    # Only noted: the crawl opens the articles for their dates, and an item whose date
    # stays unknown counts as no update (the indicators' rule), so the column is judged.
    assert page.review_reason == ""


def test_some_items_without_dates_are_noted_not_sent_for_review() -> None:
    html = (
        "<html><body><ul class='list'>"
        '<li><a href="/tz/0.htm">关于调整办公时间的通知（长期有效）</a></li>'
        + "".join(
            f'<li><a href="/tz/{n}.htm">关于印发某某市第{n}批专项行动方案的通知</a>'
            f"<span>2026-10-{20 - n:02d}</span></li>"
            for n in range(1, 6)
        )
        + "</ul></body></html>"
    )
    page = extract_list(html, "http://www.example.gov.cn/tz/", TODAY)
    assert len(page.items) == 6
    assert page.doubts == ("1 条信息没有发布日期",)
    assert page.review_reason == ""


def test_standalone_date_forms() -> None:
    assert standalone_date("2022-05-20", TODAY) == (date(2022, 5, 20), None, False)
    assert standalone_date("[ 2022-05-20 ]", TODAY) == (date(2022, 5, 20), None, False)
    assert standalone_date("发布日期：2022年5月20日", TODAY) == (date(2022, 5, 20), None, False)
    assert standalone_date("（05-20）", TODAY) == (date(2026, 5, 20), None, True)
    assert standalone_date("截止2016年7月31日的情况", TODAY) is None
    assert standalone_date("2018-02-142018年1月", TODAY) is None


def test_year_month_folders_and_generation_stamps() -> None:
    assert month_from_url("http://a.gov.cn/zwgk/202008/t20200802_1.html") == (2020, 8)
    assert month_from_url("http://a.gov.cn/2020-08/02/content_1.htm") == (2020, 8)
    assert month_from_url("http://a.gov.cn/art/2020/8/2/art_1.html") is None
    assert page_generated_on("<!-- 页面生成时间：2021-01-05 10:00 -->") == date(2021, 1, 5)
    assert page_generated_on("<p>2021-01-05</p>") is None


def test_listed_items_keep_their_fields() -> None:
    page = extract_list(_homepage(), "http://www.example.gov.cn/", TODAY, homepage=True)
    assert page.items[0] == ListedItem(
        title="市政府召开第1次常务会议研究部署重点工作",
        url="http://www.example.gov.cn/xwzx/1.htm",
        published_on=date(2026, 11, 19),
        year_inferred=True,  # the box prints 11-19
    )


def test_an_entry_with_two_links_to_one_article_is_one_entry() -> None:
    # enorth: the title link and a "查阅全文" link to the same article, the date beside
    # the second; a sidebar of dated-title links must not win over the list.
    entry = (
        '<tr><td><div class="newsmb"><dl><dt><a href="/system/2017/10/{d}/{n}.shtml">'
        "第{n}项工作会议召开</a></dt><dd><a class=amore "
        'href="/system/2017/10/{d}/{n}.shtml">查阅全文</a><font>发表于：</font>2017/10/{d}</dd>'
        "</dl></div></td></tr>"
    )
    rows = "".join(entry.format(d=19 - n, n=n) for n in range(1, 11))
    sidebar = "".join(
        f'<li><a href="/v/{n}.shtml">2017年9月{n}日《新闻》</a></li>' for n in range(1, 7)
    )
    html = f"<html><body><table>{rows}</table><div><ul>{sidebar}</ul></div></body></html>"
    page = extract_list(html, "http://www.example.cn/hot/", TODAY)
    assert [item.title for item in page.items] == [f"第{n}项工作会议召开" for n in range(1, 11)]
    assert page.newest_published_on == date(2017, 10, 18)


def test_a_link_to_another_column_is_not_an_undated_item() -> None:
    html = (
        "<html><body><ul class='list'>"
        + "".join(
            f'<li><a href="./202607/t2026070{n}_1.html">关于第{n}批项目申报的通知</a>'
            f"<span>2026-07-0{n}</span></li>"
            for n in (3, 2)
        )
        + '<li><a href="/zwgk_176/fdzdgknr/czyjs/">财政预决算公开栏目</a></li>'
        + "</ul></body></html>"
    )
    page = extract_list(html, "https://kjj.example.gov.cn/zwxx/tzgg/index.html", TODAY)
    assert len(page.items) == 2
    assert page.doubts == ()


def test_create_page_pager_gives_the_next_page() -> None:
    html = (
        "<html><body><ul class='list'>"
        + "".join(
            f'<li><a href="./202607/t2026070{n}_1.html">关于第{n}批项目申报的通知</a>'
            f"<span>2026-07-0{n}</span></li>"
            for n in (3, 2)
        )
        + '</ul><script>createPage(34, 0, "index", "html");</script></body></html>'
    )
    page = extract_list(html, "https://kjj.example.gov.cn/zwxx/tzgg/index.html", TODAY)
    assert page.next_page_urls == ("https://kjj.example.gov.cn/zwxx/tzgg/index_1.html",)


def test_script_only_pager_next_link_by_its_class() -> None:
    # JEECMS: href="#" and the address in onclick; the arrow says "next" by its class.
    html = (
        "<html><body><ul class='news-list'>"
        + "".join(
            f'<li><span>2017-09-{28 - n}</span><h1><a href="/lykb/{9010 - n}.jhtml">'
            f"旅游快讯第{n}条</a></h1></li>"
            for n in range(3)
        )
        + "</ul><div class='pages'>"
        '<a href="#" class="prev" onclick="location.href=\'index_5.jhtml\'"> &lt;&lt; </a>'
        '<a class="Num" href="#" onclick="location.href=\'index_7.jhtml\'">7</a>'
        '<a class="next" href="#" onclick="location.href=\'index_7.jhtml\'"> &gt;&gt; </a>'
        "</div></body></html>"
    )
    page = extract_list(html, "http://www.example.gov.cn/lykb/index_6.jhtml", TODAY)
    assert page.next_page_urls == ("http://www.example.gov.cn/lykb/index_7.jhtml",)


def test_a_title_cut_in_the_middle_takes_the_title_attribute() -> None:
    whole = "省工业和信息化厅关于印发《江苏省制造强省建设专项资金项目验收管理办法》的通知"
    html = (
        "<html><body><ul>"
        f'<li><a href="/art/2026/4/17/a.html" title="{whole}">省工业和信息化厅关于印发……的通知</a>'
        "<b>2026-04-17</b></li>"
        '<li><a href="/art/2026/4/10/b.html" title="关于公布名单的通知">关于公布名单的通知</a>'
        "<b>2026-04-10</b></li></ul></body></html>"
    )
    page = extract_list(html, "https://gxt.example.gov.cn/col/col1/index.html", TODAY)
    assert page.items[0].title == whole
    assert page.items[1].title == "关于公布名单的通知"


def test_join_url_agrees_with_urljoin_on_list_links() -> None:
    # The fast path for the links lists print must give urljoin's answer, and hand every
    # other form (dot segments, queries or fragments alone, schemes) to urljoin.
    from urllib.parse import urljoin

    from crawler.extract.listing import join_url

    hrefs = [
        "./202601/t20260107_104456.htm",
        "../../gsgg/202508/t20250811_100845.htm",
        "/art/2026/9/11/art_33718_11828204.html",
        "News.shtml?p5=530558",
        "news-show-8960.html",
        "./",
        ".",
        "..",
        "a/./b.htm",
        "?page=2",
        "#top",
        "//cdn.example.cn/x.pdf",
        "HTTP://WWW.EXAMPLE.CN/a",
        "javascript:void(0)",
        "",
    ]
    bases = [
        "http://www.jxta.gov.cn/Column.shtml?p5=28",
        "https://www.pingtan.gov.cn/zwgk/tjxx/tjgb/",
        "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/index.html#list",
        "http://www.example.cn",
        "http://www.example.cn/a/./b/",
    ]
    for base in bases:
        for href in hrefs:
            assert join_url(base, href) == urljoin(base, href), (base, href)
