"""The Typer application behind ``govwatch``: lazy commands listed from the command table.

Kept apart from :mod:`govwatch.cli` so that ``govwatch --help`` (rendered by
:mod:`govwatch.cli_help`) does not import Typer: everything else goes through
:data:`app`. A command's module (and with it SQLAlchemy, Scrapy, the report
writers…) is imported when that command is resolved.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

from govwatch.cli import APP_HELP, COMMANDS


def load_command(name: str) -> typer.core.TyperCommand | TyperGroup:
    """Import command ``name``'s module and build its Click command."""
    module_name, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    holder = typer.Typer(add_completion=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
        return typer.main.get_group(holder).commands[name]  # type: ignore[return-value]
    holder.command(name)(target)
    return typer.main.get_command(holder)  # type: ignore[return-value]


class LazyCommands(TyperGroup):
    """The top-level group: placeholders for listing, real commands once resolved."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, (_, _, help_line) in COMMANDS.items():
            # A placeholder carries the name and help line only; never invoked.
            self.commands[name] = typer.core.TyperCommand(name, help=help_line)
        self._loaded: set[str] = set()

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else None
        if name in COMMANDS and name not in self._loaded:
            # Commands log through libraries (httpx, Scrapy, uvicorn): redact from here on.
            from govwatch.logging_setup import install_log_redaction

            install_log_redaction()
            self.commands[name] = load_command(name)
            self._loaded.add(name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=LazyCommands,
    help=APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """govwatch: 政府网站与政务新媒体常态化监测"""
