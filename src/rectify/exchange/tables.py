"""Every table of a file as cells and merged ranges: the reader layer of import.

``read_tables(path)`` gives each sheet (xlsx, xlsm, xls, ods), each table of a
Word .docx, or the one table of a CSV / tab-separated text file, in order, as
a ``Table``: a grid of cell values and the merged ranges over it. What the
cells mean is ``sheet``'s business, not this module's.

Readers, chosen by measurement (README, "Formats read"): python-calamine
(Rust) for xlsx, xls and ods, with its merged ranges for xlsx and xls; ods
merges come from the pre-scan below; python-docx for .docx; the csv module
for text, decoded line by line.

Hostile files are refused before any cell is made (ImportFileError, exit 6):

- a zip (xlsx, ods, docx) is checked member by member: how many, how large
  once unpacked, how much larger than packed, and every XML part is streamed
  once to refuse a document type declaration (entities: billion laughs,
  external entities), which no office program writes;
- each sheet's extent is measured from its cells (not from what the file
  declares) and capped at ``MAX_ROWS`` x ``MAX_COLS`` and ``MAX_CELLS``, so
  one far-away cell cannot make a reader allocate a billion empty ones;
- merged ranges are clipped to the cells in use, and overlapping ones, which
  no spreadsheet writes, are refused;
- whatever a reader still raises becomes one translated line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import time, timedelta
from operator import itemgetter
from pathlib import Path

from rectify.errors import ImportFileError
from rectify.i18n import _, ngettext

MAX_ROWS = 200_000  # rows of one sheet; a city-wide ledger has tens of thousands
MAX_COLS = 1_000  # columns of one sheet; ledgers have 10 to 30
MAX_CELLS = 5_000_000  # rows x columns of one sheet: what the readers allocate densely
MAX_TOTAL_CELLS = 10_000_000  # all sheets of one file together
MAX_UNPACKED = 256 * 1024 * 1024  # bytes of a zip's members, unpacked, all together
MAX_RATIO = 200  # unpacked / packed size of a member over RATIO_FLOOR bytes (XML packs 5 to 30 times)
RATIO_FLOOR = 4 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_DOCX_XML = 64 * 1024 * 1024  # document.xml of a .docx, parsed into a tree by python-docx
MAX_TEXT = 256 * 1024 * 1024  # bytes of a CSV file
MAX_XLS = 128 * 1024 * 1024  # bytes of an .xls file (BIFF8 sheets hold 65,536 rows at most)
MAX_TAG = 1024 * 1024  # bytes of one XML tag while scanning

SHEET_FORMATS = (".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".csv", ".txt", ".tsv")


@dataclass
class Table:
    name: str  # sheet name; "表格 N" / "Table N" for a .docx table; the file name for CSV
    grid: list[list]  # rows of cell values (str, int, float, date, datetime, bool or None), ragged
    merges: list[tuple[int, int, int, int]]  # 1-based inclusive (r1, c1, r2, c2)
    notes: list[str] = field(default_factory=list)  # what the reader had to decide (an encoding per line, ...)


def read_tables(path: Path) -> list[Table]:
    """Every sheet or table of ``path``, in order; ImportFileError on anything unreadable."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            return [read_text(path)]
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        if suffix == ".xls":
            return _read_xls(path)
        if suffix == ".ods":
            return _read_ods(path)
        if suffix == ".docx":
            return _read_docx(path)
    except ImportFileError:
        raise
    except MemoryError:
        raise ImportFileError(_("{name} is too large to read.").format(name=path.name)) from None
    except OSError as e:
        raise ImportFileError(_("Cannot read {path}: {reason}.").format(path=path, reason=e.strerror or e)) from None
    except Exception as e:  # a reader's own error on a damaged file: one line, never a traceback
        raise ImportFileError(_("{name} cannot be read as a {kind} file: {reason}.").format(
            name=path.name, kind=suffix.lstrip("."), reason=_one_line(e))) from None
    raise ImportFileError(_("Cannot tell the format of {name}.").format(name=path.name))


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


# -- limits ---------------------------------------------------------------------


