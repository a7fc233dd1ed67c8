"""``rectify undo``: take back your own last action (see rectify.undo)."""

from __future__ import annotations

import typer

from rectify.cli.common import closing, command, emit_json, open_ledger, out, say
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import AsJson
from rectify.i18n import N_, _


@command("undo", help=N_(
    "Take back your own last action (the last command recorded under your name, `rectify where`) with a "
    "compensating change: the history keeps both, marked \"undone\". Every task the action changed goes back "
    "(`close 4 5` is one action); a second undo goes one further back. An undo is never undone itself (there is "
    "no redo). An added task is cancelled (its history kept). Refused, with nothing changed, when a later action "
    "changed the same fields, or for an import (restore a backup), evidence, an outcome or a look-back record. "
    "A close is recorded as its checker's (--by).\n\n"
    "Example: rectify undo --dry-run"))
def undo_cmd(
    run: Run,
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help=N_("Only show what would be undone.")),
    as_json: AsJson = False,
) -> None:
    from rectify import undo as U

    with closing(open_ledger(run)) as led:  # a refusal leaves no ledger file behind
        done = U.undo(led, dry_run=True)
    if not dry_run:
        with closing(open_ledger(run, write=True)) as led:
            done = U.undo(led)
    if as_json:
        emit_json(done)
        return
    from rectify.dates import show_time
    from rectify.render.terminal import describe_event

    what = U.describe(done["action"], done["tasks"])
    when = show_time(done["at"])
    if dry_run:
        say(_("Would undo: {what} ({when}).").format(what=what, when=when))
    else:
        say(_("Undone: {what} ({when}).").format(what=what, when=when))
    for change in done["changes"]:
        text = describe_event({"id": 0, "at": done["at"], "action": "undo", "field": change["field"],
                               "old": change["old"], "new": change["new"], "note": None, "actor": done["actor"],
                               "command": done["command"]})
        out(_("task {id}: {change}").format(id=change["task"], change=text))
    for task_id in done["cancels"]:
        say((_("Task {id} would be cancelled; its history is kept.") if dry_run else
             _("Task {id} is cancelled; its history is kept.")).format(id=task_id))


def register(app: typer.Typer) -> None:
    add_commands(app, undo_cmd)
