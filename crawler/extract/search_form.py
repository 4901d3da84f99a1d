"""A homepage's site search: whether it has a search box, how to submit it, and
whether a result page lists what was searched for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin

import lxml.etree
import lxml.html

_SEARCH_HINT_RE = re.compile(
    r"search|sousuo|query|keyword|searchword|wd|kw|q\b|检索|搜索|查询", re.I
)


@dataclass(frozen=True, slots=True)
class SearchForm:
    """A submittable search form: where it goes, how, and which field takes the words."""

    action: str
    method: str  # GET | POST
    field: str
    hidden: tuple[tuple[str, str], ...] = ()

    def request_for(self, words: str) -> tuple[str, dict[str, str] | None]:
        """(URL, form data): data is None for GET (the words are in the URL)."""
        fields = dict(self.hidden)
        fields[self.field] = words
        if self.method == "POST":
            return self.action, fields
        joiner = "&" if "?" in self.action else "?"
        return f"{self.action}{joiner}{urlencode(fields)}", None


def _parse(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        return lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _is_search_input(element: lxml.html.HtmlElement) -> bool:
    kind = (element.get("type") or "text").lower()
    if kind not in ("text", "search"):
        return False
    hints = " ".join(element.get(name) or "" for name in ("name", "id", "class", "placeholder"))
    return kind == "search" or bool(_SEARCH_HINT_RE.search(hints))


def has_search_box(html: str) -> bool:
    """Whether the page shows a search box (a form, or a scripted box with a 搜索 button)."""
    root = _parse(html)
    if root is None:
        return False
    if any(_is_search_input(element) for element in root.iter("input")):
        return True
    return any("搜索" in " ".join(el.text_content().split()) for el in root.iter("button"))


def find_search_form(html: str, base_url: str) -> SearchForm | None:
    """The page's search form, when it can be submitted without scripts."""
    root = _parse(html)
    if root is None:
        return None
    for form in root.iter("form"):
        inputs = [element for element in form.iter("input") if _is_search_input(element)]
        if not inputs or not (inputs[0].get("name") or "").strip():
            continue
        action = urljoin(base_url, (form.get("action") or "").strip() or base_url)
        if action.lower().startswith("javascript:"):
            continue
        hidden = tuple(
            (element.get("name") or "", element.get("value") or "")
            for element in form.iter("input")
            if (element.get("type") or "").lower() == "hidden" and element.get("name")
        )
        method = "POST" if (form.get("method") or "get").lower() == "post" else "GET"
        return SearchForm(action, method, inputs[0].get("name").strip(), hidden)
    return None


def search_words(title: str) -> str:
    """The words searched for an item: its title, cut to what search boxes accept."""
    return re.sub(r"\s+", " ", title).strip()[:20]


def result_lists(html: str, page_url: str, words: str, item_url: str | None = None) -> bool:
    """Whether a result page links to the item searched for (by its URL, or a link whose
    text holds the words); an echo of the words in the search box does not count."""
    root = _parse(html)
    if root is None:
        return False
    compact_words = re.sub(r"\s+", "", words)
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if item_url and href and urljoin(page_url, href).split("#")[0] == item_url:
            return True
        text = re.sub(r"\s+", "", anchor.text_content() or anchor.get("title") or "")
        if compact_words and compact_words[:12] in text:
            return True
    return False