def _col_name(col: int) -> str:
    name = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def _check_extent(path: Path, sheet: str, rows: int, cols: int) -> None:
    """Refuse a sheet whose cells reach beyond the limits, before any is made."""
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
        raise ImportFileError(_(
            "{name}: sheet {sheet!r} has cells as far as {cell} ({rows:,} rows x {cols:,} columns); rectify reads at "
            "most {max_rows:,} rows, {max_cols:,} columns and {max_cells:,} cells a sheet: delete what lies beyond "
            "the table, or copy the table into a new workbook.").format(
            name=path.name, sheet=sheet, cell=f"{_col_name(cols)}{rows}", rows=rows, cols=cols,
            max_rows=MAX_ROWS, max_cols=MAX_COLS, max_cells=MAX_CELLS))


def _clip_merges(path: Path, sheet: str, merges, rows: int, cols: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges cut to the cells in use; refused when they overlap (no
    spreadsheet writes that, and filling them would cost their whole area)."""
    out = []
    area = 0
    for r1, c1, r2, c2 in merges:
        r1, c1 = max(r1, 1), max(c1, 1)
        r2, c2 = min(r2, rows), min(c2, cols)
        if r1 > r2 or c1 > c2 or (r1 == r2 and c1 == c2):
            continue
        area += (r2 - r1 + 1) * (c2 - c1 + 1)
        out.append((r1, c1, r2, c2))
    if area > rows * cols:
        raise ImportFileError(_("{name}: the merged cells of sheet {sheet!r} overlap, which no spreadsheet program "
                                "writes; the file is damaged or made by hand.").format(name=path.name, sheet=sheet))
    return out


def _open_zip(path: Path, kind: str) -> zipfile.ZipFile:
    """The zip, after checking its members' number and sizes as declared."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportFileError(_("{name} is not a {kind} file (it is not a zip package as {kind} files are); "
                                "if it is an old .xls or a CSV, give it that name.").format(
            name=path.name, kind=kind)) from None
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        zf.close()
        raise ImportFileError(_("{name} has {n:,} parts; a {kind} file has a few dozen.").format(
            name=path.name, n=len(infos), kind=kind))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNPACKED or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            zf.close()
            raise _too_large(path, info.filename)
    return zf


def _too_large(path: Path, member: str) -> ImportFileError:
    return ImportFileError(_(
        "{name}: part {member} unpacks to more than rectify reads ({mb} MB in all, {ratio} times its packed size): "
        "refused as a zip bomb.").format(name=path.name, member=member, mb=MAX_UNPACKED // (1024 * 1024),
                                         ratio=MAX_RATIO))


_DOCTYPE = (b"<!DOCTYPE", b"<!ENTITY")


def _stream(path: Path, zf: zipfile.ZipFile, name: str):
    """A member's bytes in chunks, checked for entity declarations and size on the way."""
    info = zf.getinfo(name)
    seen = 0
    tail = b""
    with zf.open(info) as f:
        first = True
        while chunk := f.read(1 << 20):
            if first:
                first = False
                if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or chunk[:2] in (b"<\x00", b"\x00<"):
                    raise ImportFileError(_("{name}: part {member} is not UTF-8 XML, as office programs write it.").format(
                        name=path.name, member=name))
            seen += len(chunk)
            if seen > MAX_UNPACKED:
                raise _too_large(path, name)
            window = tail + chunk
            if any(mark in window for mark in _DOCTYPE):
                raise ImportFileError(_(
                    "{name}: part {member} declares a document type or entities, which office programs never write; "
                    "refused for safety (entity expansion).").format(name=path.name, member=name))
            tail = chunk[-16:]
            yield chunk


def _check_parts(path: Path, zf: zipfile.ZipFile, skip: AbstractSet[str] = frozenset()) -> None:
    """Stream every XML part once (except those scanned elsewhere)."""
    for info in zf.infolist():
        if info.filename in skip or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        for _chunk in _stream(path, zf, info.filename):
            pass


# -- xlsx ------------------------------------------------------------------------

