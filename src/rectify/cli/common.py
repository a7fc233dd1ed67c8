"""What every command module shares: the error boundary (an error becomes
one line on stderr and an exit code), the output helpers (``say`` for a
person on stderr, ``out`` and ``emit_json`` for data on stdout), the ledger
of the run and the options' shared help texts.

Nothing here registers a command by being imported: ``command`` marks a
function and ``register`` adds it to an app, called by ``rectify.cli.app``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import os
import sqlite3
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import typer

from rectify.cli.context import Run
from rectify.cli.wording import Command, Group, click_message
from rectify.errors import ExitCode, InputError, RectifyError
from rectify.i18n import N_, _, reason
from rectify.text import json_safe, printable

if TYPE_CHECKING:
    from rectify.store import Ledger

T = TypeVar("T")

# typer 0.28 exports click's BadParameter but not its base classes (it
# vendors click as a private module): the one every usage error derives
# from is found through it.
CLICK_ERROR: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class AppGroup(Group):
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
        # "No arguments" shows the help instead (no_args_is_help).
        if not isinstance(error, CLICK_ERROR) or type(error).__name__ == "NoArgsIsHelpError":
            return False
        message = click_message(" ".join(error.format_message().split()))
        ctx = getattr(error, "ctx", None)
        if ctx is not None:
            message = _("{message} (see `{command} -h`)").format(message=message, command=ctx.command_path)
        fail(message, error.exit_code)


# -- the boundary: errors become one line and an exit code -------------------


def fail(message: str, code: int) -> typing.NoReturn:
    """The one line an error becomes. The message may quote a path or what
    was typed: its control characters are shown escaped, on one line."""
    sys.stderr.write(_("rectify: error: {message}").format(message=printable(message, newlines=False)) + "\n")
    raise typer.Exit(code)


MAX_NUMBER = 2**63 - 1  # the largest integer SQLite stores


def too_large() -> InputError:
    return InputError(_("A number given is too large: the most is {max}.").format(max=MAX_NUMBER))


def command(name: str, **kw: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Make ``fn(run, ...)`` the command ``name``, for ``register`` to add.

    The command receives the run's context object (``Run``, typer's
    ``ctx.obj``) as its first parameter, and each parameter annotated with an
    option set (a dataclass of ``rectify.cli.options``) as one object: the
    set's options are declared once, there, and appear on the command line
    in its place. Errors of the tool become one line and an exit code. A
    parameter rectify knows how to complete in a shell (a task id, --unit
    ...) gets its completion here (``complete.declare``)."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        from rectify.cli.complete import declare

        hints = typing.get_type_hints(fn, include_extras=True)
        shown = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)]
        sets: dict[str, Any] = {}
        for param in list(inspect.signature(fn).parameters.values())[1:]:
            annotation = hints.get(param.name, param.annotation)
            if dataclasses.is_dataclass(annotation):
                sets[param.name] = annotation
                shown += [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, annotation=f.type,
                                            default=f.default) for f in dataclasses.fields(annotation)]
            else:
                shown.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                           default=declare(name, param.name, param.default)))

        def run_command(ctx: typer.Context, **kwargs: Any) -> None:
            run: Run = ctx.obj
            for param_name, option_set in sets.items():
                kwargs[param_name] = option_set(**{f.name: kwargs.pop(f.name) for f in dataclasses.fields(option_set)})
            if kwargs.get("as_json"):
                run = dataclasses.replace(run, output="json")
            boundary(lambda: fn(run, **kwargs))

        run_command.__name__ = fn.__name__
        run_command.__doc__ = fn.__doc__
        run_command.__signature__ = inspect.Signature(shown)  # type: ignore[attr-defined]
        run_command.__annotations__ = {}  # typer reads them from the signature, already evaluated
        run_command.command_spec = (name, kw)  # type: ignore[attr-defined]
        return run_command

    return decorate


def boundary(call: Callable[[], None]) -> None:
    """Run ``call``, with the tool's errors turned into one line and an exit code."""
    try:
        call()
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
    except typer.Abort:  # a question (typer.confirm) left unanswered: as typer says it, in the language
        sys.stderr.write(_("Aborted.") + "\n")
        raise typer.Exit(1) from None
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0) from None


def register(app: typer.Typer, *commands: Callable[..., None]) -> None:
    """Add ``commands`` (made by ``command``) to ``app``, in this order."""
    for fn in commands:
        name, kw = fn.command_spec  # type: ignore[attr-defined]
        app.command(name, cls=Command, **{"options_metavar": N_("[OPTIONS]"), **kw})(fn)


def command_group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """A group of subcommands (`rectify NAME ...`), added to ``app``."""
    group = typer.Typer(cls=AppGroup, no_args_is_help=True, help=help, options_metavar=N_("[OPTIONS]"),
                        subcommand_metavar=N_("COMMAND [ARGS]..."))
    app.add_typer(group, name=name)
    return group


def ledger_path(run: Run) -> Path:
    from rectify.paths import ledger_path as resolve

    return resolve(run.db)[0]


def open_ledger(run: Run, write: bool = False):
    from rectify.store import Ledger

    return Ledger.open(ledger_path(run), write=write)


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


def read_and_show(run: Run, read: Callable[[Ledger], T], render: str, as_json: bool) -> None:
    """The body of a command that only reads: open the ledger, ``read`` from
    it, close it; then print what was read as JSON with --json, or else show
    it with ``render``, a function of rectify.render named "module.function".
    The renderer is imported only then, so that --json never loads rich."""
    with closing(open_ledger(run)) as led:
        data = read(led)
    if as_json:
        emit_json(data)
        return
    module, name = render.rsplit(".", 1)
    getattr(importlib.import_module(f"rectify.render.{module}"), name)(data)


def output_file(run: Run, raw: str | None) -> Path | None:
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
    return guard_output(run, path)


def guard_output(run: Run, path: Path | str) -> Path:
    """``paths.guard_output`` against the ledger of the run."""
    from rectify.paths import guard_output as guard

    return guard(path, ledger_path(run))


@overload
def find_round(ledger: Ledger, text: str) -> dict: ...
@overload
def find_round(ledger: Ledger, text: str | None) -> dict | None: ...


def find_round(ledger: Ledger, text: str | None) -> dict | None:
    """The round named by ``--round`` (a dict), or None when none is given."""
    if text is None:
        return None
    from rectify.rounds import find_round as find

    return find(ledger, text)


class closing:
    """``with closing(open_ledger(run)) as led``: the ledger closed at the end,
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


def write_text(path: Path, text: str) -> None:
    """Whole or not at all (``paths.atomic_write``)."""
    from rectify.paths import atomic_write

    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def plain_text(draw) -> str:
    """What ``draw(console)`` prints, as plain text."""
    import io

    from rectify.render.console import file_console

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

        from rectify.render.console import console

        self.bar = Progress(console=console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(self.label or _("Importing"), total=self.total)
        return lambda done, total: self.bar.update(task, completed=done)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
