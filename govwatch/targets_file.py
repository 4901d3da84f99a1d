"""The targets file: its schema, and reading it with errors that name file and line.

A targets file (YAML, see docs/targets.md) lists units, sites with their columns, and
new-media accounts. :func:`read_targets_file` validates the whole file and raises
:class:`TargetsFileError` listing every problem as ``file:line: what is wrong``; it
never returns a partly valid result.

Beyond the schema, a file is refused for what YAML itself lets through: a key given
twice in one mapping (PyYAML silently keeps the last), anchors and aliases (a few
lines of ``&a``/``*a`` expand to billions of nodes, and a targets file has no need
of them), text over the database's column lengths (the same limits on SQLite and
PostgreSQL), URLs with whitespace, and a column on another host than its site
unless the site lists that host under ``hosts:``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CATEGORIES = ("news", "notice", "policy", "static", "overview", "interaction", "other")
PLATFORMS = ("weibo", "wechat", "douyin", "toutiao", "rss")
ID_PATTERN = r"^[a-z0-9_-]+$"

# Length limits, checked at load time. Each is at most the length of the database
# column that stores the value (storage/models.py), so a file that loads on SQLite
# (which does not enforce VARCHAR lengths) also loads on PostgreSQL.
MAX_ID = 100
MAX_NAME = 200
MAX_URL = 2000
MAX_UID = 200
MAX_UNIT_KIND = 50
MAX_SITE_CODE = 40
MAX_HOST = 253  # the DNS limit
MAX_SELECTOR = 500

#: A hostname (or domain) as written under ``hosts:``: letters, digits, dots, hyphens.
HOST_PATTERN = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"


def _check_http_url(value: str) -> str:
    if re.search(r"\s", value):
        raise ValueError(f"网址中不能有空格或换行(空格请写成 %20): {value!r}")
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"不是有效的 http(s) 网址(应以 http:// 或 https:// 开头): {value!r}")
    if not urlsplit(value).hostname:
        raise ValueError(f"网址中没有主机名: {value!r}")
    return value


def _host_of(url: str) -> str:
    """The lower-case hostname of ``url``, without a leading ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def host_allowed(url: str, site_url: str, extra_hosts: Sequence[str] = ()) -> bool:
    """Whether ``url`` is on the site's own host, or on one the site declares.

    ``www.`` is ignored (``www.x.gov.cn`` and ``x.gov.cn`` are one site); a declared
    host also covers its subdomains (``fz.gov.cn`` covers ``zwgk.fz.gov.cn``).
    """
    host = _host_of(url)
    if host == _host_of(site_url):
        return True
    for declared in extra_hosts:
        declared = declared.lower().removeprefix("www.")
        if host == declared or host.endswith("." + declared):
            return True
    return False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UnitSpec(_Strict):
    """A responsible unit."""

    name: str = Field(min_length=1, max_length=MAX_NAME)
    kind: str = Field("", max_length=MAX_UNIT_KIND)


class SelectorsSpec(_Strict):
    """CSS selectors overriding the list extractor's heuristics for one column."""

    item: str = Field(min_length=1, max_length=MAX_SELECTOR)
    title: str | None = Field(None, max_length=MAX_SELECTOR)
    link: str | None = Field(None, max_length=MAX_SELECTOR)
    date: str | None = Field(None, max_length=MAX_SELECTOR)


class ColumnSpec(_Strict):
    """A column of a site."""

    name: str = Field(min_length=1, max_length=MAX_NAME)
    url: str = Field(max_length=MAX_URL)
    category: Literal[CATEGORIES] = "other"  # type: ignore[valid-type]
    unit: str | None = Field(None, max_length=MAX_NAME)
    render: Literal["static", "js"] = "static"
    selectors: SelectorsSpec | None = None

    _url = field_validator("url")(_check_http_url)


