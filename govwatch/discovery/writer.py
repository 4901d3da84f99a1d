"""Render discoveries as a targets file a person reviews before ``govwatch targets load``.

Every guess is marked in a YAML comment: a category the classifier is not sure of
(「待核对」), links that were not made columns and why, navigation pages expanded,
accounts listed without a uid (commented out until someone fills it in), and sites
whose homepage could not be read. The file is valid as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

from crawler.discover.classify import CATEGORY_LABELS
from govwatch.discovery.site import SiteDiscovery
from govwatch.targets_file import PLATFORMS

_PLATFORM_LABELS = {
    "weibo": "微博",
    "wechat": "微信公众号",
    "douyin": "抖音",
    "toutiao": "今日头条",
    "other": "其他平台",
}


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())


def unit_kind_from_name(unit: str) -> str:
    """A unit kind guessed from its name: town, street, government or department."""
    if re.search(r"(?:镇|乡)(?:人民政府)?$", unit):
        return "town"
    if re.search(r"街道(?:办事处)?$", unit):
        return "street"
    if unit.endswith("人民政府") or unit.endswith("政府"):
        return "government"
    return "department"


def site_id_for(url: str, taken: set[str]) -> str:
    """A targets-file id from the homepage host (www.x.gov.cn -> x), unique in ``taken``."""
    parts = urlsplit(url)
    labels = [
        label
        for label in (parts.hostname or "site").lower().split(".")
        if label not in ("www", "gov", "cn", "com", "org", "net")
    ]
    base = "-".join(labels) or "site"
    if parts.port and parts.port not in (80, 443):
        base += f"-{parts.port}"
    base = re.sub(r"[^a-z0-9_-]+", "-", base).strip("-") or "site"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def render_targets(discoveries: Sequence[SiteDiscovery], generated_on: date) -> str:
    """The targets file for these discoveries (failed sites appear as comments)."""
    lines = [
        f"# 由 govwatch targets discover 于 {generated_on:%Y-%m-%d} 生成。",
        "# 请逐项核对后再执行 govwatch targets load:标注「待核对」的类别是推测,",
        "# 「未列入」说明了没有作为栏目登记的链接及原因,注释掉的账号需补充 uid。",
    ]
    units: dict[str, str] = {}
    for found in discoveries:
        if found.site.unit:
            units.setdefault(
                found.site.unit, found.site.unit_kind or unit_kind_from_name(found.site.unit)
            )
    lines.append("units:" if units else "units: []")
    for unit, kind in units.items():
        lines += [f"  - name: {_q(unit)}", f"    kind: {kind}"]
    taken: set[str] = set()
    site_ids = [
        found.site.site_id or site_id_for(found.site.url, taken) if found.ok else ""
        for found in discoveries
    ]
    for site_id in site_ids:
        taken.add(site_id)
    readable = [(found, sid) for found, sid in zip(discoveries, site_ids, strict=True) if found.ok]
    lines.append("sites:" if readable else "sites: []")
    for found in discoveries:
        if not found.ok:
            lines.append(f"  # 未能读取,未登记: {_comment(found.failure or '')}")
    account_lines: list[str] = []
    pending_lines: list[str] = []
    for found, site_id in readable:
        lines += _site_lines(found, site_id)
        accounts, pending = _account_lines(found, site_id)
        account_lines += accounts
        pending_lines += pending
    lines.append("accounts:" if account_lines else "accounts: []")
    lines += account_lines
    if pending_lines:
        lines.append("  # 目录中列出、但未能确定 uid 或不支持的平台(补充后取消注释):")
        lines += pending_lines
    return "\n".join(lines) + "\n"


def _site_lines(found: SiteDiscovery, site_id: str) -> list[str]:
    lines = [
        f"  - id: {site_id}",
        f"    name: {_q(found.title)}",
        f"    url: {_q(found.site.url)}",
    ]
    if found.site.unit:
        lines.append(f"    unit: {_q(found.site.unit)}")
    lines.append("    columns:" if found.columns else "    columns: []")
    for column in found.columns:
        verdict = column.classification
        note = (
            f"待核对(置信度 {verdict.confidence:.2f}):{verdict.reason}"
            if verdict.low_confidence
            else verdict.reason
        )
        if column.list_status == "empty":
            note += ";栏目为空"
        lines += [
            f"      - name: {_q(column.name)}",
            f"        url: {_q(column.url)}",
            f"        category: {verdict.category}  # {_comment(note)}",
        ]
    if found.sections:
        lines.append("    # 导航页(已展开,不作为栏目登记):")
        lines += [f"    #   {s.name} {s.url}: {_comment(s.reason)}" for s in found.sections]
    if found.left_out:
        lines.append("    # 未列入:")
        lines += [f"    #   {s.name} {s.url}: {_comment(s.reason)}" for s in found.left_out]
    return lines


def _account_lines(found: SiteDiscovery, site_id: str) -> tuple[list[str], list[str]]:
    ready: list[str] = []
    pending: list[str] = []
    counters: dict[str, int] = {}
    for account in found.accounts:
        counters[account.platform] = counters.get(account.platform, 0) + 1
        account_id = f"{site_id}-{account.platform}-{counters[account.platform]}"
        unit = f", unit: {_q(found.site.unit)}" if found.site.unit else ""
        label = _PLATFORM_LABELS.get(account.platform, account.platform)
        if account.platform in PLATFORMS and account.uid:
            ready += [
                f"  - id: {account_id}",
                f"    name: {_q(account.name)}",
                f"    platform: {account.platform}",
                f"    uid: {_q(account.uid)}",
            ]
            if found.site.unit:
                ready.append(f"    unit: {_q(found.site.unit)}")
            ready.append(f"    # 来源: {found.title} 政务新媒体目录")
        else:
            where = f" {account.link}" if account.link else ""
            pending.append(
                f"  # - {{id: {account_id}, name: {_q(account.name)}, "
                f"platform: {account.platform}{unit}}}  # {label}{where},见{found.title}"
            )
    return ready, pending


def category_counts(discoveries: Sequence[SiteDiscovery]) -> dict[str, int]:
    """Columns found per category over all sites (every category present, maybe 0)."""
    counts = dict.fromkeys(CATEGORY_LABELS, 0)
    for found in discoveries:
        for column in found.columns:
            counts[column.classification.category] += 1
    return counts
