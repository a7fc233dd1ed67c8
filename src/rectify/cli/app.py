"""The app: ``build_app`` makes the one command-line application and adds
every command group to it, in the order ``rectify --help`` lists them;
``main`` runs it (the ``rectify`` script, through ``rectify.__main__``).
"""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from rectify import __version__
from rectify.cli import admin, exchange, lookback, reports, rounds, tasks
from rectify.cli.common import Group, use_ledger
from rectify.errors import ExitCode, RectifyError
from rectify.i18n import _, is_zh, set_language
from rectify.text import printable


def _version(value: bool) -> None:
    if value:
        print(f"rectify {__version__}")
        raise typer.Exit()


def root(
    db: Optional[str] = typer.Option(None, "--db", metavar=_("PATH"), envvar=None,
                                     help=_("The ledger file (default: RECTIFY_DB, then your data folder).")),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh|en",
                                       help=_("Language: zh or en (default: RECTIFY_LANG, then the locale).")),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help=_("Show the version and exit.")),
) -> None:
    use_ledger(db)
    if lang:
        from rectify.i18n import normalize

        if normalize(lang) is None:
            raise typer.BadParameter(_("use zh or en."), param_hint="'--lang'")
        set_language(lang)


def build_app() -> typer.Typer:
    """The application with every command registered, in the current language."""
    if is_zh():  # typer's and click's own words too (help panels, usage errors)
        from rectify import typer_zh

        typer_zh.install()
    app = typer.Typer(
        name="rectify",
        cls=Group,
        help=_(
            "rectify: a rectification ledger for inspection and audit findings.\n\n"
            "Record each problem's tasks, classify them as immediate or long-term, "
            "follow their progress and close them against evidence.\n\n"
            "Example: rectify add \"Revise the procurement rules\" --kind long_term --due 2027-03-31 --unit Finance"
        ),
        epilog=_("The ledger file: `rectify where`. Exit codes: 0 ok, 1 internal error, 2 bad input, "
                 "3 not found, 4 forbidden by the ledger's rules, 5 ledger file refused, 6 import refused, 7 check failed."),
        no_args_is_help=True,
        add_completion=False,
        options_metavar=_("[OPTIONS]"),
        subcommand_metavar=_("COMMAND [ARGS]..."),
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    tasks.register(app)
    exchange.register(app)
    reports.register(app)
    admin.register(app)
    rounds.register(app)
    lookback.register(app)
    return app


def main(argv: list[str] | None = None) -> None:
    import signal

    try:
        # From here on Ctrl-C is a KeyboardInterrupt again: a command rolls
        # back and says so in one line (`command`), and anything else exits 130.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        build_app()(args=argv, prog_name="rectify")
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

