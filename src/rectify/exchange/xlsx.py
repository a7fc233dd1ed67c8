"""xlsx out, its parts written here directly; reading is ``tables``' business.

The house layout. A title row, a bold frozen header row with a filter,
widths that fit Chinese text, wrapped cells, dates as real date cells, the
colour bands as fills, a legend under the table. Every text cell is written as
a string cell; one that starts with = + - @, a tab or a CR also gets Excel's
"quote prefix" style, so neither Excel nor WPS ever evaluates it, and the text
itself is stored unchanged.

It prints: A4 landscape, the header row repeated on every page, page numbers
in the footer, fitted to the page width at no less than ``MIN_PRINT_SCALE``
(the wide text columns are narrowed, and their text wraps, until the printed
columns fit); columns after ``Layout.print_columns`` (the uid) lie outside the
print area. Row heights come from the content: the wrapped lines of each cell
are estimated from its column's width, CJK characters counting double. The
font is Arial, which Excel and WPS have and LibreOffice replaces by the
metric-compatible Liberation Sans, so the widths and the page fit are the
same in all three.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from rectify.exchange import columns

BAND_FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "blue": "DDEBF7"}
HEADER_FILL = "D9D9D9"
OPEN_FILL = "E2EFDA"  # the header of a column a unit fills in (a fill-in workbook)
MAX_WIDTH = 46
FONT = "Arial"
LINE_HEIGHT = 16  # points a line of 11-point text takes with Chinese in it (Noto Sans CJK: 1.45 em)
LATIN_LINE_HEIGHT = 13  # and without (Arial 11: 1.15 em; about 12.7 in Excel, 12.3 in LibreOffice)
ROW_PADDING = 3  # points above and below a cell's lines
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

# Printing on A4 landscape (842 x 595 points) within narrow margins.
PAGE_WIDTH_PT = 842 - 2 * 0.3 * 72
UNIT_PT = 6.1  # points one unit of column width takes at 100% (Arial 11: 8 pixels; Liberation Sans: 6.1 pt)
WIDE_UNITS = 1.85  # units a CJK character takes: an 11-point glyph (14.7 pixels) over Arial's 8-pixel digit
# Latin characters in Arial: most take about one unit (0.556 em, 8 pixels),
# i, l, t, f, r, punctuation and spaces about half, m, w and capitals more.
_NARROW = re.compile(r"[ijlftrI.,;:'!|/()\[\]{} -]")
_BROAD = re.compile(r"[mwMW@%]")
_CAPITAL = re.compile(r"[A-HJ-LN-VX-Z]")
MIN_PRINT_SCALE = 0.7  # 11-point text prints no smaller than 7.7 points
PRINT_FLOOR = 10  # a column is narrowed for printing down to this width at most
MAX_FLOOR = 14  # or to its longest Latin word, up to this width


@cache
def _wide() -> re.Pattern[str]:
    """East Asian wide and fullwidth characters (CJK, kana, hangul, fullwidth
    forms, emoji): two columns each. A regex counts them at C speed. Compiled
    at first use, not when the module loads (an import reads the stamp sheet's
    name from here): the ranges cost 10 to 25 ms to compile."""
    return re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                      "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U0001f300-\U0001f64f"
                      "\U0001f900-\U0001f9ff\U00020000-\U0003fffd]")


def display_width(text: str) -> int:
    """Columns a text takes in a sheet: CJK characters count two."""
    if text.isascii():
        return max(len(line) for line in text.split("\n"))
    return max(len(line) + len(_wide().findall(line)) for line in text.split("\n"))


def _widths(headers: list[str], rows: list[list], minimum: list[int], printed: int | None = None) -> list[float]:
    """Each column's width: its content's, between half and all of ``minimum``;
    then the first ``printed`` columns narrowed to fit the page (``_fit_page``)."""
    widths: list[float] = []
    sample = rows[:500]
    for i, head in enumerate(headers):
        w = max([display_width(head) + 2, minimum[i] // 2]
                + [display_width(_shown(r[i])) + 2 for r in sample if r[i] is not None])
        widths.append(min(max(w, minimum[i] // 2, 6), max(minimum[i], 12), MAX_WIDTH))
    printed = len(widths) if printed is None else printed
    # A Latin word is not broken where the page allows: a column keeps room for its longest.
    floors = [min(w, max(PRINT_FLOOR, min(math.ceil(_longest_word([headers[i]] + [r[i] for r in sample]) + 1), MAX_FLOOR)))
              for i, w in enumerate(widths[:printed])]
    return _fit_page(widths[:printed], floors) + widths[printed:]


def _longest_word(values: list) -> float:
    words = {w for v in values if isinstance(v, str) and v.isascii() for w in v.split()}
    return max((_units(w) for w in words), default=0)


def _fit_page(widths: list[float], floors: list[float]) -> list[float]:
    """The widths narrowed so that the columns print across one page at
    ``MIN_PRINT_SCALE`` or larger: the columns above their floor shrink by one
    factor, none below it (their text wraps instead)."""
    budget = PAGE_WIDTH_PT / (UNIT_PT * MIN_PRINT_SCALE)
    out = list(widths)
    while sum(out) > budget:
        flex = [i for i, w in enumerate(out) if w > floors[i]]
        room = budget - sum(w for i, w in enumerate(out) if i not in flex)
        if not flex or room <= sum(floors[i] for i in flex):
            for i in flex:
                out[i] = floors[i]
            break
        factor = room / sum(out[i] for i in flex)
        for i in flex:
            out[i] = max(floors[i], math.floor(out[i] * factor))
    return out


def _units(text: str) -> float:
    """Units of column width a line of text takes (``WIDE_UNITS`` a CJK character)."""
    latin = (len(text) - 0.5 * len(_NARROW.findall(text)) + 0.5 * len(_BROAD.findall(text))
             + 0.25 * len(_CAPITAL.findall(text)))
    if text.isascii():
        return latin
    return latin + (WIDE_UNITS - 1) * len(_wide().findall(text))


def _wrapped(text: str, room: float) -> int:
    """Lines ``text`` takes wrapped in ``room`` units: Latin words move to
    the next line whole, CJK text breaks anywhere, a newline starts a line."""
    lines = 0
    for para in text.split("\n"):
        if " " not in para:
            lines += max(1, math.ceil(_units(para) / room))
            continue
        n, used = 1, 0.0
        for word in para.split(" "):
            w = _units(word)
            gap = 0.5 if used else 0  # a space: 0.28 em
            if used + gap + w <= room:
                used += gap + w
                continue
            if not word.isascii():  # breaks anywhere: fill this line, carry the rest
                rest = used + gap + w - room
                n += math.ceil(rest / room)
                used = rest - (math.ceil(rest / room) - 1) * room
                continue
            if used:  # the word starts the next line
                n += 1
            if w > room:  # and is broken where a line ends
                n += math.ceil(w / room) - 1
                w -= (math.ceil(w / room) - 1) * room
            used = w
        lines += n
    return lines


def _lines(values: list, widths: list[float], skip: frozenset[int] = frozenset()) -> int:
    """How many lines the tallest wrapped cell of a row takes (``skip``: columns that do not wrap)."""
    most = 1
    for c, (value, width) in enumerate(zip(values, widths)):
        if not isinstance(value, str) or (len(value) * WIDE_UNITS <= width - 0.5 and "\n" not in value) or c in skip:
            continue
        most = max(most, _wrapped(value, max(width - 0.5, 1)))
    return min(most, 40)


def _height(values: list, lines: int) -> float:
    """A row's height in points for ``lines`` lines: taller when any of its text is CJK."""
    wide = any(isinstance(v, str) and not v.isascii() for v in values)
    return (LINE_HEIGHT if wide else LATIN_LINE_HEIGHT) * lines + ROW_PADDING


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
    print_columns: int | None = None  # the columns printed, from the first; None: all
    nowrap: frozenset[int] = frozenset()  # columns whose text never wraps (a uid)
    footer: str = "&P / &N"  # the page footer: Excel's codes, &P the page, &N the pages
    # The export stamp, (key, value) rows on a hidden sheet named STAMP_SHEET:
    # Excel, WPS and LibreOffice keep a hidden sheet through a save.
    stamp: list[tuple[str, str]] | None = None
    # A fill-in workbook: the columns a unit fills in (unlocked, their headers
    # marked), all others locked by sheet protection without a password;
    # drop-down lists (column -> words; other text is warned of, not refused);
    # and an instructions sheet (name, lines).
    editable: set[int] | None = None
    lists: dict[int, list[str]] | None = None
    instructions: tuple[str, list[str]] | None = None


