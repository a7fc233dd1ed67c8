"""Rich output for people: tables that line up Chinese text, the colour bands.

Plain (no colour, no box lines) when NO_COLOR is set or stdout is not a
terminal, so the output pipes cleanly into grep, less or a file.

Every entry point takes its data through ``printable_data`` first: a control
character in a title or a file name is shown escaped, never sent to the
terminal (rectify.text).
"""

from __future__ import annotations

import os
import sys

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from rectify import dates
from rectify.i18n import N_, _, ngettext
from rectify.model import ACTION_LABELS, field_label, kind_label, status_label
from rectify.text import printable_data

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


class Foldable:
    """Text that may break anywhere: Chinese has no spaces to wrap at, so rich
    would otherwise measure a whole title as one unbreakable word, refuse to
    narrow its column, and let the table overflow a narrow terminal."""

    def __init__(self, text: str | Text, minimum: int = 4):
        self.text = text if isinstance(text, Text) else Text(text)
        self.text.overflow = "fold"
        self.minimum = minimum

    def __rich_measure__(self, console: Console, options) -> Measurement:
        width = cell_len(self.text.plain) if "\n" not in self.text.plain else max(
            cell_len(line) for line in self.text.plain.splitlines())
        return Measurement(min(self.minimum, width), width)

    def __rich_console__(self, console: Console, options):
        yield self.text


def due_text(task: dict, *, weekday: bool = True) -> Text:
    """The deadline, in the task's colour band."""
    return Text(dates.show_day(task.get("due"), weekday=weekday), style=BAND_STYLES.get(task.get("band") or "", ""))


def late_text(task: dict) -> Text:
    """How many days an overdue task is late, for the list's "Late" column."""
    if not task.get("overdue"):
        return Text("")
    days = dates.days_late(task["due"])
    return Text(ngettext("{n} day", "{n} days", days).format(n=days), style=BAND_STYLES["red"])


def status_text(status: str) -> Text:
    return Text(status_label(status), style=STATUS_STYLES.get(status, ""))


MEASURE_WIDTH = 20  # cells the measure should keep before optional columns go


def task_table(tasks: list[dict], total: int, offset: int = 0, *, hint: str | None = None) -> None:
    tasks = printable_data(tasks)
    con = console()
    if not tasks:
        console(stderr=True).print(_("No tasks match."))
        return
    # Columns that never wrap keep their width; unit, owner and measure fold
    # (Chinese has no spaces to wrap at). On a narrow terminal the weekday of
    # Chinese dates goes first, then the "Late" column, so that the measure
    # keeps about MEASURE_WIDTH cells and no line is cut off.
    late = any(t.get("overdue") for t in tasks)
    weekday = True

    def fixed_width() -> int:
        texts = [[_("ID")] + [str(t["id"]) for t in tasks],
                 [_("Due")] + [dates.show_day(t.get("due"), weekday=weekday) for t in tasks],
                 [_("Kind")] + [kind_label(t["kind"]) for t in tasks],
                 [_("Status")] + [status_label(t["status"]) for t in tasks],
                 [_("%")] + [str(t["progress"]) for t in tasks]]
        if late:
            texts.append([_("Late")] + [late_text(t).plain for t in tasks])
        flexible = (min(8, max(cell_len(t["unit"] or "") for t in tasks))
                    + min(6, max(cell_len(t["owner"] or "") for t in tasks)))
        gap = 2 if con.color_system is None else 3
        return sum(max(cell_len(x) for x in col) for col in texts) + flexible + gap * (len(texts) + 2)

    if fixed_width() + MEASURE_WIDTH > con.width:
        weekday = False
    if late and fixed_width() + MEASURE_WIDTH > con.width:
        late = False
    columns = [
        (_("ID"), {"justify": "right", "no_wrap": True}),
        (_("Due"), {"no_wrap": True}),
        *([(_("Late"), {"no_wrap": True})] if late else []),
        (_("Kind"), {"no_wrap": True}),
        (_("Status"), {"no_wrap": True}),
        (_("Unit"), {"max_width": 16}),
        (_("Owner"), {"max_width": 10}),
        (_("Measure"), {"ratio": 1, "min_width": 8}),
        (_("%"), {"justify": "right", "no_wrap": True}),
    ]
    table = _table(con, *columns)
    for t in tasks:
        cells = [str(t["id"]), due_text(t, weekday=weekday), *([late_text(t)] if late else []),
                 kind_label(t["kind"]), status_text(t["status"]), Foldable(t["unit"] or ""),
                 Foldable(t["owner"] or ""), Foldable(t["title"]), str(t["progress"])]
        table.add_row(*cells)
    con.print(table)
    shown_to = offset + len(tasks)
    if shown_to < total or offset:
        note = _("Showing {first}-{last} of {total}.").format(first=offset + 1, last=shown_to, total=total)
        if shown_to < total:
            note += " " + (hint or _("{more} more: use --page or --limit.").format(more=total - shown_to))
        console(stderr=True).print(note)


