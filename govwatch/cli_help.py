"""``govwatch --help`` without Typer: the panels Typer prints, built from the command table.

Typer renders help through ``typer.rich_utils``, which imports Rich's Markdown,
tracebacks and syntax highlighting and Typer's own Click; together that is most of a
second on a loaded machine, for a screen that only lists :data:`govwatch.cli.COMMANDS`
(issue 17: under 0.3 s). This module builds the same Rich renderables Typer builds
(the same styles, table settings, highlighter and console options, copied from
``typer/rich_utils.py``) from the command table, with only the Rich modules they need.
``tests/govwatch/test_cli_startup.py`` compares the bytes of both at several widths,
with and without colour, so a Typer upgrade that changes its layout fails a test
rather than silently drifting. Anything other than the top-level help (a command's
own ``--help``, ``python -m``'s program name) goes to Typer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import ClassVar

#: What Typer's root group prints besides the app's help: its usage line and its option.
USAGE = "Usage: {prog} [OPTIONS] COMMAND [ARGS]..."
HELP_OPTION = ("--help", "<bool>", "Show this message and exit.")

# typer.rich_utils' styles and environment switches, by the same names.
STYLE_OPTION = "bold cyan"
STYLE_SWITCH = "bold green"
STYLE_NEGATIVE_OPTION = "bold magenta"
STYLE_NEGATIVE_SWITCH = "bold red"
STYLE_TYPES = "bold yellow"
STYLE_TYPES_SEPARATOR = "dim"
STYLE_USAGE = "yellow"
STYLE_USAGE_COMMAND = "bold"
STYLE_PANEL_BORDER = "dim"
STYLE_COMMANDS_TABLE_FIRST_COLUMN = "bold cyan"


def program_name() -> str | None:
    """The program name Click would print; None where Click would derive another
    (``python -m govwatch.cli`` names the module), which this module leaves to Typer."""
    main = sys.modules.get("__main__")
    if getattr(main, "__package__", None) not in (None, ""):
        return None
    return os.path.basename(sys.argv[0]) or None


def print_help(
    app_help: str, commands: list[tuple[str, str]], prog: str, *, asked: bool = True
) -> None:
    """Print the top-level help to stdout: ``app_help`` under the usage line, then
    ``commands`` ((name, help line) pairs). ``asked``: ``--help`` was given (rather
    than no arguments at all, where Click ends the help without an empty line)."""
    from rich.align import Align
    from rich.columns import Columns
    from rich.console import Console, group
    from rich.highlighter import RegexHighlighter
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text
    from rich.theme import Theme

    class OptionHighlighter(RegexHighlighter):
        highlights: ClassVar[list[str]] = [
            r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
            r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
            r"(?P<types>\<[^\>]+\>)",
            r"(?P<usage>Usage: )",
        ]

    class TypesHighlighter(RegexHighlighter):
        highlights: ClassVar[list[str]] = [
            r"^(?P<types_sep>(\[|<))",
            r"(?P<types_sep>\|)",
            r"(?P<types_sep>(\]|>))(\.\.\.)?$",
        ]

    highlighter = OptionHighlighter()
    terminal_width = os.getenv("TERMINAL_WIDTH")
    force_terminal = (
        True
        if os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS")
        else None
    )
    if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
        force_terminal = False
    console = Console(
        theme=Theme(
            {
                "option": STYLE_OPTION,
                "switch": STYLE_SWITCH,
                "negative_option": STYLE_NEGATIVE_OPTION,
                "negative_switch": STYLE_NEGATIVE_SWITCH,
                "types": STYLE_TYPES,
                "types_sep": STYLE_TYPES_SEPARATOR,
                "usage": STYLE_USAGE,
            }
        ),
        highlighter=highlighter,
        color_system="auto",
        force_terminal=force_terminal,
        width=int(terminal_width) if terminal_width else None,
    )

    console.print(Padding(highlighter(USAGE.format(prog=prog)), 1), style=STYLE_USAGE_COMMAND)

    @group()
    def help_text() -> Iterable[Text]:
        yield highlighter(Text.from_markup(app_help, style=""))

    console.print(Padding(Align(help_text(), pad=False), (0, 1, 1, 1)))

    option, type_name, option_help = HELP_OPTION
    options = Table(
        highlight=True,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )
    types = Text(style=STYLE_TYPES, overflow="fold")
    types.append(type_name)
    options.add_row(
        highlighter(option),
        highlighter(""),
        Text(""),  # no secondary (negative) forms: Typer's highlighter finds nothing
        Text(""),
        TypesHighlighter()(types),
        Columns([highlighter(Text.from_markup(option_help, style=""))]),
    )
    console.print(
        Panel(options, border_style=STYLE_PANEL_BORDER, title="Options", title_align="left")
    )

    table = Table(
        highlight=False,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )
    table.add_column(
        style=STYLE_COMMANDS_TABLE_FIRST_COLUMN,
        no_wrap=True,
        width=max((len(name) for name, _ in commands), default=0),
    )
    table.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for name, help_line in commands:
        table.add_row(Text(name), highlighter(Text.from_markup(help_line.strip(), style="")))
    console.print(
        Panel(table, border_style=STYLE_PANEL_BORDER, title="Commands", title_align="left")
    )
    if asked:
        # Click then echoes the (empty) help string Typer's formatter returns.
        print()
