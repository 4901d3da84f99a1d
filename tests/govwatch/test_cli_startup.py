"""Start-up of the command line: a command imports what it uses, when it runs (issue 17).

Timing is measured by ``bench/startup.py``; these tests check the causes instead:
which modules a command loads, that ``--help`` lists every command without loading
any, and that a database already at the newest revision is not handed to Alembic
while one behind it still is migrated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from sqlalchemy import create_engine, text

from govwatch import cli
from storage.db import ALEMBIC_DIR, dispose_engines, get_engine, script_head

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Libraries no listing command needs; each costs a large part of a second to import.
HEAVY = ("scrapy", "twisted", "playwright", "scrapy_playwright", "pandas", "matplotlib")
HEAVY += ("openpyxl", "jinja2", "PIL", "dateparser", "lxml", "httpx", "alembic", "apscheduler")

#: Runs the console script's ``main`` with the given arguments and prints, as JSON,
#: the top-level packages it imported.
PROBE = """
import json, sys
sys.argv = ["govwatch", *sys.argv[1:]]
from govwatch.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})
                 + sorted(name for name in sys.modules
                          if name.startswith(("monitor", "govwatch", "storage", "sqlalchemy")))))
"""


def imported_by(args: list[str], database_url: str | None = None) -> set[str]:
    """The modules a fresh ``govwatch ARGS`` process imports."""
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "120"}
    if database_url:
        env["GOVWATCH_DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_help_imports_no_command_module() -> None:
    imported = imported_by(["--help"])
    assert "rich" in imported  # the probe works: the help was printed
    assert not imported & {*HEAVY, "sqlalchemy", "pydantic_settings", "settings", "storage"}
    assert not any(name.startswith("monitor") for name in imported)


def test_help_imports_neither_typer_nor_pydantic() -> None:
    # Typer's help renderer (Rich Markdown, tracebacks, syntax) was most of --help's
    # start-up; the top-level help is printed from the command table instead.
    for args in (["--help"], []):
        imported = imported_by(args)
        assert not imported & {"typer", "click", "pydantic", "pydantic_core", "markdown_it"}
        assert not imported & {"pygments", "govwatch.cli_app"}
        assert "govwatch.cli_help" in imported


HELP_BY_TYPER = """
import sys
sys.argv = ["govwatch", *sys.argv[1:]]
from govwatch.cli_app import app
app()
"""


@pytest.mark.parametrize("width", ["40", "80", "120"])
@pytest.mark.parametrize("colour", [{}, {"FORCE_COLOR": "1"}, {"TERMINAL_WIDTH": "70"}])
@pytest.mark.parametrize("args", [["--help"], []])
def test_help_is_byte_for_byte_what_typer_prints(
    width: str, colour: dict[str, str], args: list[str]
) -> None:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": width, **colour}
    script = Path(sys.executable).with_name("govwatch")
    ours = subprocess.run(
        [str(script), *args], env=env, cwd=REPO_ROOT, capture_output=True, timeout=120
    )
    typers = subprocess.run(
        [sys.executable, "-c", HELP_BY_TYPER, *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=120,
    )
    assert ours.stdout == typers.stdout
    assert (ours.returncode, ours.stderr) == (typers.returncode, typers.stderr)
    assert "findings" in ours.stdout.decode()


def test_findings_imports_no_crawler_rules_or_report_libraries(database_url: str) -> None:
    get_engine()  # migrated already, as after a first command
    imported = imported_by(["findings"], database_url)
    assert "storage.findings_rows" in imported  # it did run the query
    assert not imported & {*HEAVY, "crawler"}
    # The rules are loaded only for --rule, to check the code given.
    assert "monitor.rules" not in imported


@pytest.mark.sqlite_only
def test_findings_on_sqlite_imports_neither_typer_nor_sqlalchemy(database_url: str) -> None:
    # Typer (with the pydantic validators it builds for every option) and SQLAlchemy
    # were most of `findings`' start-up; a plain invocation on a SQLite file at the
    # newest schema is read with sqlite3 and printed without Rich when piped.
    get_engine()
    for args in (["findings"], ["findings", "--format", "json", "--status=all", "--limit", "5"]):
        imported = imported_by(args, database_url)
        assert "govwatch.findings_direct" in imported  # the probe works
        assert not imported & {"typer", "click", "sqlalchemy", "alembic", "rich"}


def test_findings_through_sqlalchemy_reads_plain_rows_without_the_orm(database_url: str) -> None:
    # On PostgreSQL, or for what the direct path leaves to Typer (here an option given
    # twice), `findings` still imports neither the ORM nor the model declarations.
    get_engine()
    imported = imported_by(["findings", "--status", "all", "--status", "open"], database_url)
    assert {"storage.findings_rows", "sqlalchemy", "typer"} <= imported  # the probe works
    assert not imported & {"sqlalchemy.orm", "storage.models", "alembic"}


def test_scores_loads_no_rule_and_no_check(database_url: str) -> None:
    # It used to import `govwatch check` (and with it every rule) to parse --as-of.
    get_engine()
    imported = imported_by(["scores", "--format", "json"], database_url)
    assert "monitor.scores" in imported  # the probe works
    assert not imported & {"monitor.rules", "monitor.check", "govwatch.commands.check"}
    assert not imported & {*HEAVY, "crawler", "rich"}


def test_help_lists_each_command_with_its_own_first_help_line() -> None:
    for name in cli.COMMANDS:
        command = cli.load_command(name)
        assert command.name == name
        assert command.help, name
        assert command.help.strip().splitlines()[0] == cli.COMMANDS[name][2], name


def test_help_output_lists_every_command(govwatch_cli) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli("--help")
    assert result.returncode == 0
    for name, (_, _, help_line) in cli.COMMANDS.items():
        assert name in result.stdout
        assert help_line[:8] in result.stdout


def test_a_subcommand_group_and_its_help_still_work(govwatch_cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli("targets", "--help")
    assert result.returncode == 0
    assert "load" in result.stdout and "discover" in result.stdout
    assert "--install-completion" not in result.stdout
    assert govwatch_cli("targets", "list", "--format", "json").stdout.strip() == "[]"


def test_unknown_command_is_refused_with_exit_2(govwatch_cli) -> None:  # type: ignore[no-untyped-def]
    result = govwatch_cli("nope")
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_reported_errors_map_to_exit_codes_and_others_are_not_swallowed() -> None:
    from govwatch.errors import BadInput, CommandError
    from settings import InvalidSettingError
    from storage.db import DatabaseError
    from storage.registry import UnknownTargetError

    assert cli.reported_exit_code(BadInput("x")) == 2
    assert cli.reported_exit_code(CommandError("x")) == 1
    assert cli.reported_exit_code(UnknownTargetError("x")) == 2
    assert cli.reported_exit_code(InvalidSettingError("x")) == 2
    assert cli.reported_exit_code(DatabaseError("x")) == 1
    assert cli.reported_exit_code(ValueError("x")) is None


def test_the_app_is_a_typer_app_for_cli_runner_tests() -> None:
    assert isinstance(cli.app, typer.Typer)


def test_script_head_agrees_with_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    assert script_head() == ScriptDirectory.from_config(config).get_current_head()


def test_a_database_behind_head_is_still_migrated(database_url: str) -> None:
    from alembic.config import Config

    from alembic import command

    head = script_head()
    assert head is not None
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    engine.dispose()
    dispose_engines()
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


@pytest.mark.sqlite_only
def test_a_new_database_file_is_created_and_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'g.db'}"
    try:
        with get_engine(url).connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == script_head()
    finally:
        dispose_engines()
