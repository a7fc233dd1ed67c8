"""Reading a sheet the way offices make them, from its cells and merged ranges:

- the header row is the row among the first 20 that names the most known
  columns (a sub-header row under a merged group header is understood);
- merged cells that span rows give their value to every row they span;
- rows of one value between data rows (``一、财务管理方面``) are section
  headings: their text is the category of the rows below that have none;
- blank rows, repeated header rows and footnotes under the table are skipped,
  with a note; a row that is a task missing its measure is a bad row;
- the text above the header (title, 填报单位：…) and of notes and signature
  lines (注：…, 填表人：…) is kept on the source, so the summary names it;
- "same as above": a cell written 同上 (同前, 〃) takes the value above it in
  its column, 同左 the value to its left. A blank cell is "as above" in the
  problem and 序号 columns (a problem written once over its measures), in the
  category column (until a group row), and in the leader, unit and owner
  columns within one problem. Deadline, kind, state, target and the measure
  are never filled from a blank: each measure has its own. A sheet with a
  uid column is rectify's own export and every row is read as written.
"""

from __future__ import annotations

import re
from datetime import date
from operator import itemgetter
from typing import Any

from rectify.exchange import columns
from rectify.exchange.records import RowError, Source, convert
from rectify.i18n import _, ngettext

HEADER_SCAN_ROWS = 20
_FOOTNOTE = re.compile(r"(注|说明|note)\s*[0-9０-９:：.、（(]|(填表|制表|填报|审核|审批|联系|备注|附件|负责人|签字|签名|盖章)"
                       r"[^:：\n]{0,5}[:：]", re.I)
_HEADING_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十0-9]+[)）]?[、.．\s]*")
_HEADING_COUNT = re.compile(r"[（(][^()（）]*[)）]$")
# A group row in the problem or measure column itself: 一、… / （二）… / 第三部分 …, or …方面.
_GROUP = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类项方面])"
                    r"|方面(?:[（(][^()（）]*[)）])?$")
# A group's own numeral, in the 序号 column of a group row: 一 / 一、 / （一） / 第一部分.
_GROUP_NUMBER = re.compile(r"[（(]?第?[一二三四五六七八九十]+[)）]?[、.．]?(?:部分|类|项)?")
# Blank cells that mean "as above" (see the module docstring): across problems, and within one.
FILL_ACROSS = ("category",)
FILL_WITHIN = ("problem", "seq", "leader", "unit", "owner")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill(grid: list[list], merges, *, tall_only: bool) -> list[list]:
    """The merged ranges' values copied into every cell they cover (only the
    ranges spanning rows, with ``tall_only``), clipped to the cells in use."""
    out = [list(r) for r in grid] if not tall_only else grid
    width = max((len(r) for r in out), default=0)
    rows = len(out)
    for r1, c1, r2, c2 in merges:
        if r1 > rows or (tall_only and r1 == r2):
            continue
        r2, c2 = min(r2, rows), min(c2, width)
        if r1 > r2 or c1 > c2:
            continue
        value = out[r1 - 1][c1 - 1] if c1 - 1 < len(out[r1 - 1]) else None
        for r in range(r1, r2 + 1):
            row = out[r - 1]
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            if c1 == c2:  # one column (a problem merged over its measures): most ranges
                row[c1 - 1] = value
            else:
                row[c1 - 1:c2] = [value] * (c2 - c1 + 1)
    return out


def _field_at(grid, r: int, c: int) -> str | None:
    value = grid[r][c] if c < len(grid[r]) else None
    return columns.field_for(value) if isinstance(value, str) else None


