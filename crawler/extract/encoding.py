"""Turn fetched page bytes into text, for GBK/GB2312/GB18030 and UTF-8 government pages."""

from __future__ import annotations

from w3lib.encoding import html_to_unicode, resolve_encoding

# w3lib already maps gb2312 and gbk to gb18030 (a superset), so characters outside GB2312
# that sites send under a "gb2312" label still decode.
_GB_FAMILY = frozenset({"gb18030"})


def _guess_without_declaration(body: bytes) -> str:
    """Pages that declare nothing: UTF-8 if the bytes are valid UTF-8, else GB18030."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _is_valid_multibyte_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode ``body`` using the BOM, the HTTP charset, the meta charset, then a guess.

    A page labelled GBK/GB2312 whose bytes are valid non-ASCII UTF-8 is decoded as UTF-8:
    GBK text essentially never forms valid UTF-8 sequences, while re-saved or migrated
    pages that kept the old gb2312 meta tag are common.
    """
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_without_declaration)
    if resolve_encoding(encoding) in _GB_FAMILY and _is_valid_multibyte_utf8(body):
        return body.decode("utf-8")
    return text
