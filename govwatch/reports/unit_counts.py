"""Items published per unit per month (附件1 towns and streets, 附件2 departments), with
below-quota months marked and the units that fell short listed.

A unit is held to its monthly quota (the rubric's UNIT_QUOTA ``monthly_site_items``,
or its ``unit_overrides`` entry) in every month the period fully covers; a month the
period only partly covers is shown but not judged. A unit that maintains no column is
listed with its zeros but not judged either.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from govwatch.reports.model import Shortfall, Table
from govwatch.reports.periods import is_full_month, month_label
from storage.stats import UnitMonthCount, month_keys

#: Unit kinds that go in the towns-and-streets table; every other kind is a department.
TOWN_KINDS = frozenset({"town", "township", "street", "镇", "乡", "街道", "乡镇", "乡镇街道"})
GROUP_TITLES = {"towns": "乡镇(街道)", "departments": "部门"}
NOT_JUDGED = "未负责网站栏目,不考核"


def unit_group(kind: str) -> str:
    """ "towns" for towns and streets, "departments" for every other unit."""
    return "towns" if kind.strip().lower() in TOWN_KINDS else "departments"


def quota_for(unit_name: str, monthly_quota: int, overrides: dict[str, dict[str, int]]) -> int:
    """A unit's monthly quota: its override, else the rubric's."""
    return int(overrides.get(unit_name, {}).get("monthly_site_items", monthly_quota))


def _short_month(month: str) -> str:
    return f"{int(month[5:])}月"


def unit_count_tables(
    counts: list[UnitMonthCount],
    start: date,
    end: date,
    monthly_quota: int,
    overrides: dict[str, dict[str, int]],
) -> tuple[list[Table], list[Shortfall]]:
    """The towns table, the departments table, and every (unit, month) below quota."""
    months = month_keys(start, end)
    per_unit: dict[str, dict[str, int]] = defaultdict(dict)
    kinds: dict[str, str] = {}
    maintaining: dict[str, bool] = {}
    for row in counts:
        per_unit[row.unit_name][row.month] = row.count
        kinds[row.unit_name] = row.unit_kind
        maintaining[row.unit_name] = row.maintains_columns
    shortfalls: list[Shortfall] = []
    tables = []
    attachment = 1
    for group in ("towns", "departments"):
        names = [name for name in per_unit if unit_group(kinds[name]) == group]
        if not names:
            continue
        headers = [
            "序号",
            "单位名称",
            *(month_label(m, start, end) for m in months),
            "合计",
            "备注",
        ]
        table = Table(
            key=group,
            title=f"附件{attachment}:{GROUP_TITLES[group]}网站信息发布情况统计表",
            headers=headers,
            header_groups=[
                ("序号", 1),
                ("单位名称", 1),
                ("各月发布信息数(条)", len(months)),
                ("合计", 1),
                ("备注", 1),
            ],
            widths=[6, 22, *([14] * len(months)), 8, 30],
            wrap_columns={len(headers) - 1},
        )
        attachment += 1
        short_units: list[str] = []
        for index, name in enumerate(names):
            quota = quota_for(name, monthly_quota, overrides)
            cells = [per_unit[name].get(month, 0) for month in months]
            below = []
            if maintaining[name]:
                for position, month in enumerate(months):
                    if is_full_month(month, start, end) and cells[position] < quota:
                        table.marked.add((index, 2 + position))
                        below.append(month)
                        shortfalls.append(Shortfall(name, group, month, cells[position], quota))
            remark = (
                NOT_JUDGED
                if not maintaining[name]
                else (
                    "、".join(_short_month(month) for month in below) + f"低于{quota}条"
                    if below
                    else ""
                )
            )
            if below:
                detail = "、".join(
                    f"{_short_month(month)}{per_unit[name].get(month, 0)}条" for month in below
                )
                short_units.append(f"{name}({detail})")
            table.rows.append([index + 1, name, *cells, sum(cells), remark])
        table.notes.append(
            f"考核要求:每个单位每月在网站发布信息不少于{monthly_quota}条"
            "(另有规定的单位按其要求);低于要求的月份已标出。"
        )
        table.notes.append(
            "未达要求的单位:" + ";".join(short_units) + "。"
            if short_units
            else "各单位均达到发布要求。"
        )
        tables.append(table)
    return tables, shortfalls
