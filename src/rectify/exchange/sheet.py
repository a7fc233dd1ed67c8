"""Reading a sheet the way offices make them, from its cells and merged ranges:

- the header row is the row among the first 20 that names the most known
  columns (a sub-header row under a merged group header is understood);
- merged cells that span rows give their value to every row they span;
- rows of one value between data rows (``一、财务管理方面``) are section
  headings: their text is the category of the rows below that have none;
- blank rows, repeated header rows and footnotes under the table are skipped,
  with a note; a row that is a task missing its measure is a bad row.
"""

from __future__ import annotations

import re
from datetime import date

from rectify.exchange import columns as C
from rectify.exchange.records import RowError, Source, convert
from rectify.i18n import _, ngettext

HEADER_SCAN_ROWS = 20
_FOOTNOTE = re.compile(r"(注|说明|note)\s*[0-9０-９:：.、（(]|(填表|制表|填报|审核|审批|联系|备注|附件)[^:：\n]{0,5}[:：]", re.I)
_HEADING_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十0-9]+[)）]?[、.．\s]*")
_HEADING_COUNT = re.compile(r"[（(][^()（）]*[)）]$")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill(grid: list[list], merges, *, tall_only: bool) -> list[list]:
    """The merged ranges' values copied into every cell they cover (only the
    ranges spanning rows, with ``tall_only``), clipped to the cells in use."""
    out = [list(r) for r in grid] if not tall_only else grid
    width = max((len(r) for r in out), default=0)
    for r1, c1, r2, c2 in merges:
        if tall_only and r1 == r2:
            continue
        r2, c2 = min(r2, len(out)), min(c2, width)
        if r1 > r2 or c1 > c2:
            continue
        value = out[r1 - 1][c1 - 1] if c1 - 1 < len(out[r1 - 1]) else None
        for r in range(r1, r2 + 1):
            row = out[r - 1]
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                row[c - 1] = value
    return out


def _field_at(grid, r: int, c: int) -> str | None:
    value = grid[r][c] if c < len(grid[r]) else None
    return C.field_for(value) if isinstance(value, str) else None


def find_header(full: list[list]) -> tuple[int, dict[int, str], dict[int, str], list[str]] | None:
    """(row index, column -> field, column -> header text, unmapped headers) of
    the row among the first 20 that names most known columns."""
    best = None
    for r in range(min(HEADER_SCAN_ROWS, len(full))):
        mapping: dict[int, str] = {}
        texts: dict[int, str] = {}
        unmapped: list[str] = []
        for c, value in enumerate(full[r]):
            field_ = _field_at(full, r, c)
            text = value
            above = full[r - 1][c] if r > 0 and c < len(full[r - 1]) else None
            if field_ is None and r > 0 and (_blank(value) or value == above):
                field_ = _field_at(full, r - 1, c)  # a group header above, a sub-header row here
                text = above if field_ else value
            if field_ and field_ not in mapping.values():
                mapping[c] = field_
                texts[c] = " ".join(str(text).split())
            elif not _blank(value):
                unmapped.append(" ".join(str(value).split()))
        fields = set(mapping.values())
        if not fields & {"title", "problem"} or len(fields) < 2:
            continue
        if best is None or len(fields) > len(best[1]):
            best = (r, mapping, texts, unmapped)
    return best


def _is_repeat(values: list, mapping: dict[int, str]) -> bool:
    """The header row again, as sheets printed page by page repeat it."""
    named = False
    for c, v in enumerate(values):  # stops at the first cell that is not its column's header (most rows: the first)
        if _blank(v):
            continue
        field_ = C.field_for(v) if isinstance(v, str) else None
        if field_ != mapping.get(c):
            return False
        named = named or field_ is not None
    return named


def _looks_like_data(raw: dict) -> bool:
    """A row under the table that is a task missing its measure, not a signature line."""
    return not _blank(raw.get("problem")) or sum(not _blank(v) for v in raw.values()) >= 3


