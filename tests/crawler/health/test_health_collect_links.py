"""collect_links: pure parsing of a page's links and images."""

from __future__ import annotations

from crawler.health.page_links import collect_links

BASE = "http://www.example.gov.cn/zwgk/index.html"


def test_links_are_absolute_filtered_and_deduplicated() -> None:
    html = """<html><body>
      <a href="a.html">相对</a>
      <a href="/b.html#part2">带锚点</a>
      <a href="/b.html">重复</a>
      <a href="http://other.gov.cn/x">外站</a>
      <a href="javascript:void(0)">脚本</a>
      <a href="mailto:ban@example.gov.cn">邮件</a>
      <a href="tel:12345">电话</a>
      <a href="#top">顶部</a>
      <a>无链接</a>
      <a href="  /c.html  ">空白</a>
      <a href="/通知/公告.html">中文路径</a>
    </body></html>"""
    links, images = collect_links(html, BASE)
    assert links == [
        "http://www.example.gov.cn/zwgk/a.html",
        "http://www.example.gov.cn/b.html",
        "http://other.gov.cn/x",
        "http://www.example.gov.cn/c.html",
        "http://www.example.gov.cn/%E9%80%9A%E7%9F%A5/%E5%85%AC%E5%91%8A.html",
    ]
    assert images == []


def test_images_include_lazy_load_attributes_and_srcset() -> None:
    html = """<html><body>
      <img src="/img/a.png">
      <img src="/img/loading.gif" data-src="/img/lazy.jpg">
      <img data-original="/img/orig.jpg">
      <img data-lazy-src="/img/lazy2.jpg">
      <img srcset="/img/small.jpg 1x, /img/big.jpg 2x">
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      <img src="/img/a.png">
    </body></html>"""
    _, images = collect_links(html, BASE)
    assert images == [
        "http://www.example.gov.cn/img/a.png",
        "http://www.example.gov.cn/img/loading.gif",
        "http://www.example.gov.cn/img/lazy.jpg",
        "http://www.example.gov.cn/img/orig.jpg",
        "http://www.example.gov.cn/img/lazy2.jpg",
        "http://www.example.gov.cn/img/small.jpg",
    ]


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="http://cdn.example.gov.cn/site/"></head>'
    html += '<body><a href="p.html">x</a><img src="i.png"></body></html>'
    assert collect_links(html, BASE) == (
        ["http://cdn.example.gov.cn/site/p.html"],
        ["http://cdn.example.gov.cn/site/i.png"],
    )


def test_empty_and_non_html_input() -> None:
    assert collect_links("", BASE) == ([], [])
    assert collect_links("   ", BASE) == ([], [])
    assert collect_links("plain text, no tags", BASE) == ([], [])
