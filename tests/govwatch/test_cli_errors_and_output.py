"""Errors a person can act on (one line, exit 2 or 1, no traceback), and output that
neither breaks codes nor hides them from grep."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from fakes.sites import refusing_port
from observe import days_before, observe_column, register_columns
from rich.cells import cell_len
from sqlalchemy import update

from govwatch.output import OutputFormat, print_rows
from monitor.check import run_check
from settings import get_settings
from storage.db import session_scope
from storage.models import Finding

AS_OF = date(2026, 9, 30)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("GOVWATCH_MAX_LIST_PAGES", "0", "设置 GOVWATCH_MAX_LIST_PAGES=0 无效: 应大于或等于 1"),
        ("GOVWATCH_CRAWL_TIMEOUT_S", "soon", "设置 GOVWATCH_CRAWL_TIMEOUT_S=soon 无效: 应为数字"),
        ("GOVWATCH_DASHBOARD_PORT", "99999", "应小于或等于 65535"),
        ("GOVWATCH_SMTP_SECURITY", "tls", "设置 GOVWATCH_SMTP_SECURITY=tls 无效"),
        (
            "GOVWATCH_DASHBOARD_USERS",
            "{zhangsan: x",
            "GOVWATCH_DASHBOARD_USERS 无效: 不是有效的 JSON",
        ),
        ("GOVWATCH_DASHBOARD_USERS", '{"zhangsan": "hunter2-secret"}', "不是 scrypt 哈希"),
    ],
)
def test_an_invalid_setting_is_one_line_and_exit_2(
    govwatch_cli, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    result = govwatch_cli("findings")
    assert result.returncode == 2
    line = one_line_error(result)
    assert expected in line
    if variable == "GOVWATCH_DASHBOARD_USERS":
        assert "hunter2" not in line  # what is in it is never echoed


def test_scheduler_refuses_an_invalid_setting(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import scheduler

    monkeypatch.setenv("GOVWATCH_TARGETS_POLL_S", "0")
    get_settings.cache_clear()
    assert scheduler.main(["--once"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "错误: 设置 GOVWATCH_TARGETS_POLL_S=0 无效: 应大于 0"


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_port_out_of_range(govwatch_cli, command: str) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli(command, "--port", "99999")
    assert result.returncode == 2
    assert "--port 99999 无效: 端口应在 1 到 65535 之间" in one_line_error(result)


@pytest.fixture
def checked(database_url: str) -> None:
    """Site s with a stale news column (COLUMN_STALE) and an empty one, checked."""
    register_columns({"动态": "news", "人事": "static"})
    observe_column("动态", days_before(AS_OF, 20), datetime(2026, 9, 30, 2))
    observe_column("人事", [], datetime(2026, 9, 30, 2))
    with session_scope() as session:
        run_check(session, AS_OF)


@pytest.mark.parametrize(
    ("option", "value", "known"),
    [
        ("--rule", "NOPE", "COLUMN_STALE"),
        ("--site", "nope", "s"),
        ("--account", "nope", ""),
        ("--unit", "X", "办公室"),
    ],
)
def test_unknown_filter_values_exit_2_and_list_the_known(
    govwatch_cli, checked: None, option: str, value: str, known: str
) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli("findings", option, value)
    assert result.returncode == 2
    line = one_line_error(result)
    assert f"{option} {value}: 没有这个" in line
    if known:
        assert "可用: " in line and known in line.split("可用: ")[1]
    else:
        assert "尚未登记任何账号" in line


def test_rule_codes_match_without_case(govwatch_cli, checked: None) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli("findings", "--rule", "column_stale", "--format", "json")
    assert result.returncode == 0, result.stderr
    rules = {finding["rule"] for finding in json.loads(result.stdout)}
    assert rules == {"COLUMN_STALE"}


def test_findings_table_shows_the_china_day(govwatch_cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    register_columns({"动态": "news"})
    observe_column("动态", days_before(AS_OF, 20), datetime(2026, 9, 30, 2))
    with session_scope() as session:
        run_check(session, AS_OF)
        # First seen at 2026-09-30 17:30 UTC: already 1 October in China.
        session.execute(update(Finding).values(first_seen=datetime(2026, 9, 30, 17, 30)))
    result = govwatch_cli("findings")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "COLUMN_STALE" in line)
    assert row.split("\t")[-1] == "2026-10-01"


def test_piped_rules_are_plain_lines_grep_can_find(govwatch_cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli("rules")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[0] == "代码"
    stale = [line for line in lines if line.startswith("COLUMN_STALE\t")]
    assert len(stale) == 1
    sentence = stale[0].split("\t")[-1]
    # A filled example, not the template ({site}, {share:.1%}).
    assert "{" not in result.stdout
    assert sentence.startswith("示范县人民政府「政务要闻」栏目已20天未更新")
    unreachable = next(line for line in lines if line.startswith("SITE_UNREACHABLE\t"))
    assert "(占6.0%)" in unreachable


ROW = {
    "id": 1234,
    "rule": "SITE_COLUMNS_LONG_NOT_UPDATED",
    "target_id": "cangshan/政务公开目录",
    "unit": "仓山区大数据服务中心",
    "message": "某某区人民政府有12个应更新栏目长期未更新(达到10个即单项否决):" * 3,
    "first_seen_day": "2026-12-01",
}


@pytest.fixture
def terminal_80(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("govwatch.output.is_terminal", lambda: True)


def test_table_on_an_80_column_terminal_keeps_codes_and_dates_whole(
    terminal_80: None, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = [
        ("id", "编号"),
        ("rule", "规则"),
        ("message", "问题"),
        ("first_seen_day", "首次发现"),
    ]
    print_rows([ROW, ROW], OutputFormat.table, columns)
    lines = [ANSI.sub("", line) for line in capsys.readouterr().out.splitlines()]
    assert all(cell_len(line) <= 80 for line in lines)
    assert sum("SITE_COLUMNS_LONG_NOT_UPDATED" in line for line in lines) == 2
    assert sum("2026-12-01" in line for line in lines) == 2
    assert len(lines) > 8  # the messages folded instead


def test_too_many_columns_for_the_terminal_become_records(
    terminal_80: None, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = [
        ("id", "编号"),
        ("rule", "规则"),
        ("target_id", "对象"),
        ("unit", "责任单位"),
        ("message", "问题"),
        ("first_seen_day", "首次发现"),
    ]
    print_rows([ROW], OutputFormat.table, columns, title="问题清单")
    lines = [ANSI.sub("", line) for line in capsys.readouterr().out.splitlines()]
    assert lines[:4] == [
        "问题清单",
        "编号: 1234",
        "规则: SITE_COLUMNS_LONG_NOT_UPDATED",
        "对象: cangshan/政务公开目录",
    ]
    assert lines[-1] == "首次发现: 2026-12-01"


def test_probe_of_an_unreachable_homepage_exits_1(govwatch_cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from govwatch.targets_file import parse_targets
    from storage.registry import sync_targets

    with refusing_port() as port:
        text = f"sites:\n  - id: gone\n    name: 关停的网站\n    url: http://127.0.0.1:{port}/\n"
        with session_scope() as session:
            sync_targets(session, parse_targets(text, "t.yaml"))
        result = govwatch_cli("probe", "--site", "gone")
    assert result.returncode == 1
    assert "gone" in result.stdout  # the result is printed (and stored) first
    assert "1 个网站首页无法访问: gone(refused)" in one_line_error(result)
