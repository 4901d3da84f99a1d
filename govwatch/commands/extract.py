"""``govwatch extract``: what the list extractor reads from one page, for debugging a site."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import typer

from govwatch.errors import BadInput, CommandError
from govwatch.output import OutputFormat, print_rows
from settings import get_settings
from storage.clock import china_today


def _read_page(source: str, base_url: str | None) -> tuple[str, str]:
    """``(html, base_url)`` of a saved file or a URL."""
    from crawler.extract.encoding import decode_html

    if source.startswith(("http://", "https://")):
        settings = get_settings()
        try:
            response = httpx.get(
                source,
                headers={"User-Agent": settings.user_agent},
                follow_redirects=True,
                timeout=settings.download_timeout_s,
                verify=False,  # broken TLS is common on these sites; we only read
            )
        except httpx.HTTPError as error:
            raise CommandError(f"无法打开 {source}: {error}") from error
        if response.status_code >= 400:
            raise CommandError(f"{source} 返回 HTTP {response.status_code}")
        html = decode_html(response.content, response.headers.get("content-type"))
        return html, base_url or str(response.url)
    path = Path(source)
    if not path.is_file():
        raise BadInput(f"{source}: 文件不存在,也不是 http(s) 网址")
    return decode_html(path.read_bytes()), base_url or path.resolve().as_uri()


def extract(
    source: str = typer.Argument(..., metavar="FILE_OR_URL", help="保存的网页文件或网址"),
    base_url: str | None = typer.Option(None, "--base-url", help="解析相对链接所用的网址"),
    output_format: OutputFormat = typer.Option(OutputFormat.json, "--format", help="输出格式"),
    homepage: bool = typer.Option(
        False, "--homepage", help="按首页读取:取页面上每个带日期的栏目块,而不是一个主列表"
    ),
) -> None:
    """打印一个栏目列表页(或首页)能抽取出的信息条目(标题、链接、发布日期),以及抽取时的疑点。"""
    from crawler.extract import extract_list  # parsing stack: load on use

    html, page_url = _read_page(source, base_url)
    listing = extract_list(html, page_url, china_today(), homepage=homepage)
    rows = [
        {
            "title": item.title,
            "url": item.url,
            "published": (
                item.published_at.isoformat()
                if item.published_at
                else item.published_on.isoformat()
                if item.published_on
                else None
            ),
        }
        for item in listing.items
    ]
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        print_rows(
            rows, output_format, [("published", "发布日期"), ("title", "标题"), ("url", "链接")]
        )
    typer.echo(f"列表状态: {listing.status} {listing.detail}".rstrip(), err=True)
    # Doubts are why a crawl reports this column for review instead of judging it.
    for doubt in listing.doubts:
        typer.echo(f"疑点: {doubt}", err=True)
    if listing.review_reason:
        typer.echo(f"检查时不据此判断,转人工复核: {listing.review_reason}", err=True)
