"""UNIT_QUOTA: a unit that published fewer items than its quota in a month (or week).

Local rules [S]: a district requires each unit to publish at least 10 items a month in
the columns it maintains; a county 3 a week. Counted by published date over the site
columns each unit maintains (the homepage pseudo-column excluded), in SQL.

Only what was observed is judged: a unit is left unjudged while any column it
maintains is not covered on the day (CHECK_FAILED, or no crawl covering it), and a
period is judged only when every such column was observed from its first day on.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import func, select

from monitor.column_state import ColumnState, column_observed_from, column_states
from monitor.rules.account_low_frequency import full_weeks
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from storage.models import Item, Site, SiteColumn, Unit


def full_months(as_of: date, months_back: int) -> list[tuple[date, date]]:
    """The last ``months_back`` calendar months that ended on or before ``as_of``."""
    months = []
    last_of_month = as_of.replace(day=monthrange(as_of.year, as_of.month)[1])
    # The day judged closes its own month only on the month's last day.
    end = as_of if as_of == last_of_month else as_of.replace(day=1) - timedelta(days=1)
    for _ in range(months_back):
        start = end.replace(day=1)
        months.append((start, end))
        end = start - timedelta(days=1)
    return list(reversed(months))


class UnitQuota(Rule):
    """A unit below its monthly quota of items (and weekly, where a weekly quota is set).

    Only units that maintain at least one column are judged. Quotas, and per-unit
    exceptions, are rubric parameters.
    """

    code = "UNIT_QUOTA"
    name = "单位信息发布量不达标"
    threshold = "每月不少于 10 条(可按周设定)"
    message_template = "{unit}{period}在网站发布信息{count}条,低于要求的{quota}条"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        monthly = context.rubric.param(self.code, "monthly_site_items")
        weekly = context.rubric.param(self.code, "weekly_site_items")
        overrides: dict[str, dict[str, int]] = context.rubric.param(self.code, "unit_overrides")
        months = full_months(context.as_of, context.rubric.param(self.code, "months_back"))
        weeks = full_weeks(months[0][0], context.as_of) if weekly else []
        since = min([months[0][0], *weeks]) if weeks else months[0][0]
        unit_column = func.coalesce(SiteColumn.unit_id, Site.unit_id)
        maintaining = select(Unit.id, Unit.name).where(
            Unit.active.is_(True),
            Unit.id.in_(
                select(unit_column)
                .join(Site, Site.id == SiteColumn.site_id)
                .where(SiteColumn.active.is_(True), SiteColumn.origin != "homepage")
            ),
        )
        units = dict(context.session.execute(maintaining).all())
        bounds = [*months, *((monday, monday + timedelta(days=6)) for monday in weeks)]
        # Per unit, the items of each period counted in SQL: one row per unit, not one
        # per unit and day.
        per_period: dict[int, tuple[int, ...]] = {
            row[0]: tuple(row[1:])
            for row in context.session.execute(
                select(
                    unit_column,
                    *(
                        func.count().filter(Item.published_on.between(start, end))
                        for start, end in bounds
                    ),
                )
                .join(SiteColumn, SiteColumn.id == Item.column_id)
                .join(Site, Site.id == SiteColumn.site_id)
                .where(
                    SiteColumn.origin != "homepage",
                    Item.published_on >= since,
                    Item.published_on <= context.as_of,
                )
                .group_by(unit_column)
            )
        }
        observed_from = column_observed_from(context)
        covered_since: dict[int, date] = {}  # per unit: every column it maintains read since
        uncovered: set[int] = set()
        for column_unit, state in self._column_units(context):
            since_day = observed_from.get(state.column_id)
            if not state.readable or since_day is None:
                uncovered.add(column_unit)
            else:
                covered_since[column_unit] = max(
                    since_day, covered_since.get(column_unit, since_day)
                )
        for unit_id, unit_name in units.items():
            if unit_id in uncovered or unit_id not in covered_since:
                continue  # a column it maintains was not observed on the day: not judged
            first_observed = covered_since[unit_id]
            counts = per_period.get(unit_id, (0,) * len(bounds))
            quota = {"monthly_site_items": monthly, "weekly_site_items": weekly} | overrides.get(
                unit_name, {}
            )
            detections = []
            periods = [
                (start, end, f"{start:%Y年%m月}", quota["monthly_site_items"])
                for start, end in months
            ] + [
                (
                    monday,
                    monday + timedelta(days=6),
                    f"{monday:%m月%d日}至{monday + timedelta(days=6):%m月%d日}",
                    quota["weekly_site_items"],
                )
                for monday in weeks
            ]
            for (start, end, label, required), count in zip(periods, counts, strict=True):
                if not required or start < first_observed:
                    continue  # no quota, or the period began before the columns were read
                if count < required:
                    message = self.message_template.format(
                        unit=unit_name, period=label, count=count, quota=required
                    )
                    detections.append(Detection(message, (), subject=f"{start}..{end}"))
            yield Judgement("unit", unit_name, unit_name, tuple(detections))

    @staticmethod
    def _column_units(context: CheckContext) -> list[tuple[int, ColumnState]]:
        """(unit id, column state) of every judged column, by the unit maintaining it."""
        units = dict(
            context.session.execute(
                select(SiteColumn.id, func.coalesce(SiteColumn.unit_id, Site.unit_id)).join(
                    Site, Site.id == SiteColumn.site_id
                )
            ).all()
        )
        return [
            (units[state.column_id], state)
            for state in column_states(context)
            if units.get(state.column_id) is not None
        ]
