"""Columns found in a homepage's navigation, and their categories."""

from __future__ import annotations

import pytest

from crawler.extract.discovery import DiscoveredColumn, classify_column, discover_columns

HOMEPAGE = """<html><body>
<div class="nav"><ul>
  <li><a href="/">首页</a></li>
  <li><a href="/xwzx/gzdt/">工作动态</a></li>
  <li><a href="/zwgk/tzgg/">通知公告</a></li>
  <li><a href="http://zwgk.example.gov.cn/zcwj/">政策文件</a></li>
  <li><a href="/hdjl/zxzx/">在线咨询</a></li>
  <li><a href="/zjxx/jggk/">机构概况</a></li>
  <li><a href="/zwgk/rsxx/">人事信息</a></li>
  <li><a href="/xwzx/gzdt/">工作动态(重复)</a></li>
  <li><a href="http://www.gov.cn/">中国政府网</a></li>
  <li><a href="javascript:void(0)">无障碍</a></li>
</ul></div>
<ul class="news"><li><a href="/xwzx/gzdt/202405/t20240520_1.html">全市安全生产工作会议召开</a></li></ul>
<div class="more"><a href="/xwzx/tpxw/">更多</a><a href="/files/a.pdf">附件</a></div>
</body></html>"""


def test_discover_columns_from_navigation() -> None:
    assert discover_columns(HOMEPAGE, "http://www.example.gov.cn/") == [
        DiscoveredColumn("工作动态", "http://www.example.gov.cn/xwzx/gzdt/", "news"),
        DiscoveredColumn("通知公告", "http://www.example.gov.cn/zwgk/tzgg/", "notice"),
        DiscoveredColumn("政策文件", "http://zwgk.example.gov.cn/zcwj/", "policy"),
        DiscoveredColumn("在线咨询", "http://www.example.gov.cn/hdjl/zxzx/", "interaction"),
        DiscoveredColumn("机构概况", "http://www.example.gov.cn/zjxx/jggk/", "overview"),
        DiscoveredColumn("人事信息", "http://www.example.gov.cn/zwgk/rsxx/", "static"),
    ]


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("要闻", "news"),
        ("工作动态", "news"),
        ("图片新闻", "news"),
        ("通知公告", "notice"),
        ("公示公告", "notice"),
        ("政策文件", "policy"),
        ("规范性文件", "policy"),
        ("政策解读", "policy"),
        ("人事信息", "static"),
        ("规划计划", "static"),
        ("机构概况", "overview"),
        ("领导信息", "overview"),
        ("机构职能", "overview"),
        ("领导信箱", "interaction"),
        ("意见征集", "interaction"),
        ("网上调查", "interaction"),
        ("政民互动", "interaction"),
        ("统计数据", "other"),
    ],
)
def test_classify_column(name: str, category: str) -> None:
    assert classify_column(name) == category
