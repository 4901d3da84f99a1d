"""extract_messages on hand-written consultation-column pages of each common layout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.extract.interaction import Message, MessageList, extract_messages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "interaction"
BASE_URL = "https://www.example.gov.cn/hdjl/xzxx/index.html"
TODAY = date(2024, 6, 10)
SITE = "https://www.example.gov.cn"


def _extract(name: str) -> MessageList:
    html = (FIXTURES / name).read_text(encoding="utf-8")
    return extract_messages(html, BASE_URL, TODAY)


EXPECTED: dict[str, tuple[Message, ...]] = {
    # Header row names the columns; nested layout table and a sidebar list around it.
    "table_header.html": (
        Message(
            "关于某某镇某某村道路破损严重影响出行的反映",
            f"{SITE}/hdjl/xzxx/202406/t20240603_9102.html",
            date(2024, 6, 1),
            None,
            "unanswered",
        ),
        Message(
            "咨询新生儿医保参保办理流程",
            f"{SITE}/hdjl/xzxx/202405/t20240528_9088.html",
            date(2024, 5, 26),
            date(2024, 5, 28),
            "answered",
        ),
        Message(
            "小区供暖温度不达标问题",
            f"{SITE}/hdjl/xzxx/202402/t20240219_8801.html",
            date(2024, 1, 15),
            None,
            "unanswered",
        ),
        Message(
            "建议增设公交线路",
            f"{SITE}/hdjl/xzxx/202312/t20231208_8650.html",
            date(2023, 11, 30),
            date(2023, 12, 8),
            "answered",
        ),
    ),
    # No header: two dates per row (asked, then answered); status as image alt.
    "table_no_header.html": (
        Message(
            "失业保险金申领条件咨询",
            f"{SITE}/hdjl/xzxx/detail.jsp?id=55821",
            date(2024, 5, 6),
            date(2024, 5, 9),
            "answered",
        ),
        Message(
            "灵活就业人员社保缴费基数",
            f"{SITE}/hdjl/xzxx/detail.jsp?id=55790",
            date(2024, 4, 28),
            None,
            "unanswered",
        ),
        Message(
            "技能补贴发放时间",
            f"{SITE}/hdjl/xzxx/detail.jsp?id=55702",
            date(2024, 4, 2),
            date(2024, 4, 3),
            "answered",
        ),
    ),
    # ul/li with labelled spans; the labels win over the order (third item).
    "ul_li.html": (
        Message(
            "关于老旧小区加装电梯补贴政策的咨询",
            f"{SITE}/hdjl/sjxx/content_331.html",
            date(2024, 5, 20),
            date(2024, 5, 27),
            "answered",
        ),
        Message(
            "反映某某路夜间施工噪音扰民",
            f"{SITE}/hdjl/sjxx/content_329.html",
            date(2024, 3, 2),
            None,
            "unanswered",
        ),
        Message(
            "学区划分咨询",
            f"{SITE}/hdjl/sjxx/content_301.html",
            date(2024, 1, 5),
            date(2024, 1, 10),
            "answered",
        ),
    ),
    # div rows, month-day dates (year from today), status only as text, a javascript link.
    "div_status_text.html": (
        Message("办理居住证需要哪些材料", None, date(2024, 6, 3), None, "answered"),
        Message(
            "营业执照年报逾期怎么补报",
            f"{SITE}/hdjl/xzxx/view?id=1188",
            date(2024, 5, 30),
            None,
            "unanswered",
        ),
        Message(
            "12月份低保金什么时候发放",
            f"{SITE}/hdjl/xzxx/view?id=1150",
            date(2023, 12, 28),
            None,
            "answered",
        ),
    ),
    # Header with a reply-date column and no status column: a blank reply date = unanswered.
    "reply_date_only.html": (
        Message(
            "宅基地审批流程",
            f"{SITE}/hdjl/xzxx/zx_show.asp?id=88",
            date(2024, 3, 8),
            date(2024, 3, 15),
            "answered",
        ),
        Message(
            "村道路灯损坏",
            f"{SITE}/hdjl/xzxx/zx_show.asp?id=87",
            date(2024, 2, 1),
            None,
            "unanswered",
        ),
        Message("农机购置补贴申请", None, date(2023, 12, 20), date(2023, 12, 22), "answered"),
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_messages(name: str) -> None:
    result = _extract(name)
    assert result.status == "ok", result.detail
    assert result.messages == EXPECTED[name]


def test_empty_page() -> None:
    result = _extract("empty.html")
    assert (result.messages, result.status) == ((), "empty")
    assert "暂无留言" in result.detail


def test_page_without_list_is_unparsed() -> None:
    result = _extract("no_list.html")
    assert (result.messages, result.status) == ((), "unparsed")


def test_header_without_rows_is_empty() -> None:
    html = "<table><tr><th>信件标题</th><th>来信时间</th><th>回复时间</th></tr></table>"
    result = extract_messages(html, BASE_URL, TODAY)
    assert (result.messages, result.status) == ((), "empty")


def test_li_header_row_names_columns() -> None:
    html = """<ul class="list">
      <li class="th"><span>标题</span><span>状态</span><span>留言日期</span></li>
      <li><a href="/a/1.html">路灯不亮</a><span>未答复</span><span>2024-05-02</span></li>
      <li><a href="/a/2.html">垃圾清运不及时</a><span>已答复</span><span>2024-04-01</span></li>
    </ul>"""
    result = extract_messages(html, BASE_URL, TODAY)
    assert result.messages == (
        Message("路灯不亮", f"{SITE}/a/1.html", date(2024, 5, 2), None, "unanswered"),
        Message("垃圾清运不及时", f"{SITE}/a/2.html", date(2024, 4, 1), None, "answered"),
    )
    assert "header" in result.detail


def test_status_word_in_title_is_not_the_status() -> None:
    html = """<table>
      <tr><td><a href="/x/1.html">投诉已回复但问题未解决</a></td><td>2024-05-02</td></tr>
    </table>"""
    (message,) = extract_messages(html, BASE_URL, TODAY).messages
    assert (message.title, message.status) == ("投诉已回复但问题未解决", "unknown")


@pytest.mark.parametrize("html", ["", "   ", "<?xml version='1.0'?>"])
def test_blank_input_is_unparsed(html: str) -> None:
    assert extract_messages(html, BASE_URL, TODAY).status == "unparsed"
