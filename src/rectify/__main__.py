"""The entry point (the ``rectify`` script and ``python -m rectify``).

It does the two things that must happen before the CLI is imported: Ctrl-C
is made a quiet exit (130) for as long as start-up lasts, since a
KeyboardInterrupt raised inside an import would print its traceback; and
``--version`` alone answers without loading typer at all (cold start is
measured against the bare interpreter). ``cli.app.main`` chooses the
language, builds the app in it and gives Ctrl-C back to Python once it can
turn it into one line.
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
    from rectify.cli.app import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
