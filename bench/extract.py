"""Benchmark the column-list extractor against hand-checked expected items.

Runs extract_list over every page that has an expected file in
tests/fixtures/extract/expected/ (the real gov-list corpus pages and the hand-written
fixtures) and prints, per page and overall: status, newest-date agreement, item precision,
recall and F1 (an item counts when its URL, title and date all match), and extraction
speed in pages per second on one core (decoding and parsing included, repeated many
times). The nongov-list corpus pages have no expected items; they are run as extra cases
(item count, newest date, speed).

Usage: .venv/bin/python bench/extract.py [--seconds-per-page 1.0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from crawler.extract.encoding import decode_html  # noqa: E402
from crawler.extract.listing import extract_list  # noqa: E402
from crawler.extract.types import ListPage  # noqa: E402

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "extract"
EXPECTED = FIXTURES / "expected"
NONGOV_BASE_URLS = {
    "Gerapy_dfa66_announcement.html": "http://www.dfa66.com/dfaets/gsgg/",
    "Gerapy_hrfund_announcement.html": "http://www.hrfund.com.cn/news/",
    "Gerapy_netease_rolling_news.html": "https://news.163.com/latest/",
    "Gerapy_rtfund_xxpl.html": "http://www.rtfund.com/main/xxpl/",
}


def corpus_dir() -> Path:
    import os

    override = os.environ.get("GOVWATCH_CORPUS_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared" / "corpus"


@dataclass(slots=True)
class PageResult:
    name: str
    kind: str
    status_ok: bool
    newest_ok: bool
    expected_count: int
    found_count: int
    matched: int
    seconds_per_page: float
    misses: list[str]


def _load_page(reference: str) -> bytes | None:
    source, _, relative = reference.partition(":")
    path = corpus_dir() / relative if source == "corpus" else FIXTURES / relative
    return path.read_bytes() if path.exists() else None


def _time_extraction(
    body: bytes, content_type: str | None, base_url: str, today: date, budget: float
) -> float:
    """Mean seconds for decode + extract, over repetitions filling ``budget`` seconds."""
    repetitions = 0
    started = time.process_time()
    while True:
        extract_list(decode_html(body, content_type), base_url, today)
        repetitions += 1
        elapsed = time.process_time() - started
        if elapsed >= budget and repetitions >= 20:
            return elapsed / repetitions


def _key(title: str, url: str, published_on: str | None) -> tuple[str, str, str | None]:
    return (title, url, published_on)


def _compare(page: ListPage, expected: dict[str, object]) -> tuple[int, list[str]]:
    expected_items = expected["items"]
    assert isinstance(expected_items, list)
    wanted = {
        _key(item["title"], item["url"], item["published_on"]): item for item in expected_items
    }
    found = {
        _key(
            item.title,
            item.url,
            item.published_on.isoformat() if item.published_on else None,
        )
        for item in page.items
    }
    matched = len(found & set(wanted))
    misses = [f"missing: {key[2]} {key[0]} <{key[1]}>" for key in wanted if key not in found]
    misses += [f"extra:   {key[2]} {key[0]} <{key[1]}>" for key in found if key not in wanted]
    return matched, misses


def run_expected(budget: float) -> list[PageResult]:
    results: list[PageResult] = []
    for expected_path in sorted(EXPECTED.glob("*.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        body = _load_page(expected["page"])
        if body is None:
            print(f"skipped {expected['page']}: file not found")
            continue
        content_type = expected.get("content_type")
        today = date.fromisoformat(expected["today"])
        page = extract_list(decode_html(body, content_type), expected["base_url"], today)
        matched, misses = _compare(page, expected)
        newest = page.newest_published_on.isoformat() if page.newest_published_on else None
        results.append(
            PageResult(
                name=expected_path.stem,
                kind=expected["page"].partition(":")[0],
                status_ok=page.status == expected["status"],
                newest_ok=newest == expected["newest_published_on"],
                expected_count=len(expected["items"]),
                found_count=len(page.items),
                matched=matched,
                seconds_per_page=_time_extraction(
                    body, content_type, expected["base_url"], today, budget
                ),
                misses=misses,
            )
        )
    return results


def _f1(matched: int, found: int, expected: int) -> tuple[float, float, float]:
    precision = matched / found if found else (1.0 if not expected else 0.0)
    recall = matched / expected if expected else (1.0 if not found else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-per-page", type=float, default=1.0)
    arguments = parser.parse_args()
    console = Console(width=150)

    results = run_expected(arguments.seconds_per_page)
    table = Table(title="extract_list against hand-checked items")
    for column in ("page", "kind", "status", "newest", "expected", "found", "P", "R", "F1"):
        table.add_column(column, justify="left" if column in ("page", "kind") else "right")
    table.add_column("pages/s", justify="right")
    for result in results:
        precision, recall, f1 = _f1(result.matched, result.found_count, result.expected_count)
        table.add_row(
            result.name,
            result.kind,
            "ok" if result.status_ok else "WRONG",
            "ok" if result.newest_ok else "WRONG",
            str(result.expected_count),
            str(result.found_count),
            f"{precision:.3f}",
            f"{recall:.3f}",
            f"{f1:.3f}",
            f"{1 / result.seconds_per_page:.0f}",
        )
    console.print(table)

    summary = Table(title="summary (items pooled over pages; speed = pages / total time)")
    for column in ("set", "pages", "status", "newest date", "P", "R", "F1", "pages/s"):
        summary.add_column(column, justify="left" if column == "set" else "right")
    for label, subset in (
        ("gov-list corpus", [r for r in results if r.kind == "corpus"]),
        ("hand-written fixtures", [r for r in results if r.kind == "fixture"]),
        ("all", results),
    ):
        if not subset:
            continue
        precision, recall, f1 = _f1(
            sum(r.matched for r in subset),
            sum(r.found_count for r in subset),
            sum(r.expected_count for r in subset),
        )
        summary.add_row(
            label,
            str(len(subset)),
            f"{sum(r.status_ok for r in subset) / len(subset):.0%}",
            f"{sum(r.newest_ok for r in subset) / len(subset):.0%}",
            f"{precision:.3f}",
            f"{recall:.3f}",
            f"{f1:.3f}",
            f"{len(subset) / sum(r.seconds_per_page for r in subset):.0f}",
        )
    console.print(summary)

    nongov = corpus_dir() / "nongov-list"
    if nongov.is_dir():
        extra = Table(title="extra cases: nongov-list (no expected items)")
        for column in ("page", "status", "items", "newest", "detail", "pages/s"):
            extra.add_column(column)
        today = date(2026, 11, 23)
        for path in sorted(nongov.glob("*.html")):
            base_url = NONGOV_BASE_URLS.get(path.name, "http://example.com/")
            body = path.read_bytes()
            page = extract_list(decode_html(body), base_url, today)
            seconds = _time_extraction(body, None, base_url, today, arguments.seconds_per_page)
            extra.add_row(
                path.name,
                page.status,
                str(len(page.items)),
                str(page.newest_published_on),
                page.detail,
                f"{1 / seconds:.0f}",
            )
        console.print(extra)

    for result in results:
        for miss in result.misses:
            console.print(f"[yellow]{result.name}[/yellow] {miss}", markup=True)


if __name__ == "__main__":
    main()
