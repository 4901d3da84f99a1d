"""The column category classifier: news | notice | policy | static | overview |
interaction | other, from a column's name and, when it was read, what its list shows.

The name decides when it holds one of the indicators' words (动态/要闻 are news,
通知公告 notice, 政策文件 policy, 人事/规划计划 static, 机构概况 overview, 咨询/信箱
interaction). The list then confirms or corrects it: titles carrying document numbers
(〔2024〕3号) are policy documents, titles that are 公告/公示 are notices, a list updated
every few days is news, a page with no list at all is a single-page (overview) column.
Each answer comes with a confidence so the targets file can mark the guesses.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

CATEGORIES = ("news", "notice", "policy", "static", "overview", "interaction", "other")

CATEGORY_LABELS = {
    "news": "动态要闻类",
    "notice": "通知公告类",
    "policy": "政策文件类",
    "static": "人事规划类",
    "overview": "机构概况类",
    "interaction": "互动交流类",
    "other": "其他",
}

# (category, keywords): the first rule with a keyword in the name wins, so the order
# settles the overlaps: 政策解读 is policy not news, 领导信箱 interaction not overview,
# 人事信息 static not news, 通知公告 notice before the generic 信息 of news.
_NAME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "other",
        (
            "年度报告",
            "年报",
            "报表",
            "公开指南",
            "公开制度",
            "依申请",
            "新媒体",
            "专题",
            "建议提案",
        ),
    ),
    ("other", ("查询", "检索", "信息公开", "披露", "其它信息", "其他信息")),
    ("news", ("领导活动", "发布会", "工作会议")),
    (
        "interaction",
        (
            "咨询",
            "留言",
            "信箱",
            "征集",
            "调查",
            "互动",
            "投诉",
            "建议",
            "访谈",
            "问答",
            "民意",
            "热线",
            "12345",
            "诉求",
            "问政",
            "回应",
            "信访",
            "举报",
            "我要写信",
            "网上办信",
            "意见",
            "选登",
            "沟通",
            "建言",
            "提问",
            "论坛",
            "答复",
        ),
    ),
    (
        "policy",
        ("解读", "政策", "规范性文件", "文件", "法规", "规章", "政府令", "公报", "条例", "废止"),
    ),
    (
        "notice",
        (
            "通知",
            "公告",
            "公示",
            "通告",
            "招标",
            "采购",
            "招聘",
            "招录",
            "招考",
            "考试",
            "报考",
            "录用",
            "预警",
            "许可",
            "处罚",
            "执法",
            "监管措施",
            "双随机",
        ),
    ),
    ("static", ("人事", "任免", "规划", "计划", "统计", "预算", "决算", "预决算", "财政", "财务")),
    (
        "overview",
        (
            "机构",
            "领导",
            "职能",
            "概况",
            "简介",
            "走进",
            "县情",
            "区情",
            "市情",
            "乡情",
            "镇情",
            "省情",
            "沿革",
            "联系方式",
            "办公地址",
            "内设",
            "分工",
            "职责",
            "事业单位",
            "直属",
            "名片",
            "地理",
            "行政区划",
            "之窗",
        ),
    ),
    (
        "news",
        (
            "要闻",
            "动态",
            "新闻",
            "资讯",
            "快讯",
            "头条",
            "聚焦",
            "播报",
            "热点",
            "图片",
            "视频",
            "今日",
            "发布会",
            "工作信息",
            "政务信息",
            "简报",
            "活动",
            "信息",  # last: 综合信息, 区县信息; 人事信息 and 公告信息 were decided above
        ),
    ),
)

_DOC_NUMBER_RE = re.compile(
    r"[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d+\s*号|令第\s*\d+\s*号"
)
_POLICY_TITLE_RE = re.compile(r"关于印发|(?:办法|规定|细则|实施意见|实施方案|条例)(?:》|的通知|$)")
_NOTICE_TITLE_RE = re.compile(
    r"(?:公告|公示|通告|通知|招聘|招标|中标|采购)(?:\s*[(（][^)）]*[)）])?$"
)
_INTERACTION_TITLE_RE = re.compile(r"(?:咨询|来信|留言|反映|投诉|询问|请问|建议)")


@dataclass(frozen=True, slots=True)
class ListEvidence:
    """What a column's first list page showed when discovery read it."""

    status: str  # ok | empty | unparsed (no list found) | failed (not read)
    titles: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()  # the items' publish dates, as read


@dataclass(frozen=True, slots=True)
class Classification:
    """A column's category, how sure the classifier is (0-1), and why, in Chinese."""

    category: str
    confidence: float
    reason: str

    @property
    def low_confidence(self) -> bool:
        """Whether a person should check it before the targets file is loaded."""
        return self.confidence < 0.7


def category_from_name(name: str) -> str | None:
    """The category the column name's words say, or None when they say nothing."""
    compact = re.sub(r"\s+", "", name)
    for category, keywords in _NAME_RULES:
        if any(keyword in compact for keyword in keywords):
            return category
    return None


def _median_interval_days(dates: Sequence[date]) -> float | None:
    ordered = sorted(set(dates), reverse=True)
    if len(ordered) < 3:
        return None
    return statistics.median((a - b).days for a, b in itertools.pairwise(ordered))


def category_from_list(evidence: ListEvidence) -> tuple[str | None, str]:
    """What the list alone suggests (category or None) and the reason, in Chinese."""
    if evidence.status == "unparsed":
        return "overview", "页面没有信息列表(单页栏目)"
    titles = [title for title in evidence.titles if title]
    if len(titles) >= 3:
        share = len(titles)
        documents = sum(
            bool(_DOC_NUMBER_RE.search(t) or _POLICY_TITLE_RE.search(t)) for t in titles
        )
        if documents / share >= 0.5:
            return "policy", f"{documents}/{share} 条标题为文件(含文号或“印发”)"
        notices = sum(bool(_NOTICE_TITLE_RE.search(t)) for t in titles)
        if notices / share >= 0.5:
            return "notice", f"{notices}/{share} 条标题为通知、公告或公示"
        questions = sum(bool(_INTERACTION_TITLE_RE.search(t)) for t in titles)
        if questions / share >= 0.5:
            return "interaction", f"{questions}/{share} 条标题为群众来信或咨询"
    interval = _median_interval_days(evidence.dates)
    if interval is not None and interval <= 7:
        return "news", f"更新频繁(相邻两条信息中位间隔 {interval:g} 天)"
    return None, ""


def classify_column(name: str, evidence: ListEvidence | None = None) -> Classification:
    """Classify one column from its name and, if it was read, its first list page."""
    by_name = category_from_name(name)
    by_list, list_reason = (None, "") if evidence is None else category_from_list(evidence)
    if by_name is not None and (by_list is None or by_list == by_name):
        confidence = 0.95 if by_list == by_name else 0.8
        reason = f"栏目名称属{CATEGORY_LABELS[by_name]}" + (f",且{list_reason}" if by_list else "")
        return Classification(by_name, confidence, reason)
    if by_name is not None and by_list is not None:
        # The name wins (it is what the indicators judge by), but a person should look:
        # a "工作动态" column full of documents is usually a mislabelled policy column.
        return Classification(
            by_name,
            0.6,
            f"栏目名称属{CATEGORY_LABELS[by_name]},但{list_reason},像{CATEGORY_LABELS[by_list]}",
        )
    if by_list is not None:
        return Classification(by_list, 0.55, f"栏目名称无法判断;{list_reason}")
    return Classification("other", 0.4, "栏目名称与内容均无法判断类别")
