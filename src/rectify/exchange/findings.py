"""What an import does to the tasks already in the ledger, as a person reads
it: one line per task and field (old → new), each state change named in
words ("claims done: task 7", "conflict: deadline changed in the ledger since
the export"). The plan's findings (``importer.Plan.findings``) are the data;
``--json`` gives them as they are.
"""

from __future__ import annotations

from rectify import dates
from rectify.i18n import _
from rectify.model import STATUS_LABELS, field_label


def _value(field: str | None, value) -> str:
    if value is None or value == "":
        return _("(empty)")
    if field == "status" and value in STATUS_LABELS:
        return _(STATUS_LABELS[value])
    if field == "due":
        return dates.show_date(str(value))
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


def describe(f: dict) -> str:
    """One finding as a line."""
    what, task, field = f["what"], f["task"], f["field"]
    label = field_label(field)
    old, new = _value(field, f["old"]), _value(field, f["new"])
    if what == "change":
        return _("task {id}: {field} {old} → {new}").format(id=task, field=label, old=old, new=new)
    if what == "conflict":
        return _("conflict: task {id}: {field} changed in the ledger since the export ({exported} → {now}); "
                 "the sheet says {new}: the ledger's value stays").format(
            id=task, field=label, exported=_value(field, f.get("exported")), now=old, new=new)
    if what == "claim":
        return _("claims done: task {id} (no evidence yet: a progress note; see `rectify list --claimed`)").format(id=task)
    if what == "submit":
        return _("claims done: task {id}, with evidence: submitted for checking ({old} → {new})").format(
            id=task, old=old, new=new)
    if what == "start":
        return _("task {id}: started ({old} → {new})").format(id=task, old=old, new=new)
    if what == "extension":
        return _("extension requested: task {id}: deadline {old} → {new} (`rectify extend requests`)").format(
            id=task, old=old, new=new)
    if what == "refused":
        return _("not applied: task {id}: the sheet says {new}, the ledger {old}: {why}").format(
            id=task, new=new, old=old, why=_why(f.get("why")))
    if what == "note":
        return _("task {id}: progress note: {text}").format(id=task, text=new)
    if what == "evidence":
        return _("task {id}: evidence: {text}").format(id=task, text=new)
    return f"{what}: {task}"


def _why(why: str | None) -> str:
    return {
        "finished": _("a sheet does not reopen or revive a task"),
        "cancel": _("a sheet does not cancel a task"),
        "backwards": _("a sheet does not move a task backwards"),
        "pending": _("an extension request is pending already"),
        "close": _("a sheet does not close a task: a checker closes it"),
    }.get(why or "", why or "")
