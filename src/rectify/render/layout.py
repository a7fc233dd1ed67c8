"""What the reports show, independent of the format: the labels (in one place,
marked with N_() and translated with ``label``), and the tables each report
is made of, as plain strings. The text, Markdown and HTML renderers only lay
these out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rectify import dates
from rectify.i18n import N_, NP_, _, ngettext, pgettext
from rectify.model import status_label
from rectify.vocabulary import BAND_THRESHOLDS, KINDS

# A label is a message (N_) or, where a short word means something else
# elsewhere, a message with its context (NP_).
LABELS: dict[str, str | tuple[str, str]] = {
    # summary
    "summary_title": N_("Rectification summary"),
    "as_of": N_("as of {date}"),
    "total": N_("Tasks"),
    "open": N_("Unfinished"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
    "overdue": N_("Overdue"),
    "due_soon": N_("Due within {days} days"),
    "completion_rate": N_("Completion rate"),
    "all": N_("All tasks"),
    "rate_title": N_("Completion rate (closed / (all − cancelled))"),
    "rate_of": N_("Completion rate: {kind}"),
    "immediate": N_("Immediate"),
    "long_term": N_("Long-term"),
    "unclassified": N_("Unclassified"),
    "states": N_("By state"),
    "bands": N_("Colour bands"),
    "red": N_("red: overdue"),
    "yellow": N_("yellow: behind (no progress note for {quiet} days, due within {horizon})"),
    "blue": N_("blue: due within {days} days"),
    "stale": N_("Stale long-term tasks (no progress note for {days} days)"),
    "by": N_("By {what}"),
    "unit": N_("unit"),
    "category": N_("category"),
    "kind": N_("kind"),
    "leader": N_("leader"),
    "owner": N_("owner"),
    "none": N_("(none)"),
    # weekly
    "weekly_title": N_("Weekly rectification report"),
    "week_range": N_("Week {week}, {start} to {end}"),
    "figures_at": N_("Figures as at the end of {date}"),
    "figures_now": N_("Figures as at {date} (the week is under way)"),
    "scope": N_("Scope: every task in the ledger {ledger}"),
    "generated": N_("Printed {moment}"),
    "headline": N_("Headline figures"),
    "figure": N_("Figure"),
    "this_week": N_("This week"),
    "last_week": N_("Last week"),
    "change": NP_("report column", "Change"),
    "points": N_("{value} pt"),
    "established_total": N_("Rules and institutions established"),
    "new": N_("New this week"),
    "closed_week": N_("Closed this week"),
    "overdue_units": N_("Overdue at the week's end, by unit"),
    "overdue_tasks": N_("Overdue tasks"),
    "due_next_week": N_("Due next week"),
    "extended": N_("Extensions granted"),
    "stale_list": N_("Stale long-term tasks"),
    "established": N_("Rules and institutions established this week (long-term tasks closed)"),
    "trend": N_("Trend over the last 8 weeks: unfinished and closed tasks"),
    "nothing": N_("None."),
    "more": N_("… and {n} more (`--limit 0` shows them all)."),
    # columns
    "col_id": N_("ID"),
    "col_measure": N_("Measure"),
    "col_unit": N_("Unit"),
    "col_owner": N_("Owner"),
    "col_leader": N_("Leader"),
    "col_due": N_("Due"),
    "col_kind": N_("Kind"),
    "col_status": N_("Status"),
    "col_progress": N_("Progress"),
    "col_created": N_("Recorded"),
    "col_closed": NP_("report column", "Closed"),
    "col_closed_by": N_("Checker"),
    "col_days_late": N_("Days late"),
    "col_count": N_("Tasks"),
    "col_from": NP_("extension", "From"),
    "col_to": NP_("extension", "To"),
    "col_reason": NP_("extension", "Reason"),
    "col_last_note": N_("Last progress note"),
    "col_outcome": N_("Outcome"),
    "col_evidence": N_("Evidence"),
    "col_band": N_("Band"),
    "col_when": N_("Deadline"),
    # sheets
    "sheet_title": N_("Supervision sheet"),
    "sheet_file": N_("sheet"),  # a sheet's file name: sheet-<unit>.html
    "sheet_file_no_unit": N_("no-unit"),  # sheet-no-unit.html: tasks without a unit
    "sheet_unit": N_("Responsible unit: {unit}"),
    "sheet_leaders": N_("Leaders in charge: {names}"),
    "sheet_counts": N_("{overdue} overdue, {soon} due within {days} days"),
    "sheet_empty": N_("Nothing overdue or due within {days} days."),
    "sheet_ask": N_("Red: overdue, act at once. Yellow: behind, report progress. Blue: due within {days} days."),
    "due_today": NP_("deadline", "today"),
    "band_red": N_("red"),
    "band_yellow": N_("yellow"),
    "band_blue": N_("blue"),
    "no_sheets": N_("Nothing is overdue or due within {days} days: no sheets."),
    # notices (sheets --issue)
    "no_notices": N_("No task calls for a new notice: none issued."),
    "notice_reminder": N_("Reminder notice"),
    "notice_supervision": N_("Supervision notice"),
    "notice_warning": N_("Warning notice"),
    "notice_number": N_("No. {number}, issued {date}"),
    "notice_reply_by": N_("Reply by {date}."),
    # the look-back (summary and weekly)
    "lookback_title": N_("The look-back: sampled closed tasks checked again"),
    "lookback_by_unit": N_("The look-back by unit"),
    "lookback_by_category": N_("The look-back by category"),
    "col_samples": N_("Samples"),
    "col_sampled": N_("Sampled"),
    "col_checked": N_("Checked"),
    "col_held": N_("Held"),
    "col_relapsed": N_("Relapsed"),
    "col_rechecks": N_("All re-checks: held / relapsed"),
    # extension requests (weekly)
    "extension_requests": N_("Extension requests pending"),
    "col_requested": N_("Requested"),
    "col_late": N_("Late request"),
    "yes": N_("yes"),
}


def label(key: str, **values) -> str:
    message = LABELS[key]
    text = pgettext(*message) if isinstance(message, tuple) else _(message)
    return text.format(**values) if values else text


def thresholds(data: Mapping[str, Any]) -> dict:
    """The band thresholds a summary was computed with (the ledger's settings then)."""
    return data.get("thresholds") or dict(BAND_THRESHOLDS)


def band_legend(band: str, data: Mapping[str, Any]) -> str:
    """``blue: due within 7 days`` ... with the days of the summary's settings."""
    t = thresholds(data)
    if band == "blue":
        return label("blue", days=t["blue_days"])
    if band == "yellow":
        return label("yellow", quiet=t["yellow_quiet_days"], horizon=t["yellow_horizon_days"])
    return label(band)


def as_of_label(day_: str) -> str:
    """``as of 2026-11-25``, ``截至2026年11月25日``."""
    return label("as_of", date=dates.show_date(day_))


def days_late_text(n: int) -> str:
    """How late a task is, in a sheet: ``3 days late``, ``逾期3天``."""
    return ngettext("{n} day late", "{n} days late", n).format(n=n)


def days_left_text(n: int) -> str:
    return ngettext("in {n} day", "in {n} days", n).format(n=n)


def cells(text: str) -> int:
    """The width of ``text`` on a terminal: two cells for a wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def day(value: str | None, today: str, weekday: bool = False) -> str:
    """A date in a report's table: ISO in English; ``11月20日(周五)`` in Chinese,
    the year shown when it is not that of the report's day ``today``."""
    return dates.show_day(value or None, date.fromisoformat(today), weekday=weekday)


def pct(fraction: float) -> str:
    return f"{fraction * 100:.1f}%"


def signed(delta: float, percent: bool = False) -> str:
    """A change: +3, -2, 0; for rates in percentage points, +2.5 pt."""
    if not delta:
        return "0"
    return label("points", value=f"{delta * 100:+.1f}") if percent else f"{delta:+d}"


def join_names(names: list[str]) -> str:
    chinese = any("\u4e00" <= ch <= "\u9fff" for n in names for ch in n)
    return ("、" if chinese else ", ").join(n for n in names if n)


def name_or_none(value: str | None) -> str:
    return value if value else label("none")


@dataclass
class Table:
    """A titled table of strings; ``bands`` gives each row's colour band."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    bands: list[str | None] = field(default_factory=list)
    right: set[int] = field(default_factory=set)  # right-aligned (numeric) columns
    more: int = 0  # rows left out by the limit
    wide: int = 1  # the column that takes the spare width
    wrap: set[int] = field(default_factory=set)  # other text columns that may wrap on a narrow terminal
    optional: list[int] = field(default_factory=list)  # columns a narrow terminal may leave out, first first


def _rows(table: Table, items: list, total: int, row) -> Table:
    for item in items:
        table.rows.append(row(item))
        table.bands.append(item.get("band"))
    table.more = total - len(items)
    return table


def _measure(task: dict) -> str:
    return task["title"]


# -- summary ----------------------------------------------------------------


def summary_figures(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of the headline figures."""
    return [
        (label("total"), str(data["total"])),
        (label("open"), str(data["open"])),
        (label("closed"), str(data["closed"])),
        (label("cancelled"), str(data["cancelled"])),
        (label("overdue"), str(data["overdue"])),
        (label("due_soon", days=thresholds(data)["blue_days"]), str(data["due_soon"])),
        (label("stale", days=data["stale_days"]), str(data["stale"])),
    ]


def breakdown_rows(data: Mapping[str, Any]) -> list[tuple[str | None, dict]]:
    """The rows of the ``--by`` table: (key, group); for kinds the kind, None when unclassified."""
    by = data["by"]
    if by == "kind":
        rows: list[tuple[str | None, dict]] = [(k, data["by_kind"][k]) for k in KINDS]
        if data["unclassified"]["total"]:
            rows.append((None, data["unclassified"]))
        return rows
    return [(key or None, group) for key, group in data[f"by_{by}"].items()]


def group_name(by: str, key: str | None) -> str:
    if by == "kind":
        return label(key) if key else label("unclassified")
    return name_or_none(key)


# -- weekly ----------------------------------------------------------------


def headline(data: Mapping[str, Any]) -> Table:
    now, before = data["summary"], data["previous"]
    table = Table(label("headline"), [label("figure"), label("this_week"), label("last_week"), label("change")],
                  right={1, 2, 3}, wide=0)

    def count(name: str, a: int, b: int) -> None:
        table.rows.append([name, str(a), str(b), signed(a - b)])
        table.bands.append(None)

    def ratio(name: str, a: float, b: float) -> None:
        table.rows.append([name, pct(a), pct(b), signed(a - b, percent=True)])
        table.bands.append(None)

    count(label("total"), now["total"], before["total"])
    count(label("open"), now["open"], before["open"])
    count(label("closed"), now["closed"], before["closed"])
    count(label("cancelled"), now["cancelled"], before["cancelled"])
    ratio(label("completion_rate"), now["completion_rate"], before["completion_rate"])
    for kind in KINDS:
        ratio(label("rate_of", kind=label(kind)), now["by_kind"][kind]["completion_rate"],
              before["by_kind"][kind]["completion_rate"])
    count(label("overdue"), now["overdue"], before["overdue"])
    count(label("due_soon", days=thresholds(now)["blue_days"]), now["due_soon"], before["due_soon"])
    count(label("stale", days=now["stale_days"]), now["stale"], before["stale"])
    count(label("established_total"), now["by_kind"]["long_term"]["closed"], before["by_kind"]["long_term"]["closed"])
    return table


NUMERIC = {"col_days_late", "col_count", "col_progress"}
TEXT = {"col_unit", "col_owner", "col_leader", "col_closed_by", "col_reason", "col_outcome", "col_evidence"}
# What a narrow terminal leaves out of a list, first first: what the rest of
# the report, or the task itself (`rectify show ID`), tells.
OPTIONAL = ("col_progress", "col_leader", "col_kind", "col_status")


# A column of a task list: its label's key, and what it shows of a task.
Column = tuple[str, Callable[[dict[str, Any]], str | None]]


def _task_table(title: str, tasks: list, total: int, columns: list[Column]) -> Table:
    keys = [c for c, _f in columns]
    right = {0} | {i + 1 for i, c in enumerate(keys) if c in NUMERIC}
    table = Table(title, [label("col_id")] + [label(c) for c in keys], right=right, wide=1 + keys.index("col_measure"),
                  wrap={i + 1 for i, c in enumerate(keys) if c in TEXT},
                  optional=[1 + keys.index(c) for c in OPTIONAL if c in keys])
    return _rows(table, tasks, total, lambda t: [str(t["id"])] + [f(t) or "" for _c, f in columns])


def overdue_by_unit(rows: list[dict]) -> Table:
    table = Table(label("overdue_units"), [label("col_unit"), label("overdue"), label("open")], right={1, 2}, wide=0)
    for row in rows:
        table.rows.append([name_or_none(row["unit"]), str(row["overdue"]), str(row["open"])])
        table.bands.append("red")
    return table


def weekly_tables(data: Mapping[str, Any]) -> list[Table]:
    """The weekly report's tables after the headline, in order (the trend apart).
    The lists may hold fewer tasks than "counts" says: the rest is noted."""
    counts, today = data["counts"], data["as_of"]
    status = lambda t: status_label(t["status"])  # noqa: E731
    unit = lambda t: t["unit"]  # noqa: E731
    owner = lambda t: t["owner"]  # noqa: E731
    due = lambda t: day(t["due"], today, weekday=True)  # noqa: E731

    def tasks(name: str, title: str, columns: list[Column]) -> Table:
        return _task_table(label(title), data[name], counts[name], columns)

    return [
        tasks("new", "new", [("col_measure", _measure), ("col_unit", unit), ("col_owner", owner),
                             ("col_kind", lambda t: label(t["kind"]) if t["kind"] else ""), ("col_due", due)]),
        tasks("closed", "closed_week", [("col_measure", _measure), ("col_unit", unit),
                                        ("col_closed", lambda t: day((t["closed_at"] or "")[:10], today)),
                                        ("col_closed_by", lambda t: t["closed_by"])]),
        overdue_by_unit(data["overdue_by_unit"]),
        tasks("overdue", "overdue_tasks", [("col_unit", unit), ("col_measure", _measure), ("col_owner", owner),
                                           ("col_leader", lambda t: t["leader"]), ("col_due", due),
                                           ("col_days_late", lambda t: str(t["days_late"]))]),
        tasks("due_next_week", "due_next_week", [("col_measure", _measure), ("col_unit", unit), ("col_owner", owner),
                                                 ("col_due", due), ("col_status", status)]),
        tasks("extended", "extended", [("col_measure", _measure), ("col_unit", unit),
                                       ("col_from", lambda t: day(t["extension"]["from"], today)),
                                       ("col_to", lambda t: day(t["extension"]["to"], today)),
                                       ("col_reason", lambda t: t["extension"]["reason"])]),
        tasks("stale", "stale_list", [("col_measure", _measure), ("col_unit", unit), ("col_owner", owner),
                                      ("col_last_note", lambda t: day((t["last_progress"] or "")[:10], today)), ("col_due", due)]),
        tasks("established", "established", [("col_measure", _measure), ("col_unit", unit),
                                             ("col_outcome", lambda t: t["outcome"]),
                                             ("col_evidence", lambda t: join_names(t["evidence"]))]),
    ]


def trend_lines(trend: list[dict], width: int = 40) -> list[str]:
    """The 8-week trend drawn in text: two bars a week, on one scale."""
    peak = max([max(p["open"], p["closed"]) for p in trend] + [1])
    names = (label("open"), label("closed"))
    weeks = [dates.show_week(p["week"]) for p in trend]
    pad = max(cells(n) for n in names)
    week_pad = max([cells(w) for w in weeks] + [0])
    lines = []
    for p, week in zip(trend, weeks):
        for i, (name, key, mark) in enumerate(((names[0], "open", "█"), (names[1], "closed", "▒"))):
            n = p[key]
            first = week if i == 0 else ""
            lines.append(f"{first}{' ' * (week_pad - cells(first))}  {name}{' ' * (pad - cells(name))}  "
                         f"{mark * round(n / peak * width)} {n}".rstrip())
    return lines


def week_heading(data: Mapping[str, Any], context: dict | None = None) -> tuple[str, list[str]]:
    """The report's title, and the lines under it: the moment of the figures,
    the scope (the ledger) and when it was printed, from ``context``."""
    week = label("week_range", week=dates.show_week(data["week"]), start=day(data["from"], data["to"]),
                 end=day(data["to"], data["to"]))
    title = f"{label('weekly_title')} · {week}"
    context = context or {}
    printed = context.get("printed")  # a week that ended before the printing is not under way
    under_way = data["as_of"] < data["to"] and not (printed and str(printed)[:10] > data["to"])
    lines = [label("figures_now" if under_way else "figures_at", date=dates.show_date(data["as_of"]))]
    if context.get("ledger"):
        lines.append(label("scope", ledger=context["ledger"]))
    if context.get("printed"):
        lines.append(label("generated", moment=dates.show_time(context["printed"])))
    return title, lines


# -- sheets -----------------------------------------------------------------


def due_words(task: dict) -> str:
    days = task["days_left"]
    if days < 0:
        return days_late_text(-days)
    if days == 0:
        return label("due_today")
    return days_left_text(days)


def band_name(band: str | None) -> str:
    return label(f"band_{band}") if band else ""


def sheet_table(sheet: dict, as_of: str) -> Table:
    table = Table("", [label("col_band"), label("col_id"), label("col_measure"), label("col_leader"), label("col_owner"),
                   label("col_due"), label("col_when"), label("col_status"), label("col_progress")],
                  right={1, 8}, wide=2, wrap={3, 4}, optional=[8, 3, 7])
    for t in sheet["tasks"]:
        table.rows.append([band_name(t["band"]), str(t["id"]), t["title"], t["leader"] or "", t["owner"] or "",
                           day(t["due"], as_of, weekday=True), due_words(t), status_label(t["status"]), f"{t['progress']}%"])
        table.bands.append(t["band"])
    return table


def sheet_title(sheet: dict) -> str:
    """A sheet's title: a supervision sheet, or the kind of notice it was issued as."""
    notice = sheet.get("notice")
    return label(f"notice_{notice['kind']}") if notice else label("sheet_title")


def sheet_lines(sheet: dict, days: int) -> list[str]:
    """The lines above a sheet's table."""
    lines = []
    notice = sheet.get("notice")
    if notice:
        lines.append(label("notice_number", number=notice["number"], date=dates.show_date(notice["issued"][:10])))
    lines.append(label("sheet_unit", unit=name_or_none(sheet["unit"])))
    if sheet["leaders"]:
        lines.append(label("sheet_leaders", names=join_names(sheet["leaders"])))
    lines.append(label("sheet_counts", overdue=sheet["overdue"], soon=sheet["due_soon"], days=days))
    if notice and notice["reply_by"]:
        lines.append(label("notice_reply_by", date=dates.show_date(notice["reply_by"])))
    return lines


# -- the look-back and extension requests (summary and weekly) ------------------------


def _lookback_row(name: str, g: dict) -> list[str]:
    return [name, str(g["sampled"]), str(g["checked"]), str(g["held"]), str(g["relapsed"])]


def lookback_tables(lookback: dict | None) -> list[Table]:
    """The look-back's figures: overall, then by unit and by category (when anything was sampled)."""
    if not lookback or not (lookback["samples"] or sum(lookback["rechecks"].values())):
        return []
    figures = Table(label("lookback_title"), [label("figure"), label("col_count")], right={1}, wide=0)
    for key, name in (("samples", "col_samples"), ("sampled", "col_sampled"), ("checked", "col_checked"),
                      ("held", "col_held"), ("relapsed", "col_relapsed")):
        figures.rows.append([label(name), str(lookback[key])])
        figures.bands.append(None)
    figures.rows.append([label("col_rechecks"), f"{lookback['rechecks']['held']} / {lookback['rechecks']['relapsed']}"])
    figures.bands.append(None)
    tables = [figures]
    if lookback["sampled"]:
        heads = [label("col_sampled"), label("col_checked"), label("col_held"), label("col_relapsed")]
        for key, title, column in (("by_unit", "lookback_by_unit", "col_unit"),
                                   ("by_category", "lookback_by_category", "category")):
            table = Table(label(title), [label(column).capitalize()] + heads, right={1, 2, 3, 4}, wide=0)
            for name, g in lookback[key].items():
                table.rows.append(_lookback_row(name_or_none(name), g))
                table.bands.append("red" if g["relapsed"] else None)
            tables.append(table)
    return tables


def extension_request_table(data: Mapping[str, Any]) -> list[Table]:
    """The extension requests pending at the report's moment (weekly)."""
    if "extension_requests" not in data:
        return []
    today = data["as_of"]
    table = Table(label("extension_requests"), [label("col_id"), label("col_measure"), label("col_unit"),
                  label("col_requested"), label("col_from"), label("col_to"), label("col_reason"), label("col_late")],
                  right={0}, wide=1, wrap={2, 6})
    for r in data["extension_requests"]:
        table.rows.append([str(r["task_id"]), r["title"], r["unit"] or "", day(r["at"][:10], today),
                           day(r["old_due"], today), day(r["new_due"], today), r["reason"],
                           label("yes") if r["late"] else ""])
        table.bands.append("red" if r["late"] else None)
    return [table]


def report_extras(data: Mapping[str, Any]) -> list[Table]:
    """The tables issue 17 adds to summary and weekly, after their own."""
    return lookback_tables(data.get("lookback")) + extension_request_table(data)
