"""Benchmark the column category classifier on real government column names.

Reads tests/fixtures/column_names/column_names.csv (name, category, source; every name
copied from a real site's navigation, sources in that folder's README) and prints,
per category, how many names there are, precision and recall of the classifier's
name-only answer, the overall accuracy, and the names it gets wrong.

Usage: .venv/bin/python bench/classify.py [--wrong]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from crawler.discover.classify import CATEGORIES, classify_column  # noqa: E402

NAMES = REPO_ROOT / "tests" / "fixtures" / "column_names" / "column_names.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wrong", action="store_true", help="list every misclassified name")
    args = parser.parse_args()
    with NAMES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    truth: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong: list[tuple[str, str, str]] = []
    for row in rows:
        answer = classify_column(row["name"]).category
        truth[row["category"]] += 1
        predicted[answer] += 1
        if answer == row["category"]:
            right[answer] += 1
        else:
            wrong.append((row["name"], row["category"], answer))
    table = Table(title=f"栏目类别识别:{len(rows)} 个真实栏目名称(仅凭名称)")
    for heading in ("类别", "名称数", "识别为该类", "正确", "精确率", "召回率"):
        table.add_column(heading, justify="right" if heading != "类别" else "left")
    for category in CATEGORIES:
        precision = right[category] / predicted[category] if predicted[category] else 0.0
        recall = right[category] / truth[category] if truth[category] else 0.0
        table.add_row(
            category,
            str(truth[category]),
            str(predicted[category]),
            str(right[category]),
            f"{precision:.1%}",
            f"{recall:.1%}",
        )
    accuracy = sum(right.values()) / len(rows)
    table.add_row("合计", str(len(rows)), "", str(sum(right.values())), "", f"{accuracy:.1%}")
    console = Console()
    console.print(table)
    console.print(f"准确率 {accuracy:.1%}({sum(right.values())}/{len(rows)})")
    if args.wrong:
        for name, expected, answer in wrong:
            console.print(f"  {name}: 应为 {expected},识别为 {answer}")


if __name__ == "__main__":
    main()
