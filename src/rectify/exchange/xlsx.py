"""xlsx in and out, through openpyxl (imported only here, only when used).

Out: the house layout. A title row, a bold frozen header row with a filter,
widths that fit Chinese text, wrapped cells, dates as real date cells, the
colour bands as fills, a legend under the table. Every text cell is written as
a string cell; one that starts with = + - @, a tab or a CR also gets Excel's
"quote prefix" style, so neither Excel nor WPS ever evaluates it, and the text
itself is stored unchanged.

In: every sheet's cell values and merged ranges, formulas as their last
computed values (``data_only``).
"""

from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from rectify.errors import ImportFileError, InputError
from rectify.i18n import _

BAND_FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "blue": "DDEBF7"}
HEADER_FILL = "D9D9D9"
MAX_WIDTH = 46
LINE_HEIGHT = 15  # points a line of 11-point text takes, Chinese included
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def display_width(text: str) -> int:
    """Columns a text takes in a sheet: CJK characters count two."""
    longest = 0
    for line in text.split("\n"):
        w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        longest = max(longest, w)
    return longest


def _widths(headers: list[str], rows: list[list], minimum: list[int]) -> list[float]:
    widths = []
    sample = rows[:500]
    for i, head in enumerate(headers):
        w = max([display_width(head) + 2, minimum[i] // 2]
                + [display_width(_shown(r[i])) + 2 for r in sample if r[i] is not None])
        widths.append(min(max(w, minimum[i] // 2, 6), max(minimum[i], 12), MAX_WIDTH))
    return widths


def _lines(values: list, widths: list[float]) -> int:
    """How many lines the tallest wrapped cell of a row takes."""
    most = 1
    for value, width in zip(values, widths):
        if not isinstance(value, str) or (len(value) * 2 < width - 1 and "\n" not in value):
            continue
        room = max(width - 1, 1)
        most = max(most, sum(max(1, math.ceil(display_width(line) / room)) for line in value.split("\n")))
    return min(most, 40)


def _shown(value) -> str:
    if isinstance(value, datetime):
        return "2026-01-01 00:00"
    if isinstance(value, date):
        return "2026-01-01"
    return str(value)


@dataclass
class Layout:
    title: str
    headers: list[str]
    rows: list[list]  # values: str, int, date, datetime or None
    bands: list[str | None]  # one per row
    widths: list[int]  # wished widths per column, in Latin characters
    date_columns: set[int]  # columns whose datetimes show as dates
    legend: list[str]
    sheet_name: str


def write(path: Path, layout: Layout) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.sheet_name)
    ncols = len(layout.headers)
    last = get_column_letter(ncols)
    widths = _widths(layout.headers, layout.rows, layout.widths)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(wrap_text=True, horizontal="center", vertical="center")
    bold = Font(bold=True)
    fills = {band: PatternFill("solid", fgColor=colour) for band, colour in BAND_FILLS.items()}

    title = _cell(ws, layout.title)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(vertical="center")  # no wrap: it runs on over the empty cells beside it
    ws.row_dimensions[1].height = 30
    ws.append([title])

    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    heads = []
    for text in layout.headers:
        cell = _cell(ws, text)
        cell.font, cell.fill, cell.border, cell.alignment = bold, header_fill, border, centred
        heads.append(cell)
    ws.append(heads)

    for index, (values, band) in enumerate(zip(layout.rows, layout.bands), start=3):
        fill = fills.get(band or "")
        lines = _lines(values, widths)
        if lines > 1:  # wrapped text: Excel and LibreOffice keep a stored height, so store one that fits
            ws.row_dimensions[index].height = LINE_HEIGHT * lines + 2
        cells = []
        for col, value in enumerate(values):
            cell = _cell(ws, value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd" if col in layout.date_columns else "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cell.border, cell.alignment = border, wrap_top
            if fill is not None:
                cell.fill = fill
            cells.append(cell)
        ws.append(cells)
    ws.auto_filter.ref = f"A2:{last}{len(layout.rows) + 2}"

    if layout.legend:
        ws.append([])
        for line in layout.legend:
            ws.append([_cell(ws, line)])
    wb.save(path)


def _cell(ws, value):
    """The one way a cell is made: text goes through ``cell_text`` and is
    written as a string cell, never a formula, with Excel's quote prefix
    for risky starts; other values as they are."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return WriteOnlyCell(ws, value=value)
    text = cell_text(value)
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if text.startswith(DANGEROUS_START):
        cell.quotePrefix = True
    return cell


# What XML 1.0 cannot hold: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cell_text(text: str) -> str:
    """``text`` as a cell can hold it: each character XML cannot carry is
    written as its escape (``\\x1b``, ``\\ud800``), so the workbook is always
    written and the character stays visible."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass
class Sheet:
    name: str
    rows: list[list]  # cell values, row 1 first
    merges: list[tuple[int, int, int, int]]  # (min_row, min_col, max_row, max_col), 1-based


def load(path: Path):
    """The workbook, or an ImportFileError that says what the file is."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    head = Path(path).read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("{name} is an old-style .xls workbook: open it in Excel or WPS and save it as .xlsx.").format(
            name=Path(path).name))
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise ImportFileError(_("{name} cannot be read as an xlsx workbook: {reason}.").format(
            name=Path(path).name, reason=e)) from None


def sheets(workbook, wanted: str | None) -> list[Sheet]:
    """The sheet named ``wanted``, or every sheet, the active one first."""
    names = workbook.sheetnames
    if wanted is not None:
        if wanted not in names:
            raise InputError(_("The workbook has no sheet {name!r}; it has: {names}.").format(
                name=wanted, names=", ".join(names)))
        order = [wanted]
    else:
        active = workbook.active.title if workbook.active is not None else names[0]
        order = [active] + [n for n in names if n != active]
    out = []
    for name in order:
        ws = workbook[name]
        if not hasattr(ws, "merged_cells"):
            continue  # a chart sheet
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        out.append(Sheet(name, rows, merges))
    return out
