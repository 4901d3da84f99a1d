"""SITE_IDENTITY_MISSING: the homepage lacks an identity mark it must show."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_facts_state import latest_facts, site_units

MARK_LABELS = {
    "site_code": "网站标识码",
    "icp": "ICP备案编号",
    "police": "公安机关备案标识",
    "party_government_mark": "党政机关网站标识",
}


class SiteIdentityMissing(Rule):
    """The homepage, as last read, shows no 网站标识码, no ICP 备案 number, no 公安机关备案
    mark, or (for Party and government bodies, by unit kind in the rubric) no 党政机关网站
    mark. The finding names what is missing.

    A site whose homepage was never read is not judged; the 党政机关 mark is not judged
    for a site whose unit kind is not declared.
    """

    code = "SITE_IDENTITY_MISSING"
    name = "网站标识不全"
    threshold = "首页底部缺少网站标识码、ICP备案编号、公安机关备案标识或党政机关网站标识"
    message_template = "{site}首页未显示{missing}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        required = list(context.rubric.param(self.code, "required"))
        party_kinds = {
            str(k).lower() for k in context.rubric.param(self.code, "party_government_unit_kinds")
        }
        facts = latest_facts(context, "identity")
        for site in site_units(context).values():
            fact = facts.get(site.site_id)
            if fact is None or not fact.ok:
                continue
            missing = []
            for mark in required:
                if mark == "party_government_mark" and site.unit_kind.lower() not in party_kinds:
                    continue
                if not fact.data.get(mark):
                    missing.append(MARK_LABELS.get(mark, mark))
            detections: tuple[Detection, ...] = ()
            if missing:
                text = self.message_template.format(site=site.name, missing="、".join(missing))
                detections = (Detection(text, (fact.url or site.url,)),)
            yield Judgement("site", site.site_id, site.unit, detections)
