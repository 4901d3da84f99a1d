"""Checking the filters of a findings query against what exists.

``govwatch findings --rule NOPE`` used to print an empty list, which reads as "no
problems": a typo must instead say it is unknown and list what is known. Rule codes
match without regard to case (``column_stale`` is ``COLUMN_STALE``); site, account
and unit names match exactly. Used by the command line and the dashboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.findings_rows import FindingFilters

if TYPE_CHECKING:
    from storage.findings_rows import Execute

#: How many known values an error message lists before "…".
LISTED = 30

FILTER_LABELS = {"site": "网站", "account": "账号", "unit": "责任单位", "rule": "规则代码"}


class UnknownFilterValue(ValueError):
    """A filter value that names nothing known; the message lists the known values."""

    def __init__(self, name: str, value: str, known: list[str]) -> None:
        self.name, self.value, self.known = name, value, known
        super().__init__(f"--{name} {value}: {self.problem()}")

    def problem(self) -> str:
        """What is wrong and what is allowed, without the option's name."""
        label = FILTER_LABELS[self.name]
        if not self.known:
            return f"没有这个{label},尚未登记任何{label}"
        listed = ", ".join(self.known[:LISTED])
        if len(self.known) > LISTED:
            listed += f" …(共 {len(self.known)} 个)"
        return f"没有这个{label};可用: {listed}"

    def for_dashboard(self) -> str:
        """The same, naming the filter as the dashboard's form does."""
        return f"{FILTER_LABELS[self.name]} {self.value!r}: {self.problem()}"


#: The values each filter accepts: registered sites and accounts; units registered or
#: named by a finding (a unit since taken out of the targets file).
KNOWN_VALUES = {
    "site": "SELECT id AS known FROM sites",
    "account": "SELECT id AS known FROM accounts",
    "unit": "SELECT name AS known FROM units"
    " UNION SELECT unit AS known FROM findings WHERE unit IS NOT NULL",
}


def rule_codes() -> list[str]:
    """Every rule code, as stored in findings."""
    # Imported here: loading every rule is most of `govwatch findings`' start-up, and
    # only a --rule filter needs the codes.
    from monitor.rules import RULES

    return [rule.code for rule in RULES]


def resolve_filters(
    execute: Execute,
    *,
    site: str | None = None,
    account: str | None = None,
    unit: str | None = None,
    rule: str | None = None,
) -> FindingFilters:
    """The filters as stored; raises :class:`UnknownFilterValue` for the first unknown one.

    ``execute`` runs plain SQL (:mod:`storage.findings_rows`): through SQLAlchemy
    (``storage.db.text_executor``) or, for ``govwatch findings`` on SQLite, ``sqlite3``."""
    if rule is not None:
        codes = rule_codes()
        matched = next((code for code in codes if code.upper() == rule.strip().upper()), None)
        if matched is None:
            raise UnknownFilterValue("rule", rule, codes)
        rule = matched
    for name, value in (("site", site), ("account", account), ("unit", unit)):
        if value is not None:
            known = sorted({row["known"] for row in execute(KNOWN_VALUES[name], {})})
            if value not in known:
                raise UnknownFilterValue(name, value, known)
    return FindingFilters(site=site, account=account, unit=unit, rule=rule)
