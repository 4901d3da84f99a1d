"""The column category classifier on real column names, and what a list page adds."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from crawler.discover.classify import ListEvidence, classify_column

NAMES = Path(__file__).parents[1] / "fixtures" / "column_names" / "column_names.csv"


def test_at_least_300_real_names_mostly_right() -> None:
    with NAMES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 300
    assert all(row["source"] for row in rows)
    right = sum(classify_column(row["name"]).category == row["category"] for row in rows)
    assert right / len(rows) >= 0.9, right / len(rows)


def test_the_indicators_words_decide() -> None:
    assert classify_column("政策解读").category == "policy"  # not news, though 解读 is news-like
    assert classify_column("人事信息").category == "static"  # not news (信息)
    assert classify_column("领导信箱").category == "interaction"  # not overview (领导)
    assert classify_column("政府信息公开年报").category == "other"  # ANNUAL_REPORT_LATE's job


def test_a_list_of_documents_confirms_or_questions_the_name() -> None:
    documents = ListEvidence(
        "ok", tuple(f"关于印发第{i}项办法的通知(示政发〔2026〕{i}号)" for i in range(5))
    )
    confirmed = classify_column("政策文件", documents)
    assert (confirmed.category, confirmed.low_confidence) == ("policy", False)
    questioned = classify_column("工作动态", documents)
    assert questioned.category == "news" and questioned.low_confidence
    assert "政策文件类" in questioned.reason


def test_content_decides_when_the_name_says_nothing() -> None:
    today = date(2026, 11, 30)
    frequent = ListEvidence(
        "ok",
        tuple(f"县领导调研{i}" for i in range(6)),
        tuple(today - timedelta(days=2 * i) for i in range(6)),
    )
    verdict = classify_column("阳光示范", frequent)
    assert verdict.category == "news" and verdict.low_confidence
    assert classify_column("走进示范", ListEvidence("unparsed")).category == "overview"
    unknown = classify_column("某某专项", ListEvidence("empty"))
    assert (unknown.category, unknown.low_confidence) == ("other", True)
