"""``govwatch probe``: probe homepages now (availability, IPv6, TLS) and store the results.

Exits 1 when a homepage could not be opened (after printing and storing every result).
"""

from __future__ import annotations

import typer

from govwatch.errors import BadInput, CommandError
from govwatch.output import OutputFormat, print_rows

TLS_LABELS = {True: "有效", False: "无效"}


def probe(
    site: str | None = typer.Option(None, "--site", help="只检测这个网站 ID"),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="输出格式"),
) -> None:
    """立即检测网站首页:能否打开、响应时间、IPv6 支持、HTTPS 证书。"""
    from crawler.health.jobs import check_sites_and_store  # network code: load on use
    from storage.db import session_scope
    from storage.registry import site_crawl_plan

    if site:
        with session_scope() as session:
            site_crawl_plan(session, site)  # an unknown id: exit 2, naming the known ones
    results = check_sites_and_store([site] if site else None)
    if site and not results:
        raise BadInput(f"网站 {site!r} 未登记或已停用")
    rows = [
        {
            "site": health.site_id,
            "url": health.url,
            "ok": health.probe.ok,
            "status": health.probe.http_status,
            "error": None if health.probe.ok else health.probe.error_class.value,
            "latency_ms": health.probe.latency_ms,
            "ipv6": health.ipv6.supported if health.ipv6 else None,
            "tls": None if health.tls is None else health.tls.valid,
            "tls_problem": health.tls.problem if health.tls else None,
            "detail": health.probe.detail,
        }
        for health in results
    ]
    if output_format is OutputFormat.table:
        for row in rows:
            row["ok_label"] = "可访问" if row["ok"] else f"无法访问({row['error']})"
            row["ipv6_label"] = {True: "支持", False: "不支持", None: "—"}[row["ipv6"]]
            row["tls_label"] = "—" if row["tls"] is None else TLS_LABELS[row["tls"]]
        columns = [
            ("site", "网站"),
            ("url", "首页"),
            ("ok_label", "可用性"),
            ("status", "状态码"),
            ("latency_ms", "响应(毫秒)"),
            ("ipv6_label", "IPv6"),
            ("tls_label", "证书"),
        ]
        print_rows(rows, output_format, columns, title="首页检测", no_wrap={"status", "latency_ms"})
    else:
        print_rows(rows, output_format, [(key, key) for key in rows[0]] if rows else [])
    failed = [row for row in rows if not row["ok"]]
    if failed:
        # The results are printed and stored; the exit code tells scripts and cron.
        names = ", ".join(f"{row['site']}({row['error']})" for row in failed)
        raise CommandError(f"{len(failed)} 个网站首页无法访问: {names}")
