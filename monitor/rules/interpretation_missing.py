"""INTERPRETATION_MISSING: a policy document of the quarter with no 政策解读."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from storage.models import Item

_DOCUMENT_RE = re.compile(
    r"[〔\[［]\s*(?:19|20)\d{2}\s*[〕\]］]\s*\d+\s*号|关于印发|办法|规定|实施意见|实施方案|细则|条例|措施"
)
_QUOTED_RE = re.compile(r"《([^》]{4,})》")
_NOISE_RE = re.compile(r"[（(][^)）]*[)）]|关于印发|关于|的通知|的决定|的意见|\s")


def document_key(title: str) -> str:
    """What an interpretation of this document names: its 《title》, else its title
    without 关于印发…的通知 and the document number."""
    quoted = _QUOTED_RE.search(title)
    return quoted.group(1) if quoted else _NOISE_RE.sub("", title)


def interpreted(title: str, interpretations: list[str]) -> bool:
    """Whether one of the interpretation titles names the document."""
    key = re.sub(r"\s", "", document_key(title))
    if len(key) < 4:
        return True  # too short to match safely: not judged
    for other in interpretations:
        compact = re.sub(r"\s", "", other)
        if key in compact or key[:12] in compact:
            return True
        quoted = _QUOTED_RE.search(other)
        if quoted and quoted.group(1) in key:
            return True
    return False


class InterpretationMissing(Rule):
    """A policy document (an item of a policy column whose title is a normative
    document: 文号, 印发, 办法, 规定 …) published in the last ``window_days`` (and at
    least ``grace_days`` ago) that no item of the site's 政策解读 column names.

    Only sites with a readable 解读 column are judged (that is where sites link them).
    """

    code = "INTERPRETATION_MISSING"
    name = "政策文件缺少解读"
    threshold = "本季度发布的政策文件未配发政策解读"
    message_template = "{site}「{column}」{day}发布的《{title}》未见对应的政策解读"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        window = int(context.rubric.param(self.code, "window_days"))
        grace = int(context.rubric.param(self.code, "grace_days"))
        states = column_states(context)
        sites: dict[str, list] = {}
        for state in states:
            sites.setdefault(state.site_id, []).append(state)
        for site_id, site_states in sites.items():
            readers = [s for s in site_states if "解读" in s.column_name and s.readable]
            if not readers:
                continue
            interpretations = self._titles(context, [s.column_id for s in readers], None)
            detections = []
            for state in site_states:
                if state.category != "policy" or "解读" in state.column_name or not state.readable:
                    continue
                for title, url, day in self._titles(context, [state.column_id], (window, grace)):
                    if not _DOCUMENT_RE.search(title) or interpreted(
                        title, [t for t, _, _ in interpretations]
                    ):
                        continue
                    text = self.message_template.format(
                        site=state.site_name,
                        column=state.column_name,
                        day=f"{day:%Y-%m-%d}",
                        title=title[:60],
                    )
                    detections.append(Detection(text, (url,), subject=url))
            first = readers[0]
            yield Judgement("site", site_id, first.unit, tuple(detections))

    @staticmethod
    def _titles(context: CheckContext, column_ids: list[int], window: tuple[int, int] | None):  # type: ignore[no-untyped-def]
        query = select(Item.title, Item.url, Item.published_on).where(
            Item.column_id.in_(column_ids), Item.first_seen_at <= context.cutoff_utc
        )
        if window is not None:
            days, grace = window
            query = query.where(
                Item.published_on > context.as_of - timedelta(days=days),
                Item.published_on <= context.as_of - timedelta(days=grace),
            )
        else:
            query = query.where((Item.published_on <= context.as_of) | Item.published_on.is_(None))
        return list(context.session.execute(query.order_by(Item.published_on, Item.id)))
