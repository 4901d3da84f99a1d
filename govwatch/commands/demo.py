"""``govwatch demo``: serve the bundled demo site, then load, crawl, check and report it.

This is the README's run command: with no internet and no set-up beyond the
install, it shows what govwatch does on a real-looking site.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from crawler.runner import run_crawl
from govwatch.commands.check import check
from govwatch.commands.scores import scores
from govwatch.commands.targets import load
from govwatch.demo.accounts import ACCOUNTS
from govwatch.demo.site import DemoServer, demo_targets_yaml
from govwatch.errors import BadInput, CommandError
from govwatch.output import OutputFormat, is_terminal, print_rows, progress_bar
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings


def demo(
    port: int = typer.Option(8765, "--port", help="演示网站使用的本机端口(1-65535;0 任选)"),
    targets_out: Path = typer.Option(
        Path("data/demo-targets.yaml"), "--targets-out", help="生成的演示检查对象文件"
    ),
) -> None:
    """启动内置演示网站(127.0.0.1),登记、抓取、检查,并打印发现的问题。"""
    console = Console(stderr=True)
    if not 0 <= port <= 65535:
        raise BadInput(f"--port {port} 无效: 端口应在 1 到 65535 之间(0 表示任选一个空闲端口)")
    try:
        server = DemoServer(china_today, port=port)
    except OSError as error:
        raise CommandError(f"端口 {port} 不可用({error}),请用 --port 换一个端口") from error
    with server:
        console.print(f"演示网站已启动: {server.base_url}")
        targets_out.parent.mkdir(parents=True, exist_ok=True)
        targets_out.write_text(demo_targets_yaml(server.base_url), encoding="utf-8")
        load(targets_out)
        # The demo's platform fakes live on the same server.
        platform_env = {
            f"GOVWATCH_{platform.upper()}_BASE_URL": server.base_url.rstrip("/")
            for platform in ("weibo", "wechat")
        }
        platform_env["GOVWATCH_PLATFORM_DELAY_S"] = "0"
        crawls = [("site", "demo")] + [("account", a.account_id) for a in ACCOUNTS]
        with progress_bar(console) as progress:
            task = progress.add_task("抓取演示网站与账号", total=len(crawls))
            for spider, target_id in crawls:
                progress.update(task, description=f"抓取 {spider} {target_id}")
                result = run_crawl(spider, target_id, timeout_s=300, env=platform_env)
                if not result.ok:
                    raise CommandError(
                        f"抓取 {spider} {target_id} 失败 (退出码 {result.returncode}):\n"
                        f"{result.log_tail}"
                    )
                progress.advance(task)
        check(as_of=None)
    print_demo_findings()
    scores(as_of=None, output_format=OutputFormat.table)
    console.print(
        "更多: govwatch findings --format json | govwatch scores | govwatch rules "
        f"(数据库 {get_settings().database_url})"
    )


def print_demo_findings() -> None:
    """The open findings, compact enough to read in an 80-column terminal."""
    with session_scope() as session:
        found = query_findings(session)
        rows = [(f.target_id, f.rule, f.severity, f.message) for f in found]
    if not is_terminal():  # piped: plain lines, as every listing prints them
        records = [{"target_id": t, "rule": r, "message": m} for t, r, _, m in rows]
        columns = [("target_id", "对象"), ("rule", "规则"), ("message", "问题")]
        print_rows(records, OutputFormat.table, columns)
        return
    table = Table(title=f"发现的问题({len(rows)} 个)", show_lines=False, expand=True)
    table.add_column("对象", no_wrap=True)
    table.add_column("规则", no_wrap=True)
    table.add_column("问题", ratio=1, overflow="fold")
    for target_id, rule, severity, message in rows:
        style = "bold red" if severity == "veto" else None
        table.add_row(target_id, rule, message, style=style)
    Console().print(table)
