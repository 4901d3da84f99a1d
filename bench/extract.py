"""Benchmark the column-list extractor against hand-checked expected items.

Runs extract_list over every page that has an expected file in
tests/fixtures/extract/expected/ (real government pages saved by public projects, the
shared gov-list corpus, and the hand-written fixtures; homepages in homepage mode) and
prints, per page, per CMS family and overall: status, newest-date agreement, item
precision, recall and F1 (an item counts when its URL, title and date all match),
extraction speed in pages per second on one core (decoding and parsing included, repeated
many times), and how many pages a crawl would report for review instead of judging
(``ListPage.review_reason``: every such page on a hand-checked list is a needless review). Peers that need no per-site rules run on the same pages: htmldate for the
newest date, and gerapy-auto-extractor (the `bench` extra) for the items, scored on URL and
title since it reads no list dates. The nongov-list corpus pages have no expected items;
they are run as extra cases (item count, newest date, speed).

Usage: .venv/bin/python bench/extract.py [--seconds-per-page 1.0] [--no-peers]
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
    family: str
    status_ok: bool
    newest_ok: bool
    expected_count: int
    found_count: int
    matched: int
    seconds_per_page: float
    misses: list[str]
    # Peers: htmldate's date (None when it gives none), gerapy's items matched on URL+title.
    htmldate_ok: bool | None = None
    gerapy_found: int | None = None
    gerapy_matched: int | None = None
    ours_loose_matched: int = 0  # ours on URL+title only, to compare with gerapy
    review: bool = False  # the read carried a doubt that sends the column for review


def _load_page(reference: str) -> bytes | None:
    source, _, relative = reference.partition(":")
    path = corpus_dir() / relative if source == "corpus" else FIXTURES / relative
    return path.read_bytes() if path.exists() else None


def _time_extraction(
    body: bytes,
    content_type: str | None,
    base_url: str,
    today: date,
    budget: float,
    homepage: bool = False,
) -> float:
    """Mean seconds for decode + extract, over repetitions filling ``budget`` seconds."""
    repetitions = 0
    started = time.process_time()
    while True:
        extract_list(decode_html(body, content_type), base_url, today, homepage=homepage)
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


def _loose(items: list[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(title, url) for title, url in items}


def _htmldate_ok(html: str, today: date, wanted: str | None) -> bool:
    from htmldate import find_date

    found = find_date(
        html,
        original_date=False,
        extensive_search=True,
        outputformat="%Y-%m-%d",
        max_date=today.isoformat(),
    )
    return found == wanted


def _gerapy_items(html: str, base_url: str) -> list[tuple[str, str]]:
    from gerapy_auto_extractor import extract_list as gerapy_extract_list

    try:
        found = gerapy_extract_list(html, base_url=base_url)
    except Exception:  # a peer that crashes on a page found nothing on it
        return []
    return [(_clean_title(item.get("title")), item.get("url") or "") for item in found or ()]


def _clean_title(title: object) -> str:
    return " ".join(str(title or "").split())


def run_expected(budget: float, peers: bool) -> list[PageResult]:
    results: list[PageResult] = []
    for expected_path in sorted(EXPECTED.glob("*.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        body = _load_page(expected["page"])
        if body is None:
            print(f"skipped {expected['page']}: file not found")
            continue
        content_type = expected.get("content_type")
        today = date.fromisoformat(expected["today"])
        homepage = expected.get("mode") == "homepage"
        html = decode_html(body, content_type)
        page = extract_list(html, expected["base_url"], today, homepage=homepage)
        matched, misses = _compare(page, expected)
        newest = page.newest_published_on.isoformat() if page.newest_published_on else None
        wanted_loose = _loose([(item["title"], item["url"]) for item in expected["items"]])
        result = PageResult(
            name=expected_path.stem,
            kind=expected["page"].partition(":")[0],
            family=expected.get("family", "hand-written"),
            status_ok=page.status == expected["status"],
            newest_ok=newest == expected["newest_published_on"],
            expected_count=len(expected["items"]),
            found_count=len(page.items),
            matched=matched,
            seconds_per_page=_time_extraction(
                body, content_type, expected["base_url"], today, budget, homepage
            ),
            misses=misses,
            ours_loose_matched=len(
                _loose([(item.title, item.url) for item in page.items]) & wanted_loose
            ),
            review=bool(page.review_reason),
        )
        if peers:
            result.htmldate_ok = _htmldate_ok(html, today, expected["newest_published_on"])
            found = _gerapy_items(html, expected["base_url"])
            result.gerapy_found = len(set(found))
            result.gerapy_matched = len(_loose(found) & wanted_loose)
        results.append(result)
    return results


def _f1(matched: int, found: int, expected: int) -> tuple[float, float, float]:
    precision = matched / found if found else (1.0 if not expected else 0.0)
    recall = matched / expected if expected else (1.0 if not found else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _summary_row(label: str, subset: list[PageResult]) -> list[str]:
    precision, recall, f1 = _f1(
        sum(r.matched for r in subset),
        sum(r.found_count for r in subset),
        sum(r.expected_count for r in subset),
    )
    row = [
        label,
        str(len(subset)),
        f"{sum(r.newest_ok for r in subset) / len(subset):.0%}",
        f"{precision:.3f}",
        f"{recall:.3f}",
        f"{f1:.3f}",
        f"{len(subset) / sum(r.seconds_per_page for r in subset):.0f}",
        str(sum(r.review for r in subset)),
    ]
    if all(r.htmldate_ok is not None for r in subset):
        _, _, ours_loose = _f1(
            sum(r.ours_loose_matched for r in subset),
            sum(r.found_count for r in subset),
            sum(r.expected_count for r in subset),
        )
        _, _, gerapy_f1 = _f1(
            sum(r.gerapy_matched or 0 for r in subset),
            sum(r.gerapy_found or 0 for r in subset),
            sum(r.expected_count for r in subset),
        )
        row += [
            f"{sum(bool(r.htmldate_ok) for r in subset) / len(subset):.0%}",
            f"{ours_loose:.3f}",
            f"{gerapy_f1:.3f}",
        ]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-per-page", type=float, default=1.0)
    parser.add_argument(
        "--no-peers", action="store_true", help="skip htmldate and gerapy-auto-extractor"
    )
    arguments = parser.parse_args()
    console = Console(width=170)

    results = run_expected(arguments.seconds_per_page, peers=not arguments.no_peers)
    table = Table(title="extract_list against hand-checked items")
    for column in ("page", "family", "status", "newest", "expected", "found", "P", "R", "F1"):
        table.add_column(column, justify="left" if column in ("page", "family") else "right")
    table.add_column("pages/s", justify="right")
    for result in results:
        precision, recall, f1 = _f1(result.matched, result.found_count, result.expected_count)
        table.add_row(
            result.name,
            result.family,
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

    peers = all(r.htmldate_ok is not None for r in results)
    summary = Table(
        title="per CMS family (items pooled over pages; speed = pages / total time on one core)"
        + ("; peers: htmldate newest date, F1 on URL+title for ours and gerapy" if peers else "")
    )
    columns = ["family", "pages", "newest date", "P", "R", "F1", "pages/s", "for review"]
    if peers:
        columns += ["htmldate newest", "ours F1 (url+title)", "gerapy F1 (url+title)"]
    for column in columns:
        summary.add_column(column, justify="left" if column == "family" else "right")
    families = sorted({r.family for r in results})
    for family in families:
        summary.add_row(*_summary_row(family, [r for r in results if r.family == family]))
    real = [r for r in results if r.family != "hand-written"]
    if real:
        summary.add_row(*_summary_row("all real pages", real))
    summary.add_row(*_summary_row("all", results))
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