class SiteSpec(_Strict):
    """A website."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    url: str = Field(max_length=MAX_URL)
    unit: str | None = Field(None, max_length=MAX_NAME)
    site_code: str | None = Field(None, max_length=MAX_SITE_CODE)
    discover_columns: bool = False
    # Other hosts this site's columns may be on (a column elsewhere is refused unless
    # its host, or a domain above it, is listed here).
    hosts: list[str] = []
    columns: list[ColumnSpec] = []

    _url = field_validator("url")(_check_http_url)

    @field_validator("site_code", mode="before")
    @classmethod
    def _code_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 3501040001 as a number; the code is an identifier.
        return str(value) if isinstance(value, int) else value

    @field_validator("hosts")
    @classmethod
    def _hostnames(cls, value: list[str]) -> list[str]:
        for host in value:
            if len(host) > MAX_HOST or not re.match(HOST_PATTERN, host.lower()):
                raise ValueError(
                    f"hosts 中的 {host!r} 不是主机名(只写主机名,如 zwgk.example.gov.cn,"
                    "不带 http:// 和路径)"
                )
        return [host.lower() for host in value]


class AccountSpec(_Strict):
    """A new-media account."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    platform: Literal[PLATFORMS]  # type: ignore[valid-type]
    uid: str | None = Field(None, max_length=MAX_UID)
    feed: str | None = Field(None, max_length=MAX_URL)
    unit: str | None = Field(None, max_length=MAX_NAME)

    @field_validator("uid", mode="before")
    @classmethod
    def _uid_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("feed")
    @classmethod
    def _feed_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value)


class TargetsFile(_Strict):
    """The whole targets file."""

    units: list[UnitSpec] = []
    sites: list[SiteSpec] = []
    accounts: list[AccountSpec] = []


class TargetsFileError(ValueError):
    """A targets file that cannot be used; ``problems`` are ``file:line: message`` lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _line_of(node: yaml.Node | None, location: Sequence[str | int]) -> int:
    """The 1-based line of the YAML node at a pydantic error location (nearest parent)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for step in location:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
            key = next((k for k, _ in node.value if k.value == step), None)
            if child is None:
                return line
            node, line = child, (key or child).start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return line
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _cross_checks(targets: TargetsFile) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems a per-field schema cannot see: duplicates and undeclared units."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    unit_names = {unit.name for unit in targets.units}
    seen_units: set[str] = set()
    for index, unit in enumerate(targets.units):
        if unit.name in seen_units:
            problems.append((("units", index, "name"), f"单位 {unit.name!r} 重复声明"))
        seen_units.add(unit.name)

    def check_unit(location: tuple[str | int, ...], unit: str | None) -> None:
        if unit is not None and unit not in unit_names:
            problems.append((location, f"单位 {unit!r} 未在 units 中声明"))

    seen_sites: set[str] = set()
    for index, site in enumerate(targets.sites):
        if site.id in seen_sites:
            problems.append((("sites", index, "id"), f"网站 id {site.id!r} 重复"))
        seen_sites.add(site.id)
        check_unit(("sites", index, "unit"), site.unit)
        seen_columns: set[str] = set()
        for column_index, column in enumerate(site.columns):
            location = ("sites", index, "columns", column_index)
            if column.name in seen_columns:
                problems.append(((*location, "name"), f"栏目 {column.name!r} 在网站中重复"))
            seen_columns.add(column.name)
            check_unit((*location, "unit"), column.unit)
            if not host_allowed(column.url, site.url, site.hosts):
                problems.append(
                    (
                        (*location, "url"),
                        f"栏目 {column.name!r} 的网址不在网站 {site.id!r} 的主机"
                        f" {_host_of(site.url)!r} 上;若确属该网站,请在网站下写"
                        f" hosts: [{_host_of(column.url)}]",
                    )
                )
    seen_accounts: set[str] = set()
    for index, account in enumerate(targets.accounts):
        location = ("accounts", index)
        if account.id in seen_accounts:
            problems.append(((*location, "id"), f"账号 id {account.id!r} 重复"))
        seen_accounts.add(account.id)
        check_unit((*location, "unit"), account.unit)
        if account.platform == "rss" and not account.feed:
            problems.append((location, "rss 账号必须填写 feed"))
        if account.platform in ("weibo", "douyin", "toutiao") and not account.uid:
            problems.append((location, f"{account.platform} 账号必须填写 uid"))
        if account.platform == "wechat" and not (account.feed or account.uid):
            problems.append((location, "wechat 账号必须填写 feed 或 uid"))
    return problems


