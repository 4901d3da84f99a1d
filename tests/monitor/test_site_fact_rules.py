"""The rules on homepage facts, columns and directories (SITE_IDENTITY_MISSING,
SEARCH_BROKEN, ANNUAL_REPORT_LATE, ACTIVITY_MISSING, ACCOUNT_NOT_LISTED,
LISTED_ACCOUNT_UNKNOWN, INTERPRETATION_MISSING, SITE_STRUCTURE_CHANGED): each fires on
a crafted case and stays quiet on a healthy one, on stored observations only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from crawler.extract.types import ListedItem, ListPage
from crawler.observations import ColumnRef, PageObservation
from govwatch.targets_file import parse_targets
from monitor.check import run_check
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.observations import record_page
from storage.registry import sync_targets
from storage.site_facts import record_site_fact

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 29, 2)

TARGETS = """
units:
  - {name: 示范县人民政府, kind: government}
  - {name: 示范县教育局, kind: department}
  - {name: 某协会, kind: association}
sites:
  - id: gov
    name: 示范县人民政府
    url: http://gov.example.cn/
    unit: 示范县人民政府
    columns:
      - {name: 政府信息公开年报, url: 'http://gov.example.cn/nb/', category: other}
      - {name: 在线访谈, url: 'http://gov.example.cn/ft/', category: interaction}
      - {name: 调查征集, url: 'http://gov.example.cn/dc/', category: interaction}
      - {name: 政策文件, url: 'http://gov.example.cn/zc/', category: policy}
      - {name: 政策解读, url: 'http://gov.example.cn/jd/', category: policy}
  - id: edu
    name: 示范县教育局
    url: http://edu.example.cn/
    unit: 示范县教育局
    columns:
      - {name: 信息公开年度报告, url: 'http://edu.example.cn/nb/', category: other}
  - id: assoc
    name: 某协会网站
    url: http://assoc.example.cn/
    unit: 某协会
accounts:
  - {id: fabu, name: 示范县发布, platform: weibo, uid: '5000000001', unit: 示范县人民政府}
  - {id: wenlv, name: 示范县文旅, platform: weibo, uid: '5000000002', unit: 示范县人民政府}
  - {id: jiaoyu, name: 示范县教育, platform: wechat, uid: edu-wx, unit: 示范县教育局}