def task_detail(task: dict) -> None:
    task = printable_data(task)
    con = console()
    plain = con.color_system is None
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="" if plain else "bold", no_wrap=True)
    grid.add_column()
    problem = task.get("problem")
    due = due_text(task)
    if task.get("overdue"):
        due.append("  " + dates.show_late(dates.days_late(task["due"])), style="bold red")
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
        (_("Created"), dates.show_time(task.get("created"))),
        (_("Closed"), _("{when} by {checker}").format(when=dates.show_time(task["closed_at"]), checker=task["closed_by"])
         if task.get("closed_at") else None),
        *lookback_rows(task),
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
            con.print(f"  {dates.show_day(ev['added'])}  {line}")
    kept = task.get("kept") or []
    if kept:
        con.print()
        con.print(Text(_("Cells kept from an import"), style="" if plain else "bold"))
        for cell in kept:
            mark = _("to review") if cell["review"] else _("kept as text")
            line = _("row {row}, {header} ({mark}): {text}").format(
                row=cell["row"], header=cell["header"], mark=mark, text=cell["text"])
            con.print(Text("  " + line))
            if cell["reason"]:
                con.print(Text("    " + cell["reason"]))
    if task.get("history"):
        con.print()
        history_table(task["history"], con=con)


def lookback_rows(task: dict) -> list[tuple[str, str | None]]:
    """The look-back of a task in ``show``: its re-check, the task it is a
    relapse of, and the tasks its relapses opened."""
    rows: list[tuple[str, str | None]] = [
        (_("Re-check due"), dates.show_date(task["recheck_due"]) if task.get("recheck_due") else None),
        (_("Relapse of"), _("task {id}").format(id=task["relapse_of"]) if task.get("relapse_of") else None),
    ]
    for check in (task.get("lookback") or {}).get("rechecks", []):
        text = _("{when}: {result}, checked by {checker}").format(
            when=dates.show_day(check["at"]), result=_(RESULT_LABELS[check["result"]]), checker=check["checker"])
        if check["relapse_task_id"]:
            text += "; " + _("new task {id}").format(id=check["relapse_task_id"])
        rows.append((_("Re-checked"), text))
    return rows


RESULT_LABELS = {"held": N_("held"), "relapsed": N_("relapsed")}


