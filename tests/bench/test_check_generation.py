"""The check bench's generated database (bench/check.py) is the same on every database:
on PostgreSQL it is loaded with COPY, which applies no column defaults, and still holds
exactly the rows SQLAlchemy's INSERT stores in SQLite."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from bench_scripts import bench_script
from rich.console import Console
from sqlalchemy import create_engine, select

from storage.db import dispose_engines, get_engine
from storage.models import Base


def _contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(row) for row in connection.execute(select(table))),
                    key=repr,
                )
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_the_generated_database_holds_the_same_rows_on_any_database(
    database_url: str, tmp_path: Path
) -> None:
    bench = bench_script("check")
    sizes = bench.Sizes(sites=3, columns_per_site=4, accounts=5, items=300)
    as_of = date(2025, 6, 20)
    console = Console(file=open(tmp_path / "progress.txt", "w"))  # noqa: SIM115
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    bench.generate(get_engine(reference), sizes, as_of, console)
    bench.prepare_database(database_url, sizes, as_of, False, console)
    dispose_engines()

    expected, stored = _contents(reference), _contents(database_url)
    assert len(expected["items"]) == 300 and len(expected["posts"]) > 0
    url_hash = Base.metadata.tables["items"].columns.keys().index("url_hash")
    assert all(len(row[url_hash]) == 64 for row in stored["items"])  # a column default
    assert stored == expected
