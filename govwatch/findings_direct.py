"""``govwatch findings`` on SQLite without Typer or SQLAlchemy: its start-up path.

Listing findings is what people run most, by hand and from scripts, and issue 17
gives it half a second on a province's database. Typer (which builds pydantic
validators for every option it parses) and SQLAlchemy (imported whole by any of its
modules) take about 0.3 s of that before any work, so a plainly valid
``govwatch findings`` on a SQLite database already at the newest schema is answered
here: its options read by :func:`parse_options`, the database through the standard
library's ``sqlite3``, with the same SQL (:mod:`storage.findings_rows`), filters and
output (:mod:`govwatch.findings_listing`) as the Typer command.

Anything else makes :func:`list_findings_directly` return False before it prints a
byte, and the Typer command answers as it always has: ``--help``, an option it does
not know or a value the Typer command might read differently, an option given
twice, a database that is not a SQLite file at the newest revision (PostgreSQL, a
new file to create, a schema to migrate), any ``sqlite3`` error. The Typer
command's usage errors and messages stay the only ones; an unknown site, account,
unit or rule is the same :class:`~govwatch.errors.BadInput` either way.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from govwatch.findings_listing import StatusFilter, print_listing, read_listing
from govwatch.output import OutputFormat
from settings import get_settings
from storage.migration_head import script_head

#: The Typer command's options, each taking one value, by the keyword it fills.
OPTIONS = {
    "--site": "site",
    "--account": "account",
    "--unit": "unit",
    "--rule": "rule",
    "--status": "status",
    "--format": "output_format",
    "--limit": "limit",
}

#: SQLAlchemy URLs of a SQLite file with no options: ``sqlite:///relative/path``,
#: ``sqlite:////absolute/path``.
_SQLITE_FILE_URL = re.compile(r"sqlite(?:\+pysqlite)?:///(?P<path>[^?%]+)")

#: A --limit the Typer command reads as the same number (none negative, no leading zero).
_COUNT = re.compile(r"0|[1-9][0-9]{0,8}")


def parse_options(arguments: list[str]) -> dict[str, Any] | None:
    """``read_listing``'s keywords for the arguments after ``findings``; None unless
    every argument is one of :data:`OPTIONS` with a value the Typer command would take
    the same way (``--site X`` or ``--site=X``, each at most once)."""
    options: dict[str, Any] = {}
    remaining = iter(arguments)
    for argument in remaining:
        name, equals, value = argument.partition("=")
        if name not in OPTIONS or OPTIONS[name] in options:
            return None
        if not equals:
            given = next(remaining, None)
            if given is None or given.startswith("-"):
                return None  # Click would report it, or take an option for a value
            value = given
        options[OPTIONS[name]] = value
    try:
        if "status" in options:
            options["status"] = StatusFilter(options["status"])
        if "output_format" in options:
            options["output_format"] = OutputFormat(options["output_format"])
    except ValueError:
        return None
    if "limit" in options:
        if not _COUNT.fullmatch(options["limit"]):
            return None
        options["limit"] = int(options["limit"])
    return options


def sqlite_file(database_url: str) -> Path | None:
    """The file a SQLite URL names, if it is a plain file URL of one that exists."""
    match = _SQLITE_FILE_URL.fullmatch(database_url)
    if match is None or match["path"] == ":memory:":
        return None
    path = Path(match["path"])
    return path if path.is_file() else None


def list_findings_directly(arguments: list[str]) -> bool:
    """Answer ``govwatch findings ARGUMENTS`` if it can (see the module's docstring);
    False, having printed nothing, when the Typer command must."""
    options = parse_options(arguments)
    if options is None:
        return False
    # An invalid setting raises here as it would in the Typer command: reported alike.
    path = sqlite_file(get_settings().database_url)
    head = script_head()
    if path is None or head is None:
        return False
    try:
        # The same busy timeout as the engine's (storage.db); autocommit off by hand,
        # so the reads below are one transaction.
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        connection.row_factory = sqlite3.Row

        def execute(sql: str, parameters: dict[str, Any]) -> Iterable[Mapping[str, Any]]:
            return connection.execute(sql, parameters).fetchall()

        connection.execute("BEGIN")
        stored = {
            row["version_num"] for row in execute("SELECT version_num FROM alembic_version", {})
        }
        if stored != {head}:
            return False  # the Typer command migrates it first
        listing = read_listing(execute, **options)
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    print_listing(listing)
    return True