def describe_event(ev: dict) -> str:
    """One line of history, in words."""
    action, field = ev["action"], ev["field"]
    if action == "add":
        return _("added")
    if action == "recheck" and field is None:
        return _("re-check: {result}").format(result=_(RESULT_LABELS.get(ev["new"], ev["new"] or ""))) + (
            f"  ({ev['note']})" if ev["note"] else "")
    if action == "relapse":
        return _("opened by a relapse of task {id}").format(id=ev["new"]) + (f"  ({ev['note']})" if ev["note"] else "")
    if action == "sample":
        return _("drawn in look-back sample {id}").format(id=ev["new"])
    if action == "notice":
        return _("named in notice {number}").format(number=ev["new"])
    if action == "notice_reply":
        return _("notice {number} answered: {note}").format(number=ev["new"], note=ev["note"] or "")
    if action == "extend_request":
        return _("extension to {due} requested: {reason}").format(due=_show_value("due", ev["new"]), reason=ev["note"] or "")
    if action in ("extend_approve", "extend_refuse"):
        text = (_("extension to {due} approved") if action == "extend_approve" else _("extension to {due} refused")).format(
            due=_show_value("due", ev["new"]))
        return text + (f"  ({ev['note']})" if ev["note"] else "")
    if action == "progress":
        text = ev["note"] or ""
        if ev["old"] != ev["new"]:
            text += f"  ({ev['old']}% → {ev['new']}%)"
        return text
    if action == "evidence":
        return _("evidence: {what}").format(what=ev["new"] or ev["note"] or "")
    if action == "reviewed":
        return _("the cells kept from the import were read and the fields set")
    if action == "outcome":
        return _("outcome {id}: {what}").format(id=ev["new"], what=ev["note"] or "")
    if action == "withdraw":
        return _("outcome {id} withdrawn (reason: {reason})").format(id=ev["old"], reason=ev["note"] or "")
    if field == "status":
        text = f"{status_label(ev['old'])} → {status_label(ev['new'])}"
    elif field == "kind":
        text = _("{field}: {old} → {new}").format(field=field_label("kind"), old=kind_label(ev["old"]) or "-", new=kind_label(ev["new"]))
    else:
        old, new = (_show_value(field, ev[k]) for k in ("old", "new"))
        text = _("{field}: {old} → {new}").format(field=field_label(field), old=old or "-", new=new or "-")
    if ev["note"] and action != "progress":
        text += "  " + _note_text(action, ev["note"])
    return text


def _note_text(action: str, note: str) -> str:
    if action in ("reject", "reopen", "cancel", "extend"):
        return _("(reason: {reason})").format(reason=note)
    if note == "auto" and action == "classify":
        return _("(proposed by classify --auto)")
    return f"({note})"


# Actions whose note is the reason or remark of the whole action, shown once
# for the action (the other actions' notes are their content: a progress note).
_SHARED_NOTE = ("edit", "classify", "start", "submit", "close", "reject", "reopen", "cancel", "extend", "round")


def describe_action(events: list[dict]) -> str:
    """One line of history for the events one command wrote: each change,
    the reason once. The closing time is left out when it is the moment
    of the action (the When column)."""
    first = events[0]
    if len(events) == 1:
        return describe_event(first)
    notes = {ev["note"] for ev in events if ev["action"] in _SHARED_NOTE and ev["note"]}
    shared = notes.pop() if len(notes) == 1 else None
    parts = []
    for ev in events:
        if ev["field"] == "closed_at" and ev["new"] == first["at"]:
            continue
        if shared is not None and ev["action"] in _SHARED_NOTE and ev["note"] == shared:
            ev = {**ev, "note": None}
        parts.append(describe_event(ev))
    text = _("; ").join(parts)
    if shared is not None:
        text += "  " + _note_text(first["action"], shared)
    return text


def _show_value(field: str | None, value: str | None) -> str | None:
    """An old or new value in the history, dates as people read them."""
    if not value:
        return value
    try:
        if field == "due":
            return dates.show_date(value)
        if field == "closed_at":
            return dates.show_time(value)
    except ValueError:
        pass
    return value


def history_table(events: list[dict], con: Console | None = None) -> None:
    events = printable_data(events)
    con = con or console()
    table = _table(con, (_("When"), {"no_wrap": True}), (_("Action"), {"no_wrap": True}),
                   (_("By"), {"max_width": 12}), (_("Change"), {"ratio": 1}))
    from rectify.ledger import actions

    for group in actions(events):  # one line per user action
        ev = group[0]
        action = ACTION_LABELS.get(ev["action"])
        table.add_row(dates.show_time(ev["at"]), _(action) if action else ev["action"],
                      ev["actor"] or _("(unknown)"), describe_action(group))
    con.print(table)


