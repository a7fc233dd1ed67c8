"""The context object of one run of the command line.

The root callback makes it from ``--db`` and the language the app was built
in, and typer hands it to every command as ``ctx.obj``; the command modules
receive it as their first parameter (``run``, see ``common.command``). It is
frozen: a command that needs another ledger (``demo``) makes a new one with
``dataclasses.replace``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime


def system_clock() -> datetime:
    """``dates.now``: the local time, or RECTIFY_NOW (dates loads when first read)."""
    from rectify import dates

    return dates.now()


@dataclass(frozen=True)
class Run:
    """What one run of ``rectify`` works with."""

    db: str | None = None  # the ledger file as --db gave it; None: RECTIFY_DB, then the default
    language: str = "en"  # the interface language, "en" or "zh"
    clock: Callable[[], datetime] = field(default=system_clock)  # the one clock (RECTIFY_NOW)
    output: str = "text"  # "json" for a command given --json

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()
