"""Errors a command reports to the operator, with the exit code CONTRACT.md gives them."""

from __future__ import annotations


class CommandError(Exception):
    """A command ran but something it needed failed (exit 1)."""

    exit_code = 1


class BadInput(CommandError):
    """Bad usage or bad input (exit 2)."""

    exit_code = 2
