"""Rich output for people: tables that line up Chinese text, the colour bands.

Plain (no colour, no box lines) when NO_COLOR is set or stdout is not a
terminal, so the output pipes cleanly into grep, less or a file.
"""

from __future__ import annotations

import os
import sys

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rectify.i18n import _
from rectify.model import kind_label, status_label

BAND_STYLES = {"red": "bold red", "yellow": "yellow", "blue": "cyan"}
STATUS_STYLES = {"closed": "green", "cancelled": "dim", "submitted": "magenta", "in_progress": "", "open": ""}


def is_plain(stream=None) -> bool:
    stream = stream or sys.stdout
    return bool(os.environ.get("NO_COLOR")) or not stream.isatty()


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if is_plain(stream):
        width = int(os.environ.get("COLUMNS", 0) or 0) or 160
        return Console(file=stream, color_system=None, highlight=False, width=width, soft_wrap=False,
                       emoji=False, markup=False)
    return Console(file=stream, highlight=False, emoji=False, markup=False)


def _table(con: Console, *columns, **kw) -> Table:
    plain = con.color_system is None
    table = Table(box=None if plain else box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  header_style="" if plain else "bold", **kw)
    for col in columns:
        if isinstance(col, tuple):
            name, opts = col
            table.add_column(name, **opts)
        else:
            table.add_column(col)
    return table


def due_text(task: dict) -> Text:
    due = task.get("due") or ""
    return Text(due, style=BAND_STYLES.get(task.get("band") or "", ""))


def status_text(status: str) -> Text:
    return Text(status_label(status), style=STATUS_STYLES.get(status, ""))


def task_table(tasks: list[dict], total: int, offset: int = 0, *, hint: str | None = None) -> None:
    con = console()
    if not tasks:
        console(stderr=True).print(_("No tasks match."))
        return
    table = _table(
        con,
        (_("ID"), {"justify": "right", "no_wrap": True}),
        (_("Due"), {"no_wrap": True}),
        (_("Kind"), {"no_wrap": True}),
        (_("Status"), {"no_wrap": True}),
        (_("Unit"), {"max_width": 16}),
        (_("Owner"), {"max_width": 10}),
        (_("Measure"), {"ratio": 1, "min_width": 20}),
        (_("%"), {"justify": "right", "no_wrap": True}),
    )
    for t in tasks:
        table.add_row(str(t["id"]), due_text(t), kind_label(t["kind"]), status_text(t["status"]),
                      t["unit"] or "", t["owner"] or "", t["title"], str(t["progress"]))
    con.print(table)
    shown_to = offset + len(tasks)
    if shown_to < total or offset:
        note = _("Showing {first}-{last} of {total}.").format(first=offset + 1, last=shown_to, total=total)
        if shown_to < total:
            note += " " + (hint or _("{more} more: use --page or --limit.").format(more=total - shown_to))
        console(stderr=True).print(note)


def task_detail(task: dict) -> None:
    con = console()
    plain = con.color_system is None
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="" if plain else "bold", no_wrap=True)
    grid.add_column()
    problem = task.get("problem")
    due = due_text(task)
    if task.get("overdue"):
        due.append("  " + _("overdue"), style="bold red")
    rows = [
        (_("Measure"), task["title"]),
        (_("Target"), task.get("target")),
        (_("Problem"), (f"#{problem['id']} " + problem["description"]) if problem else None),
        (_("Category"), task.get("category")),
        (_("Kind"), kind_label(task.get("kind")) or _("unset")),
        (_("Status"), status_text(task["status"])),
        (_("Progress"), f"{task['progress']}%"),
        (_("Due"), due if task.get("due") else _("none")),
        (_("Leader"), task.get("leader")),
        (_("Unit"), task.get("unit")),
        (_("Owner"), task.get("owner")),
        (_("Helpers"), task.get("helpers")),
        (_("Note"), task.get("note")),
        (_("Created"), task.get("created")),
        (_("Closed"), (f"{task['closed_at']}  {_('by')} {task['closed_by']}") if task.get("closed_at") else None),
        ("UID", task["uid"]),
    ]
    for label, value in rows:
        if value:
            grid.add_row(label, value)
    con.print(Text(_("Task {id}").format(id=task["id"]), style="" if plain else "bold underline"))
    con.print(grid)
    evidence = task.get("evidence") or []
    if evidence:
        con.print()
        con.print(Text(_("Evidence"), style="" if plain else "bold"))
        for ev in evidence:
            line = ev["name"] or ev["note"] or ""
            if ev["sha256"]:
                line += f"  sha256:{ev['sha256'][:12]}"
                if ev["note"]:
                    line += f"  ({ev['note']})"
            con.print(f"  {ev['added'][:10]}  {line}")
    if task.get("history"):
        con.print()
        history_table(task["history"], con=con)


def describe_event(ev: dict) -> str:
    """One line of history, in words."""
    action, field = ev["action"], ev["field"]
    if action == "add":
        return _("added")
    if action == "progress":
        text = ev["note"] or ""
        if ev["old"] != ev["new"]:
            text += f"  ({ev['old']}% → {ev['new']}%)"
        return text
    if action == "evidence":
        return _("evidence: {what}").format(what=ev["new"] or ev["note"] or "")
    if field == "status":
        text = f"{status_label(ev['old'])} → {status_label(ev['new'])}"
    elif field == "kind":
        text = f"{_('kind')}: {kind_label(ev['old']) or '-'} → {kind_label(ev['new'])}"
    else:
        text = f"{_(field) if field else ''}: {ev['old'] or '-'} → {ev['new'] or '-'}"
    if ev["note"] and action != "progress":
        text += f"  ({_('reason')}: {ev['note']})" if action in ("reject", "reopen", "cancel", "extend") else f"  ({ev['note']})"
    return text


ACTION_LABELS = {
    "add": "add", "edit": "edit", "classify": "classify", "progress": "progress",
    "evidence": "evidence", "start": "start", "submit": "submit", "close": "close",
    "reject": "reject", "reopen": "reopen", "cancel": "cancel", "extend": "extend", "import": "import",
}


def history_table(events: list[dict], con: Console | None = None) -> None:
    con = con or console()
    table = _table(con, (_("When"), {"no_wrap": True}), (_("Action"), {"no_wrap": True}),
                   (_("By"), {"max_width": 12}), (_("Change"), {"ratio": 1}))
    for ev in events:
        table.add_row(ev["at"].replace("T", " "), _(ACTION_LABELS.get(ev["action"], ev["action"])),
                      ev["actor"] or "", describe_event(ev))
    con.print(table)


def problem_table(problems: list[dict]) -> None:
    con = console()
    if not problems:
        console(stderr=True).print(_("No problems recorded."))
        return
    table = _table(con, (_("ID"), {"justify": "right"}), (_("Code"), {"no_wrap": True}),
                   (_("Category"), {"max_width": 14}), (_("Problem"), {"ratio": 1}),
                   (_("Tasks"), {"justify": "right"}), (_("Closed"), {"justify": "right"}))
    for p in problems:
        table.add_row(str(p["id"]), p["code"] or "", p["category"] or "", p["description"],
                      str(p["tasks"]), str(p["closed"] or 0))
    con.print(table)
