"""``rectify undo``: take back the user's own last action with a compensating
change recorded in the history, which is never deleted or rewritten.

An action is what one command wrote in one transaction: its events share
``command`` (store.Ledger.record). The user's last action is the latest
command whose events are recorded as the user's (``Ledger.user``), not an
undo itself and not undone already: a second undo goes one further back, and
an undo is never undone (undo does not redo).

The way back of each field the action changed (old <- new) is written by
``ledger.apply_changes`` as ``undo`` events, one transaction, their note
naming the undone command (``notes.note("undo", ...)``), so the history shows
both. A state goes back only the way a transition came (``model.UNDO_MOVES``);
an undone ``add`` cancels the task (its history is kept). Refused, with one
line and nothing changed: nothing to undo; a field the action changed was
changed since by another action that is not itself undone (the message says
by whom and how), or, when the action changed a state, the task was acted
on at all since; an action that wrote more than task fields (evidence, an
import, an outcome, a look-back record, a round move ...); a change to a
closed or cancelled task that the action did not close or cancel.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rectify import ledger as L
from rectify import notes
from rectify.notes import UNDOABLE
from rectify.errors import RuleError
from rectify.i18n import N_, _, ngettext
from rectify.model import ACTION_LABELS, FINISHED, TRANSITIONS, UNDO_MOVES, field_label, status_label
from rectify.rules import check_move
from rectify.store import Ledger

if TYPE_CHECKING:
    from rectify.contracts import UndoChange, UndoResult


# Why an action of another kind is not undone, and what to do instead.
REFUSALS = {
    "import": N_("an import changes many tasks at once and records the sheet; to take it back, restore the "
                 "backup made before it (`rectify backup`, see README \"Backup and check\")"),
    "evidence": N_("evidence once attached stays on record with its file; attach the right file, and say in a "
                   "progress note which one counts"),
    "outcome": N_("withdraw the outcome instead: `rectify outcome withdraw ID --reason ...`"),
    "problem": N_("edit the problem back instead: `rectify problem edit ID --text ...`"),
    "round": N_("a round move changes the problem and all its tasks; move it back with `rectify edit ID --round ...`"),
}
OTHER_REFUSAL = N_("it records more than a task's fields (a look-back, a notice, an extension request, a review); "
                   "record what corrects it instead")

UNDO_NOTE = "undo"  # the code of an undo's note (rectify.notes)


# The commands undone so far, as an SQL subquery, for the readers of the
# history that take an action's events as they were recorded (the weekly's
# extensions granted, the report's progress notes, an export's latest note):
# ``not_undone()`` leaves out the events of an undone action. The note is
# ``notes.note``'s JSON, whose "command" is read as the number after its key.
# An undo counts where it names an earlier command that wrote on the same
# task: the ids in the notes of a history brought in by a JSON import are
# those of the ledger it came from, and name nothing here.
def undone_sql(until: str | None = None) -> str:
    """The subquery of the commands undone (by the moment the parameter
    ``until`` names, when given: a report of a past day)."""
    bound = f" AND at <= :{until}" if until else ""
    return f"""(SELECT u.target FROM (
        SELECT task_id, command, CAST(substr(note, instr(note, '"command": ') + 11) AS INTEGER) AS target
        FROM event WHERE action = 'undo'{bound}) u
    WHERE u.target < u.command AND EXISTS (SELECT 1 FROM event d WHERE d.task_id = u.task_id AND d.command = u.target))"""


def not_undone(alias: str = "", until: str | None = None) -> str:
    """An SQL condition on ``event`` (as ``alias``): the event's action was
    not undone (by the moment the parameter ``until`` names)."""
    a = f"{alias}." if alias else ""
    return f"({a}command IS NULL OR {a}command NOT IN {undone_sql(until)})"


def _target(note: str | None) -> int | None:
    """The command an undo event's stored note names."""
    prefix = f"{notes.PREFIX}{UNDO_NOTE} "
    if not note or not note.startswith(prefix):
        return None
    try:
        value = json.loads(note[len(prefix):]).get("command")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _undone(ledger: Ledger) -> set[int]:
    """The commands undone so far."""
    return {c for (c,) in ledger.conn.execute(undone_sql()[1:-1]) if c}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def last_action(ledger: Ledger, user: str | None, undone: set[int]) -> list[dict]:
    """The events of the user's last action not undone (not an undo), oldest
    first; a RuleError when there is none."""
    rows = ledger.conn.execute("SELECT id, command FROM event WHERE actor IS ? AND action != 'undo' ORDER BY id DESC",
                               (user,))
    for row in rows:
        command = row["command"]
        if command is None:
            raise RuleError(_("Your last recorded action (event {id}) predates the grouping of actions in the history "
                              "(an older ledger): it cannot be undone safely.").format(id=row["id"]))
        if command in undone:
            continue
        return [dict(r) for r in ledger.query(
            "SELECT id, task_id, at, action, field, old, new, note, actor, command FROM event "
            "WHERE id >= ? AND command = ? ORDER BY id", (command, command))]
    who = user or _("(unknown)")
    raise RuleError(_("Nothing to undo: no action recorded as {name} is left to undo.").format(name=who))


