"""``rectify problem edit``: correct a problem (a finding) as fed back: its
text, category, source or code, with the change in the history (see
``ledger.edit_problem``). The list of problems is ``rectify problems``
(rectify.cli.tasks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from rectify.cli.common import closing, command, command_group, emit_json, open_ledger, say
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import AsJson
from rectify.errors import InputError
from rectify.i18n import N_, _

if TYPE_CHECKING:
    from rectify.contracts import ProblemEdited

PROBLEM_HELP = N_("Correct a problem (a finding) as it was fed back. The problems are listed by `rectify problems`.\n\n"
                  "Example: rectify problem edit 3 --text \"Procurement rules not revised since 2019\"")


@command("edit", help=N_(
    "Change a problem's text, category, source or code. The change is recorded in the history of each of its "
    "tasks and of the ledger; a new category goes to the tasks that had the problem's category. A text that "
    "another problem of the same round already has is refused: merge the two by moving the tasks "
    "(`rectify edit TASK --problem ID`). An empty value clears the category, source or code.\n\n"
    "Example: rectify problem edit 3 --text \"Procurement rules not revised since 2019\" --category Procurement"))
def edit_cmd(
    run: Run,
    problem_id: int = typer.Argument(..., metavar=N_("ID")),
    text: Optional[str] = typer.Option(None, "--text", help=N_("The problem as fed back (its description).")),
    category: Optional[str] = typer.Option(None, "--category", "-c", help=N_("Problem category.")),
    source: Optional[str] = typer.Option(None, "--source", help=N_("Where it was found: the report, the visit.")),
    code: Optional[str] = typer.Option(None, "--code", help=N_("The problem's number in the feedback list.")),
    as_json: AsJson = False,
) -> None:
    from rectify import ledger as L

    changes = {"description": text, "category": category, "source": source, "code": code}
    if all(v is None for v in changes.values()):
        raise InputError(_("Nothing to change: give --text, --category, --source or --code."))
    if text is not None:
        L.clean_text(text, "problem description", required=True)  # before a ledger file is made
    with closing(open_ledger(run)) as led:
        L.get_problem(led, problem_id)  # an unknown id leaves no ledger file behind
    with closing(open_ledger(run, write=True)) as led:
        changed = L.edit_problem(led, problem_id, changes)
        problem = L.get_problem(led, problem_id)
    if as_json:
        edited: ProblemEdited = {**problem, "changed": changed}  # type: ignore[typeddict-item]
        emit_json(edited)
        return
    if changed:
        from rectify.model import field_label

        say(_("Problem {id}: changed {fields}.").format(id=problem_id, fields=_(", ").join(
            field_label(L.PROBLEM_FIELDS[f]) for f in changed)))
    else:
        say(_("Problem {id}: nothing changed.").format(id=problem_id))


def register(app: typer.Typer) -> None:
    add_commands(command_group(app, "problem", PROBLEM_HELP), edit_cmd)
