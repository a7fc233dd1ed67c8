"""Where the terminal renderers write: the consoles (plain when NO_COLOR is
set or the stream is not a terminal), the colour of each band, and the way
text reaches stdout (``show``, through the pager). Both rectify.render.terminal
and rectify.render.report_text stand on this module; it imports neither.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import IO

from rich.console import Console

BAND_STYLES = {"red": "bold red", "yellow": "yellow", "blue": "cyan"}


def is_plain(stream: IO[str] | None = None) -> bool:
    stream = stream or sys.stdout
    return bool(os.environ.get("NO_COLOR")) or not stream.isatty()


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if is_plain(stream):
        width = int(os.environ.get("COLUMNS", 0) or 0) or 160
        return Console(file=stream, color_system=None, highlight=False, width=width, soft_wrap=False,
                       emoji=False, markup=False)
    return Console(file=stream, highlight=False, emoji=False, markup=False)


def file_console(stream: IO[str], width: int = 110) -> Console:
    """A console writing plain text to ``stream`` (a file or a buffer)."""
    return Console(file=stream, color_system=None, highlight=False, width=width, soft_wrap=False,
                   emoji=False, markup=False)


def drawn(draw: Callable[[Console], None]) -> str:
    """What ``draw(console)`` prints on stdout's console, as text (the
    reports of rectify.render.report_text draw on a console)."""
    con = console()
    buffer = io.StringIO()
    if con.color_system is None:
        draw(file_console(buffer, width=con.width))
    else:
        draw(Console(file=buffer, force_terminal=True, color_system="truecolor" if con.color_system == "truecolor" else
                     "256" if con.color_system == "256" else "standard", width=con.width,
                     highlight=False, emoji=False, markup=False))
    return buffer.getvalue()


def show(text: str) -> None:
    """Text for stdout: through the pager when it is long and stdout is a
    terminal (rectify.render.pager)."""
    from rectify.render.pager import page

    page(text)
