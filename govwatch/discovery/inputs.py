"""The list of homepages discovery starts from: URLs on the command line, a plain list
(one URL per line), or a CSV as offices keep them (a URL column and a unit column,
with or without a header row such as 单位,网址,单位类型)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from govwatch.discovery.site import SiteInput

_URL_RE = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_HEADERS = {
    "url": ("url", "网址", "网站地址", "首页", "网站网址", "域名"),
    "unit": ("unit", "单位", "主办单位", "单位名称"),
    "name": ("name", "网站名称", "网站"),
    "kind": ("kind", "单位类型", "类型"),
    "id": ("id", "网站id", "标识"),
}


class SiteListError(ValueError):
    """A site list that cannot be used; the message names the file, line and problem."""


def _field_of(header: str) -> str | None:
    cleaned = header.strip().lower()
    for field, names in _HEADERS.items():
        if cleaned in names:
            return field
    return None


def _site_from_cells(cells: Sequence[str], source: str, line: int) -> SiteInput:
    urls = [cell.strip() for cell in cells if _URL_RE.match(cell.strip())]
    others = [cell.strip() for cell in cells if cell.strip() and not _URL_RE.match(cell.strip())]
    if not urls:
        raise SiteListError(f"{source}:{line}: 没有 http(s) 网址(每行应为网址,或 单位,网址)")
    return SiteInput(url=urls[0], unit=others[0] if others else None)


def read_site_list(text: str, source: str) -> list[SiteInput]:
    """Homepages from a list or CSV's text; raises SiteListError on a bad line."""
    rows = [
        row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in row)
    ]
    if not rows:
        raise SiteListError(f"{source}:1: 文件中没有任何网址")
    fields = [_field_of(cell) for cell in rows[0]]
    sites: list[SiteInput] = []
    if "url" in fields:
        for line, row in enumerate(rows[1:], start=2):
            values = {f: row[i].strip() for i, f in enumerate(fields) if f and i < len(row)}
            url = values.get("url", "")
            if not _URL_RE.match(url):
                raise SiteListError(f"{source}:{line}: 网址 {url!r} 不是有效的 http(s) 网址")
            sites.append(
                SiteInput(
                    url=url,
                    name=values.get("name") or None,
                    unit=values.get("unit") or None,
                    unit_kind=values.get("kind") or None,
                    site_id=values.get("id") or None,
                )
            )
    else:
        sites = [_site_from_cells(row, source, line) for line, row in enumerate(rows, start=1)]
    if not sites:
        raise SiteListError(f"{source}:1: 文件中没有任何网址")
    return sites


def read_site_list_file(path: Path) -> list[SiteInput]:
    """Homepages from a list or CSV file (UTF-8, with or without BOM)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise SiteListError(f"{path}: 文件不存在") from error
    except UnicodeDecodeError as error:
        raise SiteListError(f"{path}: 文件不是 UTF-8 编码(请另存为 UTF-8 的 CSV)") from error
    return read_site_list(text, str(path))


def sites_from_urls(urls: Sequence[str]) -> list[SiteInput]:
    """Homepages given on the command line."""
    for url in urls:
        if not _URL_RE.match(url):
            raise SiteListError(f"网址 {url!r} 不是有效的 http(s) 网址")
    return [SiteInput(url=url) for url in urls]
