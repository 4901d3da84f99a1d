"""The ``govwatch`` console script: wires the commands and maps errors to exit codes."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from govwatch.commands.check import check
from govwatch.commands.demo import demo
from govwatch.commands.extract import extract
from govwatch.commands.findings import findings
from govwatch.commands.probe import probe
from govwatch.commands.report import report
from govwatch.commands.rules import rules
from govwatch.commands.scores import scores
from govwatch.commands.serve import serve
from govwatch.commands.status import status
from govwatch.commands.targets import targets_app
from govwatch.errors import CommandError
from govwatch.logging_setup import install_log_redaction
from settings import InvalidSettingError
from storage.db import DatabaseError
from storage.registry import UnknownTargetError

app = typer.Typer(
    help="govwatch: 政府网站与政务新媒体常态化监测",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(targets_app, name="targets")
app.command("check")(check)
app.command("findings")(findings)
app.command("extract")(extract)
app.command("rules")(rules)
app.command("probe")(probe)
app.command("scores")(scores)
app.command("demo")(demo)
app.command("status")(status)
app.command("report")(report)
app.command("serve")(serve)


def main() -> None:
    """Run the command line; errors become a one-line message and an exit code."""
    install_log_redaction()  # commands log through libraries (httpx, Scrapy, uvicorn)
    try:
        app(standalone_mode=True)
    except CommandError as error:
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]错误:[/] {escape(str(error))}", highlight=False
        )
        sys.exit(error.exit_code)
    except UnknownTargetError as error:
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]错误:[/] {escape(str(error))}", highlight=False
        )
        sys.exit(2)
    except InvalidSettingError as error:
        message = escape(str(error))
        Console(stderr=True, soft_wrap=True).print(f"[bold red]错误:[/] {message}", highlight=False)
        sys.exit(2)
    except DatabaseError as error:
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]错误:[/] {escape(str(error))}", highlight=False
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
