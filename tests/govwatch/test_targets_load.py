"""`govwatch targets load|list`: validation with file:line errors, and in-place updates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govwatch.targets_file import TargetsFileError, parse_targets
from storage.db import session_scope
from storage.models import Site, SiteColumn, Unit

GOOD = """\
units:
  - name: 仓山镇
    kind: town
  - name: 大数据服务中心
sites:
  - id: cangshan
    name: 福州市仓山区人民政府
    url: http://www.example.gov.cn/
    unit: 大数据服务中心
    site_code: 3501040001
    columns:
      - name: 政务要闻
        url: http://www.example.gov.cn/xwzx/zwyw/
        category: news
        unit: 仓山镇
      - name: 通知公告
        url: http://www.example.gov.cn/tzgg/
        category: notice
accounts:
  - id: cangshan-fabu
    name: 仓山发布
    platform: weibo
    uid: 1234567890
    unit: 大数据服务中心
"""


@pytest.fixture
def govwatch(govwatch_cli):  # type: ignore[no-untyped-def]
    """The command line, in process; one test below also runs the real console script."""
    return lambda *args, env_url: govwatch_cli(*args)


def test_console_script_exit_code_on_a_bad_file(tmp_path: Path, database_url: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("category: notice", "category: notices"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "govwatch.cli", "targets", "load", str(bad)],
        capture_output=True,
        text=True,
        env={"GOVWATCH_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 2
    assert f"{bad}:18:" in result.stderr


def test_good_file_loads_and_lists(tmp_path: Path, database_url: str, govwatch) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = govwatch("targets", "load", str(path), env_url=database_url)
    assert result.returncode == 0, result.stderr
    listed = govwatch("targets", "list", "--format", "json", env_url=database_url)
    rows = json.loads(listed.stdout)
    assert [(row["type"], row["id"]) for row in rows] == [
        ("site", "cangshan"),
        ("account", "cangshan-fabu"),
    ]
    assert rows[0]["columns"] == 2


def test_reload_updates_in_place(tmp_path: Path, database_url: str, govwatch) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert govwatch("targets", "load", str(path), env_url=database_url).returncode == 0
    path.write_text(GOOD.replace("福州市仓山区人民政府", "仓山区政府门户"), encoding="utf-8")
    assert govwatch("targets", "load", str(path), env_url=database_url).returncode == 0
    with session_scope() as session:
        assert session.scalar(select(func.count(Site.id))) == 1
        assert session.get(Site, "cangshan").name == "仓山区政府门户"
        assert session.scalar(select(func.count(SiteColumn.id))) == 2
        assert session.scalar(select(func.count(Unit.id))) == 2


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        (GOOD.replace("category: notice", "category: notices"), 18, "category"),
        (GOOD.replace("id: cangshan\n", "id: Cang Shan\n"), 6, "小写字母"),
        (
            GOOD.replace("unit: 仓山镇\n      - name", "unit: 不存在镇\n      - name"),
            15,
            "未在 units 中声明",
        ),
        (
            GOOD.replace("    url: http://www.example.gov.cn/\n", "    url: www.example.gov.cn\n"),
            8,
            "网址",
        ),
        (
            GOOD.replace("  - id: cangshan-fabu", "  - id: cangshan-fabu\n    colour: red"),
            21,
            "未知的字段",
        ),
        (GOOD.replace("kind: town", "kind: town: x"), 3, "YAML"),
        (GOOD.replace("    uid: 1234567890\n", ""), 20, "uid"),
    ],
)
def test_bad_file_exits_2_with_line_and_keeps_database(
    tmp_path: Path, database_url: str, broken: str, line: int, words: str, govwatch
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    assert govwatch("targets", "load", str(good), env_url=database_url).returncode == 0
    before = govwatch("targets", "list", "--format", "json", env_url=database_url).stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text(broken.replace("福州市仓山区人民政府", "改过的名字"), encoding="utf-8")
    result = govwatch("targets", "load", str(bad), env_url=database_url)

    assert result.returncode == 2
    assert f"{bad}:{line}:" in result.stderr
    assert words in result.stderr
    after = govwatch("targets", "list", "--format", "json", env_url=database_url).stdout
    assert after == before


def test_missing_file_is_bad_input(tmp_path: Path, database_url: str, govwatch) -> None:
    result = govwatch("targets", "load", str(tmp_path / "nope.yaml"), env_url=database_url)
    assert result.returncode == 2
    assert "文件不存在" in result.stderr


def test_parse_reports_every_problem_at_once() -> None:
    text = "sites:\n  - id: A\n    name: x\n    url: nope\n"
    with pytest.raises(TargetsFileError) as raised:
        parse_targets(text, "t.yaml")
    assert [problem.split(":")[1] for problem in raised.value.problems] == ["2", "4"]


# Files YAML and the schema used to accept although wrong (issue 13): each is refused
# with exit 2 and `file:line:`, and the database keeps what the good file loaded.
LONG = "x" * 2001
BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
sites: *i
"""


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        pytest.param(
            GOOD.replace("    kind: town\n", "    kind: town\n    kind: street\n"),
            4,
            "字段 'kind' 重复(第 3 行",
            id="duplicate-key",
        ),
        pytest.param(
            GOOD.replace("url: http://www.example.gov.cn/tzgg/", "url: http://parked.example.com/"),
            17,
            "hosts: [parked.example.com]",
            id="column-on-another-host",
        ),
        pytest.param(GOOD.replace("xwzx/zwyw/", "xwzx/zw yw/"), 13, "空格", id="url-with-a-space"),
        pytest.param(
            GOOD.replace("xwzx/zwyw/", f"xwzx/{LONG}/"), 13, "最多 2000 个字符", id="long-url"
        ),
        pytest.param(
            GOOD.replace("id: cangshan\n", f"id: {'c' * 151}\n"),
            6,
            "最多 100 个字符",
            id="long-id",
        ),
        pytest.param(
            GOOD.replace("name: 仓山发布", f"name: {'仓' * 251}"),
            21,
            "最多 200 个字符",
            id="long-name",
        ),
        pytest.param(
            GOOD.replace("uid: 1234567890", f"uid: {'9' * 201}"),
            23,
            "最多 200 个字符",
            id="long-uid",
        ),
        pytest.param(BILLION_LAUGHS, 1, "锚点和别名", id="billion-laughs"),
        pytest.param(
            GOOD.replace("    url: http://www.example.gov.cn/\n", "    url: http://\n"),
            8,
            "http(s) 网址",
            id="url-without-host",
        ),
    ],
)
def test_accepted_although_wrong_is_now_refused(
    tmp_path: Path, database_url: str, broken: str, line: int, words: str, govwatch
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    assert govwatch("targets", "load", str(good), env_url=database_url).returncode == 0
    before = govwatch("targets", "list", "--format", "json", env_url=database_url).stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text(broken.replace("福州市仓山区人民政府", "改过的名字"), encoding="utf-8")
    result = govwatch("targets", "load", str(bad), env_url=database_url)

    assert result.returncode == 2, result.stderr
    assert f"{bad}:{line}:" in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    after = govwatch("targets", "list", "--format", "json", env_url=database_url).stdout
    assert after == before


def test_longest_allowed_values_load_on_this_database(
    tmp_path: Path, database_url: str, govwatch
) -> None:
    """The limits the loader enforces fit the database columns (PostgreSQL enforces them)."""
    longest = (
        GOOD.replace("id: cangshan\n", f"id: {'c' * 100}\n")
        .replace("福州市仓山区人民政府", "府" * 200)
        .replace("xwzx/zwyw/", "x" * (2000 - len("http://www.example.gov.cn/")))
        .replace("name: 仓山发布", f"name: {'发' * 200}")
        .replace("uid: 1234567890", f"uid: {'9' * 200}")
        .replace("site_code: 3501040001", f"site_code: '{'3' * 40}'")
    )
    path = tmp_path / "longest.yaml"
    path.write_text(longest, encoding="utf-8")
    result = govwatch("targets", "load", str(path), env_url=database_url)
    assert result.returncode == 0, result.stderr
    with session_scope() as session:
        site = session.get(Site, "c" * 100)
        assert site is not None and site.name == "府" * 200
        assert max(len(column.url) for column in site.columns) == 2000


def test_a_column_on_a_declared_host_loads(tmp_path: Path, database_url: str, govwatch) -> None:
    declared = GOOD.replace(
        "    site_code: 3501040001\n", "    site_code: 3501040001\n    hosts: [example.org]\n"
    ).replace("url: http://www.example.gov.cn/tzgg/", "url: https://zwgk.example.org/tzgg/")
    path = tmp_path / "targets.yaml"
    path.write_text(declared, encoding="utf-8")
    assert govwatch("targets", "load", str(path), env_url=database_url).returncode == 0
    with session_scope() as session:
        urls = set(session.scalars(select(SiteColumn.url)))
    assert "https://zwgk.example.org/tzgg/" in urls


def test_a_directory_is_refused_without_a_traceback(
    tmp_path: Path, database_url: str, govwatch
) -> None:
    result = govwatch("targets", "load", str(tmp_path), env_url=database_url)
    assert result.returncode == 2
    assert f"{tmp_path}:0: 这是一个目录" in result.stderr
    assert "Traceback" not in result.stderr


def test_markup_in_a_value_is_shown_as_written(tmp_path: Path, database_url: str, govwatch) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD.replace("category: notice", "category: '[bold]x[/bold]'"), "utf-8")
    result = govwatch("targets", "load", str(path), env_url=database_url)
    assert result.returncode == 2
    assert "'[bold]x[/bold]'" in result.stderr
