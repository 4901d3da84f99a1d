"""What a report is made of, independent of its format: tables, a notice, chart series.

Table builders fill these; format writers (xlsx, html, markdown, csv) only lay them out,
so every format shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from monitor.scores import RegionTotals, TargetScore

Cell = str | int | float | None


@dataclass
class Table:
    """One table of the report, as an office would print it."""

    key: str  # ASCII name: CSV file names, HTML anchors
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    # A header row above ``headers``: (label, columns spanned). A one-column group whose
    # label equals the header below it is one cell merged over both header rows.
    header_groups: list[tuple[str, int]] | None = None
    marked: set[tuple[int, int]] = field(default_factory=set)  # (row, column) below quota
    notes: list[str] = field(default_factory=list)  # lines printed under the table
    widths: list[int] | None = None  # column widths in characters (XLSX)
    wrap_columns: set[int] = field(default_factory=set)  # columns holding long text

    @property
    def sheet_name(self) -> str:
        """The XLSX sheet name: Excel allows 31 characters and none of ``[]:*?/\\``."""
        name = self.title
        for forbidden in "[]:*?/\\":
            name = name.replace(forbidden, " ")
        return name[:31]


@dataclass(frozen=True, slots=True)
class FindingFact:
    """An open finding as of the report's day, with the names a notice uses."""

    rule: str
    rule_name: str
    severity: str
    target_type: str
    target_id: str
    target_name: str  # site or account name; the unit for unit findings
    unit: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A unit that published fewer items than its quota in one month of the period."""

    unit_name: str
    group: str  # towns | departments
    month: str  # YYYY-MM
    count: int
    quota: int


@dataclass(frozen=True, slots=True)
class Notice:
    """The draft notice (通报): a title and paragraphs (headings are paragraphs too)."""

    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The notice as plain text."""
        return "\n\n".join((self.title, *self.paragraphs)) + "\n"


@dataclass
class Report:
    """Everything a report shows, for one period judged as of its last day."""

    title: str
    period_label: str
    start: date
    end: date
    generated_at: datetime
    monthly_quota: int
    site_totals: RegionTotals
    account_totals: RegionTotals
    all_totals: RegionTotals
    scores: list[TargetScore]
    findings: list[FindingFact]
    shortfalls: list[Shortfall]
    tables: list[Table]
    notice: Notice
    # Chart series: items per month per group ("乡镇街道", "部门"), in month order.
    monthly_items: dict[str, dict[str, int]]

    def table(self, key: str) -> Table:
        """The table named ``key``."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)
