"""Decoding GBK/GB2312/GB18030 pages declared in a meta tag, only in the header, or not at all."""

from __future__ import annotations

from crawler.extract.encoding import decode_html

PAGE = "<html><head>{meta}</head><body><p>樟树市人民政府 通知公告 镕 䶮</p></body></html>"
TEXT = "樟树市人民政府 通知公告 镕 䶮"  # 镕 is outside GB2312, 䶮 outside GBK


def test_gbk_declared_in_meta() -> None:
    body = PAGE.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=gbk">')
    decoded = decode_html(body.encode("gb18030"))
    assert TEXT in decoded


def test_gb2312_label_still_decodes_gbk_and_gb18030_characters() -> None:
    body = PAGE.format(meta='<meta charset="gb2312">').encode("gb18030")
    assert body.decode("gb2312", errors="replace") != body.decode("gb18030")
    assert TEXT in decode_html(body)


def test_charset_only_in_http_header() -> None:
    body = PAGE.format(meta="").encode("gbk", errors="ignore")
    assert "樟树市人民政府 通知公告 镕" in decode_html(body, "text/html; charset=GBK")
    assert "樟树市人民政府 通知公告 镕" in decode_html(body, "text/html; charset=gb2312")


def test_no_declaration_at_all_guesses_gb18030() -> None:
    body = PAGE.format(meta="").encode("gb18030")
    assert TEXT in decode_html(body)


def test_utf8_bytes_under_a_stale_gb2312_meta_are_read_as_utf8() -> None:
    body = PAGE.format(meta='<meta charset="gb2312">').encode("utf-8")
    assert TEXT in decode_html(body)


def test_header_charset_wins_over_meta() -> None:
    body = PAGE.format(meta='<meta charset="utf-8">').encode("gb18030")
    assert TEXT in decode_html(body, "text/html; charset=GB18030")


def test_utf8_bom() -> None:
    assert TEXT in decode_html(b"\xef\xbb\xbf" + PAGE.format(meta="").encode("utf-8"))