def problem_table(problems: list[dict]) -> None:
    problems = printable_data(problems)
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


def round_table(rounds: list[dict]) -> None:
    from rectify.model import round_kind_label

    con = console()
    if not rounds:
        console(stderr=True).print(_("No rounds recorded: add one with `rectify round add NAME`."))
        return
    table = _table(con, (_("ID"), {"justify": "right"}), (_("Round"), {"ratio": 1}), (_("Kind"), {"no_wrap": True}),
                   (_("Fed back"), {"no_wrap": True}), (_("Issued by"), {"max_width": 20}),
                   (_("Problems"), {"justify": "right"}), (_("Tasks"), {"justify": "right"}))
    for r in rounds:
        table.add_row(str(r["id"]), r["name"], round_kind_label(r["kind"]),
                      dates.show_date(r["fed_back"]) if r["fed_back"] else "", r["issuer"] or "",
                      str(r["problems"]), str(r["tasks"]))
    con.print(table)


def outcome_list(data: dict) -> None:
    """``rectify outcomes``: one line per entry, then the totals."""
    from rectify.model import money_kind_label
    from rectify.render import problems as P
    from rectify.render.report_text import print_table
    from rectify.rounds import yuan

    con = console()
    if not data["outcomes"]:
        console(stderr=True).print(_("No outcomes recorded."))
        return
    table = _table(con, (_("ID"), {"justify": "right"}), (_("Task"), {"justify": "right"}),
                   (_("Recorded"), {"no_wrap": True}), (_("Type"), {"no_wrap": True}), (_("Outcome"), {"ratio": 1}),
                   (_("Unit"), {"max_width": 14}), (_("Category"), {"max_width": 14}))
    types = {"rule": _("rule"), "people": _("people"), "other": _("other")}
    for o in data["outcomes"]:
        if o["type"] == "rule":
            what = "  ".join(x for x in (o["title"], o["doc_no"], dates.show_date(o["issued"]) if o["issued"] else None) if x)
        elif o["type"] == "money":
            what = _("{yuan} yuan").format(yuan=yuan(o["fen"])) + (f"  {o['what']}" if o["what"] else "")
        elif o["type"] == "people":
            what = ngettext("{n} person", "{n} people", o["people"]).format(n=o["people"]) + (
                f"  {o['form']}" if o["form"] else "")
        else:
            what = o["text"]
        kind = money_kind_label(o["money_type"]) if o["type"] == "money" else types[o["type"]]
        table.add_row(str(o["id"]), str(o["task_id"]), dates.show_time(o["at"]), kind, what,
                      o["unit"] or "", o["category"] or "")
    con.print(table)
    from rectify.render.report_text import file_console

    plain = file_console(con.file, width=con.width) if con.color_system is None else con
    print_table(plain, P.outcome_table({"outcomes": data["totals"]}), band_cells=())


# -- the look-back and supervision ---------------------------------------------------


def _nothing(message: str) -> None:
    console(stderr=True).print(message)


def recheck_table(tasks: list[dict]) -> None:
    if not tasks:
        _nothing(_("No re-check is due."))
        return
    con = console()
    table = _table(con, (_("ID"), {"justify": "right"}), (_("Re-check due"), {"no_wrap": True}),
                   (_("Closed"), {"no_wrap": True}), (_("Kind"), {"no_wrap": True}), (_("Unit"), {"max_width": 16}),
                   (_("Owner"), {"max_width": 10}), (_("Measure"), {"ratio": 1}))
    for t in tasks:
        due = Text(dates.show_day(t["recheck_due"]), style=BAND_STYLES["red"] if t.get("recheck_overdue") else "")
        table.add_row(str(t["id"]), due, dates.show_day(t["closed_at"]), kind_label(t["kind"]),
                      Foldable(t["unit"] or ""), Foldable(t["owner"] or ""), Foldable(t["title"]))
    con.print(table)


