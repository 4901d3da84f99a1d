"""Column-list extraction: items, dates, pagination and columns of government web pages."""

from crawler.extract.listing import Selectors, extract_list
from crawler.extract.types import ListedItem, ListPage

__all__ = ["ListPage", "ListedItem", "Selectors", "extract_list"]