"""


def register() -> None:
    with session_scope() as session:
        sync_targets(session, parse_targets(TARGETS, "t.yaml"))


def fact(site_id: str, kind: str, ok: bool, data: dict[str, Any], when: datetime = SEEN) -> None:
    with session_scope() as session:
        record_site_fact(session, None, site_id, kind, ok, f"http://{site_id}/", data, "", when)


def column(site_id: str, name: str, items: list[tuple[str, date | None]]) -> None:
    listed = tuple(
        ListedItem(title, f"http://{site_id}.example.cn/{name}/{index}.html", day)
        for index, (title, day) in enumerate(items)
    )
    page = PageObservation(
        site_id,
        "column",
        f"http://{site_id}.example.cn/{name}/",
        200,
        "ok",
        "",
        ColumnRef(name, f"http://{site_id}.example.cn/{name}/"),
        ListPage(listed, "ok" if listed else "empty"),
    )
    with session_scope() as session:
        record_page(session, None, page, SEEN)


def findings(as_of: date = AS_OF) -> dict[str, list[tuple[str, str]]]:
    with session_scope() as session:
        run_check(session, as_of)
        found: dict[str, list[tuple[str, str]]] = {}
        for finding in query_findings(session):
            found.setdefault(finding.rule, []).append((finding.target_id, finding.message))
        return found


def test_identity_marks(database_url: str) -> None:
    register()
    marks = {"site_code": "3600000001", "icp": "赣ICP备1号", "police": "赣公网安备1号"}
    fact("gov", "identity", True, {**marks, "party_government_mark": False})
    fact("edu", "identity", True, {**marks, "party_government_mark": True})
    fact("assoc", "identity", True, {"site_code": None, "icp": "赣ICP备2号", "police": None})
    found = dict(findings().get("SITE_IDENTITY_MISSING", []))
    assert found["gov"] == "示范县人民政府首页未显示党政机关网站标识"
    assert "edu" not in found  # everything shown
    # An association is no Party or government body: its missing mark is not required.
    assert found["assoc"] == "某协会网站首页未显示网站标识码、公安机关备案标识"


def test_identity_not_observed_is_not_judged(database_url: str) -> None:
    register()
    fact("gov", "identity", False, {})
    assert "SITE_IDENTITY_MISSING" not in findings()


def test_search(database_url: str) -> None:
    register()
    fact("gov", "search", True, {"box": True, "tested": True, "found": False, "words": "县长调研"})
    fact("edu", "search", True, {"box": False})
    fact("assoc", "search", True, {"box": True, "tested": True, "found": True, "words": "年会"})
    found = dict(findings().get("SEARCH_BROKEN", []))
    assert found["gov"] == "示范县人民政府站内搜索检索近期信息「县长调研」查无结果"
    assert found["edu"] == "示范县教育局首页未提供站内搜索"
    assert "assoc" not in found


def test_search_error_and_untested(database_url: str) -> None:
    register()
    data = {"box": True, "tested": True, "found": False, "failed": "HTTP 500"}
    fact("gov", "search", True, data)
    fact("edu", "search", False, {"box": True})  # scripted box: not tested, not judged
    found = dict(findings().get("SEARCH_BROKEN", []))
    assert found == {"gov": "示范县人民政府站内搜索无法使用(检索返回 HTTP 500)"}


def test_annual_report_deadlines_per_unit_kind(database_url: str) -> None:
    register()
    column("gov", "政府信息公开年报", [("示范县2024年政府信息公开工作年度报告", date(2025, 3, 20))])
    column(
        "edu",
        "信息公开年度报告",
        [("示范县教育局2025年政府信息公开工作年度报告", date(2026, 2, 10))],
    )
    found = dict(findings().get("ANNUAL_REPORT_LATE", []))
    assert found["gov/政府信息公开年报"] == (
        "示范县人民政府「政府信息公开年报」栏目未发布2025年政府信息公开工作年度报告"
        "(应于2026年03月31日前发布)"
    )
    assert found["edu/信息公开年度报告"] == (
        "示范县教育局「信息公开年度报告」栏目2025年政府信息公开工作年度报告于2026-02-10发布,"
        "晚于2026年01月31日"
    )


def test_annual_report_on_time_or_not_yet_due(database_url: str) -> None:
    register()
    column("gov", "政府信息公开年报", [("示范县2025年度政府信息公开工作报告", date(2026, 3, 25))])
    column(
        "edu",
        "信息公开年度报告",
        [
            ("2025年政府信息公开工作年度报告", date(2026, 1, 20)),
            ("2024年政府信息公开工作年度报告", date(2025, 1, 20)),
        ],
    )
    assert "ANNUAL_REPORT_LATE" not in findings()
    # Before 31 January the department's report for the previous year is not yet due.
    assert "ANNUAL_REPORT_LATE" not in findings(date(2026, 1, 15))


def test_activity_missing(database_url: str) -> None:
    register()
    column("gov", "在线访谈", [("局长谈教育", AS_OF - timedelta(days=400))])
    column("gov", "调查征集", [("规划意见征集", AS_OF - timedelta(days=30))])
    found = dict(findings().get("ACTIVITY_MISSING", []))
    assert found == {
        "gov/在线访谈": "示范县人民政府「在线访谈」栏目近365天未开展活动(最近一次为2025-08-26)"
    }


def test_activity_undated_is_not_judged(database_url: str) -> None:
    register()
    column("gov", "在线访谈", [("局长谈教育", None)])
    column("gov", "调查征集", [])
    found = dict(findings().get("ACTIVITY_MISSING", []))
    assert found == {"gov/调查征集": "示范县人民政府「调查征集」栏目没有任何活动记录"}


def test_account_directory(database_url: str) -> None:
    register()
    listed = [
        {"platform": "weibo", "name": "示范县发布", "uid": None, "link": None},
        {"platform": "douyin", "name": "示范县应急", "uid": None, "link": None},
    ]
    fact("gov", "media_directory", True, {"accounts": listed, "source": "directory"})
    fact("edu", "media_directory", False, {})  # no directory found: its accounts not judged
    found = findings()
    assert found["ACCOUNT_NOT_LISTED"] == [
        ("wenlv", "微博账号「示范县文旅」未列入示范县人民政府的政务新媒体目录")
    ]
    assert found["LISTED_ACCOUNT_UNKNOWN"] == [
        ("gov", "示范县人民政府政务新媒体目录列出的抖音账号「示范县应急」未登记监测")
    ]


def test_account_directory_healthy(database_url: str) -> None:
    register()
    listed = [
        {"platform": "weibo", "name": "示范县 发布", "uid": None, "link": None},
        {"platform": "weibo", "name": "文旅示范", "uid": "5000000002", "link": None},
    ]
    fact("gov", "media_directory", True, {"accounts": listed})
    found = findings()
    assert "ACCOUNT_NOT_LISTED" not in found and "LISTED_ACCOUNT_UNKNOWN" not in found


def test_interpretation_missing(database_url: str) -> None:
    register()
    column(
        "gov",
        "政策文件",
        [
            ("关于印发《示范县农村饮水安全管理办法》的通知", AS_OF - timedelta(days=20)),
            ("关于印发《示范县河道管理规定》的通知", AS_OF - timedelta(days=40)),
            ("示范县召开工作会议", AS_OF - timedelta(days=10)),  # not a document
            ("关于印发《示范县老旧规定》的通知", AS_OF - timedelta(days=200)),  # older quarter
        ],
    )
    column("gov", "政策解读", [("《示范县河道管理规定》政策解读", AS_OF - timedelta(days=38))])
    found = findings()["INTERPRETATION_MISSING"]
    assert found == [
        (
            "gov",
            "示范县人民政府「政策文件」2026-09-10发布的《关于印发《示范县农村饮水安全管理办法》"
            "的通知》未见对应的政策解读",
        )
    ]


def test_structure_changes(database_url: str) -> None:
    register()
    changes = {
        "added": [{"name": "乡村振兴", "url": "http://gov.example.cn/xczx/"}],
        "moved": [],
        "gone": [{"name": "调查征集", "url": "http://gov.example.cn/dc/"}],
    }
    fact("gov", "structure", True, changes)
    fact("edu", "structure", True, {"added": [], "moved": [], "gone": []})
    fact("assoc", "structure", True, changes, when=SEEN - timedelta(days=90))  # too old
    found = dict(findings().get("SITE_STRUCTURE_CHANGED", []))
    assert found == {
        "gov": "示范县人民政府栏目结构有变化:新增「乡村振兴」,消失「调查征集」;请核对后更新检查对象文件"
    }
