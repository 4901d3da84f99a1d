"""SEARCH_BROKEN: no site search, or searching for a recent item finds nothing or fails."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_facts_state import latest_facts, site_units


class SearchBroken(Rule):
    """The homepage has no search box, or the site search, asked for the title of the
    homepage's newest item, answers an error or a result page that does not list it.

    Not judged: a search box that only works through scripts, a result page we could
    not parse, a network failure (what could not be observed is not judged).
    """

    code = "SEARCH_BROKEN"
    name = "站内搜索不可用"
    threshold = "首页无搜索框,或以近期信息标题检索查不到、检索出错"
    message_template = "{site}{problem}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        facts = latest_facts(context, "search")
        for site in site_units(context).values():
            fact = facts.get(site.site_id)
            if fact is None or not fact.ok:
                continue
            data = fact.data
            problem = None
            if not data.get("box"):
                problem = "首页未提供站内搜索"
            elif data.get("failed"):
                problem = f"站内搜索无法使用(检索返回 {data['failed']})"
            elif data.get("tested") and not data.get("found"):
                problem = f"站内搜索检索近期信息「{data.get('words', '')}」查无结果"
            detections: tuple[Detection, ...] = ()
            if problem:
                text = self.message_template.format(site=site.name, problem=problem)
                detections = (Detection(text, (fact.url or site.url,)),)
            yield Judgement("site", site.site_id, site.unit, detections)
