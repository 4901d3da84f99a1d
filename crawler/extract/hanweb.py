"""Hanweb (大汉) jpage lists: records shipped as CDATA inside ``<datastore>`` XML.

Hanweb column pages carry their list in ``<script type="text/xml"><datastore>…`` (or fetch it
from ``dataproxy.jsp``); every ``<record><![CDATA[<li>…</li>]]></record>`` is one item and
``<nextgroup>`` links the next batch. Browsers only see the items after jpage's JavaScript
runs, so an HTML parser has to read the CDATA itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Regexes rather than an XML parser: the datastore sits inside HTML (often inside a script
# element) that is not well-formed XML, and only these two element kinds matter.
_DATASTORE_RE = re.compile(r"<datastore\b", re.IGNORECASE)
_RECORD_RE = re.compile(
    r"<record\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.IGNORECASE | re.DOTALL
)
_NEXTGROUP_RE = re.compile(
    r"<nextgroup\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.IGNORECASE | re.DOTALL
)
# The value ends at its own opening quote: Hanweb writes path='/' inside href="…".
_HREF_RE = re.compile(r"""href\s*=\s*(?:"([^"]+)"|'([^']+)')""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HanwebDatastore:
    """The raw parts of a Hanweb datastore."""

    records: tuple[str, ...]  # HTML of each record, in page order
    next_group_hrefs: tuple[str, ...]  # hrefs in <nextgroup>, as written (relative)


def find_datastore(html: str) -> HanwebDatastore | None:
    """The datastore embedded in ``html``, or None when the page has none."""
    if _DATASTORE_RE.search(html) is None and "<record" not in html:
        return None
    records = tuple(match.group(1).strip() for match in _RECORD_RE.finditer(html))
    next_group_hrefs = tuple(
        href.strip()
        for block in _NEXTGROUP_RE.finditer(html)
        for double, single in _HREF_RE.findall(block.group(1))
        for href in (double or single,)
        if href.strip()
    )
    if not records and _DATASTORE_RE.search(html) is None:
        return None
    return HanwebDatastore(records=records, next_group_hrefs=next_group_hrefs)


def records_as_html(datastore: HanwebDatastore) -> str:
    """One HTML document holding every record, each wrapped in its own element."""
    wrapped = "".join(
        f'<div class="gw-hanweb-record">{record}</div>' for record in datastore.records
    )
    return f'<html><body><div class="gw-hanweb-records">{wrapped}</div></body></html>'