def _tasks_phrase(ids: list[int]) -> str:
    return ngettext("task {ids}", "tasks {ids}", len(ids)).format(ids=_(", ").join(str(i) for i in ids))


def describe(action: str, tasks: list[int]) -> str:
    """"close of tasks 4, 5": the undone action in a message."""
    word = UNDOABLE.get(action)
    return _("{action} of {tasks}").format(action=_(word) if word else action, tasks=_tasks_phrase(tasks))


def _imported(ledger: Ledger, events: list[dict]) -> bool:
    """Whether the events are an import's: one of them has a note the importer
    generated, or the return register has a sheet imported by the same
    person at that moment (a returned sheet that only moved a state or added
    a progress note writes the events any command would; the register row
    is written in the same transaction, within a second or two of them)."""
    if any((ev["note"] or "").startswith(notes.PREFIX) for ev in events):
        return True
    from datetime import datetime, timedelta

    try:
        start, end = (datetime.fromisoformat(events[i]["at"]) for i in (0, -1))
    except ValueError:
        return False
    slack = timedelta(seconds=2)
    return bool(ledger.scalar("SELECT count(*) FROM returned_sheet WHERE actor IS ? AND at BETWEEN ? AND ?",
                              (events[0]["actor"], (start - slack).isoformat(), (end + slack).isoformat())))


def _refuse_kind(ledger: Ledger, events: list[dict]) -> None:
    first = events[0]
    imported = _imported(ledger, events)
    odd = "import" if imported else next((ev["action"] for ev in events if ev["action"] not in UNDOABLE), None)
    if odd is None:
        return
    tasks = list(dict.fromkeys(ev["task_id"] for ev in events))
    why = REFUSALS.get(odd, OTHER_REFUSAL)
    label = _(ACTION_LABELS[odd]) if odd in ACTION_LABELS else odd
    raise RuleError(_("Your last action ({label}, {tasks}, {when}) cannot be undone: {why}.").format(
        label=label, tasks=_tasks_phrase(tasks), when=_moment(first["at"]), why=_(why)))


def _moment(at: str) -> str:
    from rectify.dates import show_time

    return show_time(at)


def _neutral(ev: dict, start: int, undone: set[int]) -> bool:
    """A later event that changes nothing in the end: one of an action undone
    since ``start``, or an undo of such an action."""
    if ev["command"] in undone and ev["command"] > start:
        return True
    target = _target(ev["note"]) if ev["action"] == "undo" else None
    return target is not None and target in undone and target > start


def _conflict(ledger: Ledger, task_id: int, fields: set[str] | None, last: int, start: int,
              undone: set[int]) -> None:
    """A RuleError naming the first later change to these fields of the task
    (any change, for ``fields`` None) that is not itself undone."""
    for row in ledger.query("SELECT id, at, action, field, old, new, note, actor, command FROM event "
                           "WHERE task_id = ? AND id > ? ORDER BY id", (task_id, last)):
        ev = dict(row)
        if _neutral(ev, start, undone) or (fields is not None and ev["field"] not in fields):
            continue
        label = _(ACTION_LABELS[ev["action"]]) if ev["action"] in ACTION_LABELS else ev["action"]
        details = [label] + ([field_label(ev["field"])] if ev["field"] else []) + [_moment(ev["at"])]
        message = _("Cannot undo: task {id} was changed since by {name} ({details}); undo only takes back your "
                    "own last action while no later action changed the same fields.").format(
            id=task_id, name=ev["actor"] or _("(unknown)"), details=_(", ").join(details))
        if ev["action"] == "close" and ev["actor"]:  # typed by a clerk, recorded as the checker's
            message += " " + _("A close is recorded as its checker's action: to take it back, undo as {name} "
                               "(RECTIFY_USER=\"{name}\" rectify undo), or reopen it with a reason.").format(name=ev["actor"])
        raise RuleError(message)


