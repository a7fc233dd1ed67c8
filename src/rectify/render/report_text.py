"""The reports on the terminal: the summary with a progress bar per row, the
weekly printout with its trend drawn in text, supervision sheets.

Plain text when NO_COLOR is set, stdout is not a terminal, or for a file.
The tables are laid out here rather than by rich's Table, which takes about
a millisecond a row: a printout of a large ledger has hundreds of rows.
Widths are counted in terminal cells, so Chinese text lines up. Each report
takes its data through ``printable_data`` first (rectify.text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from rectify.render import layout
from rectify.render.columns import Column, lay_out, wrap
from rectify.render.console import BAND_STYLES, drawn, show
from rectify.render.layout import label
from rectify.text import printable_data
from rectify.vocabulary import KINDS


def bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


# -- lines and tables ------------------------------------------------------------


def _plain(con: Console) -> bool:
    return con.color_system is None


def _line(con: Console, parts: list[tuple[str, str]]) -> None:
    """One line made of (text, style) parts."""
    if _plain(con):
        con.file.write("".join(text for text, _style in parts).rstrip() + "\n")
        return
    line = Text(no_wrap=True, overflow="ignore")
    for text, style in parts:
        line.append(text, style=style or None)
    line.rstrip()
    con.print(line, crop=False, soft_wrap=True)


def _say(con: Console, text: str, style: str = "") -> None:
    """A line of prose, folded to the console's width."""
    for line in _wrap(text, con.width) if cell_len(text) > con.width else [text]:
        _line(con, [(line, style)])


