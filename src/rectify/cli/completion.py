"""``rectify completion SHELL``: the script that makes Tab complete rectify's
command line in bash, zsh or fish. What completes and how is ``complete``."""

from __future__ import annotations

import sys

import typer

from rectify.cli.common import command
from rectify.cli.common import register as add_commands
from rectify.cli.complete import COMPLETE_VAR, PROG_NAME, SHELLS, completion_class
from rectify.cli.context import Run
from rectify.errors import InputError
from rectify.i18n import N_, _


@command("completion", help=N_(
    "Print the shell completion script for bash, zsh or fish: Tab then completes commands, options, "
    "task ids, units, owners and categories from the ledger.\n\n"
    "Install it once: `rectify completion bash >> ~/.bashrc`, `rectify completion zsh >> ~/.zshrc`, "
    "`rectify completion fish > ~/.config/fish/completions/rectify.fish`, then open a new shell.\n\n"
    "Example: rectify completion bash"))
def completion_cmd(run: Run, shell: str = typer.Argument(..., metavar="bash|zsh|fish",
                                                          help=N_("The shell: bash, zsh or fish."))) -> None:
    chosen = shell.strip().lower()
    if chosen not in SHELLS:
        raise InputError(_("{shell!r} is not a shell rectify completes: use bash, zsh or fish.").format(shell=shell))
    script = completion_class(chosen)(None, {}, PROG_NAME, COMPLETE_VAR).source()
    sys.stdout.write(script + "\n")


def register(app: typer.Typer) -> None:
    add_commands(app, completion_cmd)