def find_header(full: list[list]) -> tuple[int, dict[int, str], dict[int, str], list[str], bool] | None:
    """(row index, column -> field, column -> header text, unmapped headers,
    whether it is a two-row header) of the row among the first 20 that names
    most known columns. In a two-row header a group header (责任主体) spans
    sub-headers (责任领导 / 责任单位 / 责任人), and a header merged down over
    both rows names its column from the upper one."""
    best = None
    for r in range(min(HEADER_SCAN_ROWS, len(full))):
        mapping: dict[int, str] = {}
        texts: dict[int, str] = {}
        unmapped: list[str] = []
        from_above = False
        for c, value in enumerate(full[r]):
            field_ = _field_at(full, r, c)
            text = value
            above = full[r - 1][c] if r > 0 and c < len(full[r - 1]) else None
            if field_ is None and r > 0 and (_blank(value) or value == above):
                field_ = _field_at(full, r - 1, c)  # a group header above, a sub-header row here
                text = above if field_ else value
                from_above = from_above or field_ is not None
            if field_ and field_ not in mapping.values():
                mapping[c] = field_
                texts[c] = " ".join(str(text).split())
            elif not _blank(value):
                unmapped.append(" ".join(str(value).split()))
        fields = set(mapping.values())
        if not fields & {"title", "problem"} or len(fields) < 2:
            continue
        if best is None or len(fields) > len(best[1]):
            best = (r, mapping, texts, unmapped, from_above or _group_header_above(full, r, mapping))
    return best


def _group_header_above(full: list[list], r: int, mapping: dict[int, str]) -> bool:
    """A header text in the row above spanning two or more named columns (责任主体)."""
    if r == 0:
        return False
    above = full[r - 1]
    spans: dict[str, int] = {}
    for c in mapping:
        value = above[c] if c < len(above) else None
        if isinstance(value, str) and value.strip() and value != full[r][c] and not re.search("[:：]", value):
            spans[value] = spans.get(value, 0) + 1
    return any(2 <= n < len(mapping) for n in spans.values())


def _is_repeat(values: list, mapping: dict[int, str]) -> bool:
    """The header row again, as sheets printed page by page repeat it."""
    named = False
    for c, v in enumerate(values):  # stops at the first cell that is not its column's header (most rows: the first)
        if _blank(v):
            continue
        field_ = columns.field_for(v) if isinstance(v, str) else None
        if field_ != mapping.get(c):
            return False
        named = named or field_ is not None
    return named


def _looks_like_data(raw: dict) -> bool:
    """A row under the table that is a task missing its measure, not a signature line."""
    return not _blank(raw.get("problem")) or sum(not _blank(v) for v in raw.values()) >= 3


def _heading(values: list, mapping: dict[int, str]) -> str | None:
    """A section heading: one text in a row, not in the problem or measure
    column (unless it reads as one: 一、…, …方面); the group's numeral may
    stand apart in the 序号 column (一 | 政治建设方面)."""
    filled = [(c, v) for c, v in enumerate(values) if not _blank(v)]
    if len(filled) == 2 and mapping.get(filled[0][0]) == "seq" and _GROUP_NUMBER.fullmatch(str(filled[0][1]).strip()):
        filled = filled[1:]
    if len({str(v).strip() for _c, v in filled}) != 1:
        return None
    c, v = filled[0]
    if not isinstance(v, str) or (mapping.get(c) in ("problem", "title") and not _GROUP.search(v.strip())):
        return None
    text = _HEADING_COUNT.sub("", _HEADING_NUMBER.sub("", v.strip())).strip()
    return text or None


def _row_text(values: list) -> str:
    """A row's texts, each once, in order: for the summary."""
    seen: list[str] = []
    for v in values:
        if not _blank(v):
            text = " ".join(str(v).split())
            if text not in seen:
                seen.append(text)
    return "  ".join(seen)


_SAME = frozenset(columns.SAME_ABOVE + columns.SAME_LEFT)
# What a text cell is to the filler (``_Filler.fill``): 同上 / 同左, blank, or other text.
_TEXT, _ABOVE, _LEFT, _EMPTY = 0, 1, 2, 3


def _text_kind(value: str) -> int:
    if len(value) < 20 and (word := value.strip().lower()) in _SAME:
        return _ABOVE if word in columns.SAME_ABOVE else _LEFT
    return _TEXT if value.strip() else _EMPTY


