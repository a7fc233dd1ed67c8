"""``rectify returns``: the return register (see rectify.returns)."""

from __future__ import annotations

from typing import Optional

import typer

from rectify.cli.common import closing, command, emit_json, open_ledger, out, say
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import JSON_HELP
from rectify.i18n import N_, _, ngettext, pgettext


@command("returns", help=N_(
    "Which units returned their sheet in a period, and which have not: every import is recorded (unit, time, "
    "file name, sha256, export stamp, what it changed). The units expected are those with unfinished tasks.\n\n"
    "Example: rectify returns --since 2026-11-18"))
def returns_cmd(
    run: Run,
    since: Optional[str] = typer.Option(None, "--since", metavar=N_("DATE"), help=N_(
        "The start of the period (default: a week ago).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from rectify import dates, returns

    start = dates.parse_date(since) if since else None
    with closing(open_ledger(run)) as led:
        data = returns.period(led, start)
    if as_json:
        emit_json(data)
        return
    out(_("Returned since {date}:").format(date=dates.show_date(data["since"])))
    for r in data["returned"]:
        out("  " + _("{at}  {unit}  {file}  added {added}, updated {updated}, {unchanged} unchanged; "
                     "{claims} claims, {conflicts} conflicts; {stamp}").format(
            at=dates.show_time(r["at"]), unit=r["unit"] or _("(unit not known)"), file=r["file"], added=r["added"],
            updated=r["updated"], unchanged=r["unchanged"], claims=r["claims"], conflicts=r["conflicts"],
            stamp=_("exported {at}").format(at=dates.show_time(r["exported_at"])) if r["exported_at"]
            else _("no export stamp")))
    if not data["returned"]:
        out("  " + pgettext("nothing", "none"))
    out(_("Not returned:"))
    for unit in data["missing"]:
        out("  " + unit)
    if not data["missing"]:
        out("  " + pgettext("nothing", "none"))
    say(ngettext("{n} unit with unfinished tasks has not returned a sheet.",
                 "{n} units with unfinished tasks have not returned a sheet.", len(data["missing"])).format(
        n=len(data["missing"])))


def register(app: typer.Typer) -> None:
    add_commands(app, returns_cmd)