def plan(ledger: Ledger, user: str | None) -> tuple[list[dict], UndoResult, dict[int, dict]]:
    """What undoing the user's last action would change: (its events, the
    JSON result with ``dry_run`` True, the restored fields per task). A
    RuleError when it cannot be undone."""
    undone = _undone(ledger)
    events = last_action(ledger, user, undone)
    _refuse_kind(ledger, events)
    first, last = events[0], events[-1]["id"]
    tasks = list(dict.fromkeys(ev["task_id"] for ev in events))
    added = [ev["task_id"] for ev in events if ev["action"] == "add"]
    restore: dict[int, dict] = {}
    changes: list[UndoChange] = []
    for task_id in tasks:
        current = L.task_row(ledger, task_id)
        mine = [ev for ev in events if ev["task_id"] == task_id and ev["field"]]
        if task_id in added:
            _conflict(ledger, task_id, None, last, first["command"], undone)
            check_move(task_id, current, "cancel", has_evidence=False)
            wanted = {"status": TRANSITIONS["cancel"][1]}
        else:
            fields = {ev["field"] for ev in mine}
            # A state is what later work builds on (a re-check, a sample, a notice, a note): any later action stands in the way.
            _conflict(ledger, task_id, None if "status" in fields else fields, last, first["command"], undone)
            wanted = {}
            for ev in mine:  # the value before the action: the first event's old, per field
                wanted.setdefault(ev["field"], ev["old"])
            after = {ev["field"]: ev["new"] for ev in mine}
            for field, value in after.items():
                if _text(current.get(field)) != value:
                    raise RuleError(_("Cannot undo: the {field} of task {id} is no longer what your action set "
                                      "({value}).").format(field=field_label(field), id=task_id, value=value or "-"))
            if "status" in wanted:
                if (current["status"], wanted["status"]) not in UNDO_MOVES:
                    raise RuleError(_("Cannot undo: task {id} cannot go back from {now} to {then}.").format(
                        id=task_id, now=status_label(current["status"]), then=status_label(wanted["status"])))
            elif current["status"] in FINISHED:
                raise RuleError(_("Cannot undo: task {id} is {status} now; reopen it first, or record the correction "
                                  "with `rectify edit`.").format(id=task_id, status=status_label(current["status"])))
        restore[task_id] = wanted
        changes += [{"task": task_id, "field": f, "old": _text(current.get(f)), "new": v}
                    for f, v in wanted.items() if _text(current.get(f)) != v]
    result: UndoResult = {"command": first["command"], "action": first["action"], "at": first["at"],
                          "actor": first["actor"], "tasks": tasks, "changes": changes, "cancels": added,
                          "dry_run": True}
    return events, result, restore


def undo(ledger: Ledger, *, dry_run: bool = False) -> UndoResult:
    """Undo the ledger user's last action (see the module's text); with
    ``dry_run``, only say what it would change."""
    user = ledger.user()[0]
    if dry_run or not ledger.exists:
        return plan(ledger, user)[1]
    with ledger.transaction():
        events, result, restore = plan(ledger, user)
        note = notes.note(UNDO_NOTE, command=result["command"], action=result["action"], at=result["at"])
        now = ledger.timestamp()
        for task_id, wanted in restore.items():
            if not L.apply_changes(ledger, task_id, L.task_row(ledger, task_id), wanted, "undo", note=note, now=now):
                # Nothing to put back (a progress note that kept the percentage): the undo is recorded all the same.
                ledger.record(task_id, "undo", note=note, at=now)
    return {**result, "dry_run": False}