class _Filler:
    """Fills a data row's blank and 同上 / 同左 cells, as the module docstring says."""

    def __init__(self, mapping: dict[int, str], key: str, own_layout: bool):
        self.order = sorted(mapping.items())
        self.key = key
        self.own_layout = own_layout
        self.above: dict[str, object] = {}  # field -> the value of the row above, as filled
        self.fixed = {"title", "uid"}  # never filled: each row has its own
        self.blanks_fill = () if own_layout else tuple(
            f for f in FILL_ACROSS + FILL_WITHIN if f != key and f in mapping.values())
        self.within: dict[str, object] = {}  # field -> the value blanks take, within this problem or group
        # (field, never filled, a blank takes the value within), in column order
        self.plan = [(name, name in self.fixed, name in self.blanks_fill) for _c, name in self.order]
        self.kinds: dict[str, int] = {}  # text -> _text_kind(text): a sheet repeats its texts

    def group(self) -> None:
        """A group row: problems, their people and the category start afresh."""
        self.within.clear()

    def fill(self, raw: dict) -> list[str]:
        """Fill ``raw`` in place; return the fields whose 同上 / 同左 had nothing to copy."""
        unresolved = []
        problem = raw.get("problem")
        if not _blank(problem) and not (isinstance(problem, str) and problem.strip() in columns.SAME_ABOVE):
            for name in FILL_WITHIN:  # a new problem: its people are its own
                self.within.pop(name, None)
        left = None
        above, within, kinds = self.above, self.within, self.kinds
        for name, fixed, fills in self.plan:
            value = raw.get(name)
            if fixed:
                left = value
                continue
            if isinstance(value, str):
                kind = kinds.get(value)
                if kind is None:
                    kind = kinds[value] = _text_kind(value)
                if kind == _EMPTY:
                    if fills:
                        value = raw[name] = within.get(name)
                elif kind != _TEXT:
                    copied = above.get(name) if kind == _ABOVE else left
                    if _blank(copied):
                        unresolved.append(name)
                    else:
                        value = raw[name] = copied
                    if fills:  # the row's own value, as filled, is what the blanks under it take
                        within[name] = value
                elif fills:
                    within[name] = value
            elif value is None:
                if fills:
                    value = raw[name] = within.get(name)
            elif fills:
                within[name] = value
            left = value
        self.above = raw
        return unresolved


