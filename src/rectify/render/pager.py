"""A pager for long output on a terminal, as git does it.

Output goes through a pager only when stdout is a terminal and the output is
taller than the screen. The pager is RECTIFY_PAGER, else PAGER, else
``less``; an empty value or ``cat`` turns it off, as does ``--no-pager``.
``less`` gets ``LESS=FRX`` unless LESS is set (quit when the text fits,
keep colours, leave the text on the screen). Pipes, files and ``--json``
never see a pager: they are not written through ``page``.

Cheap to import: the CLI's root option imports it on every start.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

_enabled = True


def use(enabled: bool) -> None:
    """``--no-pager`` turns the pager off for this run."""
    global _enabled
    _enabled = enabled


def command(environ: dict | None = None) -> str | None:
    """The pager to run, or None when it is turned off."""
    env = os.environ if environ is None else environ
    for name in ("RECTIFY_PAGER", "PAGER"):
        if name in env:
            value = env[name].strip()
            return None if value in ("", "cat") else value
    return "less"


def wanted(text: str, stream: TextIO, environ: dict | None = None) -> str | None:
    """The pager command when ``text`` should be paged on ``stream``."""
    if not _enabled:
        return None
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    import shutil

    height = shutil.get_terminal_size().lines
    if text.count("\n") < height:
        return None
    return command(environ)


def page(text: str, stream: TextIO | None = None) -> None:
    """Write ``text`` to stdout, through the pager when it is long and
    stdout is a terminal."""
    stream = stream or sys.stdout
    pager = wanted(text, stream)
    if pager is None:
        stream.write(text)
        return
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    stream.flush()
    try:
        proc = subprocess.Popen(pager, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        stream.write(text)
        return
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode(getattr(stream, "encoding", None) or "utf-8", errors="replace"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):  # the reader quit early (q in less)
        pass
    while True:
        try:
            proc.wait()
            break
        except KeyboardInterrupt:  # ^C belongs to the pager, as in git
            continue
    if proc.returncode == 127:  # the shell found no such pager: the text still reaches the screen
        stream.write(text)
