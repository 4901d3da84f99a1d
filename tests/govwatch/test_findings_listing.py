"""`govwatch findings` reads plain rows in index order: the same records as the
finding objects give, without sorting every open finding."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from observe import days_before, observe_column, register_columns
from sqlalchemy import text

from monitor.check import run_check
from storage.db import session_scope
from storage.findings_query import finding_record, query_findings
from storage.findings_rows import listing_sql

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2, 0)


def _three_stale_columns_checked() -> None:
    """Site ``s``: a homepage and two of its three columns stale for 30 days, checked."""
    register_columns({"动态": "news", "通知": "notice", "要闻": "news"})
    observe_column("首页", days_before(AS_OF, 30), SEEN, homepage=True)
    for name in ("动态", "要闻"):
        observe_column(name, days_before(AS_OF, 30), SEEN)
    with session_scope() as session:
        run_check(session, AS_OF)


def test_listing_records_are_the_finding_records(database_url: str, govwatch_cli) -> None:  # type: ignore[no-untyped-def]
    _three_stale_columns_checked()
    with session_scope() as session:
        expected = [finding_record(finding) for finding in query_findings(session, site="s")]
    listed = govwatch_cli("findings", "--site", "s", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == expected and len(expected) >= 3
    table = govwatch_cli("findings", "--site", "s")
    assert table.returncode == 0
    lines = table.stdout.splitlines()[1:]  # piped: a heading line, then one line per row
    assert [line.split("\t")[:2] for line in lines] == [
        [str(record["id"]), record["rule"]] for record in expected
    ]
    # A table lists the first rows in listing order and says how many there are.
    first = govwatch_cli("findings", "--site", "s", "--limit", "2")
    assert first.returncode == 0
    assert [line.split("\t")[0] for line in first.stdout.splitlines()[1:]] == [
        str(record["id"]) for record in expected[:2]
    ]
    assert f"共 {len(expected)} 条,仅列出前 2 条" in first.stderr
    exported = govwatch_cli("findings", "--site", "s", "--format", "csv", "--limit", "0")
    assert len(exported.stdout.splitlines()) == len(expected) + 1 and not exported.stderr
    assert govwatch_cli("findings", "--limit", "-1").returncode == 2


@pytest.mark.sqlite_only
def test_the_default_listing_is_read_in_index_order(database_url: str) -> None:
    sql, parameters = listing_sql(limit=500)  # what `govwatch findings` runs for a table
    with session_scope() as session:
        plan = " ".join(
            str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"), parameters)
        )
    assert "ix_findings_status_target" in plan and "TEMP B-TREE" not in plan


#: Invocations the direct path (sqlite3, no Typer) answers on SQLite, an unknown value
#: included, and ones it leaves to the Typer command.
ANSWERED_DIRECTLY = [
    [],
    ["--site", "s"],
    ["--site=s", "--status", "all", "--format", "json"],
    ["--format", "csv", "--limit", "0"],
    ["--limit", "2"],
    ["--unit", "办公室", "--format", "json"],
    ["--rule", "column_stale", "--format", "csv"],
    ["--status", "resolved"],
    ["--site", "nope"],
    ["--account", "nope"],
    ["--unit", "无此单位"],
]
LEFT_TO_TYPER = [
    ["--limit", "-1"],
    ["--limit", "007"],
    ["--status", "bad"],
    ["--site", "s", "--site", "s"],
    ["--site"],
    ["--help"],
    ["--nope"],
]


@pytest.mark.parametrize("args", ANSWERED_DIRECTLY + LEFT_TO_TYPER, ids=" ".join)
def test_the_direct_path_prints_what_the_typer_command_prints(
    args: list[str], database_url: str, govwatch_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from govwatch import findings_direct

    _three_stale_columns_checked()

    answered: list[bool] = []
    direct = findings_direct.list_findings_directly

    def spy(arguments: list[str]) -> bool:
        try:
            answered.append(direct(arguments))
        except Exception:
            answered.append(True)  # it answered, with an error (an unknown value)
            raise
        return answered[-1]

    monkeypatch.setattr(findings_direct, "list_findings_directly", spy)
    first = govwatch_cli("findings", *args)
    monkeypatch.setattr(findings_direct, "list_findings_directly", lambda arguments: False)
    by_typer = govwatch_cli("findings", *args)

    assert first == by_typer
    assert first.stdout or first.stderr
    on_sqlite = database_url.startswith("sqlite")
    assert answered == [on_sqlite and args in ANSWERED_DIRECTLY]
