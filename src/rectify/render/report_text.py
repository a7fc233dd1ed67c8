"""The reports on the terminal: the summary with a progress bar per row, the
weekly printout with its trend drawn in text, supervision sheets.

Plain text when NO_COLOR is set, stdout is not a terminal, or for a file.
The tables are laid out here rather than by rich's Table, which takes about
a millisecond a row: a printout of a large ledger has hundreds of rows.
Widths are counted in terminal cells, so Chinese text lines up. Each report
takes its data through ``printable_data`` first (rectify.text).
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from rectify.render import layout
from rectify.render.layout import label
from rectify.render.terminal import BAND_STYLES, console
from rectify.text import printable_data
from rectify.vocabulary import KINDS

GAP = "  "
ROOMY = 20  # the wide (measure) column gets narrower than this only when nothing else can give way
MIN_WIDE = 16  # the narrowest the wide column gets
MIN_WRAP = 10  # the narrowest another text column gets


def file_console(stream, width: int = 110) -> Console:
    """A console writing plain text to ``stream`` (a file or a buffer)."""
    return Console(file=stream, color_system=None, highlight=False, width=width, soft_wrap=False,
                   emoji=False, markup=False)


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
    """``text`` in lines of at most ``width`` cells: at a space where there is
    one in the line, anywhere in Chinese."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for ch in paragraph:
            size = cell_len(ch)
            if used + size > width and line:
                cut = line.rfind(" ")
                if cut > 0:
                    lines.append(line[:cut])
                    line = line[cut + 1:]
                else:
                    lines.append(line)
                    line = ""
                used = cell_len(line)
            line += ch
            used += size
        lines.append(line)
    return lines


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - cell_len(text))
    return space + text if right else text + space


def fit(natural: list[int], room: int, wide: int | None, wrap: AbstractSet[int] = frozenset(),
        optional: Sequence[int] = ()) -> dict[int, int]:
    """The columns to show, each with its width, to fit ``room`` cells. As
    the room shrinks: the ``wide`` column wraps, down to ROOMY; the
    ``optional`` columns go, first first; the ``wrap`` columns wrap, widest
    first, down to MIN_WRAP; the wide column wraps down to MIN_WIDE. What cannot
    give way stays (the lines are then too long)."""
    widths = dict(enumerate(natural))

    def excess() -> int:
        return sum(widths.values()) + len(GAP) * (len(widths) - 1) - room

    def narrow(i: int, floor: int) -> None:
        widths[i] -= max(0, min(excess(), widths[i] - min(floor, widths[i])))

    if wide is not None:
        narrow(wide, ROOMY)
    for i in optional:
        if excess() <= 0:
            break
        del widths[i]
    while excess() > 0:
        bendable = [i for i in wrap if i in widths and widths[i] > MIN_WRAP]
        if not bendable:
            break
        widths[max(bendable, key=lambda k: (widths[k], -k))] -= 1
    if wide is not None:
        narrow(wide, MIN_WIDE)
    return widths


def grid(con: Console, columns: list[str], rows: list[list[str]], *, right: AbstractSet[int] = frozenset(),
         wide: int | None = None, styles: list[dict[int, str]] | None = None, wrap: AbstractSet[int] = frozenset(),
         optional: Sequence[int] = ()) -> None:
    """Print a table: a bold header (when ``columns``), then the rows, fitted
    to the console (see ``fit``); ``styles`` gives per row a style per cell index."""
    count = len(columns) if columns else len(rows[0])
    natural = [max([cell_len(columns[i]) if columns else 0] + [cell_len(r[i]) for r in rows]) for i in range(count)]
    shown = fit(natural, con.width, wide, set(wrap), optional)
    keep = sorted(shown)
    bends = set(wrap) | ({wide} if wide is not None else set())
    if columns:
        _line(con, [(_pad(columns[i], shown[i], i in right) + (GAP if i != keep[-1] else ""), "bold") for i in keep])
    for n, row in enumerate(rows):
        style = styles[n] if styles else {}
        cells = {i: _wrap(row[i], shown[i]) if i in bends else [row[i]] for i in keep}
        for k in range(max(len(c) for c in cells.values())):
            parts = []
            for i in keep:
                lines = cells[i]
                text = lines[k] if k < len(lines) else ""
                space = " " * max(0, shown[i] - cell_len(text))
                styled = (text, style.get(i, "") if k == 0 else "")
                parts += [(space, ""), styled] if i in right else [styled, (space, "")]
                if i != keep[-1]:
                    parts.append((GAP, ""))
            _line(con, parts)


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


def show_summary(data: dict, con: Console | None = None) -> None:
    data = printable_data(data)
    con = con or console()
    _say(con, f"{label('summary_title')} · {layout.as_of_label(data['as_of'])}", "bold underline")
    grid(con, [], [[name, value] for name, value in layout.summary_figures(data)], right={1})
    show_problems(data, con)

    _heading(con, label("rate_title"))
    rates = [(label("all"), data["completion_rate"])]
    rates += [(label(kind), data["by_kind"][kind]["completion_rate"]) for kind in KINDS]
    grid(con, [], [[name, bar(r), layout.pct(r)] for name, r in rates], right={2})

    _heading(con, label("states"))
    _say(con, "  ".join(f"{layout.status_label(s)} {n}" for s, n in data["states"].items()))
    _heading(con, label("bands"))
    bands = list(data["bands"].items())
    grid(con, [], [[layout.band_legend(band, data), str(n)] for band, n in bands], right={1},
         styles=[{0: BAND_STYLES[band]} for band, _n in bands])

    by = data["by"]
    _heading(con, label("by", what=label(by)))
    rows, styles = [], []
    for key, group in layout.breakdown_rows(data):
        rows.append([layout.group_name(by, key), str(group["total"]), str(group["closed"]), str(group["overdue"]),
                     bar(group["completion_rate"], 16), layout.pct(group["completion_rate"])])
        styles.append({3: BAND_STYLES["red"]} if group["overdue"] else {})
    if rows:
        grid(con, [label(by).capitalize(), label("total"), label("closed"), label("overdue"), label("completion_rate"), ""],
             rows, right={1, 2, 3, 5}, wide=0, styles=styles)
    else:
        _say(con, label("nothing"))
    for table in layout.report_extras(data):
        print_table(con, table, band_cells=())


def show_problems(summary: dict, con: Console) -> None:
    """The round, problems and tasks side by side, and the outcomes (when any)."""
    from rectify.render import problems as P

    line = P.round_line(summary)
    if line:
        _say(con, line)
    print_table(con, P.side_by_side(summary), band_cells=())
    if summary["outcomes"]["entries"]:
        print_table(con, P.outcome_table(summary), band_cells=())


# -- weekly ------------------------------------------------------------------------


def show_weekly(data: dict, con: Console | None = None, *, context: dict | None = None) -> None:
    data, context = printable_data(data), printable_data(context)
    con = con or console()
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


def show_sheets(data: dict, con: Console | None = None) -> None:
    data = printable_data(data)
    con = con or console()
    for i, sheet in enumerate(data["sheets"]):
        if i:
            _say(con, "")
            _say(con, "─" * min(con.width, 80), "dim")
            _say(con, "")
        show_sheet(sheet, data["as_of"], data["due_within"], con)
