"""CSV in and out.

Out: UTF-8 with a BOM (what Excel and WPS open correctly), one header row, one
row per task. A cell that a spreadsheet would evaluate (it starts with = + -
@, a tab or a CR) is written with a leading apostrophe, which Excel and WPS
take as "this is text"; a cell that really starts with an apostrophe gets one
more, so rectify's own import, which drops one leading apostrophe, gives the
text back exactly.

In: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"),
or GB18030 (Chinese Excel and WPS); comma, tab or semicolon separated.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from rectify.errors import ImportFileError
from rectify.i18n import _

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "'")


def escape(text: str) -> str:
    """Make a spreadsheet show ``text`` as text (OWASP: CSV injection)."""
    return "'" + text if text.startswith(DANGEROUS_START) else text


def unescape(text: str) -> str:
    """Undo ``escape``: drop one leading apostrophe."""
    return text[1:] if text.startswith("'") else text


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return escape(value)
    return str(value)


def write(stream, headers: list[str], rows: list[list]) -> None:
    """Write CSV text (the caller adds the BOM when writing bytes)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([escape(h) for h in headers])
    for row in rows:
        writer.writerow([cell_text(v) for v in row])


def write_file(path: Path, headers: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        write(f, headers, rows)


def decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("{name} is neither UTF-8 nor GB18030 text; save it from Excel or WPS as CSV (UTF-8).").format(name=name)
        ) from None


def _delimiter(text: str) -> str:
    sample = text[:20000].splitlines()[:20]
    counts = {d: sum(line.count(d) for line in sample) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read(path: Path) -> list[list]:
    """The rows of a CSV file as lists of text, apostrophe escapes undone."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ImportFileError(_("Cannot read {path}: {reason}.").format(path=path, reason=e.strerror)) from None
    try:
        text = decode(data, Path(path).name)
    except UnicodeDecodeError:
        raise ImportFileError(_("{name} has a byte-order mark but is not valid text.").format(name=Path(path).name)) from None
    if "\x00" in text:
        raise ImportFileError(_("{name} is not a CSV file (it contains NUL bytes).").format(name=Path(path).name))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return [[unescape(cell.replace("\r\n", "\n").replace("\r", "\n")) for cell in row] for row in reader]
    except csv.Error as e:
        raise ImportFileError(_("{name} is not valid CSV: {reason}.").format(name=Path(path).name, reason=e)) from None
