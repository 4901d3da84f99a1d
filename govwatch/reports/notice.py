"""The draft notice (通报) assembled from a report's figures, in the register of a real one.

Overall situation (totals, pass rate, average score, who published most), the problems
by kind with the sites, accounts and units named (vetoes, deductions, units below their
quota, targets that could not be checked), and what must be fixed by when. It is a
draft: the closing line says it was generated and must be checked before it is issued.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from govwatch.reports.model import FindingFact, Notice, Shortfall
from govwatch.reports.periods import chinese_date
from govwatch.reports.summary import rate_text
from monitor.rules import RULES
from monitor.scores import RegionTotals

RULE_ORDER = {rule.code: position for position, rule in enumerate(RULES)}
CHINESE_ORDINALS = "一二三四五六七八九十"
#: Working days are not modelled; two calendar weeks is what sample notices give.
RECTIFY_DAYS = 15


def _ordinal(index: int) -> str:
    return CHINESE_ORDINALS[index] if index < len(CHINESE_ORDINALS) else str(index + 1)


def _named(facts: list[FindingFact]) -> str:
    """One clause per target: its problem, or how many it has, and the responsible unit."""
    per_target: dict[tuple[str, str], list[FindingFact]] = defaultdict(list)
    for fact in facts:
        per_target[(fact.target_type, fact.target_id)].append(fact)
    clauses = []
    for group in per_target.values():
        first = group[0]
        unit = f"(责任单位:{first.unit})" if first.unit else ""
        if len(group) == 1:
            clauses.append(f"{first.message.rstrip('。')}{unit}")
        elif first.rule == "ACCOUNT_LOW_FREQUENCY":
            clauses.append(f"「{first.target_name}」有{len(group)}周更新少于每周2条{unit}")
        else:
            clauses.append(f"{first.target_name}共{len(group)}处{unit}")
    return ";".join(clauses)


def _by_rule(facts: list[FindingFact]) -> dict[str, list[FindingFact]]:
    """Facts grouped by rule, in the order the rubric reports rules."""
    grouped: dict[str, list[FindingFact]] = defaultdict(list)
    for fact in sorted(facts, key=lambda fact: RULE_ORDER.get(fact.rule, len(RULE_ORDER))):
        grouped[fact.rule].append(fact)
    return grouped


def _problem_lines(facts: list[FindingFact]) -> list[str]:
    return [
        f"{index}.{group[0].rule_name}:{_named(group)}。"
        for index, group in enumerate(_by_rule(facts).values(), start=1)
    ]


def build_notice(
    period_label: str,
    end: date,
    site_totals: RegionTotals,
    account_totals: RegionTotals,
    all_totals: RegionTotals,
    findings: list[FindingFact],
    shortfalls: list[Shortfall],
    items_total: int,
    top_units: list[tuple[str, int]],
    monthly_quota: int,
    not_checked: list[tuple[str, str]] | None = None,
) -> Notice:
    """The notice text for the figures of one period.

    ``not_checked``: (name, reason) of each site and account without a verdict
    (未能检查); they are named apart, with the reason, and left out of the pass rate.
    """
    title = f"关于{period_label}全区政府网站和政务新媒体检查情况的通报"
    paragraphs: list[str] = ["各乡镇人民政府、街道办事处,区直各部门:"]
    paragraphs.append(
        "为进一步加强政府网站和政务新媒体建设管理,根据《政府网站与政务新媒体检查指标》"
        f"(国办秘函〔2019〕19号)有关要求,区政府办公室对全区政府网站和政务新媒体"
        f"{period_label}运行情况进行了检查(监测时间点为{chinese_date(end)})。"
        "现将检查情况通报如下:"
    )

    paragraphs.append("一、总体情况")
    overall = (
        f"本次共检查政府网站{site_totals.checked}个、政务新媒体{account_totals.checked}个,"
        f"合格{all_totals.passed}个,不合格{all_totals.failed}个,"
        f"总体合格率{rate_text(all_totals.pass_rate)}"
    )
    if all_totals.average_score is not None:
        overall += f",平均得分{all_totals.average_score:g}分"
    overall += (
        f"。其中,政府网站合格{site_totals.passed}个,合格率{rate_text(site_totals.pass_rate)};"
        f"政务新媒体合格{account_totals.passed}个,合格率{rate_text(account_totals.pass_rate)}。"
    )
    if all_totals.not_checked:
        overall += (
            f"另有{all_totals.not_checked}个因无法访问或没有覆盖监测时间点的抓取数据未能检查,"
            "不计入合格率。"
        )
    paragraphs.append(overall)
    publishing = f"检查期内,各单位在政府网站共发布信息{items_total}条"
    if top_units:
        publishing += ",发布量居前的单位是" + "、".join(
            f"{name}({count}条)" for name, count in top_units
        )
    paragraphs.append(publishing + "。")

    paragraphs.append("二、存在的主要问题")
    section = 0
    judged = [fact for fact in findings if fact.target_type != "unit"]
    vetoes = [fact for fact in judged if fact.severity == "veto"]
    deductions = [fact for fact in judged if fact.severity == "deduction"]
    unreadable = [fact for fact in judged if fact.rule == "CHECK_FAILED"]
    if vetoes:
        paragraphs.append(
            f"({_ordinal(section)})单项否决问题。以下网站、政务新媒体存在单项否决问题,"
            "检查结果为不合格:"
        )
        paragraphs.extend(_problem_lines(vetoes))
    else:
        paragraphs.append(f"({_ordinal(section)})单项否决问题。本次检查未发现单项否决问题。")
    section += 1
    if deductions:
        paragraphs.append(f"({_ordinal(section)})扣分问题。")
        paragraphs.extend(_problem_lines(deductions))
        section += 1
    if shortfalls:
        per_unit: dict[str, list[Shortfall]] = defaultdict(list)
        for shortfall in shortfalls:
            per_unit[shortfall.unit_name].append(shortfall)
        named = ";".join(
            f"{unit}("
            + "、".join(f"{int(entry.month[5:])}月{entry.count}条" for entry in entries)
            + ")"
            for unit, entries in per_unit.items()
        )
        paragraphs.append(
            f"({_ordinal(section)})信息发布量未达要求。按照每月在网站发布信息不少于"
            f"{monthly_quota}条的要求,{len(per_unit)}个单位未达标:{named}。"
        )
        section += 1
    unchecked_names = {name for name, _ in not_checked or []}
    columns_unread = [
        fact
        for fact in unreadable
        if fact.target_type == "column" and fact.target_name not in unchecked_names
    ]
    if not_checked or columns_unread:
        paragraphs.append(
            f"({_ordinal(section)})未能检查。以下对象无法访问或没有覆盖监测时间点的抓取数据,"
            "未作评判、不计入合格率,请主办单位核实并确保正常访问:"
        )
        paragraphs.extend(
            f"{index}.{name}:{reason.rstrip('。')}。"
            for index, (name, reason) in enumerate(not_checked or [], start=1)
        )
        if columns_unread:
            paragraphs.append(
                f"{len(not_checked or []) + 1}.部分栏目未能检查:{_named(columns_unread)}。"
            )
        section += 1

    deadline = chinese_date(end + timedelta(days=RECTIFY_DAYS))
    paragraphs.append("三、整改要求")
    paragraphs.append(
        f"(一)立即整改。存在问题的单位要对照问题清单逐项整改,于{deadline}前完成,"
        "并将整改情况书面报送区政府办公室。检查结果为不合格的网站和政务新媒体,"
        "主要负责同志要亲自过问,限期整改到位。"
    )
    paragraphs.append(
        "(二)落实常态化管理。各单位要落实信息发布审核和日常巡查制度,确保动态要闻类栏目"
        f"两周内有更新、政务新媒体两周内有更新,网站信息发布量每月不少于{monthly_quota}条,"
        "杜绝空白栏目和长期不更新栏目。"
    )
    paragraphs.append(
        "(三)强化监督问责。区政府办公室将持续开展常态化监测,对整改不到位、"
        "问题反复出现的单位予以通报,并纳入年度绩效考核。"
    )
    paragraphs.append(
        "附件:1.乡镇(街道)网站信息发布情况统计表 2.部门网站信息发布情况统计表 "
        "3.政府网站检查情况 4.政务新媒体检查情况"
    )
    paragraphs.append("区政府办公室")
    paragraphs.append(chinese_date(end))
    paragraphs.append(
        "(本稿由 govwatch 根据监测数据自动生成;内容准确性、办事指南要素等需人工审核的指标"
        "未纳入,请核对后印发。)"
    )
    return Notice(title, tuple(paragraphs))