def parse_targets(text: str, source: str) -> TargetsFile:
    """Validate targets-file text; ``source`` names it in error messages."""
    try:
        _refuse_aliases(text, source)
        root = yaml.compose(text)
        _refuse_duplicate_keys(root, source)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise TargetsFileError([f"{source}:{line}: YAML 格式错误: {problem}"]) from error
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise TargetsFileError([f"{source}:1: 顶层必须是包含 units/sites/accounts 的映射"])
    try:
        targets = TargetsFile.model_validate(raw)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            location = tuple(detail["loc"])
            where = ".".join(str(step) for step in location)
            problems.append(f"{source}:{_line_of(root, location)}: {where}: {_describe(detail)}")
        raise TargetsFileError(problems) from error
    if not targets.sites and not targets.accounts:
        # Loading it would deactivate every target: far more often an empty or
        # half-saved file than a wish to stop monitoring everything.
        raise TargetsFileError(
            [
                f"{source}:1: 没有任何目标(文件为空、只有注释,或 sites 与 accounts 都为空);"
                "至少应登记一个网站(sites)或新媒体账号(accounts),已登记的目标保持不变"
            ]
        )
    cross = _cross_checks(targets)
    if cross:
        raise TargetsFileError(
            [f"{source}:{_line_of(root, location)}: {message}" for location, message in cross]
        )
    return targets


def _refuse_aliases(text: str, source: str) -> None:
    """Refuse anchors and aliases before anything is built from them.

    Scanning tokens is linear in the text, so a "billion laughs" file is refused
    at once instead of being expanded.
    """
    for token in yaml.scan(text):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            line = token.start_mark.line + 1
            raise TargetsFileError(
                [f"{source}:{line}: 不支持 YAML 锚点和别名(& 和 *),请把取值直接写出来"]
            )


def _refuse_duplicate_keys(root: yaml.Node | None, source: str) -> None:
    """Refuse a key given twice in one mapping (YAML readers silently keep the last)."""
    problems: list[tuple[int, str]] = []
    pending = [root] if root is not None else []
    while pending:  # aliases are refused before: the node graph is a tree
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[str, int] = {}
            for key, value in node.value:
                name, line = str(key.value), key.start_mark.line + 1
                if name in first_lines:
                    problems.append(
                        (
                            line,
                            f"{source}:{line}: 字段 {name!r} 重复(第 {first_lines[name]} 行"
                            "已写过),同一层级每个字段只能写一次",
                        )
                    )
                else:
                    first_lines[name] = line
                pending.append(value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    if problems:
        raise TargetsFileError([message for _, message in sorted(problems)])


def _describe(detail: dict[str, Any]) -> str:
    """A pydantic error in words an operator can act on."""
    kind = detail["type"]
    if kind == "missing":
        return "缺少必填项"
    if kind == "extra_forbidden":
        return "未知的字段(拼写错误?)"
    if kind == "string_pattern_mismatch":
        return f"{detail.get('input')!r} 只能包含小写字母、数字、下划线和连字符"
    if kind == "string_too_long":
        limit = detail.get("ctx", {}).get("max_length")
        return f"太长({len(str(detail.get('input')))} 个字符),最多 {limit} 个字符"
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return f"取值 {detail.get('input')!r} 无效,应为 {expected}"
    return str(detail["msg"]).removeprefix("Value error, ")


def read_targets_file(path: str | Path) -> TargetsFile:
    """Read and validate a targets file from disk."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise TargetsFileError([f"{path}:0: 文件不存在"]) from error
    except UnicodeDecodeError as error:
        raise TargetsFileError([f"{path}:0: 文件不是 UTF-8 编码"]) from error
    except IsADirectoryError as error:
        raise TargetsFileError([f"{path}:0: 这是一个目录,应为 targets YAML 文件"]) from error
    except OSError as error:
        raise TargetsFileError([f"{path}:0: 无法读取文件: {error.strerror or error}"]) from error
    return parse_targets(text, str(path))
