"""`govwatch extract` on a page of each failure class of issue 14, and its doubts."""

from __future__ import annotations

import json
from pathlib import Path

GLUED = """<html><body><ul class="list">
<li><a href="./201802/t20180201_1.html"><em>2018-02-14</em>2018年1月全市政府信息公开工作简报</a></li>
<li><a href="./201801/t20180102_2.html"><em>2018-01-30</em>2017年12月全市政府信息公开工作简报</a></li>
<li><a href="./201712/t20171201_3.html"><em>2018-01-05</em>2017年11月全市政府信息公开工作简报</a></li>
</ul></body></html>"""

STALE_HOMEPAGE = (
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


def test_extract_reads_a_date_glued_to_the_title(tmp_path: Path, govwatch_cli) -> None:
    page = tmp_path / "list.html"
    page.write_text(GLUED, encoding="utf-8")
    result = govwatch_cli("extract", str(page), "--base-url", "http://www.example.gov.cn/xxgk/")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["published"], i["title"]) for i in items] == [
        ("2018-02-14", "2018年1月全市政府信息公开工作简报"),
        ("2018-01-30", "2017年12月全市政府信息公开工作简报"),
        ("2018-01-05", "2017年11月全市政府信息公开工作简报"),
    ]
    assert "疑点" not in result.stderr


def test_extract_homepage_mode_shows_every_box_and_why_it_is_unsure(
    tmp_path: Path, govwatch_cli
) -> None:
    page = tmp_path / "index.html"
    page.write_text(STALE_HOMEPAGE, encoding="utf-8")
    result = govwatch_cli(
        "extract", str(page), "--homepage", "--base-url", "http://www.example.gov.cn/"
    )
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == 7
    assert max(i["published"] for i in items) == "2020-07-27"
    assert "疑点: 只有月-日的日期按页面上的完整日期推定为 2020 年" in result.stderr
    # A guessed year makes the newest date a guess: a crawl reports it for review.
    assert "检查时不据此判断,转人工复核: 只有月-日的日期" in result.stderr


REAL = Path(__file__).resolve().parents[1] / "fixtures" / "extract" / "real"


def test_extract_on_a_real_page_with_the_date_inside_the_link(govwatch_cli) -> None:
    page = REAL / "stats_gov_cn_xzqhdm_list_fragment.html"
    result = govwatch_cli(
        "extract", str(page), "--base-url", "http://www.stats.gov.cn/tjsj/tjbz/xzqhdm/"
    )
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == 19
    assert items[0] == {
        "title": "最新县及县以上行政区划代码（截止2016年7月31日）",
        "url": "http://www.stats.gov.cn/tjsj/tjbz/xzqhdm/201703/t20170310_1471429.html",
        "published": "2017-03-10",
    }


def test_extract_on_a_real_homepage_reads_every_dated_box(govwatch_cli) -> None:
    page = REAL / "wfrsks_com_homepage_aspnet.html"
    result = govwatch_cli(
        "extract", str(page), "--homepage", "--base-url", "http://www.wfrsks.com/"
    )
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == 49
    assert max(i["published"] for i in items) == "2018-03-19"


def test_extract_on_a_real_list_split_into_sibling_blocks(govwatch_cli) -> None:
    # 平潭 数据图解: unclassed $showStatic blocks of 5+5+5+1 entries; every block counts,
    # the last one-entry block included, and nothing from the avalon templates.
    page = REAL / "pingtan_gov_cn_trs_avalon_sjtj_static_list.html"
    result = govwatch_cli(
        "extract", str(page), "--base-url", "https://www.pingtan.gov.cn/zwgk/tjxx/sjtj/"
    )
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == 16
    assert items[0]["published"] == "2026-07-24"
    assert items[-1] == {
        "title": "一图读懂《福建省统计条例》",
        "url": "https://www.pingtan.gov.cn/zwgk/tjxx/sjtj/202312/t20231212_83096.htm",
        "published": "2023-12-12",
    }
    assert "疑点" not in result.stderr


def test_extract_on_a_real_section_homepage_reads_every_tab_box(govwatch_cli) -> None:
    # 平潭 政务公开: four tab panels of six dated entries in two boxes; as a homepage every
    # box counts, as a column page the choice between them is a doubt.
    page = REAL / "pingtan_gov_cn_trs_zwgk_home_tab_boxes_fragment.html"
    base = "https://www.pingtan.gov.cn/zwgk/"
    result = govwatch_cli("extract", str(page), "--homepage", "--base-url", base)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == 24
    assert max(i["published"] for i in items) == "2026-09-10"
    assert {i["url"].split("/")[4] for i in items} == {"gsgg", "zfxxgk", "ghxx", "tjxx"}
    column = govwatch_cli("extract", str(page), "--base-url", base)
    assert column.returncode == 0, column.stderr
    assert "另有一个分量相近的列表" in column.stderr
