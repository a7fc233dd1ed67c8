"""Option sets declared once, for the commands that share them.

Each set is a frozen dataclass whose fields are typer options (``Annotated``):
a command takes the set as one parameter (``filters: TaskFilters``) and
``common.command`` puts the set's options on its command line in that place.
The help texts are marked with ``N_``: ``wording.localize`` translates them
once the language of the run is known. (No ``from __future__ import
annotations`` here: the fields' annotations are read as objects, not
evaluated from strings at every start.)
"""

from dataclasses import dataclass
from typing import Annotated, Any, Optional

import typer

from rectify.cli import complete
from rectify.i18n import N_

# One declaration per option that several commands or sets take.
# Each completes from the ledger (``completion``: Tab in a shell).
Unit = Annotated[Optional[str], typer.Option("--unit", "-u", help=N_("Responsible unit."),
                                             autocompletion=complete.when_completing(complete.units))]
Owner = Annotated[Optional[str], typer.Option("--owner", "-o", help=N_("Person responsible."),
                                              autocompletion=complete.when_completing(complete.owners))]
Leader = Annotated[Optional[str], typer.Option("--leader", help=N_("Leader in charge."),
                                               autocompletion=complete.when_completing(complete.leaders))]
Category = Annotated[Optional[str], typer.Option("--category", "-c", help=N_("Problem category."),
                                                 autocompletion=complete.when_completing(complete.categories))]
JSON_HELP = N_("Print JSON (stable; see README).")
ROUND_HELP = N_("The round (inspection, audit or visit), by name or id: see `rectify round list`.")
AsJson = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Round = Annotated[Optional[str], typer.Option("--round", "-r", metavar=N_("ROUND"), help=ROUND_HELP,
                                              autocompletion=complete.when_completing(complete.rounds))]

@dataclass(frozen=True)
class TaskFields:
    """The fields of a task that ``add`` and ``edit`` both set."""

    kind: Annotated[Optional[str], typer.Option(
        "--kind", "-k", help=N_("immediate or long_term."), autocompletion=complete.when_completing(complete.kinds))] = None
    unit: Unit = None
    owner: Owner = None
    leader: Leader = None
    helper: Annotated[Optional[list[str]], typer.Option("--helper", help=N_("A helper; repeat for more."))] = None
    target: Annotated[Optional[str], typer.Option(
        "--target", "-t", help=N_("Target: the result that counts as fixed."))] = None
    note: Annotated[Optional[str], typer.Option("--note", help=N_("Remarks."))] = None
    category: Category = None
    problem: Annotated[Optional[int], typer.Option(
        "--problem", "-p", help=N_("Id of the problem this task answers."), autocompletion=complete.when_completing(complete.problems))] = None

    def given(self) -> "dict[str, Any]":
        """The ledger's fields as typed (None where an option was not given);
        ``helpers`` joined into one text."""
        return {"kind": self.kind, "unit": self.unit, "owner": self.owner, "leader": self.leader,
                "helpers": join_people(self.helper), "target": self.target, "note": self.note,
                "category": self.category}


@dataclass(frozen=True)
class TaskFilters:
    """Which tasks: the filters of ``list``, taken by ``export`` too."""

    overdue: Annotated[bool, typer.Option("--overdue", help=N_("Only overdue tasks."))] = False
    due_within: Annotated[Optional[str], typer.Option(
        "--due-within", metavar=N_("DAYS"), help=N_("Only tasks due within this span: 7d, 2w."))] = None
    kind: Annotated[Optional[str], typer.Option(
        "--kind", "-k", help=N_("immediate, long_term or none."), autocompletion=complete.when_completing(complete.kind_filters))] = None
    status: Annotated[Optional[list[str]], typer.Option(
        "--status", "-s", help=N_("open, in_progress, submitted, closed, cancelled; repeatable."),
        autocompletion=complete.when_completing(complete.states))] = None
    unit: Unit = None
    owner: Owner = None
    leader: Leader = None
    problem: Annotated[Optional[int], typer.Option(
        "--problem", "-p", help=N_("Problem id."), autocompletion=complete.when_completing(complete.problems))] = None
    category: Category = None
    search: Annotated[Optional[str], typer.Option(
        "--search", "-S", help=N_("Text in the measure, target, problem, unit or people."))] = None
    round: Round = None
    due_before: Annotated[Optional[str], typer.Option("--due-before", metavar=N_("DATE"), help=N_(
        "Only tasks due on or before this day, in any form `add --due` takes: eom, next friday, 2027-03-31."))] = None
    due_after: Annotated[Optional[str], typer.Option("--due-after", metavar=N_("DATE"), help=N_(
        "Only tasks due on or after this day."))] = None

    def validated(self, *, all_: bool = False, review: bool = False) -> dict[str, Any]:
        """The filters for ``ledger.list_tasks``, checked (the round is found
        later, in the ledger: ``round`` here is as typed)."""
        from rectify import dates
        from rectify.model import parse_status
        from rectify.vocabulary import parse_kind_filter as kind_filter

        kind = self.kind
        return {
            "overdue": self.overdue,
            "due_within": dates.parse_duration_days(self.due_within) if self.due_within else None,
            "kind": kind_filter(kind) if kind else None,
            "status": [parse_status(s) for s in self.status] if self.status else None,
            "unit": self.unit, "owner": self.owner, "leader": self.leader, "problem": self.problem,
            "category": self.category, "search": self.search,
            "all": all_ or bool(self.status) or review, "review": review,
            "due_before": dates.parse_date(self.due_before).isoformat() if self.due_before else None,
            "due_after": dates.parse_date(self.due_after).isoformat() if self.due_after else None,
        }


def parse_kind_filter(kind: str | None) -> str | None:
    """A --kind filter: a kind, or "none" for tasks without one."""
    return TaskFilters(kind=kind).validated()["kind"]


def join_people(names: list[str] | None) -> str | None:
    """Names given one per option as the ledger keeps them: one text, joined
    with 、 when any is Chinese."""
    if not names:
        return None
    sep = "、" if any("\u4e00" <= ch <= "\u9fff" for n in names for ch in n) else ", "
    return sep.join(n.strip() for n in names if n.strip()) or None