def sample_table(samples: list[dict]) -> None:
    if not samples:
        _nothing(_("No sample drawn yet: `rectify lookback sample --rate 20%`."))
        return
    con = console()
    table = _table(con, (_("ID"), {"justify": "right"}), (_("Drawn"), {"no_wrap": True}), (_("Seed"), {}),
                   (_("Sampled"), {"justify": "right"}), (_("Checked"), {"justify": "right"}),
                   (_("Held"), {"justify": "right"}), (_("Relapsed"), {"justify": "right"}), (_("Note"), {"ratio": 1}))
    for s in samples:
        table.add_row(str(s["id"]), dates.show_day(s["at"]), s["seed"], f"{s['sampled']}/{s['population']}",
                      str(s["checked"]), str(s["held"]), str(s["relapsed"]), s["note"] or "")
    con.print(table)


def notice_state(n: dict) -> Text:
    if n["replied_at"]:
        return Text(_("answered {date}").format(date=dates.show_day(n["replied_at"])), style="green")
    if n["reply_overdue"]:
        return Text(_("reply overdue"), style=BAND_STYLES["red"])
    if n["awaiting"]:
        return Text(_("awaiting reply"))
    return Text(_("no reply asked"), style="dim")


def notice_table(notices: list[dict]) -> None:
    from rectify.supervision import kind_label as notice_kind

    if not notices:
        _nothing(_("No notices."))
        return
    con = console()
    table = _table(con, (_("Number"), {"no_wrap": True}), (_("Kind"), {"no_wrap": True}), (_("Unit"), {"max_width": 16}),
                   (_("Issued"), {"no_wrap": True}), (_("Reply by"), {"no_wrap": True}), (_("Tasks"), {"justify": "right"}),
                   (_("State"), {}))
    for n in notices:
        table.add_row(n["number"], notice_kind(n["kind"]), Foldable(n["unit"] or ""), dates.show_day(n["issued"]),
                      dates.show_day(n["reply_by"]) if n["reply_by"] else "", str(len(n["tasks"])), notice_state(n))
    con.print(table)


def notice_detail(notice: dict, tasks: list[dict]) -> None:
    from rectify.supervision import kind_label as notice_kind

    con = console()
    plain = con.color_system is None
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="" if plain else "bold", no_wrap=True)
    grid.add_column()
    rows = [(_("Kind"), notice_kind(notice["kind"])), (_("Unit"), notice["unit"]),
            (_("Issued"), dates.show_time(notice["issued"])),
            (_("Reply by"), dates.show_date(notice["reply_by"]) if notice["reply_by"] else None),
            (_("State"), notice_state(notice)), (_("Reply"), notice["reply_note"]), (_("Replied by"), notice["replied_by"])]
    for name, value in rows:
        if value:
            grid.add_row(name, value)
    con.print(Text(_("Notice {number}").format(number=notice["number"]), style="" if plain else "bold underline"))
    con.print(grid)
    con.print()
    task_table(tasks, len(tasks))


def request_table(requests: list[dict]) -> None:
    if not requests:
        _nothing(_("No extension requests."))
        return
    con = console()
    table = _table(con, (_("Request"), {"justify": "right"}), (_("Task"), {"justify": "right"}),
                   (_("Requested"), {"no_wrap": True}), (_("From"), {"no_wrap": True}), (_("To"), {"no_wrap": True}),
                   (_("State"), {"no_wrap": True}), (_("Unit"), {"max_width": 16}), (_("Reason"), {"ratio": 1}))
    from rectify.supervision import STATUS_LABELS

    for r in requests:
        state = Text(_(STATUS_LABELS[r["status"]]))
        if r["late"]:
            state.append("  " + _("late"), style=BAND_STYLES["red"])
        table.add_row(str(r["id"]), str(r["task_id"]), dates.show_day(r["at"]), dates.show_day(r["old_due"]),
                      dates.show_day(r["new_due"]), state, Foldable(r["unit"] or ""), Foldable(r["reason"]))
    con.print(table)
