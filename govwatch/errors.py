"""Errors a command reports to the operator, with the exit codes the README gives them
(1: something the command needed failed; 2: bad usage or bad input)."""

from __future__ import annotations


class CommandError(Exception):
    """A command ran but something it needed failed (exit 1)."""

    exit_code = 1


class BadInput(CommandError):
    """Bad usage or bad input (exit 2)."""

    exit_code = 2
