"""Terminal output for people: tables laid out by rectify.render.columns
(Chinese text lines up, the user's text gets the width and is never cut),
in the colour bands.

Plain (no colour, no trailing spaces) when NO_COLOR is set or stdout is not
a terminal, so the output pipes cleanly into grep, less or a file. Each
renderer makes lines of text from plain data; ``show`` writes them, through
the pager when they are long (rectify.render.pager).

Every entry point takes its data through ``printable_data`` first: a control
character in a title or a file name is shown escaped, never sent to the
terminal (rectify.text).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from rectify import dates
from rectify.i18n import N_, _, ngettext, pgettext
from rectify.model import ACTION_LABELS, field_label, kind_label, status_label
from rectify.render.columns import Column, lay_out, paragraph
from rectify.render.console import BAND_STYLES, console, drawn, show
from rectify.text import printable_data

if TYPE_CHECKING:
    from rectify.contracts import Event

STATUS_STYLES = {"closed": "green", "cancelled": "dim", "submitted": "magenta", "in_progress": "", "open": ""}


# -- text out: the renderers below make lines, these turn them into text -----------


def text_of(lines: list[Text], con: Console | None = None) -> str:
    """``lines`` as the text ``con`` (default: stdout's console) would show:
    plain, or with colour codes on a terminal. No line ends in spaces."""
    con = con or console()
    if con.color_system is None:
        return "".join(line.plain.rstrip() + "\n" for line in lines)
    with con.capture() as captured:
        for line in lines:
            con.print(line, crop=False, soft_wrap=True)
    return captured.get()


def _note(message: str) -> None:
    """A message for a person, on stderr, folded to its width."""
    con = console(stderr=True)
    sys.stderr.write(text_of(paragraph(message, con.width), console(stderr=True)))


def _bold(con_or_plain: Console | bool) -> str:
    plain = con_or_plain if isinstance(con_or_plain, bool) else con_or_plain.color_system is None
    return "" if plain else "bold"


def _lay_out(con: Console, columns: list[Column], *, header: bool = True) -> list[Text]:
    return lay_out(columns, con.width, header=header, header_style=_bold(con))


# -- cells ---------------------------------------------------------------------------


def due_text(task: dict, *, weekday: bool = True) -> Text:
    """The deadline, in the task's colour band."""
    return Text(dates.show_day(task.get("due"), weekday=weekday), style=BAND_STYLES.get(task.get("band") or "", ""))


def late_words(task: Mapping[str, Any], *, short: bool = False) -> str:
    """How many days an overdue task is late (``days_late``, computed by the
    ledger), for the list's "Late" column."""
    if not task.get("overdue"):
        return ""
    days = task.get("days_late", 0)
    if short:
        return _("{n}d").format(n=days)
    return ngettext("{n} day", "{n} days", days).format(n=days)


def status_text(status: str) -> Text:
    return Text(status_label(status), style=STATUS_STYLES.get(status, ""))


def task_columns(tasks: Sequence[Mapping[str, Any]], *, late: bool) -> list[Column]:
    """The columns of the task list: the measure wraps and gets the width;
    kind, state, deadline and days late have short forms for a narrow
    terminal; unit and owner wrap only when the measure would be too narrow."""
    band = [BAND_STYLES.get(t.get("band") or "", "") for t in tasks]
    columns = [
        Column(_("ID"), [str(t["id"]) for t in tasks], right=True),
        Column(_("Due"), [dates.show_day(t.get("due")) for t in tasks], styles=band,
               short=[dates.show_day(t.get("due"), weekday=False, compact=True) for t in tasks],
               short_header=pgettext("short", "Due")),
    ]
    if late:
        columns.append(Column(_("Late"), [late_words(t) for t in tasks], styles=[BAND_STYLES["red"]] * len(tasks),
                              short=[late_words(t, short=True) for t in tasks]))
    columns += [
        Column(_("Kind"), [kind_label(t["kind"]) for t in tasks], short=[kind_label(t["kind"], short=True) for t in tasks]),
        Column(_("Status"), [status_label(t["status"]) for t in tasks], styles=[STATUS_STYLES.get(t["status"], "")
                                                                               for t in tasks],
               short=[status_label(t["status"], short=True) for t in tasks]),
        Column(_("Unit"), [t["unit"] or "" for t in tasks], role="name", short_header=pgettext("short", "Unit")),
        Column(_("Owner"), [t["owner"] or "" for t in tasks], role="name"),
        Column(_("Measure"), [t["title"] for t in tasks], role="text"),
        Column(_("%"), [str(t["progress"]) for t in tasks], right=True),
    ]
    for col in columns:  # a column with a short header is shortened with the cells
        if col.short_header and col.short is None:
            col.short = col.cells
    return columns


def task_lines(tasks: Sequence[Mapping[str, Any]], width: int, *, header_style: str = "", late: bool | None = None) -> list[Text]:
    """The task list, fitted to ``width`` cells. The "Late" column is there
    whenever a task is overdue (always, in ``list --overdue``)."""
    tasks = printable_data(tasks)
    if late is None:
        late = any(t.get("overdue") for t in tasks)
    return lay_out(task_columns(tasks, late=late), width, header_style=header_style)


def task_table(tasks: Sequence[Mapping[str, Any]], total: int, offset: int = 0, *, hint: str | None = None) -> None:
    if not tasks:
        _note(_("No tasks match."))
        return
    con = console()
    show(text_of(task_lines(tasks, con.width, header_style=_bold(con)), con))
    page_note(len(tasks), total, offset, hint)


def page_note(shown: int, total: int, offset: int, hint: str | None = None) -> None:
    shown_to = offset + shown
    if shown_to < total or offset:
        note = _("Showing {first}-{last} of {total}.").format(first=offset + 1, last=shown_to, total=total)
        if shown_to < total:
            note += " " + (hint or _("{more} more: use --page or --limit.").format(more=total - shown_to))
        _note(note)


def detail_lines(task: Mapping[str, Any], width: int, *, plain: bool = True) -> list[Text]:
    """``rectify show``: the fields, the evidence, the kept cells, the
    history. Every text of the user's wraps; none is cut."""
    task = printable_data(task)
    bold = _bold(plain)
    problem = task.get("problem")
    due = dates.show_day(task.get("due"))
    if task.get("overdue"):
        due += "  " + dates.show_late(task.get("days_late", 0))
    rows = [
        (_("Measure"), task["title"], ""),
        (_("Target"), task.get("target"), ""),
        (_("Problem"), (f"#{problem['id']} " + problem["description"]) if problem else None, ""),
        (_("Category"), task.get("category"), ""),
        (_("Kind"), kind_label(task.get("kind")) or _("unset"), ""),
        (_("Status"), status_label(task["status"]), STATUS_STYLES.get(task["status"], "")),
        (_("Progress"), f"{task['progress']}%", ""),
        (_("Due"), due if task.get("due") else _("none"),
         "bold red" if task.get("overdue") else BAND_STYLES.get(task.get("band") or "", "")),
        (_("Leader"), task.get("leader"), ""),
        (_("Unit"), task.get("unit"), ""),
        (_("Owner"), task.get("owner"), ""),
        (_("Helpers"), task.get("helpers"), ""),
        (_("Note"), task.get("note"), ""),
        (_("Created"), dates.show_time(task.get("created")), ""),
        (_("Closed"), _("{when} by {checker}").format(when=dates.show_time(task["closed_at"]), checker=task["closed_by"])
         if task.get("closed_at") else None, ""),
        *((label, value, "") for label, value in lookback_rows(task)),
        ("UID", task["uid"], ""),
    ]
    rows = [row for row in rows if row[1]]
    lines = [Text(_("Task {id}").format(id=task["id"]), style="" if plain else "bold underline")]
    lines += lay_out([Column("", [label for label, _v, _s in rows], styles=[bold] * len(rows)),
                      Column("", [value for _l, value, _s in rows], role="text", styles=[s for _l, _v, s in rows])],
                     width, header=False)
    evidence = task.get("evidence") or []
    if evidence:
        lines += [Text(""), Text(_("Evidence"), style=bold)]
        for ev in evidence:
            line = f"{dates.show_day(ev['added'])}  " + (ev["name"] or ev["note"] or "")
            if ev["sha256"]:
                line += f"  sha256:{ev['sha256'][:12]}"
                if ev["note"]:
                    line += f"  ({ev['note']})"
            lines += paragraph(line, width, indent=2)
    kept = task.get("kept") or []
    if kept:
        lines += [Text(""), Text(_("Cells kept from an import"), style=bold)]
        for cell in kept:
            mark = _("to review") if cell["review"] else _("kept as text")
            lines += paragraph(_("row {row}, {header} ({mark}): {text}").format(
                row=cell["row"], header=cell["header"], mark=mark, text=cell["text"]), width, indent=2)
            if cell["reason"]:
                lines += paragraph(cell["reason"], width, indent=4)
    if task.get("history"):
        lines.append(Text(""))
        lines += history_lines(task["history"], width, header_style=bold)
    return lines


def task_detail(task: Mapping[str, Any]) -> None:
    con = console()
    show(text_of(detail_lines(task, con.width, plain=con.color_system is None), con))


def lookback_rows(task: Mapping[str, Any]) -> list[tuple[str, str | None]]:
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


def _state_text(status: str | None) -> str:
    return status_label(status) if status else "-"


def describe_event(ev: Event) -> str:
    """One line of history, in words."""
    action, field = ev["action"], ev["field"]
    if action == "add":
        return _("added")
    if action == "recheck" and field is None:
        return _("re-check: {result}").format(result=_(RESULT_LABELS.get(ev["new"] or "", ev["new"] or ""))) + (
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
    if action == "undo" and field is None:  # an undone action that changed no field (a progress note alone)
        return ev["note"] or _("nothing to put back")
    if action == "reviewed":
        return _("the cells kept from the import were read and the fields set")
    if action == "outcome":
        return _("outcome {id}: {what}").format(id=ev["new"], what=ev["note"] or "")
    if action == "withdraw":
        return _("outcome {id} withdrawn (reason: {reason})").format(id=ev["old"], reason=ev["note"] or "")
    if field == "status":
        text = f"{_state_text(ev['old'])} → {_state_text(ev['new'])}"
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
_SHARED_NOTE = ("edit", "classify", "start", "submit", "close", "reject", "reopen", "cancel", "extend", "round", "undo")


def describe_action(events: list[Event]) -> str:
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


def history_lines(events: list[Event], width: int, *, header_style: str = "") -> list[Text]:
    """A task's history: when, what, by whom, the change in words (wrapped)."""
    events = printable_data(events)
    from rectify.ledger import actions

    groups = actions(events)  # one line per user action
    labels = [ACTION_LABELS.get(group[0]["action"]) for group in groups]
    return lay_out([
        Column(_("When"), [dates.show_time(g[0]["at"]) for g in groups], short=[_when(g[0]["at"]) for g in groups]),
        Column(_("Action"), [_(a) if a else g[0]["action"] for a, g in zip(labels, groups)], role="name"),
        Column(_("By"), [g[0]["actor"] or _("(unknown)") for g in groups], role="name"),
        Column(_("Change"), [describe_action(g) for g in groups], role="text"),
    ], width, header_style=header_style)


def _when(at: str) -> str:
    """A moment in a narrow history: ``9月16日 11:00`` this year in Chinese."""
    clock = dates.show_time(at).rsplit(" ", 1)
    return f"{dates.show_day(at, weekday=False, compact=True)} {clock[-1]}" if len(clock) == 2 else clock[0]


def history_table(events: list[Event]) -> None:
    con = console()
    show(text_of(history_lines(events, con.width, header_style=_bold(con)), con))


def problem_table(problems: Sequence[Mapping[str, Any]]) -> None:
    problems = printable_data(problems)
    if not problems:
        _note(_("No problems recorded."))
        return
    con = console()
    show(text_of(_lay_out(con, [
        Column(_("ID"), [str(p["id"]) for p in problems], right=True),
        Column(_("Code"), [p["code"] or "" for p in problems]),
        Column(_("Category"), [p["category"] or "" for p in problems], role="name"),
        Column(_("Problem"), [p["description"] for p in problems], role="text"),
        Column(_("Tasks"), [str(p["tasks"]) for p in problems], right=True),
        Column(_("Closed"), [str(p["closed"] or 0) for p in problems], right=True),
    ]), con))


def round_table(rounds: list[dict]) -> None:
    from rectify.model import round_kind_label

    rounds = printable_data(rounds)
    if not rounds:
        _note(_("No rounds recorded: add one with `rectify round add NAME`."))
        return
    con = console()
    show(text_of(_lay_out(con, [
        Column(_("ID"), [str(r["id"]) for r in rounds], right=True),
        Column(_("Round"), [r["name"] for r in rounds], role="text"),
        Column(_("Kind"), [round_kind_label(r["kind"]) for r in rounds]),
        Column(_("Fed back"), [dates.show_date(r["fed_back"]) if r["fed_back"] else "" for r in rounds]),
        Column(_("Issued by"), [r["issuer"] or "" for r in rounds], role="name"),
        Column(_("Problems"), [str(r["problems"]) for r in rounds], right=True),
        Column(_("Tasks"), [str(r["tasks"]) for r in rounds], right=True),
    ]), con))


def outcome_list(data: Mapping[str, Any]) -> None:
    """``rectify outcomes``: one line per entry, then the totals."""
    from rectify.model import money_kind_label
    from rectify.render.problems import outcome_table
    from rectify.render.report_text import print_table
    from rectify.rounds import yuan

    data = printable_data(data)
    if not data["outcomes"]:
        _note(_("No outcomes recorded."))
        return
    types = {"rule": _("rule"), "people": _("people"), "other": _("other")}
    whats, kinds = [], []
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
        whats.append(what)
        kinds.append(money_kind_label(o["money_type"]) if o["type"] == "money" else types[o["type"]])
    rows = data["outcomes"]
    con = console()
    text = text_of(_lay_out(con, [
        Column(_("ID"), [str(o["id"]) for o in rows], right=True),
        Column(_("Task"), [str(o["task_id"]) for o in rows], right=True),
        Column(_("Recorded"), [dates.show_time(o["at"]) for o in rows]),
        Column(_("Type"), kinds),
        Column(_("Outcome"), whats, role="text"),
        Column(_("Unit"), [o["unit"] or "" for o in rows], role="name"),
        Column(_("Category"), [o["category"] or "" for o in rows], role="name"),
    ]), con)
    show(text + drawn(lambda c: print_table(c, outcome_table({"outcomes": data["totals"]}), band_cells=())))


# -- the look-back and supervision ---------------------------------------------------


def _nothing(message: str) -> None:
    _note(message)


def recheck_table(tasks: Sequence[Mapping[str, Any]]) -> None:
    tasks = printable_data(tasks)
    if not tasks:
        _nothing(_("No re-check is due."))
        return
    con = console()
    show(text_of(_lay_out(con, [
        Column(_("ID"), [str(t["id"]) for t in tasks], right=True),
        Column(_("Re-check due"), [dates.show_day(t["recheck_due"]) for t in tasks],
               styles=[BAND_STYLES["red"] if t.get("recheck_overdue") else "" for t in tasks]),
        Column(_("Closed"), [dates.show_day(t["closed_at"]) for t in tasks]),
        Column(_("Kind"), [kind_label(t["kind"]) for t in tasks], short=[kind_label(t["kind"], short=True) for t in tasks]),
        Column(_("Unit"), [t["unit"] or "" for t in tasks], role="name"),
        Column(_("Owner"), [t["owner"] or "" for t in tasks], role="name"),
        Column(_("Measure"), [t["title"] for t in tasks], role="text"),
    ]), con))


def sample_table(samples: list[dict]) -> None:
    samples = printable_data(samples)
    if not samples:
        _nothing(_("No sample drawn yet: `rectify lookback sample --rate 20%`."))
        return
    con = console()
    show(text_of(_lay_out(con, [
        Column(_("ID"), [str(s["id"]) for s in samples], right=True),
        Column(_("Drawn"), [dates.show_day(s["at"]) for s in samples]),
        Column(_("Seed"), [s["seed"] for s in samples]),
        Column(_("Sampled"), [f"{s['sampled']}/{s['population']}" for s in samples], right=True),
        Column(_("Checked"), [str(s["checked"]) for s in samples], right=True),
        Column(_("Held"), [str(s["held"]) for s in samples], right=True),
        Column(_("Relapsed"), [str(s["relapsed"]) for s in samples], right=True),
        Column(_("Note"), [s["note"] or "" for s in samples], role="text"),
    ]), con))


def notice_state(n: dict) -> Text:
    if n["replied_at"]:
        return Text(_("answered {date}").format(date=dates.show_day(n["replied_at"])), style="green")
    if n["reply_overdue"]:
        return Text(_("reply overdue"), style=BAND_STYLES["red"])
    if n["awaiting"]:
        return Text(_("awaiting reply"))
    return Text(_("no reply asked"), style="dim")


def notice_columns(notices: list[dict]) -> list[Column]:
    from rectify.supervision import kind_label as notice_kind

    states = [notice_state(n) for n in notices]
    return [
        Column(_("Number"), [n["number"] for n in notices]),
        Column(_("Kind"), [notice_kind(n["kind"]) for n in notices]),
        Column(_("Unit"), [n["unit"] or "" for n in notices], role="name"),
        Column(_("Issued"), [dates.show_day(n["issued"]) for n in notices]),
        Column(_("Reply by"), [dates.show_day(n["reply_by"]) if n["reply_by"] else "" for n in notices]),
        Column(_("Tasks"), [str(len(n["tasks"])) for n in notices], right=True),
        Column(_("State"), [s.plain for s in states], role="name", styles=[str(s.style) for s in states]),
    ]


def notice_table(notices: list[dict]) -> None:
    notices = printable_data(notices)
    if not notices:
        _nothing(_("No notices."))
        return
    con = console()
    show(text_of(_lay_out(con, notice_columns(notices)), con))


def notice_detail(notice: dict, tasks: Sequence[Mapping[str, Any]]) -> None:
    from rectify.supervision import kind_label as notice_kind

    notice = printable_data(notice)
    con = console()
    plain = con.color_system is None
    bold = _bold(con)
    state = notice_state(notice)
    rows = [(_("Kind"), notice_kind(notice["kind"]), ""), (_("Unit"), notice["unit"], ""),
            (_("Issued"), dates.show_time(notice["issued"]), ""),
            (_("Reply by"), dates.show_date(notice["reply_by"]) if notice["reply_by"] else None, ""),
            (_("State"), state.plain, str(state.style)), (_("Reply"), notice["reply_note"], ""),
            (_("Replied by"), notice["replied_by"], "")]
    rows = [row for row in rows if row[1]]
    lines = [Text(_("Notice {number}").format(number=notice["number"]), style="" if plain else "bold underline")]
    lines += lay_out([Column("", [r[0] for r in rows], styles=[bold] * len(rows)),
                      Column("", [r[1] for r in rows], role="text", styles=[r[2] for r in rows])],
                     con.width, header=False)
    if tasks:
        lines.append(Text(""))
        lines += task_lines(tasks, con.width, header_style=bold)
    show(text_of(lines, con))


def request_table(requests: list[dict]) -> None:
    from rectify.supervision import STATUS_LABELS

    requests = printable_data(requests)
    if not requests:
        _nothing(_("No extension requests."))
        return
    states = []
    for r in requests:
        state = Text(_(STATUS_LABELS[r["status"]]))
        if r["late"]:
            state.append("  " + _("late"), style=BAND_STYLES["red"])
        states.append(state)
    con = console()
    show(text_of(_lay_out(con, [
        Column(_("Request"), [str(r["id"]) for r in requests], right=True),
        Column(_("Task"), [str(r["task_id"]) for r in requests], right=True),
        Column(_("Requested"), [dates.show_day(r["at"]) for r in requests]),
        Column(_("From"), [dates.show_day(r["old_due"]) for r in requests]),
        Column(_("To"), [dates.show_day(r["new_due"]) for r in requests]),
        Column(_("State"), [s.plain for s in states], styles=[BAND_STYLES["red"] if r["late"] else "" for r in requests]),
        Column(_("Unit"), [r["unit"] or "" for r in requests], role="name"),
        Column(_("Reason"), [r["reason"] for r in requests], role="text"),
    ]), con))
