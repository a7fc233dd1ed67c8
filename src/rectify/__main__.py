"""The entry point (the ``rectify`` script and ``python -m rectify``).

It does the three things that must happen before the CLI module is imported:
Ctrl-C is made a quiet exit (130) for as long as start-up lasts, since a
KeyboardInterrupt raised inside an import would print its traceback;
``--version`` alone answers without loading typer at all (cold start is
measured against the bare interpreter); and ``--lang`` is read early because
the help texts are translated when the CLI module builds them. ``cli.main``
gives Ctrl-C back to Python once it can turn it into one line.
"""

import os
import signal
import sys


def _interrupted_at_start(signum, frame) -> None:
    os._exit(130)  # nothing has been read or written yet: nothing to undo or say


signal.signal(signal.SIGINT, _interrupted_at_start)


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from rectify import __version__

        print(f"rectify {__version__}")
        return
    from rectify.i18n import set_language

    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            set_language(argv[i + 1])
        elif arg.startswith("--lang="):
            set_language(arg.split("=", 1)[1])
    from rectify.cli.app import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
