"""Pure parsers behind the homepage facts: identity marks (on real footers) and the
site search form and result page."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.search_form import find_search_form, has_search_box, result_lists
from crawler.extract.site_identity import read_identity_marks

FOOTERS = Path(__file__).parents[1] / "fixtures" / "site_identity"


def test_real_footer_with_police_link_and_party_badge() -> None:
    marks = read_identity_marks((FOOTERS / "nmg_ccgp_footer.html").read_text(encoding="utf-8"))
    assert marks.party_government_mark
    assert marks.police is not None  # the beian.gov.cn link, even without 公网安备 text
    assert marks.icp is None
    # The 纠错 script's sitecode is not shown, and the shown code is cut short.
    assert marks.site_code is None


def test_real_footer_with_icp_and_police_text() -> None:
    marks = read_identity_marks((FOOTERS / "sxyz_footer.html").read_text(encoding="utf-8"))
    assert marks.icp == "浙ICP备14042003号-1"
    assert marks.police is not None and "33060202000394" in marks.police
    assert marks.site_code is None


def test_site_code_forms() -> None:
    for text in ("网站标识码:3600000001", "网站标识码：3600000001", "网站标识码 3600000001"):
        assert read_identity_marks(f"<p>{text}</p>").site_code == "3600000001"
    assert read_identity_marks("<p>网站标识码:36000</p>").site_code is None
    assert read_identity_marks("").site_code is None


def test_search_form_get_and_post() -> None:
    get = """<form action="/search/" method="get"><input type="hidden" name="siteid" value="7">
    <input type="text" name="searchword" placeholder="请输入关键字"><button>搜索</button></form>"""
    form = find_search_form(get, "http://x.gov.cn/")
    assert form is not None
    assert form.request_for("县长 调研") == (
        "http://x.gov.cn/search/?siteid=7&searchword=%E5%8E%BF%E9%95%BF+%E8%B0%83%E7%A0%94",
        None,
    )
    post = '<form action="s.jsp" method="POST"><input name="q" type="search"></form>'
    form = find_search_form(post, "http://x.gov.cn/a/")
    assert form is not None and form.request_for("词") == ("http://x.gov.cn/a/s.jsp", {"q": "词"})


def test_search_box_without_a_form_and_no_box() -> None:
    scripted = '<div><input id="keyword" type="text"><a onclick="go()">搜索</a></div>'
    assert has_search_box(scripted) and find_search_form(scripted, "http://x/") is None
    assert not has_search_box('<form action="/login"><input name="user"></form>')


def test_result_page_lists_the_item_not_the_echo() -> None:
    page = """<p>您检索的关键词:县长调研乡村振兴工作</p><input value="县长调研乡村振兴工作">
    <ul><li><a href="/xw/t20260901_1.html">县长<em>调研</em>乡村振兴工作</a></li></ul>"""
    assert result_lists(page, "http://x.gov.cn/s", "县长调研乡村振兴工作")
    assert result_lists(
        page, "http://x.gov.cn/s", "别的标题", "http://x.gov.cn/xw/t20260901_1.html"
    )
    echo_only = "<p>您检索的关键词:县长调研乡村振兴工作</p><p>没有找到相关结果</p>"
    assert not result_lists(echo_only, "http://x.gov.cn/s", "县长调研乡村振兴工作")
