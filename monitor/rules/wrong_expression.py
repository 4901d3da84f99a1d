"""WRONG_EXPRESSION: a serious wrong expression in new article text or posts (严重表述错误)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from monitor.account_state import account_states
from monitor.rules.account_silence import PLATFORM_LABELS
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_health_state import sites
from monitor.wording import WordList, WrongExpressionHit, find_wrong_expressions, load_word_list
from storage.models import Article, Post, SiteColumn

#: Rows fetched at a time from the articles' and posts' streams.
STREAMED_ROWS = 1000


@lru_cache(maxsize=4)
def _word_list(path: str) -> WordList:
    return load_word_list(Path(path) if path else None)


def _describe(hit: WrongExpressionHit) -> str:
    correction = f",应为“{hit.right}”" if hit.right else ""
    return f"出现错误表述“{hit.wrong}”{correction}:“{hit.sentence}”"


class WrongExpression(Rule):
    """Text matching the word list of serious errors (outdated institution names after
    reorganisations, wrong names or titles, wrong political phrasings), in articles
    first read within ``window_days`` and in account posts of the same period.

    The list is data (``monitor/wording/data/wrong_expressions.yaml``; replace it with
    GOVWATCH_WORD_LIST) and is matched with an Aho-Corasick automaton. Only entries of
    severity "serious" are vetoes; findings quote the sentence.
    """

    code = "WRONG_EXPRESSION"
    name = "严重表述错误"
    threshold = "命中错误表述词库(严重)"
    message_template = "{target}《{title}》{problem}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        words = _word_list(context.settings.word_list)
        since = context.cutoff_utc - timedelta(days=context.rubric.param(self.code, "window_days"))
        hits_by_site: dict[str, list[Detection]] = {}
        articles = context.session.execute(
            select(Article.site_id, SiteColumn.name, Article.url, Article.title, Article.text)
            .outerjoin(SiteColumn, SiteColumn.id == Article.column_id)
            .where(Article.fetched_at > since, Article.fetched_at <= context.cutoff_utc)
            # Streamed (a server-side cursor on PostgreSQL): a province's window holds
            # tens of thousands of article texts, not to be held in memory at once.
            .execution_options(yield_per=STREAMED_ROWS)
        )
        site_names = {site_id: site.name for site_id, site in sites(context).items()}
        for site_id, column, url, title, text in articles:
            for hit in find_wrong_expressions(f"{title}\n{text}", words):
                if hit.severity != "serious":
                    continue
                target = f"{site_names.get(site_id, site_id)}「{column}」栏目文章"
                message = self.message_template.format(
                    target=target, title=title[:60], problem=_describe(hit)
                )
                hits_by_site.setdefault(site_id, []).append(
                    Detection(message, (url,), subject=f"{url}|{hit.wrong}")
                )
        for site_id, site in sites(context).items():
            yield Judgement("site", site_id, site.unit, _unique(hits_by_site.get(site_id, [])))

        hits_by_account: dict[str, list[Detection]] = {}
        posts = context.session.execute(
            select(Post.account_id, Post.url, Post.title)
            .where(Post.published_at > since, Post.published_at <= context.cutoff_utc)
            .execution_options(yield_per=STREAMED_ROWS)
        )
        accounts = {state.account_id: state for state in account_states(context)}
        for account_id, url, title in posts:
            account = accounts.get(account_id)
            if account is None:
                continue
            for hit in find_wrong_expressions(title, words):
                if hit.severity != "serious":
                    continue
                platform = PLATFORM_LABELS.get(account.platform, account.platform)
                message = self.message_template.format(
                    target=f"{platform}账号「{account.name}」发布的",
                    title=title[:60],
                    problem=_describe(hit),
                )
                hits_by_account.setdefault(account_id, []).append(
                    Detection(message, (url,), subject=f"{url}|{hit.wrong}")
                )
        for account_id, account in accounts.items():
            if account.error_class == "ok":  # posts are judged as read: no window to cover
                detections = _unique(hits_by_account.get(account_id, []))
                yield Judgement("account", account_id, account.unit, detections)


def _unique(detections: list[Detection]) -> tuple[Detection, ...]:
    return tuple({detection.subject: detection for detection in detections}.values())