STAMP_SHEET = columns.STAMP_SHEET


def write(path: Path, layout: Layout) -> None:
    """The house layout as an xlsx package, its parts written here directly.

    One row is one string join: no object per cell, no style looked up per
    cell (openpyxl and XlsxWriter spend 30 to 80 microseconds a cell on that;
    README "Speed"). Strings are inline, never formulas."""
    import zipfile

    widths = _widths(layout.headers, layout.rows, layout.widths, layout.print_columns)
    ncols = len(layout.headers)
    last_col = _col(ncols - 1)
    last_row = len(layout.rows) + 2
    letters = [_col(i) for i in range(ncols)]
    printed = ncols if layout.print_columns is None else layout.print_columns
    nowrap = layout.nowrap
    editable = layout.editable
    sheets = [(layout.sheet_name, "")]
    if layout.instructions:
        sheets.append((layout.instructions[0], ""))
    if layout.stamp:
        sheets.append((STAMP_SHEET, ' state="hidden"'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _content_types(len(sheets)))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/_rels/workbook.xml.rels", _book_rels(len(sheets)))
        zf.writestr("xl/styles.xml", _STYLES)
        quoted = "'" + layout.sheet_name.replace("'", "''") + "'"
        listed = "".join(f'<sheet name="{_attr(name)}" sheetId="{i}"{state} r:id="rId{i}"/>'
                         for i, (name, state) in enumerate(sheets, start=1))
        zf.writestr("xl/workbook.xml", (
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets>{listed}</sheets><definedNames>'
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f'{_text(quoted)}!$A$2:${last_col}${last_row}</definedName>'
            + (f'<definedName name="_xlnm.Print_Area" localSheetId="0">'
               f'{_text(quoted)}!$A$1:${_col(printed - 1)}${last_row + 1 + len(layout.legend)}</definedName>'
               if printed < ncols else "")
            + f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{_text(quoted)}!$2:$2</definedName>'
            f'</definedNames></workbook>'))
        with zf.open("xl/worksheets/sheet1.xml", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            out.write(f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetPr><pageSetUpPr fitToPage="1"/>'
                      f'</sheetPr><dimension ref="A1:{last_col}{last_row + 1 + len(layout.legend)}"/>'
                      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" '
                      'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
                      '<sheetFormatPr defaultRowHeight="15"/><cols>')
            out.write("".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                              for i, w in enumerate(widths, start=1)))
            out.write('</cols><sheetData><row r="1" ht="30" customHeight="1">')
            out.write(_string_cell("A1", layout.title, _XF["title"]))
            out.write(f'</row><row r="2" ht="{_height(layout.headers, _lines(layout.headers, widths)):g}" customHeight="1">')
            out.write("".join(_string_cell(f"{letters[c]}2", h, _XF["head_open" if editable and c in editable else "head"])
                              for c, h in enumerate(layout.headers)))
            out.write("</row>")
            for r, (values, band) in enumerate(zip(layout.rows, layout.bands), start=3):
                xf = _BAND_XF.get(band or "", _BAND_XF[""])
                open_xf = _OPEN_XF.get(band or "", _OPEN_XF[""])
                # Every row's height is stored: neither Excel nor WPS measures
                # wrapped text when it opens a file, and LibreOffice, which does,
                # then agrees with them.
                parts = [f'<row r="{r}" ht="{_height(values, _lines(values, widths, nowrap)):g}" customHeight="1">']
                for c, value in enumerate(values):
                    ref = f"{letters[c]}{r}"
                    style = open_xf if editable and c in editable else xf
                    if value is None:
                        parts.append(f'<c r="{ref}" s="{style[0]}"/>')
                    elif isinstance(value, str):
                        parts.append(_string_cell(ref, value, style[3] if c in nowrap else style[0]))
                    elif isinstance(value, bool):
                        parts.append(f'<c r="{ref}" s="{style[0]}" t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, datetime):
                        number = style[1] if c in layout.date_columns else style[2]
                        parts.append(f'<c r="{ref}" s="{number}"><v>{_serial(value)}</v></c>')
                    elif isinstance(value, date):
                        parts.append(f'<c r="{ref}" s="{style[1]}"><v>{(value - _EPOCH).days}</v></c>')
                    else:
                        parts.append(f'<c r="{ref}" s="{style[0]}"><v>{value!r}</v></c>')
                parts.append("</row>")
                out.write("".join(parts))
            for offset, line in enumerate(layout.legend, start=2):
                out.write(f'<row r="{last_row + offset}">{_string_cell(f"A{last_row + offset}", line, 0)}</row>')
            out.write("</sheetData>")
            if editable is not None:
                # Locked cells cannot be changed; filtering, sorting and widths still work. No password.
                out.write('<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" '
                          'autoFilter="0" sort="0"/>')
            out.write(f'<autoFilter ref="A2:{last_col}{last_row}"/>')
            if layout.lists and layout.rows:
                out.write(f'<dataValidations count="{len(layout.lists)}">' + "".join(
                    f'<dataValidation type="list" errorStyle="warning" allowBlank="1" showInputMessage="1" '
                    f'showErrorMessage="1" sqref="{letters[c]}3:{letters[c]}{last_row}"><formula1>'
                    f'{_text(chr(34) + ",".join(words) + chr(34))}</formula1></dataValidation>'
                    for c, words in sorted(layout.lists.items())) + "</dataValidations>")
            out.write('<printOptions horizontalCentered="1"/>'
                      '<pageMargins left="0.3" right="0.3" top="0.5" bottom="0.6" header="0.2" footer="0.25"/>'
                      '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                      f'<headerFooter><oddFooter>&amp;C{_text(layout.footer)}</oddFooter></headerFooter></worksheet>')
            out.flush()
            out.detach()
        number = 2
        if layout.instructions:
            zf.writestr(f"xl/worksheets/sheet{number}.xml", _plain_sheet([[line] for line in layout.instructions[1]], [100]))
            number += 1
        if layout.stamp:
            zf.writestr(f"xl/worksheets/sheet{number}.xml", _plain_sheet([list(pair) for pair in layout.stamp], [16, 40]))


def _plain_sheet(rows: list[list[str]], widths: list[int]) -> str:
    """A small sheet of text rows, wrapped: the instructions, the stamp."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    body = "".join(f'<row r="{r}">' + "".join(_string_cell(f"{_col(c)}{r}", v, _XF["wrap"]) for c, v in enumerate(row))
                   + "</row>" for r, row in enumerate(rows, start=1))
    return f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><cols>{cols}</cols><sheetData>{body}</sheetData></worksheet>'


def _col(index: int) -> str:
    """Column letters of a 0-based index."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


_EPOCH = date(1899, 12, 30)


def _serial(moment: datetime) -> str:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return repr((moment.date() - _EPOCH).days + seconds / 86400)


# Characters XML 1.0 cannot hold are written as their visible escape
# (``\x1b``, ``\ud800``), as rectify prints them everywhere, so the workbook is
# always written and the character stays visible. Text that reads as Excel's
# own escape (``_x0041_``) gets its underscore escaped (``_x005F_``), which
# Excel, WPS, LibreOffice and calamine read back as the text it was.
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
_UNSAFE = re.compile("_(?=x[0-9A-Fa-f]{4}_)|" + _NOT_XML)


def _escape(char: str) -> str:
    return "_x005F_" if char == "_" else char.encode("unicode_escape").decode("ascii")


def _text(value: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _UNSAFE.search(value):
        value = _UNSAFE.sub(lambda m: _escape(m.group()), value)
    return value


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _string_cell(ref: str, value: str, xf: int) -> str:
    """A string cell, never a formula; Excel's quote prefix for risky starts."""
    if value.startswith(DANGEROUS_START):
        xf = _QUOTED[xf]
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() or "\n" in value else ""
    return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
def _content_types(sheets: int) -> str:
    return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, sheets + 1))
            + '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')


_ROOT_RELS = (f'{_XML}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
              'Target="xl/workbook.xml"/></Relationships>')


def _book_rels(sheets: int) -> str:
    return (f'{_XML}<Relationships xmlns="{_PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, sheets + 1))
            + f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')


def _styles() -> tuple[str, dict, dict, dict, dict]:
    """styles.xml, and the cell format (xf) numbers the writer uses: by name,
    by band (general, date, date-time), and each one's quote-prefixed twin."""
    fills = ["", HEADER_FILL, OPEN_FILL] + list(BAND_FILLS.values())
    fill_xml = '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' + "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/><bgColor indexed="64"/></patternFill></fill>'
        for c in fills[1:])
    fill_id = {c: i + 1 for i, c in enumerate(fills)}  # "" -> 0 (none)
    fill_id[""] = 0
    xfs: list[str] = []
    quoted: dict[int, int] = {}

    def xf(font=0, fill="", border=0, numfmt=0, align="", unlocked=False) -> int:
        base = (f'numFmtId="{numfmt}" fontId="{font}" fillId="{fill_id[fill]}" borderId="{border}" xfId="0"'
                + (' applyNumberFormat="1"' if numfmt else "") + (' applyFont="1"' if font else "")
                + (' applyFill="1"' if fill else "") + (' applyBorder="1"' if border else "")
                + (' applyProtection="1"' if unlocked else ""))
        inner = (f"<alignment {align}/>" if align else "") + ('<protection locked="0"/>' if unlocked else "")
        for quote in (False, True):
            attrs = base + (' applyAlignment="1"' if align else "") + (' quotePrefix="1"' if quote else "")
            xfs.append(f"<xf {attrs}>{inner}</xf>" if inner else f"<xf {attrs}/>")
        quoted[len(xfs) - 2] = len(xfs) - 1
        quoted[len(xfs) - 1] = len(xfs) - 1
        return len(xfs) - 2

    names = {"plain": xf(), "title": xf(font=2, align='vertical="center"'),
             "head": xf(font=1, fill=HEADER_FILL, border=1, align='horizontal="center" vertical="center" wrapText="1"'),
             "head_open": xf(font=1, fill=OPEN_FILL, border=1, align='horizontal="center" vertical="center" wrapText="1"'),
             "wrap": xf(align='vertical="top" wrapText="1"')}
    bands = {}
    open_bands = {}
    for band, colour in [("", "")] + list(BAND_FILLS.items()):
        bands[band] = tuple(xf(fill=colour, border=1, numfmt=n, align='vertical="top" wrapText="1"')
                            for n in (0, 164, 165)) + (xf(fill=colour, border=1, align='vertical="top"'),)
        open_bands[band] = tuple(xf(fill=colour, border=1, numfmt=n, align='vertical="top" wrapText="1"', unlocked=True)
                                 for n in (0, 164, 165)) + (xf(fill=colour, border=1, align='vertical="top"', unlocked=True),)
    xml = (f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
           '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
           f'<fonts count="3"><font><sz val="11"/><name val="{FONT}"/><family val="2"/></font>'
           f'<font><b/><sz val="11"/><name val="{FONT}"/><family val="2"/></font>'
           f'<font><b/><sz val="14"/><name val="{FONT}"/><family val="2"/></font></fonts>'
           f'<fills count="{len(fills) + 1}">{fill_xml}</fills>'
           '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>'
           + "".join(f'<{side} style="thin"><color rgb="FF808080"/></{side}>' for side in ("left", "right", "top", "bottom"))
           + '<diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    return xml, names, bands, quoted, open_bands


_STYLES, _XF, _BAND_XF, _QUOTED, _OPEN_XF = _styles()
