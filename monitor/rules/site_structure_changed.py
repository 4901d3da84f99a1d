"""SITE_STRUCTURE_CHANGED: the monthly discovery found columns added, moved or gone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_facts_state import latest_facts, site_units


def _names(entries: list[dict[str, str]], limit: int = 5) -> str:
    names = "、".join(f"「{entry['name']}」" for entry in entries[:limit])
    return names + (f"等{len(entries)}个" if len(entries) > limit else "")


class SiteStructureChanged(Rule):
    """The latest discovery run (``govwatch targets discover``, monthly in the service)
    found the site's columns changed against the registry: columns added, moved to a
    new address, or gone. The targets file should be updated so the right pages are
    checked.

    Sites not rediscovered within ``max_age_days`` are not judged.
    """

    code = "SITE_STRUCTURE_CHANGED"
    name = "网站栏目结构变化"
    threshold = "每月栏目发现与登记的栏目不一致"
    message_template = "{site}栏目结构有变化:{changes};请核对后更新检查对象文件"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        max_age = int(context.rubric.param(self.code, "max_age_days"))
        oldest = context.cutoff_utc - timedelta(days=max_age)
        facts = latest_facts(context, "structure")
        for site in site_units(context).values():
            fact = facts.get(site.site_id)
            if fact is None or not fact.ok or fact.observed_at < oldest:
                continue
            parts = []
            for key, label in (("added", "新增"), ("moved", "地址变化"), ("gone", "消失")):
                entries = fact.data.get(key) or []
                if entries:
                    parts.append(f"{label}{_names(entries)}")
            detections: tuple[Detection, ...] = ()
            if parts:
                text = self.message_template.format(site=site.name, changes=",".join(parts))
                detections = (Detection(text, (site.url,)),)
            yield Judgement("site", site.site_id, site.unit, detections)
