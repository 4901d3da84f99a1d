"""Hanweb (大汉) datastore records hidden in CDATA."""

from __future__ import annotations

from crawler.extract.hanweb import find_datastore

PAGE = """<div id="div1"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=7"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2023/6/2/art_7_1.html" title="甲">甲</a><span>2023-06-02</span></li>]]></record>
<record><![CDATA[
<li><a href="/art/2023/6/1/art_7_2.html" title="乙">乙</a><span>2023-06-01</span></li>]]></record>
</recordset></datastore></script></div>"""


def test_records_and_next_group() -> None:
    datastore = find_datastore(PAGE)
    assert datastore is not None
    assert datastore.records == (
        '<li><a href="/art/2023/6/2/art_7_1.html" title="甲">甲</a><span>2023-06-02</span></li>',
        '<li><a href="/art/2023/6/1/art_7_2.html" title="乙">乙</a><span>2023-06-01</span></li>',
    )
    assert datastore.next_group_hrefs == ("/module/web/jpage/dataproxy.jsp?page=1&columnid=7",)


def test_plain_html_has_no_datastore() -> None:
    assert find_datastore("<ul><li><a href='/a.html'>甲</a> 2023-06-01</li></ul>") is None


def test_empty_datastore() -> None:
    datastore = find_datastore("<datastore><recordset></recordset></datastore>")
    assert datastore is not None
    assert datastore.records == ()


def test_next_group_href_with_single_quotes_inside() -> None:
    # Hanweb writes path='/' and webname='…' inside a double-quoted href.
    page = (
        '<datastore><nextgroup><![CDATA[<a href="/module/jslib/jquery/jpage/dataproxy.jsp'
        "?page=1&path='/'&columnid=31685&webname='南通市政府采购网'\"></a>]]></nextgroup>"
        "<recordset><record><![CDATA[<tr><td><a href='/art/2017/4/24/a.html'>甲</a></td>"
        "<td>[2017-04-24]</td></tr>]]></record></recordset></datastore>"
    )
    datastore = find_datastore(page)
    assert datastore is not None
    assert datastore.next_group_hrefs == (
        "/module/jslib/jquery/jpage/dataproxy.jsp?page=1&path='/'&columnid=31685"
        "&webname='南通市政府采购网'",
    )