def _heading(values: list, mapping: dict[int, str]) -> str | None:
    """A section heading: one text in a row, not in the problem or measure column."""
    filled = [(c, v) for c, v in enumerate(values) if not _blank(v)]
    if len({str(v).strip() for _c, v in filled}) != 1:
        return None
    c, v = filled[0]
    if mapping.get(c) in ("problem", "title") or not isinstance(v, str):
        return None
    text = _HEADING_COUNT.sub("", _HEADING_NUMBER.sub("", v.strip())).strip()
    return text or None


def read_grid(source: Source, grid: list[list], merges, today: date) -> bool:
    """Fill ``source`` from one sheet's cells; False when no header row is found."""
    full = _fill(grid, merges, tall_only=False)
    found = find_header(full)
    if found is None:
        return False
    hr, mapping, texts, unmapped = found
    data = _fill([list(r) for r in grid], merges, tall_only=True)
    source.present = set(mapping.values())
    source.unmapped = unmapped
    heads = {f: texts[c] for c, f in mapping.items()}
    key = "title" if "title" in source.present else "problem"
    rows = []  # (index, kind, payload)
    for i in range(hr + 1, len(data)):
        values = data[i]
        if all(_blank(v) for v in values):
            rows.append((i, "blank", None))
            continue
        raw = {f: (values[c] if c < len(values) else None) for c, f in mapping.items()}
        first = next(str(v).strip() for v in values if not _blank(v))
        if _FOOTNOTE.match(first):
            rows.append((i, "footnote", first))
        elif _is_repeat(values, mapping):
            rows.append((i, "repeat", None))
        elif not _blank(raw.get(key)):
            rows.append((i, "data", raw))
        elif (heading := _heading(values, mapping)) is not None:
            rows.append((i, "heading", heading))
        else:
            rows.append((i, "incomplete", raw))
    last_data = max((i for i, kind, _p in rows if kind == "data"), default=-1)
    category = None
    skipped_below = blanks = repeats = 0
    for i, kind, payload in rows:
        if i > last_data and not (kind == "incomplete" and _looks_like_data(payload)):
            skipped_below += kind != "blank"
            continue
        if kind == "blank":
            blanks += 1
        elif kind == "repeat":
            repeats += 1
        elif kind == "heading":
            category = payload
        elif kind == "footnote":
            source.notes.append(_("Row {row} skipped as a note: {text}").format(row=i + 1, text=payload[:60]))
        elif kind == "incomplete":
            source.bad.append((i + 1, _("{column} is empty: every row needs a measure.").format(
                column=heads.get(key, key))))
        else:
            raw = payload
            if category and ("category" not in raw or _blank(raw["category"])):
                raw = {**raw, "category": category}
            if key == "problem" and "title" not in raw:
                raw = {**raw, "title": raw["problem"]}
            try:
                source.records.append(convert(raw, i + 1, heads, today))
            except RowError as e:
                source.bad.append((i + 1, str(e)))
    if key == "problem":
        source.present.add("title")
        source.notes.append(_("No measure column: each problem text is also its task's measure."))
    if any(kind == "heading" for _i, kind, _p in rows):
        source.present.add("category")
    if skipped_below:
        source.notes.append(ngettext("{n} row under the table skipped (a note, signature or blank line).",
                                     "{n} rows under the table skipped (notes, signatures, blank lines).",
                                     skipped_below).format(n=skipped_below))
    if blanks:
        source.notes.append(ngettext("{n} blank row inside the table skipped.",
                                     "{n} blank rows inside the table skipped.", blanks).format(n=blanks))
    if repeats:
        source.notes.append(ngettext("{n} repeated header row skipped.",
                                     "{n} repeated header rows skipped.", repeats).format(n=repeats))
    source.notes.insert(0, _("Header row: {row}.").format(row=hr + 1))
    return True

