"""`scrapy crawl site|account` with wrong arguments: one line, exit 2, nothing stored.

Each case runs the real `scrapy crawl` command in a child process, as an operator
would, on the test's database with one registered site and account.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govwatch.targets_file import parse_targets
from storage.db import session_scope
from storage.models import CrawlRun, Site
from storage.registry import sync_targets

pytestmark = pytest.mark.database_neutral
REPO_ROOT = Path(__file__).resolve().parents[2]
TARGETS = """
sites:
  - {id: county, name: 测试县, url: 'http://127.0.0.1:9/'}
accounts:
  - {id: county-weibo, name: 测试县发布, platform: weibo, uid: '123'}
"""


@pytest.fixture
def registered(database_url: str) -> str:
    with session_scope() as session:
        sync_targets(session, parse_targets(TARGETS, "test.yaml"))
    return database_url


def scrapy_crawl(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "GOVWATCH_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


CASES = [
    (["site", "-a", "site=nope"], ["参数 site", "'nope'", "已登记: county"]),
    (["account", "-a", "account=nope"], ["参数 account", "'nope'", "已登记: county-weibo"]),
    (["site"], ["缺少参数", "-a site=ID", "govwatch targets list"]),
    (["account"], ["缺少参数", "-a account=ID", "govwatch targets list"]),
    (["site", "-a", "url=not-a-url"], ["参数 url", "'not-a-url'", "http://"]),
    (["site", "-a", "url=file:///etc/passwd"], ["参数 url", "不支持 file:", "http://"]),
    (["site", "-a", "url=http://"], ["参数 url", "主机名"]),
    (["site", "-a", "site=county", "-a", "url=http://x.gov.cn/"], ["只能指定一个"]),
    (["site", "-a", "sitee=county"], ["未知参数 -a sitee", "-a site="]),
]


def assert_nothing_stored() -> None:
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CrawlRun)) == 0
        assert session.scalar(select(func.count()).select_from(Site)) == 1  # no ad-hoc site


@pytest.mark.timeout(300)  # a `scrapy` process each
@pytest.mark.parametrize(("args", "words"), [CASES[0], CASES[2], CASES[5]])
def test_wrong_arguments_exit_2_with_one_line(
    registered: str, args: list[str], words: list[str]
) -> None:
    """The real command (a child process each: slow, so three of the cases)."""
    result = scrapy_crawl(registered, *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误: ")
    for word in words:
        assert word in lines[0]
    assert_nothing_stored()


@pytest.mark.parametrize(("args", "words"), CASES)
def test_every_wrong_argument_is_refused_before_scrapy_starts(
    registered: str,
    args: list[str],
    words: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every case, through the command's own option handling, in this process."""
    from scrapy.cmdline import execute

    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    with pytest.raises(SystemExit) as exited:
        execute(["scrapy", "crawl", *args])
    assert exited.value.code == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and line.startswith("错误: ")
    for word in words:
        assert word in line
    assert_nothing_stored()


def test_the_spider_refuses_the_same_when_built_directly(registered: str) -> None:
    from crawler.spider_args import SpiderArgumentError
    from crawler.spiders.account import AccountSpider
    from crawler.spiders.site import SiteSpider

    with pytest.raises(SpiderArgumentError, match="file:"):
        SiteSpider(url="file:///etc/passwd")
    with pytest.raises(SpiderArgumentError, match="'nope'"):
        AccountSpider(account="nope")


def test_probe_of_an_unknown_site_names_the_known_ones(registered: str, govwatch_cli) -> None:
    result = govwatch_cli("probe", "--site", "nope")
    assert result.returncode == 2
    assert "'nope'" in result.stderr and "已登记: county" in result.stderr
    assert "Traceback" not in result.stderr
