"""What every command module shares: the error boundary (an error becomes
one line on stderr and an exit code), the output helpers (``say`` for a
person on stderr, ``out`` and ``emit_json`` for data on stdout), the ledger
in use and the options' shared help texts.

Nothing here registers a command: ``rectify.cli.app.build_app`` does.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from typer._click.exceptions import (  # typer 0.28 vendors click as typer._click
    ClickException,
    NoArgsIsHelpError,
)
from typer.core import TyperGroup

from rectify.errors import ExitCode, InputError, RectifyError
from rectify.i18n import _, reason
from rectify.text import json_safe, printable


class Group(TyperGroup):
    """The command group, with usage errors (an unknown option, a missing
    argument, a value of the wrong type) reported as one line, like every
    other error, instead of typer's usage box."""

    def make_context(self, *args, **kwargs):
        with _usage_errors_as_one_line():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _usage_errors_as_one_line():
            return super().invoke(ctx)

class _usage_errors_as_one_line:
    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if not isinstance(error, ClickException) or isinstance(error, NoArgsIsHelpError):
            return False
        message = " ".join(error.format_message().split())
        ctx = getattr(error, "ctx", None)
        if ctx is not None:
            message = _("{message} (see `{command} -h`)").format(message=message, command=ctx.command_path)
        fail(message, error.exit_code)


# The ledger chosen by --db for this run (set by the root callback).
_state: dict = {"db": None}


# -- the boundary: errors become one line and an exit code -------------------


def fail(message: str, code: int) -> None:
    """The one line an error becomes. The message may quote a path or what
    was typed: its control characters are shown escaped, on one line."""
    sys.stderr.write(_("rectify: error: {message}").format(message=printable(message, newlines=False)) + "\n")
    raise typer.Exit(code)


MAX_NUMBER = 2**63 - 1  # the largest integer SQLite stores


def too_large() -> InputError:
    return InputError(_("A number given is too large: the most is {max}.").format(max=MAX_NUMBER))


