"""The care commands: backup and check.

``register`` adds them to the app (``rectify.cli.app``). The work is in ``rectify.maintenance``; here are the arguments, the
output and the exit codes.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rectify.cli.common import command, emit_json, ledger_path, out, progress_bar, say
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import JSON_HELP
from rectify.errors import CheckError, InputError
from rectify.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from rectify.contracts import BackupResult, CheckResult, Fault

BAR_FROM_BYTES = 64 << 20  # a backup this large shows a progress bar (on a terminal)


class _LazyBar:
    """The progress bar of ``common``, started at the first report, once
    the total is known (it is measured inside the backup's snapshot)."""

    def __init__(self, label: str):
        self.label = label
        self.stack = ExitStack()
        self.tick = None
        self.started = False

    def __call__(self, done: int, total: int) -> None:
        if not self.started:
            self.started = True
            self.tick = self.stack.enter_context(progress_bar(total, self.label, BAR_FROM_BYTES))
        if self.tick is not None:
            self.tick(done, total)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.stack.__exit__(*exc)


def _size(n: int) -> str:
    if n < 1024:
        return ngettext("{n} byte", "{n} bytes", n).format(n=n)
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"
    raise AssertionError  # not reached


def _tally(result: BackupResult | CheckResult, *, with_problems: bool = False) -> str:
    # A count is None in a ledger too damaged to count: shown as "?".
    tasks, problems, events = result["tasks"], result["problems"], result["events"]
    parts = [ngettext("{n} task", "{n} tasks", tasks or 0).format(n="?" if tasks is None else tasks)]
    if with_problems:
        parts.append(ngettext("{n} problem", "{n} problems", problems or 0).format(n="?" if problems is None else problems))
    parts.append(ngettext("{n} event", "{n} events", events or 0).format(n="?" if events is None else events))
    return _(", ").join(parts)


def _print_faults(faults: list[Fault]) -> None:
    for fault in faults:
        out(fault["message"], newlines=False)


def _backup_file(raw: str) -> Path:
    """FILE as typed: a trailing slash means a folder, never a file of that name."""
    path = Path(raw).expanduser()
    if raw.endswith(("/", os.sep)):
        raise InputError(_("{path} is a folder; give the backup a file name, e.g. {example}.").format(
            path=raw, example=path / "ledger-backup.db"))
    return path


@command("backup", help=N_(
    "Copy the ledger, safely while others write, with its evidence files beside the copy. "
    "The copy is a ledger itself: use it with --db, or copy it and its folder back to restore.\n\n"
    "Example: rectify backup /mnt/usb/ledger-2026-12-03.db"))
def backup_cmd(
    run: Run,
    file: str = typer.Argument(..., metavar=N_("FILE"), help=N_("Where to write the copy.")),
    force: bool = typer.Option(False, "--force", help=N_("Replace FILE (and its evidence folder) if it exists.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from rectify import maintenance

    with _LazyBar(_("Backing up")) as bar:
        result = maintenance.backup(ledger_path(run), _backup_file(file), force=force, progress=bar)
    if as_json:
        emit_json(result)
    else:
        out(_("Backed up {ledger} to {backup} ({size}).").format(
            ledger=result["ledger"], backup=result["backup"], size=_size(result["ledger_bytes"])))
        out("  " + _tally(result, with_problems=True))
        if result["evidence_dir"]:
            out("  " + ngettext("{n} evidence file ({size}) in {folder}", "{n} evidence files ({size}) in {folder}",
                                  result["evidence_files"]).format(
                n=result["evidence_files"], size=_size(result["evidence_bytes"]), folder=result["evidence_dir"]))
        else:
            out("  " + _("no evidence files"))
    faults = result["faults"]
    if faults:
        if not as_json:
            _print_faults(faults)
        raise CheckError(ngettext(
            "The backup was written, but {n} evidence file is not as the ledger recorded it (listed above); run `rectify check`.",
            "The backup was written, but {n} evidence files are not as the ledger recorded them (listed above); run `rectify check`.",
            len(faults)).format(n=len(faults)))


@command("check", help=N_(
    "Check the ledger without changing it: SQLite's integrity and foreign key checks, orphan rows, "
    "each task's fields against its history, closed tasks without a closing time, and every evidence "
    "file against its recorded size and sha256. Prints each fault found, one a line; exit code 7 "
    "when there is one.\n\n"
    "Example: rectify check"))
def check_cmd(run: Run, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import maintenance

    result = maintenance.check(ledger_path(run))
    faults = result["faults"]
    if as_json:
        emit_json(result)
    elif not faults:
        out(_("ok"))
        files = ngettext("{n} evidence file ({size})", "{n} evidence files ({size})", result["evidence_files"]).format(
            n=result["evidence_files"], size=_size(result["evidence_bytes"]))
        say(_("Checked {ledger}: {tally}, {files}.").format(ledger=result["ledger"], tally=_tally(result), files=files))
    else:
        _print_faults(faults)
    if faults:
        raise CheckError(ngettext("{n} fault found in {ledger}.", "{n} faults found in {ledger}.", len(faults)).format(
            n=len(faults), ledger=result["ledger"]))


def register(app: typer.Typer) -> None:
    add_commands(app, backup_cmd, check_cmd)
