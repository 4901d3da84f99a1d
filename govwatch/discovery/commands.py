"""The terminal side of ``govwatch targets discover``: progress bar, file, summary table."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from crawler.discover.classify import CATEGORY_LABELS
from govwatch.discovery.diff import diff_columns, registered_columns
from govwatch.discovery.inputs import SiteListError, read_site_list_file, sites_from_urls
from govwatch.discovery.run import discover_sites
from govwatch.discovery.site import SiteDiscovery, SiteInput, same_page
from govwatch.discovery.writer import category_counts, render_targets
from govwatch.errors import BadInput, CommandError
from govwatch.output import OutputFormat, print_rows, progress_bar
from govwatch.targets_file import TargetsFileError, read_targets_file
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.models import Site


def _inputs(urls: list[str], from_file: Path | None) -> list[SiteInput]:
    if bool(urls) == bool(from_file):
        raise BadInput("请给出网站首页网址,或用 --from FILE 给出网址清单(二者选一)")
    try:
        return read_site_list_file(from_file) if from_file else sites_from_urls(urls)
    except SiteListError as error:
        raise BadInput(str(error)) from error


def run_discover(
    urls: list[str],
    from_file: Path | None,
    out: Path | None,
    workers: int,
    max_pages: int,
    site_timeout: float,
) -> None:
    """Discover, write the targets file, print the summary; exit 1 if no site was read."""
    sites = _inputs(urls, from_file)
    console = Console(stderr=True)
    with progress_bar(console) as progress:
        task = progress.add_task("读取网站", total=len(sites))

        def done(found: SiteDiscovery) -> None:
            progress.update(task, advance=1, description=f"已读 {found.site.url}")

        found = discover_sites(
            sites,
            get_settings(),
            china_today(),
            workers=workers,
            max_pages=max_pages,
            budget_s=site_timeout,
            on_done=done,
        )
    text = render_targets(found, china_today())
    if out is None:
        print(text, end="")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    _print_summary(console, found, out)
    if not any(site.ok for site in found):
        raise CommandError("没有一个网站首页能够读取,未生成任何网站条目(原因见上表)")


def _print_summary(console: Console, found: list[SiteDiscovery], out: Path | None) -> None:
    read = [site for site in found if site.ok]
    table = Table(title=f"栏目发现结果:读取网站 {len(read)}/{len(found)} 个")
    table.add_column("网站")
    table.add_column("栏目", justify="right")
    for category in CATEGORY_LABELS:
        table.add_column(category, justify="right")
    table.add_column("待核对", justify="right")
    table.add_column("账号", justify="right")
    table.add_column("读取页面", justify="right")
    table.add_column("失败原因", overflow="fold")
    for site in found:
        if not site.ok:
            table.add_row(site.site.url, *[""] * (len(CATEGORY_LABELS) + 4), site.failure or "")
            continue
        counts = category_counts([site])
        unsure = sum(column.classification.low_confidence for column in site.columns)
        failed_pages = sum(column.list_status == "failed" for column in site.columns) + sum(
            "无法读取" in left.reason for left in site.left_out
        )
        table.add_row(
            site.title,
            str(len(site.columns)),
            *[str(counts[category]) for category in CATEGORY_LABELS],
            str(unsure),
            str(len(site.accounts)),
            str(site.pages_read),
            f"{failed_pages} 个页面无法读取" if failed_pages else "",
        )
    totals = category_counts(read)
    table.add_row(
        "合计",
        str(sum(totals.values())),
        *[str(totals[category]) for category in CATEGORY_LABELS],
        str(sum(c.classification.low_confidence for s in read for c in s.columns)),
        str(sum(len(s.accounts) for s in read)),
        str(sum(s.pages_read for s in found)),
        f"{len(found) - len(read)} 个网站无法读取" if len(read) < len(found) else "",
        style="bold",
    )
    console.print(table)
    if out is not None:
        console.print(f"已写入 {out}:核对后用 govwatch targets load {out} 登记")


def run_diff(file: Path, output_format: OutputFormat) -> None:
    """Print each site's column changes between ``file`` and the registry."""
    try:
        targets = read_targets_file(file)
    except TargetsFileError as error:
        raise BadInput(str(error)) from error
    rows: list[dict[str, object]] = []
    with session_scope() as session:
        registered_sites = list(session.scalars(select(Site).where(Site.active.is_(True))))
        for spec in targets.sites:
            site = next((s for s in registered_sites if s.id == spec.id), None) or next(
                (s for s in registered_sites if same_page(s.url, spec.url)), None
            )
            discovered = {column.name: column.url for column in spec.columns}
            if site is None:
                rows.append(_diff_row(spec.id, "未登记的网站", spec.name, spec.url))
                continue
            changes = diff_columns(registered_columns(session, site.id), discovered)
            for change in changes.added:
                rows.append(_diff_row(site.id, "新增", change.name, change.url))
            for change in changes.moved:
                was = (
                    f"(原名「{change.old_name}」)" if change.old_name else f"(原 {change.old_url})"
                )
                rows.append(_diff_row(site.id, "地址变化", change.name, f"{change.url} {was}"))
            for change in changes.gone:
                rows.append(_diff_row(site.id, "消失", change.name, change.url))
    print_rows(
        rows,
        output_format,
        [("site", "网站"), ("change", "变化"), ("column", "栏目"), ("url", "地址")],
        title=f"栏目变化({len(rows)} 项)",
    )


def _diff_row(site: str, change: str, column: str, url: str) -> dict[str, object]:
    return {"site": site, "change": change, "column": column, "url": url}
