"""``govwatch targets diff`` and the monthly discovery's drift finding
(SITE_STRUCTURE_CHANGED) on a local site whose columns changed."""

from __future__ import annotations

from pathlib import Path

from fakes.discovery_site import serve_discovery_site
from fakes.routed_server import RoutedServer

from govwatch.discovery.diff import diff_columns
from govwatch.discovery.drift import discover_registered_sites
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from settings import get_settings
from storage.clock import china_today
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.registry import sync_targets


def test_diff_columns_added_moved_renamed_gone() -> None:
    registered = {
        "工作动态": "http://x.gov.cn/gzdt/",
        "通知公告": "http://x.gov.cn/tzgg/",
        "政策文件": "http://x.gov.cn/zcwj/",
        "人事信息": "http://x.gov.cn/rsxx/",
    }
    discovered = {
        "工作动态": "http://x.gov.cn/gzdt/index.html",  # the same page
        "通知公告": "http://x.gov.cn/xxgk/tzgg/",  # moved
        "政策法规": "http://x.gov.cn/zcwj/",  # renamed
        "乡村振兴": "http://x.gov.cn/xczx/",  # added
    }
    diff = diff_columns(registered, discovered)
    assert [(c.name, c.old_url) for c in diff.moved if c.old_url] == [
        ("通知公告", "http://x.gov.cn/tzgg/")
    ]
    assert [(c.name, c.old_name) for c in diff.moved if c.old_name] == [("政策法规", "政策文件")]
    assert [c.name for c in diff.added] == ["乡村振兴"]
    assert [c.name for c in diff.gone] == ["人事信息"]
    assert diff_columns(registered, registered).empty


def _register(base_url: str) -> None:
    root = base_url.rstrip("/")
    text = f"""
sites:
  - id: county
    name: 示范县人民政府
    url: {base_url}
    columns:
      - {{name: 工作动态, url: '{root}/xwzx/gzdt/', category: news}}
      - {{name: 通知公告, url: '{root}/tzgg/', category: notice}}
      - {{name: 已撤销栏目, url: '{root}/old/', category: news}}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(text, "t.yaml"))


def test_targets_diff_command(govwatch_cli, tmp_path: Path) -> None:
    with RoutedServer() as server:
        serve_discovery_site(server, china_today())
        _register(server.base_url)
        out = tmp_path / "new.yaml"
        assert (
            govwatch_cli("targets", "discover", server.base_url, "--out", str(out)).returncode == 0
        )
    result = govwatch_cli("targets", "diff", str(out), "--format", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("county,地址变化,通知公告,") for line in lines)
    assert any(line.startswith("county,消失,已撤销栏目,") for line in lines)
    assert any(line.startswith("county,新增,政策文件,") for line in lines)
    assert not any(",工作动态," in line for line in lines)  # unchanged
    assert govwatch_cli("targets", "diff", str(tmp_path / "missing.yaml")).returncode == 2


def test_monthly_discovery_reports_drift_as_info(database_url: str) -> None:
    with RoutedServer() as server:
        serve_discovery_site(server, china_today())
        _register(server.base_url)
        assert discover_registered_sites(get_settings(), china_today()) == 1
    with session_scope() as session:
        run_check(session, china_today())
        found = query_findings(session, rule="SITE_STRUCTURE_CHANGED")
        assert [(f.target_id, f.severity) for f in found] == [("county", "info")]
        assert "消失「已撤销栏目」" in found[0].message
        assert "地址变化「通知公告」" in found[0].message