def command(name: str, **kw: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Marks a function as the command ``name`` (registered by ``register``)
    and puts it behind the boundary that turns the tool's errors into a line
    and an exit code."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except RectifyError as e:
                fail(e.message, e.exit_code)
            except sqlite3.OperationalError as e:
                fail(_("The ledger could not be used: {reason}.").format(reason=reason(e)), ExitCode.LEDGER)
            except sqlite3.DatabaseError as e:
                fail(_("The ledger file is damaged or not a ledger: {reason}.").format(reason=reason(e)), ExitCode.LEDGER)
            except OverflowError:  # an integer beyond SQLite's 64 bits
                fail(too_large().message, ExitCode.USAGE)
            except KeyboardInterrupt:
                fail(_("Interrupted; nothing was changed."), ExitCode.INTERRUPTED)
            except BrokenPipeError:
                sys.stderr.close()
                raise typer.Exit(0)

        wrapper.command_spec = (name, kw)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def register(app: typer.Typer, *commands: Callable[..., None]) -> None:
    """Add ``commands`` (made by ``command``) to ``app``, in this order."""
    for fn in commands:
        name, kw = fn.command_spec  # type: ignore[attr-defined]
        app.command(name, **{"options_metavar": _("[OPTIONS]"), **kw})(fn)


def command_group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """A group of subcommands (`rectify NAME ...`), added to ``app``."""
    group = typer.Typer(cls=Group, no_args_is_help=True, help=help, options_metavar=_("[OPTIONS]"),
                        subcommand_metavar=_("COMMAND [ARGS]..."))
    app.add_typer(group, name=name)
    return group


def ledger_path() -> Path:
    from rectify.paths import ledger_path as resolve

    return resolve(_state["db"])[0]

def open_ledger(write: bool = False):
    from rectify.store import Ledger

    return Ledger.open(ledger_path(), write=write)


def emit_json(data) -> None:
    sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def say(message: str, *, newlines: bool = True) -> None:
    """A message for a person: stderr, so stdout stays data. What it quotes
    from data or the file system is shown escaped (rectify.text); with
    ``newlines=False`` it stays one line."""
    sys.stderr.write(printable(message, newlines=newlines) + "\n")


def out(line: str = "", *, newlines: bool = True) -> None:
    """A line of plain output on stdout, escaped as ``say`` is."""
    sys.stdout.write(printable(line, newlines=newlines) + "\n")


def join_people(names: list[str] | None) -> str | None:
    if not names:
        return None
    sep = "、" if any("\u4e00" <= ch <= "\u9fff" for n in names for ch in n) else ", "
    return sep.join(n.strip() for n in names if n.strip()) or None


def output_file(raw: str | None) -> Path | None:
    """An ``--output FILE`` checked before any work: a file name in a folder
    that exists, and never the ledger, a file SQLite keeps beside it or one
    in its evidence folder (``paths.guard_output``). (A trailing slash is
    seen here, before ``Path`` drops it.)"""
    if raw is None:
        return None
    path = Path(raw)
    if raw.endswith(("/", os.sep)) or path.is_dir():
        raise InputError(_("{path} is a folder: --output takes a file name.").format(path=raw))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(_("The folder {folder} does not exist.").format(folder=folder))
    return guard_output(path)


def guard_output(path: Path | str) -> Path:
    """``paths.guard_output`` against the ledger in use."""
    from rectify.paths import guard_output as guard

    return guard(path, ledger_path())


JSON_HELP = _("Print JSON (stable; see README).")
ROUND_HELP = _("The round (inspection, audit or visit), by name or id: see `rectify round list`.")


def find_round(ledger, text: str | None):
    """The round named by ``--round`` (a dict), or None when none is given."""
    if text is None:
        return None
    from rectify.rounds import find_round as find

    return find(ledger, text)


class closing:
    """``with closing(open_ledger()) as led``: the ledger closed at the end,
    and a warning when the clock was behind its last change."""

    def __init__(self, ledger):
        self.ledger = ledger

    def __enter__(self):
        return self.ledger

    def __exit__(self, *exc):
        self.ledger.close()
        behind = getattr(self.ledger, "clock_behind", None)
        if behind and exc[0] is None:
            say(_("warning: the clock reads {clock}, earlier than the ledger's last change ({latest}); "
                  "this change is recorded at {latest}, so that the history never runs backwards.").format(
                clock=behind[0], latest=behind[1]), newlines=False)


def use_ledger(db: str | None) -> None:
    """Use the ledger file ``db`` (None: RECTIFY_DB, then the default) for the rest of this run."""
    _state["db"] = db


def chosen_ledger() -> str | None:
    """The ledger file as --db gave it, or None."""
    return _state["db"]


def write_text(path: Path, text: str) -> None:
    """Whole or not at all (``paths.atomic_write``)."""
    from rectify.paths import atomic_write

    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def plain_text(draw) -> str:
    """What ``draw(console)`` prints, as plain text."""
    import io

    from rectify.render.report_text import file_console

    buffer = io.StringIO()
    draw(file_console(buffer))
    return buffer.getvalue()


class progress_bar:
    """A rich progress bar on stderr for a large import (or any long job:
    ``label``, and ``threshold`` in the units of ``total``), when stderr is a terminal."""

    THRESHOLD = 2000

    def __init__(self, total: int, label: str | None = None, threshold: int | None = None):
        self.total = total
        self.label = label
        self.threshold = self.THRESHOLD if threshold is None else threshold
        self.bar = None

    def __enter__(self):
        if self.total < self.threshold or not sys.stderr.isatty():
            return None
        from rich.progress import Progress

        from rectify.render.terminal import console

        self.bar = Progress(console=console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(self.label or _("Importing"), total=self.total)
        return lambda done, total: self.bar.update(task, completed=done)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def list_filters(*, overdue=False, due_within=None, kind=None, status=None, unit=None, owner=None,
                 leader=None, problem=None, category=None, search=None, all_=False, review=False,
                 due_before=None, due_after=None) -> dict:
    """The filters of ``list``, validated; shared by every command that takes them."""
    from rectify import dates
    from rectify.model import parse_status
    from rectify.vocabulary import parse_kind_filter

    return {
        "overdue": overdue,
        "due_within": dates.parse_duration_days(due_within) if due_within else None,
        "kind": parse_kind_filter(kind) if kind else None,
        "status": [parse_status(s) for s in status] if status else None,
        "unit": unit, "owner": owner, "leader": leader, "problem": problem, "category": category,
        "search": search, "all": all_ or bool(status) or review, "review": review,
        "due_before": dates.parse_date(due_before).isoformat() if due_before else None,
        "due_after": dates.parse_date(due_after).isoformat() if due_after else None,
    }
