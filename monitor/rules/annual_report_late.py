"""ANNUAL_REPORT_LATE: last year's 政府信息公开工作年度报告 is not published on time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_facts_state import site_units
from storage.models import Item


class AnnualReportLate(Rule):
    """After the legal deadline, the site's annual-report column (name matching the
    rubric's ``column_keywords``) lists no 政府信息公开工作年度报告 for the previous
    year, or lists it published after the deadline.

    The deadline depends on the kind of the site's unit (政府信息公开条例 第五十条:
    departments by 31 January, people's governments by 31 March); set per kind in the
    rubric. A site without such a column, or whose column could not be read, is not
    judged.
    """

    code = "ANNUAL_REPORT_LATE"
    name = "政务公开年报未按时发布"
    threshold = "部门1月31日前、人民政府3月31日前发布上一年度报告"
    message_template = "{site}「{column}」栏目{problem}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        keywords = list(context.rubric.param(self.code, "column_keywords"))
        excluded = list(context.rubric.param(self.code, "exclude_keywords"))
        by_kind = {
            str(k).lower(): v
            for k, v in context.rubric.param(self.code, "deadline_by_unit_kind").items()
        }
        default_deadline = str(context.rubric.param(self.code, "default_deadline"))
        year = context.as_of.year - 1
        units = site_units(context)
        for state in column_states(context):
            name = state.column_name
            if not any(k in name for k in keywords) or any(k in name for k in excluded):
                continue
            if not state.readable:
                continue
            site = units.get(state.site_id)
            kind = site.unit_kind.lower() if site else ""
            month, day = (int(part) for part in str(by_kind.get(kind, default_deadline)).split("-"))
            deadline = date(context.as_of.year, month, day)
            if context.as_of <= deadline:
                yield Judgement("column", state.target_id, state.unit)
                continue
            problem = self._problem(context, state.column_id, year, deadline)
            detections: tuple[Detection, ...] = ()
            if problem:
                text = self.message_template.format(
                    site=state.site_name, column=name, problem=problem
                )
                detections = (Detection(text, (state.column_url,), subject=str(year)),)
            yield Judgement("column", state.target_id, state.unit, detections)

    @staticmethod
    def _problem(context: CheckContext, column_id: int, year: int, deadline: date) -> str | None:
        # In the report column any item naming the year and a report counts: titles vary
        # (2025年度政府信息公开工作报告, 2025年政府信息公开工作年度报告, …年报).
        report_re = re.compile(rf"(?<!\d){year}\s*年?.*(?:报告|年报)")
        published: list[date | None] = []
        for title, published_on in context.session.execute(
            select(Item.title, Item.published_on).where(
                Item.column_id == column_id, Item.first_seen_at <= context.cutoff_utc
            )
        ):
            if report_re.search(title) and (published_on is None or published_on <= context.as_of):
                published.append(published_on)
        if not published:
            return f"未发布{year}年政府信息公开工作年度报告(应于{deadline:%Y年%m月%d日}前发布)"
        if None in published:
            return None  # listed without a date: on time as far as we can tell
        first = min(day for day in published if day is not None)
        if first > deadline:
            return f"{year}年政府信息公开工作年度报告于{first:%Y-%m-%d}发布,晚于{deadline:%Y年%m月%d日}"
        return None