# A tag <row ...> or <c ...> (any namespace prefix), its attributes (quoted
# values may hold '>'), and whether it closes itself (an empty cell).
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)((?:\s(?:[^>\"'/]|\"[^\"]*\"|'[^']*')*)?)(/?)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]*)([0-9]*)\s*["']""")


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ODD_CELL = re.compile(rb"<c[>/\t\n\r]")  # a cell tag not followed by a space
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


class _Extent:
    """Where a worksheet's cells reach, counted as the readers count them: a
    cell with a reference is there, one without is next to the one before."""

    def __init__(self, exact: bool = False):
        self.exact = exact
        self.rough = False
        self.row = 0
        self.col = 0
        self.rows = 0
        self.cols = 0

    def feed(self, data: bytes) -> None:
        # The common case at C speed: every cell tag reads <c r="B7" ...>.
        # Empty cells (<c r="Z9" s="1"/>) count too, so the extent may be
        # larger than the readers'; ``_scan_sheet`` scans exactly if that
        # matters (a sheet past the limits), without looking for them here.
        if not self.exact and b":c" not in data:
            refs = _CELL_REF.findall(data)
            if len(refs) == data.count(b"<c ") and not _ODD_CELL.search(data):
                if refs:  # the distinct row numbers and column letters, gathered in C
                    self.rows = max(self.rows, max(map(int, set(map(_SECOND, refs)))))
                    self.cols = max(self.cols, max(map(_col_number, set(map(_FIRST, refs)))))
                    self.rough = True
                last = _TAG.match(data, max(data.rfind(b"<row"), data.rfind(b"<c ")))
                if last:  # where a later cell without a reference would go
                    self.tag(last)
                return
        for m in _TAG.finditer(data):
            self.tag(m)

    def tag(self, m) -> None:
        kind, attrs, empty = m.group(1), m.group(2), m.group(3)
        ref = _REF.search(attrs)
        if kind == b"row":
            self.row = int(ref.group(2)) if ref and ref.group(2) else self.row + 1
            self.col = 0
            return
        if ref and ref.group(1):
            self.col = _col_number(ref.group(1))
            if ref.group(2):
                self.row = int(ref.group(2))
        else:
            self.col += 1
        if not empty:
            self.rows = max(self.rows, self.row)
            self.cols = max(self.cols, self.col)


def _scan_sheet(path: Path, zf: zipfile.ZipFile, member: str, exact: bool = False) -> tuple[int, int]:
    """A worksheet's extent (rows, columns) as the readers will make it."""
    extent = _Extent(exact)
    keep = b""
    for chunk in _stream(path, zf, member):
        data = keep + chunk
        cut = data.rfind(b"<")
        if cut < 0:
            keep = b""
            continue
        extent.feed(data[:cut])
        keep = data[cut:]
        m = _TAG.match(keep)
        if m:  # a whole tag; what follows it is text, which cannot hold '<'
            extent.tag(m)
            keep = b""
        elif len(keep) > MAX_TAG:
            raise ImportFileError(_("{name}: part {member} has a tag longer than {n:,} bytes.").format(
                name=path.name, member=member, n=MAX_TAG))
    extent.feed(keep)
    rows, cols = extent.rows, extent.cols
    if extent.rough and (rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS):
        return _scan_sheet(path, zf, member, exact=True)  # perhaps only empty cells lie that far
    return rows, cols


def _cell(value):
    """calamine's value as the importer takes it: empty is None, whole numbers are ints."""
    if value == "" or value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    if isinstance(value, (time, timedelta)):
        return str(value)
    return value


def _calamine_tables(path: Path, kind: str, extents: dict[str, tuple[int, int]], ods_merges=None,
                     fallback: tuple[int, int] | None = None) -> list[Table]:
    """Read the sheets through calamine once each sheet's extent is known to be sane.
    ``extents``: the sheet's (rows, cols) by name, measured before."""
    import python_calamine as pc

    total = sum(r * c for r, c in extents.values())
    if total > MAX_TOTAL_CELLS:
        raise ImportFileError(_("{name} holds {n:,} cells in all; rectify reads at most {max:,}.").format(
            name=path.name, n=total, max=MAX_TOTAL_CELLS))
    workbook = pc.CalamineWorkbook.from_path(str(path))
    out = []
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue  # a chart or dialog sheet
            name = meta.name
            if name not in extents and fallback is not None:
                extents[name] = fallback  # within the limits: every part was measured
            if name not in extents:
                raise ImportFileError(_("{name}: sheet {sheet!r} could not be measured before reading; refused.").format(
                    name=path.name, sheet=name))
            rows, cols = extents[name]
            if rows == 0:
                out.append(Table(name, [], []))
                continue
            sheet = workbook.get_sheet_by_name(name)
            (r0, c0) = sheet.start or (0, 0)
            if sheet.end and (sheet.end[0] + 1 > rows or sheet.end[1] + 1 > cols):
                _check_extent(path, name, sheet.end[0] + 1, sheet.end[1] + 1)
            pad = [None] * c0
            grid: list[list[object]] = [[] for _i in range(r0)]
            for row in sheet.iter_rows():
                grid.append(pad + [v if type(v) is str and v else _cell(v) for v in row])
            width = max((len(r) for r in grid), default=0)
            raw = ods_merges.get(name, []) if ods_merges is not None else [
                (a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (sheet.merged_cell_ranges or [])]
            out.append(Table(name, grid, _clip_merges(path, name, raw, len(grid), width)))
    finally:
        workbook.close()
    return out


def _xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part, from the workbook and its relationships."""
    from xml.etree import ElementTree as ET  # noqa: S405 (every part was checked for entity declarations)

    def parse(member):
        return ET.fromstring(zf.read(member))  # noqa: S314

    book = next((n for n in zf.namelist() if n.lower() == "xl/workbook.xml"), None)
    if book is None:
        return {}
    rels_name = "xl/_rels/workbook.xml.rels"
    targets = {}
    if rels_name in zf.namelist():
        for rel in parse(rels_name):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[rel.get("Id")] = _normal(target)
    out = {}
    for el in parse(book).iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            out[el.get("name")] = targets.get(rid, "")
    return out


def _normal(target: str) -> str:
    parts: list[str] = []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _read_xlsx(path: Path) -> list[Table]:
    with _open_zip(path, "xlsx") as zf:
        # Every XML part is measured as if it were a sheet (and checked for
        # entities on the way): a part the workbook lists twice, or under a
        # name the reader resolves otherwise, cannot escape the limits.
        measured = {}
        for info in zf.infolist():
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                measured[info.filename] = _scan_sheet(path, zf, info.filename)
        parts = _xlsx_sheet_parts(zf)
    names = {member: sheet for sheet, member in parts.items()}
    for member, (rows, cols) in measured.items():
        _check_extent(path, names.get(member, member), rows, cols)
    extents = {sheet: measured.get(member, (0, 0)) for sheet, member in parts.items()}
    worst = max(measured.values(), key=lambda e: e[0] * e[1], default=(0, 0))
    if sum(r * c for r, c in measured.values()) > MAX_TOTAL_CELLS:
        raise ImportFileError(_("{name} holds {n:,} cells in all; rectify reads at most {max:,}.").format(
            name=path.name, n=sum(r * c for r, c in measured.values()), max=MAX_TOTAL_CELLS))
    return _calamine_tables(path, "xlsx", extents, fallback=worst)


# -- xls ---------------------------------------------------------------------------

# BIFF8 cell records: each starts with its row and column (u16, u16).
_XLS_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6, 0x0201}
_XLS_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, ..., last column
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085


def _read_xls(path: Path) -> list[Table]:
    from xlrd import compdoc

    if path.stat().st_size > MAX_XLS:
        raise ImportFileError(_("{name} is larger than {mb} MB, more than an .xls workbook holds.").format(
            name=path.name, mb=MAX_XLS // (1024 * 1024)))
    data = path.read_bytes()
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("{name} is not an .xls workbook; if it is a CSV or an xlsx file, give it that name.").format(
            name=path.name))
    doc = compdoc.CompDoc(data, logfile=io.StringIO())
    stream = None
    for name in ("Workbook", "Book"):
        try:
            stream = doc.get_named_stream(name)
        except compdoc.CompDocError:
            stream = None
        if stream:
            break
    if not stream:
        raise ImportFileError(_("{name} is an .xls file without a workbook in it.").format(name=path.name))
    names, extents = [], []
    pos, depth, current = 0, 0, None
    end = len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if rtype == _BOUNDSHEET and length >= 8:
            names.append(_xls_sheet_name(stream[body + 6:body + length]))
        elif rtype == _BOF:
            depth += 1
            if depth == 1 and pos > 0:
                current = [0, 0]
                extents.append(current)
        elif rtype == _EOF:
            depth = max(depth - 1, 0)
            if depth == 0:
                current = None
        elif current is not None and length >= 4 and (rtype in _XLS_CELLS or rtype in _XLS_MULTI):
            row, col = struct.unpack_from("<HH", stream, body)
            if rtype in _XLS_MULTI and length >= 6:
                col = struct.unpack_from("<H", stream, body + length - 2)[0]
            current[0] = max(current[0], row + 1)
            current[1] = max(current[1], col + 1)
        pos = body + length
    by_name = {}
    for i, name in enumerate(names):
        rows, cols = extents[i] if i < len(extents) else (0, 0)
        _check_extent(path, name, rows, cols)
        by_name[name] = (rows, cols)
    del data, stream, doc
    return _calamine_tables(path, "xls", by_name)


def _xls_sheet_name(raw: bytes) -> str:
    """A BOUNDSHEET record's name: length, flags, then Latin-1 or UTF-16LE."""
    if len(raw) < 2:
        return ""
    n, flags = raw[0], raw[1]
    text = raw[2:]
    return text[:2 * n].decode("utf-16-le", "replace") if flags & 1 else text[:n].decode("latin-1")


# -- ods ----------------------------------------------------------------------------

_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class _OdsScan:
    """Each table's extent and merged ranges from content.xml, counting the
    repeated rows and columns as the readers expand them."""

    def __init__(self):
        self.extents: dict[str, tuple[int, int]] = {}
        self.merges: dict[str, list] = {}
        self.name = None
        self.depth = 0  # nesting of tables (a table inside a cell is not a sheet)
        self.row = 0
        self.row_repeat = 1
        self.col = 0
        self.cell = None  # (col, repeat, has content)
        self.rows = self.cols = 0

    def start(self, tag, attrs):
        ns, _sep, local = tag.rpartition(" ")
        if ns != _ODS_TABLE and local != "p":
            return
        if local == "table" and ns == _ODS_TABLE:
            self.depth += 1
            if self.depth == 1:
                self.name = attrs.get(f"{_ODS_TABLE} name", "")
                self.row = self.col = self.rows = self.cols = 0
                self.merges[self.name] = []
            return
        if self.depth != 1:
            return
        if local == "table-row":
            self.row_repeat = _int(attrs.get(f"{_ODS_TABLE} number-rows-repeated"))
            self.col = 0
        elif local in ("table-cell", "covered-table-cell"):
            repeat = _int(attrs.get(f"{_ODS_TABLE} number-columns-repeated"))
            content = any(k.endswith(("value-type", "formula")) for k in attrs)
            self.cell = [self.col, repeat, content]
            if local == "table-cell":
                across = _int(attrs.get(f"{_ODS_TABLE} number-columns-spanned"))
                down = _int(attrs.get(f"{_ODS_TABLE} number-rows-spanned"))
                if across > 1 or down > 1:
                    self.merges[self.name].append((self.row + 1, self.col + 1, self.row + down, self.col + across))
            self.col += repeat
        elif local == "p" and self.cell is not None:
            self.cell[2] = True

    def end(self, tag):
        ns, _sep, local = tag.rpartition(" ")
        if ns != _ODS_TABLE:
            return
        if local == "table":
            if self.depth == 1:
                self.extents[self.name] = (self.rows, self.cols)
            self.depth -= 1
        elif self.depth != 1:
            return
        elif local in ("table-cell", "covered-table-cell"):
            if self.cell and self.cell[2]:
                self.rows = max(self.rows, self.row + self.row_repeat)
                self.cols = max(self.cols, self.cell[0] + self.cell[1])
                if self.rows * max(self.cols, 1) > MAX_CELLS or self.rows > MAX_ROWS or self.cols > MAX_COLS:
                    raise _OdsTooLarge(self.name, self.rows, self.cols)
            self.cell = None
        elif local == "table-row":
            self.row += self.row_repeat


class _OdsTooLarge(Exception):
    pass


def _int(text, least: int = 1) -> int:
    """A count from an attribute; ``least`` when it is missing or not a number."""
    try:
        return min(max(int(text), least), 1 << 24) if text else least
    except ValueError:
        return least


def _read_ods(path: Path) -> list[Table]:
    import xml.parsers.expat

    with _open_zip(path, "ods") as zf:
        if "content.xml" not in zf.namelist():
            raise ImportFileError(_("{name} cannot be read as a {kind} file: {reason}.").format(
                name=path.name, kind="ods", reason="content.xml"))
        scan = _OdsScan()
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = scan.start
        parser.EndElementHandler = scan.end
        try:
            for chunk in _stream(path, zf, "content.xml"):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _OdsTooLarge as e:
            _check_extent(path, *e.args)
        except xml.parsers.expat.ExpatError as e:
            raise ImportFileError(_("{name} cannot be read as a {kind} file: {reason}.").format(
                name=path.name, kind="ods", reason=e)) from None
        _check_parts(path, zf, skip={"content.xml"})
    return _calamine_tables(path, "ods", scan.extents, ods_merges=scan.merges)


# -- docx ------------------------------------------------------------------------------


def _read_docx(path: Path) -> list[Table]:
    with _open_zip(path, "docx") as zf:
        for info in zf.infolist():
            if info.filename.lower().endswith(".xml") and info.file_size > MAX_DOCX_XML:
                raise _too_large(path, info.filename)
        _check_parts(path, zf)
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    body = document.element.body
    tables = body.xpath("./w:tbl | ./w:sdt/w:sdtContent/w:tbl")
    out = []
    for n, tbl in enumerate(tables, start=1):
        name = _("Table {n}").format(n=n)
        grid, merges = _docx_grid(tbl, qn, lambda rows, cols, name=name: _check_extent(path, name, rows, cols))
        rows = len(grid)
        cols = max((len(r) for r in grid), default=0)
        _check_extent(path, name, rows, cols)
        out.append(Table(name, grid, _clip_merges(path, name, merges, rows, cols)))
    return out


def _docx_grid(tbl, qn, check) -> tuple[list[list], list[tuple[int, int, int, int]]]:
    """A Word table's cells by grid column: gridSpan merges across, vMerge down."""
    grid: list[list] = []
    merges = []
    open_down: dict[int, list] = {}  # grid column -> [r1, c1, r2, c2] of a vertical merge still running
    for r, tr in enumerate(tbl.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr"), start=1):
        row: list = []
        before = tr.xpath("./w:trPr/w:gridBefore/@w:val")
        col = 1 + (min(_int(before[0], 0), MAX_COLS + 1) if before else 0)
        row.extend([None] * (col - 1))
        for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc"):
            span = tc.xpath("./w:tcPr/w:gridSpan/@w:val")
            span = min(_int(span[0]), MAX_COLS + 1) if span else 1
            vmerge = tc.xpath("./w:tcPr/w:vMerge")
            state = (vmerge[0].get(qn("w:val")) or "continue") if vmerge else None
            if state == "continue" and col in open_down:
                open_down[col][2] = r
                row.extend([None] * span)
            else:
                row.append(_docx_text(tc, qn))
                row.extend([None] * (span - 1))
                if state == "restart":
                    open_down[col] = [r, col, r, col + span - 1]
                    merges.append(open_down[col])
                else:
                    open_down.pop(col, None)
                    if span > 1:
                        merges.append([r, col, r, col + span - 1])
            col += span
            if col > MAX_COLS + 1:
                check(r, col - 1)
        grid.append(row)
    return grid, [tuple(m) for m in merges]


def _docx_text(tc, qn) -> str | None:
    """A cell's paragraphs, one a line; a table nested in it, a line a row."""
    lines = []
    for child in tc.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(child.text)  # CT_P.text: runs, tabs and breaks as Paragraph.text reads them
        elif child.tag == qn("w:tbl"):
            for tr in child.iter(qn("w:tr")):
                cells = [" ".join(p.text for p in tc2.iter(qn("w:p"))).strip()
                         for tc2 in tr.iter(qn("w:tc"))]
                lines.append(" ".join(c for c in cells if c))
    text = "\n".join(lines).strip()
    return text or None


# -- CSV and tab-separated text -----------------------------------------------------------


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of a CSV file as Chinese Excel and WPS write it, and notes.

    A byte-order mark decides (UTF-8, UTF-16 LE or BE). Without one, UTF-8 if
    the whole file is UTF-8, else GB18030 if it is that; a file with lines of
    both (one edited by two programs) is read line by line, each line in the
    encoding it is valid in, and the note says which lines were GB18030. Never
    GB18030 over UTF-8 bytes, which gives mojibake ("Zo毛 M眉ller")."""
    marked = data.startswith(codecs.BOM_UTF8)
    if marked:
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise ImportFileError(_("{name} has a UTF-16 byte-order mark but is not valid UTF-16 text.").format(
                name=name)) from None
    else:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16, []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    out, legacy, utf8 = [], [], 0
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            try:
                text = line.decode("gb18030")
            except UnicodeDecodeError:
                raise ImportFileError(_(
                    "{name}: line {line} is neither UTF-8 nor GB18030 text; save the file from Excel or WPS as "
                    "CSV (UTF-8).").format(name=name, line=number)) from None
            legacy.append(number)
        out.append(text)
    notes = []
    if utf8 or marked:
        shown = ", ".join(str(n) for n in legacy[:10]) + (", ..." if len(legacy) > 10 else "")
        which = ngettext("line {numbers}", "lines {numbers}", len(legacy)).format(numbers=shown)
        notes.append(_("{name} is not all UTF-8: {lines} read as GB18030, the other lines as UTF-8.").format(
            name=name, lines=which))
    return "\n".join(out), notes


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without its mark. UTF-8 and GB18030 text has no NUL
    byte; in UTF-16 every ASCII character (delimiters, line ends, digits) has
    one, all on the same side."""
    sample = data[:4000]
    if b"\x00" not in sample:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if max(odd, even) < 4 * min(odd, even) + 2:
        return None
    try:
        return data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None


def _delimiter(text: str) -> str:
    sample = text[:20000].splitlines()[:20]
    counts = {d: sum(line.count(d) for line in sample) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_text(path: Path) -> Table:
    """A CSV or tab-separated file as one table of text cells, apostrophe escapes undone."""
    from rectify.exchange.csv_io import unescape

    name = path.name
    if path.stat().st_size > MAX_TEXT:
        raise ImportFileError(_("{name} is larger than {mb} MB; rectify reads CSV files up to that size.").format(
            name=name, mb=MAX_TEXT // (1024 * 1024)))
    text, notes = decode_text(path.read_bytes(), name)
    if "\x00" in text:
        raise ImportFileError(_("{name} is not a CSV file (it contains NUL bytes).").format(name=name))
    delimiter = _delimiter(text)
    if len(text) > 100 * MAX_COLS:
        for number, line in enumerate(io.StringIO(text), start=1):
            if line.count(delimiter) > 100 * MAX_COLS:  # a row of more fields than any sheet, before they are made
                _check_extent(path, name, number, line.count(delimiter) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[list] = []
    cols = 0
    try:
        for row in reader:
            cols = max(cols, len(row))
            if len(grid) >= MAX_ROWS or cols > MAX_COLS or (len(grid) + 1) * cols > MAX_CELLS:
                _check_extent(path, name, len(grid) + 1, cols)
            grid.append([unescape(cell.replace("\r\n", "\n").replace("\r", "\n")) or None for cell in row])
    except csv.Error as e:
        raise ImportFileError(_("{name} is not valid CSV: {reason}.").format(name=name, reason=e)) from None
    return Table(name, grid, [], notes)
