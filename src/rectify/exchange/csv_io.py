"""CSV in and out.

Out: UTF-8 with a BOM (what Excel and WPS open correctly), one header row, one
row per task. A cell that a spreadsheet would evaluate (it starts with = + -
@, a tab or a CR) is written with a leading apostrophe, which Excel and WPS
take as "this is text"; a cell that really starts with an apostrophe gets one
more, so rectify's own import, which drops one leading apostrophe, gives the
text back exactly.

In: ``tables.read_text`` reads CSV files (encodings, delimiters, limits);
``unescape`` here undoes the apostrophe.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path


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