def _heading(con: Console, text: str) -> None:
    _say(con, "")
    _say(con, text, "bold underline")


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells (rectify.render.columns.wrap)."""
    return wrap(text, width)


def grid(con: Console, columns: list[str], rows: list[list[str]], *, right: AbstractSet[int] = frozenset(),
         wide: int | None = None, styles: list[dict[int, str]] | None = None, wrap: AbstractSet[int] = frozenset(),
         optional: Sequence[int] = ()) -> None:
    """Print a table: a bold header (when ``columns``), then the rows, laid
    out by rectify.render.columns: the ``wide`` column is the user's text and
    gets the width, the ``wrap`` columns are short names, the ``optional``
    ones go first first when space is short; ``styles`` gives per row a
    style per cell index."""
    count = len(columns) if columns else len(rows[0])
    ranks = {i: n for n, i in enumerate(optional)}
    table = [Column(columns[i] if columns else "", [r[i] for r in rows], right=i in right,
                    role="text" if i == wide else "name" if i in wrap else "fixed", optional=ranks.get(i),
                    styles=[(styles[n].get(i, "") if styles else "") for n in range(len(rows))])
             for i in range(count)]
    for line in lay_out(table, con.width, header=bool(columns), header_style="" if _plain(con) else "bold"):
        if _plain(con):
            con.file.write(line.plain.rstrip() + "\n")
        else:
            con.print(line, crop=False, soft_wrap=True)


def print_table(con: Console, table: layout.Table, band_cells: tuple[int, ...] = (0,)) -> None:
    if table.title:
        _heading(con, table.title)
    if not table.rows:
        _say(con, label("nothing"))
        return
    styles = [{i: BAND_STYLES.get(band or "", "") for i in band_cells} for band in table.bands]
    grid(con, table.columns, table.rows, right=table.right, wide=table.wide, styles=styles, wrap=table.wrap,
         optional=table.optional)
    if table.more:
        _say(con, label("more", n=table.more))


# -- summary --------------------------------------------------------------------


def show_summary(data: Mapping[str, Any], con: Console | None = None) -> None:
    if con is None:  # on stdout: as text, through the pager when long
        show(drawn(lambda c: show_summary(data, c)))
        return
    data = printable_data(data)
    _say(con, f"{label('summary_title')} · {layout.as_of_label(data['as_of'])}", "bold underline")
    grid(con, [], [[name, value] for name, value in layout.summary_figures(data)], right={1}, wrap={0})
    show_problems(data, con)

    _heading(con, label("rate_title"))
    rates = [(label("all"), data["completion_rate"])]
    rates += [(label(kind), data["by_kind"][kind]["completion_rate"]) for kind in KINDS]
    grid(con, [], [[name, bar(r), layout.pct(r)] for name, r in rates], right={2})

    _heading(con, label("states"))
    _say(con, "  ".join(f"{layout.status_label(s)} {n}" for s, n in data["states"].items()))
    _heading(con, label("bands"))
    bands = list(data["bands"].items())
    grid(con, [], [[layout.band_legend(band, data), str(n)] for band, n in bands], right={1}, wrap={0},
         styles=[{0: BAND_STYLES[band]} for band, _n in bands])

    by = data["by"]
    _heading(con, label("by", what=label(by)))
    rows, styles = [], []
    for key, group in layout.breakdown_rows(data):
        rows.append([layout.group_name(by, key), str(group["total"]), str(group["closed"]), str(group["overdue"]),
                     bar(group["completion_rate"], 16), layout.pct(group["completion_rate"])])
        styles.append({3: BAND_STYLES["red"]} if group["overdue"] else {})
    if rows:
        grid(con, [label(by).capitalize(), label("total"), label("closed"), label("overdue"), "", label("completion_rate")],
             rows, right={1, 2, 3, 5}, wrap={0}, styles=styles, optional=[4])  # the bar goes before a name wraps
    else:
        _say(con, label("nothing"))
    for table in layout.report_extras(data):
        print_table(con, table, band_cells=())


def show_problems(summary: Mapping[str, Any], con: Console) -> None:
    """The round, problems and tasks side by side, and the outcomes (when any)."""
    from rectify.render.problems import outcome_table, round_line, side_by_side

    line = round_line(summary)
    if line:
        _say(con, line)
    print_table(con, side_by_side(summary), band_cells=())
    if summary["outcomes"]["entries"]:
        print_table(con, outcome_table(summary), band_cells=())


# -- weekly ------------------------------------------------------------------------


def show_weekly(data: Mapping[str, Any], con: Console | None = None, *, context: dict | None = None) -> None:
    if con is None:
        show(drawn(lambda c: show_weekly(data, c, context=context)))
        return
    data, context = printable_data(data), printable_data(context)
    title, lines = layout.week_heading(data, context)
    _say(con, title, "bold underline")
    for line in lines:
        _say(con, line)
    print_table(con, layout.headline(data), band_cells=())
    show_problems(data["summary"], con)
    for table in layout.weekly_tables(data):
        print_table(con, table)
    for table in layout.report_extras(data):
        print_table(con, table, band_cells=())
    _heading(con, label("trend"))
    for line in layout.trend_lines(data["trend"]):
        _say(con, line)


# -- sheets ------------------------------------------------------------------------


def show_sheet(sheet: dict, as_of: str, days: int, con: Console) -> None:
    _say(con, f"{layout.sheet_title(sheet)} · {layout.as_of_label(as_of)}", "bold underline")
    for line in layout.sheet_lines(sheet, days):
        _say(con, line)
    _say(con, "")
    table = layout.sheet_table(sheet, as_of)
    if table.rows:
        print_table(con, table, band_cells=(0, 6))
    else:
        _say(con, label("sheet_empty", days=days))
    _say(con, "")
    _say(con, label("sheet_ask", days=days))


def show_sheets(data: Mapping[str, Any], con: Console | None = None) -> None:
    if con is None:
        show(drawn(lambda c: show_sheets(data, c)))
        return
    data = printable_data(data)
    for i, sheet in enumerate(data["sheets"]):
        if i:
            _say(con, "")
            _say(con, "─" * min(con.width, 80), "dim")
            _say(con, "")
        show_sheet(sheet, data["as_of"], data["due_within"], con)
