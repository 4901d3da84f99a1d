"""`govwatch scores` and `govwatch rules` as the contract prints them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from observe import add_posts, days_before, observe_column, register_columns

from monitor.rubric import load_rubric
from monitor.rules import RULES

AS_OF = date(2026, 9, 30)


@pytest.fixture
def govwatch(govwatch_cli):  # type: ignore[no-untyped-def]
    return lambda *args, database_url: govwatch_cli(*args)


def test_scores_json_as_of_a_day(database_url: str, govwatch) -> None:
    register_columns({"动态": "news", "公告": "notice"})
    observe_column("动态", days_before(AS_OF, 20), datetime(2026, 9, 30, 2))
    observe_column("公告", days_before(AS_OF, 10), datetime(2026, 9, 30, 2))
    # A busy homepage read that day too: without it the site is 未能检查.
    homepage = days_before(AS_OF, *range(14))
    observe_column("首页", homepage, datetime(2026, 9, 30, 2), homepage=True)
    add_posts("quiet", [AS_OF - timedelta(days=30)])
    result = govwatch(
        "scores", "--as-of", AS_OF.isoformat(), "--format", "json", database_url=database_url
    )
    assert result.returncode == 0, result.stderr
    scores = {(row["target_type"], row["target_id"]): row for row in json.loads(result.stdout)}
    site = scores[("site", "s")]
    assert (site["score"], site["verdict"], site["vetoes"], site["deductions"]) == (
        95.0,
        "合格",
        [],
        5.0,
    )
    account = scores[("account", "quiet")]
    assert account["verdict"] == "不合格" and "ACCOUNT_STALE" in account["vetoes"]
    # --as-of judges without storing: the findings table is still empty.
    listed = govwatch("findings", "--format", "json", "--status", "all", database_url=database_url)
    assert json.loads(listed.stdout) == []


def test_scores_bad_date_is_usage_error(database_url: str, govwatch) -> None:
    result = govwatch("scores", "--as-of", "2026-13-01", database_url=database_url)
    assert result.returncode == 2
    assert "2026-13-01" in result.stderr


def test_rules_lists_every_rule_with_rubric_values(database_url: str, govwatch) -> None:
    result = govwatch("rules", "--format", "json", database_url=database_url)
    rows = json.loads(result.stdout)
    codes = [row["code"] for row in rows if row["code"] != "—"]
    assert codes == [rule.code for rule in RULES]
    rubric = load_rubric()
    stale = next(row for row in rows if row["code"] == "COLUMN_STALE")
    assert stale["points"] == rubric.settings_for("COLUMN_STALE").points == 5.0
    assert "news=14" in stale["params"]
    assert any(row["severity_label"] == "需人工判断" for row in rows)  # not automated, said so
