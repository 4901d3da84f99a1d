"""Reading the accounts a 政务新媒体 directory lists: tables, links, list entries."""

from __future__ import annotations

from crawler.discover.accounts import account_from_link, extract_accounts

PAGE = """<html><body><h2>政务新媒体</h2>
<table><tr><th>序号</th><th>账号名称</th><th>平台</th><th>主办单位</th></tr>
<tr><td>1</td><td>示范县发布</td><td>新浪微博</td><td>县委宣传部</td></tr>
<tr><td>2</td><td><a href="https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA5NjEx==">示范县融媒</a></td>
<td>微信公众号</td><td>县融媒体中心</td></tr></table>
<ul><li><a href="https://weibo.com/u/5000000002">示范县文旅</a></li><li>抖音:示范县应急</li></ul>
<div class="qr"><img src="qr.png" alt="示范县教育微信公众号"></div>
<script>var weibo = "不是账号";</script></body></html>"""


def test_accounts_from_a_directory_page() -> None:
    found = {(a.platform, a.name, a.uid) for a in extract_accounts(PAGE, "http://x.gov.cn/")}
    assert found == {
        ("weibo", "示范县发布", None),
        ("wechat", "示范县融媒", "MzA5NjEx=="),
        ("weibo", "示范县文旅", "5000000002"),
        ("douyin", "示范县应急", None),
        ("wechat", "示范县教育", None),
    }


def test_platform_links() -> None:
    assert account_from_link("https://weibo.com/u/1234567890") == ("weibo", "1234567890")
    assert account_from_link("https://m.weibo.cn/profile/1234567890") == ("weibo", "1234567890")
    assert account_from_link("https://www.douyin.com/user/MS4wLjAB") == ("douyin", "MS4wLjAB")
    assert account_from_link("https://www.toutiao.com/c/user/token/abc/") == ("toutiao", "abc")
    assert account_from_link("https://weibo.com/xiangcun") == ("weibo", None)
    assert account_from_link("http://www.gov.cn/") is None


def test_a_page_without_accounts() -> None:
    assert extract_accounts("<html><body><p>暂无信息</p></body></html>", "http://x/") == []
    assert extract_accounts("", "http://x/") == []
