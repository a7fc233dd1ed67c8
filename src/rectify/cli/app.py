"""The app: ``build_app(language)`` makes the one command-line application
and registers every command group on it, in the order ``rectify --help``
lists them; ``main`` chooses the language and runs it (the ``rectify``
script, through ``rectify.__main__``).

The interface language is chosen in one place, ``choose_language``: the
root option ``--lang`` (before the command), then RECTIFY_LANG, then the
locale. The texts the command modules declare are translated when the app
runs (``wording.localize``), so one process can build apps in both languages.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Optional

import typer

from rectify import __version__
from rectify.cli import admin, complete, completion, exchange, lookback, problems, reports, returns, rounds, tasks, undo
from rectify.cli.common import AppGroup
from rectify.cli.context import Run
from rectify.cli.wording import localize
from rectify.errors import ExitCode, RectifyError
from rectify.i18n import N_, _, detect, normalize, set_language
from rectify.text import printable

ROOT_OPTIONS_WITH_VALUE = ("--db", "--lang")


def choose_language(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """The interface language of ``rectify ARGV``: the root option ``--lang``
    (only before the command: a command's own options are its own), then
    RECTIFY_LANG, then the locale. A ``--lang`` that is not a language is
    left to the root option to refuse."""
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--lang" and i + 1 < len(args):
            if normalize(args[i + 1]):
                return normalize(args[i + 1])  # type: ignore[return-value]
            break
        if arg.startswith("--lang="):
            if normalize(arg.split("=", 1)[1]):
                return normalize(arg.split("=", 1)[1])  # type: ignore[return-value]
            break
        if arg in ROOT_OPTIONS_WITH_VALUE:
            i += 2
            continue
        if not arg.startswith("-"):  # the command: what follows is its own
            break
        i += 1
    return detect(environ)


def _version(value: bool) -> None:
    if value:
        print(f"rectify {__version__}")
        raise typer.Exit()


def _typer_completion(value: bool) -> None:
    """typer's own --install-completion/--show-completion: rectify prints its
    script with ``rectify completion SHELL`` instead (it is added where the
    user chooses, and shows the ledger's ids, units and owners)."""
    if value:
        from rectify.errors import InputError

        raise InputError(_("rectify does not install its completion itself: add the output of "
                           "`rectify completion bash` (or zsh, fish) to your shell's start-up file; "
                           "see `rectify completion --help`."))


def build_app(language: str = "en") -> typer.Typer:
    """The application in ``language`` ("en" or "zh"), every command registered."""
    language = normalize(language) or "en"

    class App(AppGroup):
        def main(self, *args, **kwargs):
            # Each run: this language, and the texts of this command tree in it.
            set_language(language)
            localize(self)
            return super().main(*args, **kwargs)

        def _main_shell_completion(self, ctx_args, prog_name, complete_var=None):
            # A shell asking what may follow (_RECTIFY_COMPLETE): click's
            # protocol, answered by `complete` (typer's would refuse bash_source).
            complete.respond(self, ctx_args, prog_name, complete_var)

    if language == "zh":
        from rectify import rich_cjk

        rich_cjk.install()

    app = typer.Typer(
        name="rectify",
        cls=App,
        help=N_(
            "rectify: a rectification ledger for inspection and audit findings.\n\n"
            "Record each problem's tasks, classify them as immediate or long-term, "
            "follow their progress and close them against evidence.\n\n"
            "Example: rectify add \"Revise the procurement rules\" --kind long_term --due 2027-03-31 --unit Finance"
        ),
        epilog=N_("The ledger file: `rectify where`. Exit codes: 0 ok, 1 internal error, 2 bad input, "
                  "3 not found, 4 forbidden by the ledger's rules, 5 ledger file refused, 6 import refused, 7 check failed."),
        no_args_is_help=True,
        add_completion=False,
        options_metavar=N_("[OPTIONS]"),
        subcommand_metavar=N_("COMMAND [ARGS]..."),
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        db: Optional[str] = typer.Option(None, "--db", metavar=N_("PATH"), envvar=None,
                                         help=N_("The ledger file (default: RECTIFY_DB, then your data folder).")),
        lang: Optional[str] = typer.Option(None, "--lang", metavar="zh|en",
                                           help=N_("Language: zh or en (default: RECTIFY_LANG, then the locale).")),
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                     help=N_("Show the version and exit.")),
        no_pager: bool = typer.Option(False, "--no-pager", help=N_("Never page long output (see RECTIFY_PAGER).")),
        install_completion: bool = typer.Option(False, "--install-completion", "--show-completion", hidden=True,
                                                callback=_typer_completion, is_eager=True),
    ) -> None:
        from rectify.render import pager

        pager.use(not no_pager)
        chosen = language
        if lang:
            if normalize(lang) is None:
                raise typer.BadParameter(_("use zh or en."), param_hint="'--lang'")
            chosen = set_language(lang)
        ctx.obj = Run(db=db, language=chosen)

    tasks.register(app)
    exchange.register(app)
    reports.register(app)
    admin.register(app)
    returns.register(app)
    rounds.register(app)
    lookback.register(app)
    undo.register(app)
    problems.register(app)
    completion.register(app)
    return app


def main(argv: list[str] | None = None) -> None:
    import signal

    args = sys.argv[1:] if argv is None else argv
    try:
        # From here on Ctrl-C is a KeyboardInterrupt again: a command rolls
        # back and says so in one line (`command`), and anything else exits 130.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        build_app(choose_language(args))(args=args, prog_name="rectify")
    except RectifyError as e:  # raised outside a command, e.g. by the clock
        sys.stderr.write(_("rectify: error: {message}").format(message=printable(e.message, newlines=False)) + "\n")
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as e:  # a bug: one line, not a traceback, unless asked
        if os.environ.get("RECTIFY_DEBUG"):
            raise
        sys.stderr.write(
            _("rectify: internal error: {error}. Please report it; rerun with RECTIFY_DEBUG=1 for details.").format(
                error=printable(f"{type(e).__name__}: {e}", newlines=False)) + "\n")
        sys.exit(ExitCode.FAILURE)
