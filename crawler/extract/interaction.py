"""Read the message list of a consultation column (政务咨询, 领导信箱, 在线咨询...).

Rule INTERACTION_UNANSWERED vetoes a site whose consultation column holds a message left
unanswered for more than 3 months. This module turns a list page into messages with their
ask date, reply date and status; the rule does the date arithmetic.

Mailbox list pages are tables (序号 | 信件标题 | 来信时间 | 回复时间 | 办理状态), ul/li lists
with spans, or div rows. Every element whose children repeat (table rows, list items, div
rows) is a candidate list; columns are named by a header row when there is one, otherwise
each row is read on its own: the longest linked text is the title, dates go to "asked" and
"answered" by the label in front of them (留言时间/回复时间) or else by order, and the
status comes from words such as 已回复/未回复 (also in image alt text). The candidate giving
the most messages wins.

No library reads this kind of page (the generic list extractors return titles, links and
one date, not two dates and a status), so the table reading is written here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from urllib.parse import urljoin

import lxml.etree
from lxml.etree import _Element as Element

from crawler.extract.dates import find_date, find_full_date, find_month_day

MessageStatus = Literal["answered", "unanswered", "unknown"]


@dataclass(frozen=True, slots=True)
class Message:
    """One message (留言/来信) of a consultation column."""

    title: str
    url: str | None  # absolute; None when the list does not link to the message
    asked_on: date | None
    answered_on: date | None
    status: MessageStatus


@dataclass(frozen=True, slots=True)
class MessageList:
    """The messages of a list page, or why there are none."""

    messages: tuple[Message, ...]
    # empty = the page says 暂无留言 or shows a header with no rows; unparsed = no list found
    status: Literal["ok", "empty", "unparsed"]
    detail: str = ""  # human-readable reason, in English, for logs


_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True)
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "select", "option"})
_ROW_TAGS = frozenset({"tr", "li", "table", "ul", "ol"})
# Containers whose repeated children can be message rows, besides tables and ul/ol.
_BLOCK_ROW_TAGS = frozenset({"div", "dl", "p", "section", "article"})

_ANSWERED_RE = re.compile(
    r"已(?:回复|答复|办结|处理|反馈|回应|办理)|(?<![未没待])办结|(?<![未没待])办毕"
)
_UNANSWERED_RE = re.compile(
    r"(?:未|待)(?:回复|答复|办结|处理|反馈|回应|办理)|(?:处理|办理|受理)中|正在(?:办理|处理)"
)
_EMPTY_RE = re.compile(
    r"暂无(?:相关)?(?:留言|信件|来信|咨询|数据|记录|信息|内容|结果)"
    r"|没有(?:相关|找到|查询到)?(?:的)?(?:留言|信件|来信|记录|数据|信息)"
    r"|无(?:相关)?记录|共\s*0\s*条"
)
_PAGER_RE = re.compile(r"下一页|上一页|首页|尾页|末页|共\s*\d+\s*(?:条|页)|第\s*\d+\s*/\s*\d+\s*页")
_TRUNCATION_SUFFIXES = ("...", "…", "..", "。。。")
# Labels and punctuation left of a date cell ("留言时间：2024-05-01") once the date is cut.
_DATE_LABEL_RE = re.compile(
    r"(?:来信|留言|提问|咨询|提交|写信|发信|发布|受理|回复|答复|办结|处理|反馈|回应|办理)"
    r"|时间|日期|[：:()（）\[\]【】|,，、\-/]"
)

# Header cell text -> column role. Order matters: 回复时间 is a reply date, not a title.
_SERIAL_HEADER_RE = re.compile(r"^(?:序号|编号|序|No\.?)$", re.IGNORECASE)
_DATE_WORD_RE = re.compile(r"时间|日期")
_ANSWER_LABEL_RE = re.compile(r"回复|答复|办结|处理|反馈|回应|办理")
_ASK_LABEL_RE = re.compile(r"来信|留言|提问|咨询|提交|写信|发信|发布|受理|来件|投诉")
_STATUS_HEADER_RE = re.compile(r"状态|是否(?:回复|答复|办结)|(?:办理|处理|回复|答复)情况")
_IGNORED_HEADER_RE = re.compile(
    r"人$|姓名|单位|部门|机构|类型|类别|分类|点击|浏览|次数|编号|满意|评价|操作"
)
_TITLE_HEADER_RE = re.compile(r"标题|主题|题目|事由|内容|信件|留言|问题|诉求|事项|名称")


@dataclass(slots=True)
class _Cell:
    element: Element | None  # None for loose text between the elements of a row
    text: str  # whitespace-collapsed visible text
    status_text: str  # text plus image alt/title, where sites put 已回复 icons


@dataclass(slots=True)
class _Candidate:
    rows: list[Element]
    header: dict[str, int] | None = None  # role -> column index
    header_width: int = 0
    messages: list[Message] = field(default_factory=list)


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _parse(html: str) -> Element | None:
    html = _XML_DECLARATION_RE.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        root = lxml.etree.fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    if root is None:
        return None
    for element in list(root.iter(*_SKIPPED_TAGS)):
        parent = element.getparent()
        if parent is not None:
            # Keep the tail: it is text of the parent that follows the removed element.
            previous = element.getprevious()
            if element.tail:
                if previous is not None:
                    previous.tail = (previous.tail or "") + element.tail
                else:
                    parent.text = (parent.text or "") + element.tail
            parent.remove(element)
    return root


def _text(element: Element) -> str:
    return _clean("".join(element.itertext()))


def _status_text(element: Element) -> str:
    extras = [
        value
        for image in element.iter("img", "input")
        for value in (image.get("alt"), image.get("title"), image.get("value"))
        if value
    ]
    return " ".join([_text(element), *extras])


def _is_real_link(anchor: Element) -> bool:
    href = (anchor.get("href") or "").strip().lower()
    return bool(href) and not href.startswith(("javascript:", "#", "mailto:", "tel:"))


def _status_word(text: str) -> MessageStatus | None:
    answered = _ANSWERED_RE.search(text)
    unanswered = _UNANSWERED_RE.search(text)
    if answered is None and unanswered is None:
        return None
    if unanswered is None:
        return "answered"
    if answered is None or unanswered.start() <= answered.start():
        return "unanswered"
    return "answered"


# ---------------------------------------------------------------------------- candidates


def _table_rows(table: Element) -> list[Element]:
    return [
        row
        for row in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
        if isinstance(row, Element)
    ]


def _candidates(root: Element) -> Iterator[_Candidate]:
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag == "table":
            rows = _table_rows(element)
            if rows:
                yield _Candidate(rows)
        elif tag in ("ul", "ol"):
            rows = [child for child in element if child.tag == "li"]
            if rows:
                yield _Candidate(rows)
        elif tag in _BLOCK_ROW_TAGS or tag == "body":
            children = [child for child in element if isinstance(child.tag, str)]
            shapes = Counter(_shape(child) for child in children if child.tag in _BLOCK_ROW_TAGS)
            for shape, count in shapes.items():
                if count >= 2:
                    yield _Candidate([child for child in children if _shape(child) == shape])


def _shape(element: Element) -> tuple[str, str]:
    classes = (element.get("class") or "").split()
    return str(element.tag), classes[0] if classes else ""


def _holds_rows(row: Element) -> bool:
    """A layout row wrapping a whole inner list is not a message."""
    return any(
        isinstance(descendant.tag, str) and descendant.tag in _ROW_TAGS
        for descendant in row.iterdescendants()
    )


def _cells(row: Element) -> list[_Cell]:
    if row.tag == "tr":
        cells: list[_Cell] = []
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            try:
                span = max(1, min(int(cell.get("colspan") or 1), 20))
            except ValueError:
                span = 1
            cells.extend([_Cell(cell, _text(cell), _status_text(cell))] * span)
        return cells
    parent = row
    children = [child for child in parent if isinstance(child.tag, str) and child.tag != "br"]
    # Descend through single wrappers (<li><div><a/><span/></div></li>).
    while len(children) == 1 and len([c for c in children[0] if isinstance(c.tag, str)]) >= 2:
        if _clean(parent.text) or _clean(children[0].tail):
            break
        parent = children[0]
        children = [child for child in parent if isinstance(child.tag, str) and child.tag != "br"]
    cells = []
    if _clean(parent.text):
        cells.append(_Cell(None, _clean(parent.text), _clean(parent.text)))
    for child in children:
        cells.append(_Cell(child, _text(child), _status_text(child)))
        if _clean(child.tail):
            cells.append(_Cell(None, _clean(child.tail), _clean(child.tail)))
    if not cells:
        cells.append(_Cell(parent, _text(parent), _status_text(parent)))
    return cells


# ---------------------------------------------------------------------------- header


def _header_role(text: str) -> str | None:
    text = re.sub(r"\s+", "", text)
    if not text or len(text) > 12:
        return None
    if _SERIAL_HEADER_RE.match(text):
        return "serial"
    if _DATE_WORD_RE.search(text):
        return "answered" if _ANSWER_LABEL_RE.search(text) else "asked"
    if _STATUS_HEADER_RE.search(text):
        return "status"
    if _IGNORED_HEADER_RE.search(text):
        return "other"
    if _TITLE_HEADER_RE.search(text):
        return "title"
    return None


def _header_of(cells: list[_Cell], today: date) -> dict[str, int] | None:
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if index and cell.element is not None and cell.element is cells[index - 1].element:
            continue  # colspan copy
        if find_date(cell.text, today) is not None:
            return None
        role = _header_role(cell.text)
        if role in ("title", "asked", "answered", "status") and role not in roles:
            roles[role] = index
    if "title" in roles and len(roles) >= 2:
        return roles
    return None


# ---------------------------------------------------------------------------- one row


def _dates_in(text: str, today: date) -> list[tuple[date, str]]:
    """Dates in ``text`` in order, each with the text between it and the previous date."""
    found: list[tuple[date, str]] = []
    position = 0
    while position < len(text):
        rest = text[position:]
        full = find_full_date(rest)
        month_day = find_month_day(rest, today)
        choices = [choice for choice in (full, month_day) if choice is not None]
        if not choices:
            break
        day, _, match = min(choices, key=lambda choice: choice[2].start())
        found.append((day, rest[: match.start()]))
        position += max(match.end(), 1)
    return found


def _assign_dates(labelled: list[tuple[date, str]]) -> tuple[date | None, date | None]:
    asked_on: date | None = None
    answered_on: date | None = None
    unlabelled: list[date] = []
    for day, before in labelled:
        label = before[-12:]
        # The label closest to the date decides: "留言时间：… 回复时间：…" in one cell.
        answer_at = max((m.end() for m in _ANSWER_LABEL_RE.finditer(label)), default=-1)
        ask_at = max((m.end() for m in _ASK_LABEL_RE.finditer(label)), default=-1)
        if answer_at > ask_at and answered_on is None:
            answered_on = day
        elif ask_at > answer_at and asked_on is None:
            asked_on = day
        else:
            unlabelled.append(day)
    for day in unlabelled:
        if asked_on is None:
            asked_on = day
        elif answered_on is None:
            answered_on = day
    return asked_on, answered_on


def _anchor_for(cell: _Cell, row: Element) -> Element | None:
    if cell.element is None:
        return None
    anchors = list(cell.element.iter("a"))
    if anchors:
        real = [anchor for anchor in anchors if _is_real_link(anchor)]
        return max(real or anchors, key=lambda anchor: len(_text(anchor)))
    for ancestor in cell.element.iterancestors():
        if ancestor.tag == "a":
            return ancestor
        if ancestor is row:
            break
    return None


def _title_of(cell: _Cell, anchor: Element | None) -> str:
    title = cell.text
    if anchor is not None:
        anchor_text = _text(anchor)
        attribute = _clean(anchor.get("title"))
        if anchor_text and cell.element is not None and anchor in set(cell.element.iter("a")):
            title = anchor_text
        if attribute and (not title or title.endswith(_TRUNCATION_SUFFIXES)):
            stem = title.rstrip(".…。")
            if not stem or attribute.startswith(stem) or len(attribute) > len(title):
                title = attribute
    return title


def _is_title_like(text: str, today: date) -> bool:
    stripped = re.sub(r"\s+", "", text)
    if len(stripped) < 2 or stripped.isdigit():
        return False
    if _PAGER_RE.search(stripped):
        return False
    if _status_word(stripped) is not None and len(stripped) <= 5:
        return False
    # A cell that is only a date with its label ("留言时间：2024-05-01") is not a title.
    rest = stripped
    for _ in range(3):
        found = find_full_date(rest) or find_month_day(rest, today)
        if found is None:
            break
        rest = rest[: found[2].start()] + rest[found[2].end() :]
    return len(_DATE_LABEL_RE.sub("", rest)) >= 2


def _url_of(anchor: Element | None, base_url: str) -> str | None:
    if anchor is None or not _is_real_link(anchor):
        return None
    return urljoin(base_url, (anchor.get("href") or "").strip())


def _read_mapped_row(
    cells: list[_Cell], header: dict[str, int], row: Element, base_url: str, today: date
) -> Message | None:
    title_cell = cells[header["title"]]
    if not _is_title_like(title_cell.text, today):
        return None
    anchor = _anchor_for(title_cell, row)
    title = _title_of(title_cell, anchor)

    def date_at(role: str) -> date | None:
        if role not in header:
            return None
        found = find_date(cells[header[role]].text, today)
        return found[0] if found else None

    asked_on, answered_on = date_at("asked"), date_at("answered")
    if "status" in header:
        word = _status_word(cells[header["status"]].status_text)
    else:
        word = _status_word(
            " ".join(cell.status_text for cell in cells if cell.element is not title_cell.element)
        )
    status: MessageStatus
    if word is not None:
        status = word
    elif answered_on is not None:
        status = "answered"
    elif "answered" in header:
        # The list has a reply-date column and this row's is blank: not answered yet.
        status = "unanswered"
    else:
        status = "unknown"
    return Message(title, _url_of(anchor, base_url), asked_on, answered_on, status)


def _read_loose_row(cells: list[_Cell], row: Element, base_url: str, today: date) -> Message | None:
    linked = [
        (cell, anchor)
        for cell in cells
        if (anchor := _anchor_for(cell, row)) is not None and _is_title_like(cell.text, today)
    ]
    if not linked:
        return None
    title_cell, anchor = max(linked, key=lambda pair: len(_title_of(pair[0], pair[1])))
    title = _title_of(title_cell, anchor)
    other_cells = [cell for cell in cells if cell is not title_cell]
    labelled = [found for cell in other_cells for found in _dates_in(cell.text, today)]
    asked_on, answered_on = _assign_dates(labelled)
    word = _status_word(" ".join(cell.status_text for cell in other_cells))
    if asked_on is None and answered_on is None and word is None:
        return None  # a link without date or status: navigation, not a message
    status: MessageStatus = word or ("answered" if answered_on is not None else "unknown")
    return Message(title, _url_of(anchor, base_url), asked_on, answered_on, status)


def _read_candidate(candidate: _Candidate, base_url: str, today: date) -> None:
    header: dict[str, int] | None = None
    for row in candidate.rows:
        if _holds_rows(row):
            continue
        cells = _cells(row)
        if header is None and not candidate.messages:
            header = _header_of(cells, today)
            if header is not None:
                candidate.header = header
                candidate.header_width = len(cells)
                continue
        if _PAGER_RE.search(_text(row)) and len({id(cell.element) for cell in cells}) <= 2:
            continue
        distinct_cells = len({id(cell.element) for cell in cells})
        if _EMPTY_RE.search(_text(row)) and distinct_cells == 1:
            continue
        message: Message | None = None
        if header is not None and len(cells) == candidate.header_width and distinct_cells > 1:
            message = _read_mapped_row(cells, header, row, base_url, today)
        elif distinct_cells > 1 or header is None:
            message = _read_loose_row(cells, row, base_url, today)
        if message is not None:
            candidate.messages.append(message)


# ---------------------------------------------------------------------------- entry point


def extract_messages(html: str, base_url: str, today: date) -> MessageList:
    """The messages listed on a consultation column page.

    ``today`` gives the year of month-day dates ("05-20"), which are never in the future.
    """
    root = _parse(html)
    if root is None:
        return MessageList((), "unparsed", "page is empty or not HTML")
    best: _Candidate | None = None
    headed: _Candidate | None = None
    for candidate in _candidates(root):
        _read_candidate(candidate, base_url, today)
        if candidate.header is not None and headed is None:
            headed = candidate
        if best is None or (len(candidate.messages), candidate.header is not None) > (
            len(best.messages),
            best.header is not None,
        ):
            best = candidate
    if best is not None and best.messages:
        how = "header row" if best.header is not None else "row heuristics"
        return MessageList(
            tuple(best.messages),
            "ok",
            f"{len(best.messages)} messages from a <{best.rows[0].tag}> list read by {how}",
        )
    marker = _EMPTY_RE.search(_text(root))
    if marker is not None:
        return MessageList((), "empty", f"page says {marker.group(0)!r}")
    if headed is not None:
        return MessageList((), "empty", "message list header without rows")
    return MessageList((), "unparsed", "no message list found")
