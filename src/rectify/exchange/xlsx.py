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
    from openpyxl.cell import WriteOnlyCell
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

    title = WriteOnlyCell(ws, value=layout.title)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(vertical="center")  # no wrap: it runs on over the empty cells beside it
    _as_text(title, layout.title)
    ws.row_dimensions[1].height = 30
    ws.append([title])

    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    heads = []
    for text in layout.headers:
        cell = WriteOnlyCell(ws, value=text)
        _as_text(cell, text)
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
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                _as_text(cell, value)
            elif isinstance(value, datetime):
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
            note = WriteOnlyCell(ws, value=line)
            _as_text(note, line)
            ws.append([note])
    wb.save(path)


def _as_text(cell, text: str) -> None:
    """A string cell, never a formula; Excel's quote prefix for risky starts."""
    cell.data_type = "s"
    if text.startswith(DANGEROUS_START):
        cell.quotePrefix = True
