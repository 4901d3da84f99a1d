"""The few lines ``scrapy crawl`` prints when it is done, instead of Scrapy's log.

A crawl logs at WARNING by default (``crawler/settings.py``), so a person running
``scrapy crawl site -a site=ID`` sees the failures as they happen and then this
summary: pages and columns read, items new this run, pages that failed and why.
``-L INFO`` (or ``-s LOG_LEVEL=INFO``) brings Scrapy's full log back.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import CrawlRun, Fetch, Item, Post

OUTCOME_WORDS = {"ok": "成功", "partial": "部分失败", "failed": "失败", "running": "未结束"}


def run_summary(session: Session, crawl_run_id: int) -> str:
    """One line (two when something failed) saying how the run went."""
    run = session.get(CrawlRun, crawl_run_id)
    if run is None:
        return ""
    kind = "网站" if run.target_type == "site" else "账号"
    head = f"抓取{kind} {run.target_id} {OUTCOME_WORDS.get(run.outcome, run.outcome)}: "
    if run.target_type == "site":
        columns = session.scalar(
            select(func.count(func.distinct(Fetch.column_id))).where(
                Fetch.crawl_run_id == crawl_run_id,
                Fetch.page_kind == "column",
                Fetch.error_class == "ok",
            )
        )
        new = session.scalar(
            select(func.count(Item.id))
            .join(Fetch, Fetch.id == Item.first_fetch_id)
            .where(Fetch.crawl_run_id == crawl_run_id)
        )
        body = (
            f"读取页面 {run.pages_fetched - run.pages_failed}/{run.pages_fetched} 个"
            f"(栏目 {columns} 个),新增信息 {new} 条"
        )
    else:
        new = session.scalar(
            select(func.count(Post.id)).where(
                Post.account_id == run.target_id, Post.first_seen_at >= run.started_at
            )
        )
        read = run.pages_fetched - run.pages_failed
        body = f"读取页面 {read}/{run.pages_fetched} 个,新增发布 {new} 条"
    line = head + body + f",失败 {run.pages_failed} 个"
    if run.outcome != "ok" and run.detail:
        line += f"\n  原因: {run.detail}"
    return line
