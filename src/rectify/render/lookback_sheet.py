"""The sheet for checking a look-back sample on site (销号反向核查表): one row
per sampled task, with what was closed and room for the result. Text (the
terminal or a file), HTML (printable on A4) and xlsx (the house layout)."""

from __future__ import annotations

from html import escape

from rectify import dates
from rectify.i18n import N_, _
from rectify.model import kind_label
from rectify.render import layout

RESULTS = {"held": N_("held"), "relapsed": N_("relapsed")}


def _title(sample: dict) -> str:
    return _("Look-back sheet: sample {id}").format(id=sample["id"])


def _lines(sample: dict) -> list[str]:
    lines = [_("Drawn {date}: {n} of {population} closed tasks, seed {seed}.").format(
        date=dates.show_date(sample["at"][:10]), n=sample["sampled"], population=sample["population"], seed=sample["seed"])]
    if sample["note"]:
        lines.append(sample["note"])
    lines.append(_("Checked {checked}: held {held}, relapsed {relapsed}.").format(**sample))
    return lines


def _result(task: dict) -> str:
    check = task["recheck"]
    if not check:
        return _("□ held  □ relapsed")
    return _(RESULTS[check["result"]])


def table(sample: dict) -> layout.Table:
    today = sample["at"][:10]
    t = layout.Table("", [layout.label("col_id"), layout.label("col_unit"), layout.label("col_kind"), layout.label("col_measure"), _("Target"),
                     layout.label("col_closed"), layout.label("col_closed_by"), layout.label("col_evidence"), _("Result"),
                     _("Re-checked by"), _("Finding")], right={0, 7}, wide=3, wrap={1, 4, 10}, optional=[2, 6])
    for task in sample["tasks"]:
        check = task["recheck"] or {}
        t.rows.append([str(task["id"]), task["unit"] or "", kind_label(task["kind"]), task["title"], task["target"] or "",
                       layout.day((task["closed_at"] or "")[:10] or None, today), task["closed_by"] or "",
                       str(task["evidence_count"]), _result(task), check.get("checker") or "", check.get("note") or ""])
        t.bands.append("red" if check.get("result") == "relapsed" else None)
    return t


def text(sample: dict, con) -> None:
    from rectify.render.report_text import _say, print_table

    _say(con, _title(sample), "bold underline")
    for line in _lines(sample):
        _say(con, line)
    print_table(con, table(sample), band_cells=())
    _say(con, "")
    _say(con, _("Record each result: rectify recheck ID --held|--relapsed --by NAME --note \"...\""))


def html(sample: dict) -> str:
    from rectify.render.html import _document, table as html_table

    body = ["<header>", f"<h1>{escape(_title(sample))}</h1>"]
    body += [f'<p class="meta">{escape(line)}</p>' for line in _lines(sample)]
    body.append("</header>")
    body.append(html_table(table(sample)))
    return _document(_title(sample), body)


def xlsx(path, sample: dict, today: str) -> None:
    from rectify.exchange import xlsx

    t = table(sample)
    sheet = xlsx.Layout(title=_title(sample) + " · " + " ".join(_lines(sample)), headers=t.columns, rows=t.rows,
                     bands=t.bands, widths=[6, 14, 8, 36, 24, 12, 10, 6, 14, 12, 30], date_columns=set(),
                     legend=[_("Record each result: rectify recheck ID --held|--relapsed --by NAME --note \"...\"")],
                     sheet_name=_("Look-back"))
    xlsx.write(path, sheet)
