"""A failed or partial crawl run says why in crawl_runs.detail; `status` shows it."""

from __future__ import annotations

from datetime import datetime

from observe import observe_column, register_columns
from sqlalchemy import select, update

from crawler.run_summary import run_summary
from crawler.runner import last_log_line
from storage.db import session_scope
from storage.models import CrawlRun, Fetch
from storage.observations import finish_crawl_run, start_crawl_run

SEEN = datetime(2026, 9, 30, 2)


def crawl_run(*, broken: bool, fine: bool) -> int:
    """A run with one fetch of a column answering 500 and/or one that read fine."""
    register_columns({"动态": "news", "咨询": "interaction"})
    with session_scope() as session:
        run_id = start_crawl_run(session, "site", "s")
    if fine:
        observe_column("动态", [SEEN.date()], SEEN)
    if broken:
        observe_column("咨询", [], SEEN, error_class="http_error")
    with session_scope() as session:
        session.execute(update(Fetch).values(crawl_run_id=run_id))
        finish_crawl_run(session, run_id, finish_reason="finished")
    return run_id


def stored(run_id: int) -> CrawlRun:
    with session_scope() as session:
        run = session.scalars(select(CrawlRun).where(CrawlRun.id == run_id)).one()
        session.expunge(run)
        return run


def test_partial_run_names_the_failed_page(database_url: str) -> None:
    run = stored(crawl_run(broken=True, fine=True))
    assert run.outcome == "partial"
    assert run.detail == "1/2 个页面读取失败: http://h.gov.cn/咨询/ HTTP 500(HTTP 500)"
    with session_scope() as session:
        summary = run_summary(session, run.id)
    assert summary.startswith(
        "抓取网站 s 部分失败: 读取页面 1/2 个(栏目 1 个),新增信息 1 条,失败 1 个"
    )
    assert summary.endswith("原因: " + run.detail)


def test_ok_run_has_no_detail(database_url: str) -> None:
    assert stored(crawl_run(broken=False, fine=True)).detail == ""


def test_failed_run_names_the_page(database_url: str) -> None:
    failed = stored(crawl_run(broken=True, fine=False))
    assert failed.outcome == "failed"
    assert failed.detail.startswith("1/1 个页面读取失败: http://h.gov.cn/咨询/ HTTP 500")


def test_run_with_no_page_at_all(database_url: str) -> None:
    with session_scope() as session:
        run_id = start_crawl_run(session, "site", "s")
        finish_crawl_run(session, run_id, finish_reason="shutdown")
    run = stored(run_id)
    assert (run.outcome, run.detail) == ("failed", "shutdown; 未读取到任何页面")


def test_last_log_line_is_the_error() -> None:
    log = "2026 INFO x\nTraceback (most recent call last):\n  ...\nValueError: 网站 nope 未登记\n\n"
    assert last_log_line(log) == "ValueError: 网站 nope 未登记"
    assert last_log_line("") == ""
