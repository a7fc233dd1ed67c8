"""What the summary and the weekly printout show of problems, outcomes and
the round, in any format: tables of plain strings (``layout.Table``), laid
out by the text, Markdown and HTML renderers like the other tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rectify import dates
from rectify.i18n import N_, _
from rectify.render.layout import Table, pct

LABELS = {
    "side_title": N_("Problems and tasks"),
    "figure": N_("Figure"),
    "problems": N_("Problems"),
    "tasks": N_("Tasks"),
    "total": N_("In all"),
    "done": N_("Done (tasks: closed)"),
    "in_progress": N_("In progress (tasks: in progress or submitted)"),
    "not_started": N_("Not started"),
    "cancelled": N_("Cancelled"),
    "rate": N_("Completion rate"),
    "outcomes_title": N_("Outcomes"),
    "rules": N_("Rules established or revised"),
    "money_recovered": N_("Money recovered (yuan)"),
    "money_returned": N_("Money returned (yuan)"),
    "money_saved": N_("Money saved (yuan)"),
    "people": N_("People held to account"),
    "other": N_("Other results"),
    "round": N_("Round: {name}"),
    "fed_back": N_("fed back {date}"),
}


def label(key: str, **values) -> str:
    text = _(LABELS[key])
    return text.format(**values) if values else text


def round_line(data: Mapping[str, Any]) -> str | None:
    """``Round: NAME (kind, fed back DATE)`` for a report of one round."""
    from rectify.model import round_kind_label

    r = data.get("round")
    if not r:
        return None
    extra = [x for x in (round_kind_label(r["kind"]), r["issuer"],
                         label("fed_back", date=dates.show_date(r["fed_back"])) if r["fed_back"] else None) if x]
    return label("round", name=r["name"]) + (f" ({_(', ').join(extra)})" if extra else "")


def side_by_side(summary: Mapping[str, Any]) -> Table:
    """Problems and tasks side by side: a problem is done when all its tasks
    are closed or cancelled and one at least closed."""
    p = summary["problems"]
    s = summary["states"]
    rows = [
        ("total", p["total"], summary["total"]),
        ("done", p["done"], s["closed"]),
        ("in_progress", p["in_progress"], s["in_progress"] + s["submitted"]),
        ("not_started", p["not_started"], s["open"]),
        ("cancelled", p["cancelled"], s["cancelled"]),
    ]
    table = Table(label("side_title"), [label("figure"), label("problems"), label("tasks")], right={1, 2}, wide=0)
    for key, problems, tasks in rows:
        table.rows.append([label(key), str(problems), str(tasks)])
        table.bands.append(None)
    table.rows.append([label("rate"), pct(p["completion_rate"]), pct(summary["completion_rate"])])
    table.bands.append(None)
    return table


def outcome_table(summary: Mapping[str, Any]) -> Table:
    """The outcomes' totals, by the moment of the figures."""
    from rectify.rounds import yuan

    o = summary["outcomes"]
    money = o["money_fen"]
    table = Table(label("outcomes_title"), [label("figure"), ""], right={1}, wide=0)
    for key, value in (("rules", str(o["rules"])), ("money_recovered", yuan(money["recovered"])),
                       ("money_returned", yuan(money["returned"])), ("money_saved", yuan(money["saved"])),
                       ("people", str(o["people"])), ("other", str(o["other"]))):
        table.rows.append([label(key), value])
        table.bands.append(None)
    return table
