"""``govwatch targets discover`` on local sites: the demo site, a held-out style county
site with a 信息公开目录 and a 政务新媒体 matrix page, and a homepage that fails."""

from __future__ import annotations

from pathlib import Path

import yaml
from fakes.discovery_site import COLUMNS, DEAD, serve_discovery_site
from fakes.routed_server import RoutedServer, refused_url

from govwatch.demo.site import COLUMNS as DEMO_COLUMNS
from govwatch.demo.site import DemoServer
from storage.clock import china_today


def _categories(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {c["name"]: c["category"] for site in data["sites"] for c in site["columns"]}


def test_discover_a_county_site_finds_every_column_and_the_matrix(
    govwatch_cli, tmp_path: Path
) -> None:
    out = tmp_path / "targets.yaml"
    sites = tmp_path / "sites.csv"
    with RoutedServer() as server:
        serve_discovery_site(server, china_today())
        sites.write_text(f"单位,网址\n示范县人民政府,{server.base_url}\n", encoding="utf-8")
        result = govwatch_cli("targets", "discover", "--from", str(sites), "--out", str(out))
    assert result.returncode == 0, result.stderr
    found = _categories(out)
    expected = {name: category for name, category, _, _ in COLUMNS.values()}
    assert set(expected) <= set(found), set(expected) - set(found)
    right = sum(found[name] == category for name, category in expected.items())
    assert right / len(expected) >= 0.9, {n: (found[n], c) for n, c in expected.items()}
    assert DEAD[1] in found  # a dead navigation link is listed, marked for review
    text = out.read_text(encoding="utf-8")
    assert "待核对" in text and "HTTP 404" in text
    assert "办事服务" in text and "不是信息栏目" in text  # left out, with its reason
    assert "政府信息公开" in text and "栏目导航页" in text  # the catalogue, expanded
    data = yaml.safe_load(text)
    accounts = {(a["platform"], a["name"], a["uid"]) for a in data["accounts"]}
    assert ("weibo", "示范县发布", "6000000001") in accounts
    assert ("douyin", "示范县应急", "MS4wLjABAAAAdemo") in accounts
    assert "示范县融媒" in text  # listed without a uid: commented out for review
    assert data["units"] == [{"name": "示范县人民政府", "kind": "government"}]
    assert "读取网站 1/1" in result.stderr
    assert "1 个页面无法读取" in result.stderr  # the dead 专题专栏 link
    loaded = govwatch_cli("targets", "load", str(out))
    assert loaded.returncode == 0, loaded.stderr


def test_discover_the_demo_site(govwatch_cli, tmp_path: Path) -> None:
    out = tmp_path / "demo.yaml"
    with DemoServer(china_today) as server:
        result = govwatch_cli("targets", "discover", server.base_url, "--out", str(out))
    assert result.returncode == 0, result.stderr
    found = _categories(out)
    for column in DEMO_COLUMNS:
        assert found.get(column.name) == column.category, column.name
    assert govwatch_cli("targets", "load", str(out)).returncode == 0


def test_a_failing_homepage_is_named_and_exits_1(govwatch_cli, tmp_path: Path) -> None:
    out = tmp_path / "targets.yaml"
    dead = refused_url()
    result = govwatch_cli("targets", "discover", dead, "--out", str(out))
    assert result.returncode == 1
    assert "连接被拒绝" in result.stderr and dead in result.stderr
    assert f"未能读取,未登记: 首页 {dead} 无法读取" in out.read_text(encoding="utf-8")


def test_one_failing_homepage_among_readable_ones_still_writes_the_file(
    govwatch_cli, tmp_path: Path
) -> None:
    out = tmp_path / "targets.yaml"
    with DemoServer(china_today) as server:
        result = govwatch_cli(
            "targets", "discover", server.base_url, refused_url(), "--out", str(out)
        )
    assert result.returncode == 0, result.stderr
    assert "1 个网站无法读取" in result.stderr
    assert govwatch_cli("targets", "load", str(out)).returncode == 0


def test_bad_site_lists_are_refused(govwatch_cli, tmp_path: Path) -> None:
    assert govwatch_cli("targets", "discover", "not-a-url").returncode == 2
    listing = tmp_path / "sites.csv"
    listing.write_text("单位,网址\n某局,ftp://x\n", encoding="utf-8")
    result = govwatch_cli("targets", "discover", "--from", str(listing))
    assert result.returncode == 2
    assert "sites.csv:2" in result.stderr
    assert govwatch_cli("targets", "discover").returncode == 2