def read_grid(source: Source, grid: list[list], merges, today: date) -> bool:
    """Fill ``source`` from one sheet's cells; False when no header row is found."""
    from rectify.exchange.records import Kept

    # The header lies in the first rows: only they are read with every merge filled.
    full = _fill(grid[:HEADER_SCAN_ROWS], merges, tall_only=False)
    found = find_header(full)
    if found is None:
        return False
    hr, mapping, texts, unmapped, two_rows = found
    data = _fill([list(r) for r in grid], merges, tall_only=True)
    source.present = set(mapping.values())
    source.unmapped = unmapped
    source.header_rows = (hr if two_rows else hr + 1, hr + 1)
    source.mapped = {texts[c]: f for c, f in sorted(mapping.items())}
    heads = {f: texts[c] for c, f in mapping.items()}
    # The columns no field takes, by their header text (the lower row's, or the upper's).
    others: dict[int, str] = {}
    for c in range(max((len(r) for r in full[hr:hr + 1]), default=0)):
        if c in mapping:
            continue
        head = full[hr][c] if not _blank(full[hr][c]) else (full[hr - 1][c] if hr > 0 and c < len(full[hr - 1]) else None)
        if not _blank(head):
            others[c] = " ".join(str(head).split())
    if two_rows:
        named = set(source.mapped) | set(unmapped)
        source.header_groups = [t for t in dict.fromkeys(
            " ".join(str(v).split()) for v in full[hr - 1] if not _blank(v)) if t not in named]
    for r in range(source.header_rows[0] - 1):
        text = _row_text(full[r])
        if text:
            source.above.append((r + 1, text))
    own_layout = "uid" in source.present
    key = "title" if "title" in source.present else "problem"
    rows: list[tuple[int, str, Any]] = []  # (index, kind, payload)
    columns = list(mapping.items())
    fields = [f for _c, f in columns]
    # A row as wide as the mapped columns reads them in one call (most rows).
    reach = max(mapping) + 1
    cells = itemgetter(*mapping)  # two columns at least (find_header): a tuple
    for i in range(hr + 1, len(data)):
        values = data[i]
        for first in values:  # the first cell that is not blank
            if first is not None and (not isinstance(first, str) or first.strip()):
                break
        else:
            rows.append((i, "blank", None))
            continue
        width = len(values)
        raw = dict(zip(fields, cells(values))) if width >= reach else {
            f: (values[c] if c < width else None) for c, f in columns}
        first = str(first).strip()
        if _FOOTNOTE.match(first):
            rows.append((i, "footnote", _row_text(values)))
        elif _is_repeat(values, mapping):
            rows.append((i, "repeat", None))
        elif (_GROUP.search(first)
              and len({str(v).strip() for v in values if v is not None and not (isinstance(v, str) and not v.strip())}) == 1
              and (heading := _heading(values, mapping)) is not None):
            rows.append((i, "heading", heading))
        elif not _blank(raw.get(key)):
            extra = {others[c]: values[c] for c in others if c < len(values) and not _blank(values[c])}
            rows.append((i, "data", (raw, extra)))
        elif (heading := _heading(values, mapping)) is not None:
            rows.append((i, "heading", heading))
        else:
            rows.append((i, "incomplete", raw))
    last_data = max((i for i, kind, _p in rows if kind == "data"), default=-1)
    category = None
    filler = _Filler(mapping, key, own_layout)
    memo: dict = {}
    skipped_below = blanks = repeats = 0
    for i, kind, payload in rows:
        if i > last_data and not (kind == "incomplete" and _looks_like_data(payload)):
            if kind != "blank":
                skipped_below += 1
                source.below.append((i + 1, _row_text(data[i])))
            continue
        if kind == "blank":
            blanks += 1
        elif kind == "repeat":
            repeats += 1
        elif kind == "heading":
            source.groups.append((i + 1, _row_text(data[i])))
            category = payload
            filler.group()
        elif kind == "footnote":
            source.below.append((i + 1, payload))
            source.notes.append(_("Row {row} skipped as a note: {text}").format(row=i + 1, text=payload[:60]))
        elif kind == "incomplete":
            source.bad.append((i + 1, _("{column} is empty: every row needs a measure.").format(
                column=heads.get(key, key))))
        else:
            raw, extra = payload  # this row's own dict: filled in place
            unresolved = filler.fill(raw)
            if category and ("category" not in raw or _blank(raw["category"])):
                raw["category"] = category
            if key == "problem" and "title" not in raw:
                raw["title"] = raw["problem"]
            readable = {k: v for k, v in raw.items() if k not in unresolved} if unresolved else raw
            try:
                rec = convert(readable, i + 1, heads, today, strict=source.strict, extra=extra, split=not own_layout,
                              memo=memo)
            except RowError as e:
                source.bad.append((i + 1, str(e)))
                continue
            for name in unresolved:
                if source.strict:
                    source.bad.append((i + 1, _("{column}: {text!r} has no cell above to copy.").format(
                        column=heads.get(name, name), text=str(raw[name]).strip())))
                    break
                rec.kept.append(Kept(name, heads.get(name, name), str(raw[name]).strip(), True,
                                     _("{column}: {text!r} has no cell above to copy.").format(
                                         column=heads.get(name, name), text=str(raw[name]).strip())))
            else:
                source.records.append(rec)
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
    top, bottom = source.header_rows
    source.notes.insert(0, _("Header row: {row}.").format(row=bottom) if top == bottom
                        else _("Header rows: {first}-{last}.").format(first=top, last=bottom))
    return True
