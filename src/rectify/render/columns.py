"""Tables for the terminal laid out to give the user's text the width.

A table is a list of ``Column``s. Each has a role:

- ``fixed``: ids, dates, kinds, states: never wraps. It may have short forms
  (``立改`` for ``立行立改``, ``imm.`` for ``immediate``), used only when space
  is short.
- ``name``: a short name (unit, owner): kept whole while there is room, and
  wrapped only when the text column would otherwise get too narrow, never
  narrower than its longest word.
- ``text``: the user's text (at most one per table, the "wide" column): it
  takes what is left and wraps. When even that is too little, it moves to its
  own lines under each row, the full width less an indent ("stacked").

Text wraps at spaces; Chinese may wrap between any two characters; a word
breaks only when it is longer than the whole column. Nothing is ever cut.
Widths are counted in terminal cells, so Chinese lines up. Lines carry no
trailing spaces. The result is a list of ``rich.text.Text`` lines: the caller
turns them into plain text or colour (rectify.render.terminal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Span, Text

MIN_TEXT = 24  # the user's text moves under the row when it would get fewer cells than this
TEXT_SHARE = 0.3  # the share of the width the text column should get before anything is shortened
MIN_NAME = 8  # a short name wraps no narrower than this (or its longest word)
WIDE_GAP, TIGHT_GAP = 2, 1

# The wide scripts a line may break between any two characters of: CJK
# radicals to ideographs, Hangul, compatibility ideographs and forms, full-width
# forms, the supplementary ideographs. Tested by code point: a regular
# expression over these ranges cost about 16 ms to compile on every start.
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
               (0x20000, 0x3FFFF))


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return code >= 0x2E80 and any(low <= code <= high for low, high in _CJK_RANGES)


_CLOSING = set("，。、；：！？）》」』】〕〉”’,.;:!?)]}%")  # not at the start of a line


def _runs(text: str) -> list[str]:
    """``text`` cut into runs of spaces, single wide characters, and runs of
    anything else."""
    runs: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if text[i].isspace():
            while j < n and text[j].isspace():
                j += 1
        elif not _is_cjk(text[i]):
            while j < n and not text[j].isspace() and not _is_cjk(text[j]):
                j += 1
        runs.append(text[i:j])
        i = j
    return runs


def tokens(text: str) -> list[str]:
    """The pieces a line may break between: words, single Chinese
    characters (with the punctuation that must follow them), and spaces."""
    pieces: list[str] = []
    for piece in _runs(text):
        if pieces and not piece.isspace() and not pieces[-1].isspace() and (
                piece[0] in _CLOSING or (not _is_cjk(pieces[-1][-1]) and not _is_cjk(piece[0]))):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def longest_word(text: str) -> int:
    """The widest piece of ``text`` that cannot break, in cells."""
    return max((cell_len(p) for p in tokens(text) if not p.isspace()), default=0)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken at spaces, between
    Chinese characters, and inside a word only when it is wider than a line.
    Newlines in the text are kept; nothing is lost but the spaces at a break."""
    width = max(1, width)
    if "\n" not in text and cell_len(text) <= width:
        return [text.rstrip()]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for piece in tokens(paragraph):
            size = cell_len(piece)
            if piece.isspace():
                if used + size <= width:
                    line, used = line + piece, used + size
                else:
                    lines.append(line.rstrip())
                    line, used = "", 0
                continue
            if used + size > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
            while size > width:  # a word longer than the line: break it, as little as possible
                cut, taken = "", 0
                for ch in piece:
                    if taken + cell_len(ch) > width - used:
                        break
                    cut, taken = cut + ch, taken + cell_len(ch)
                if not cut:
                    cut = piece[0]
                lines.append((line + cut).rstrip())
                piece = piece[len(cut):]
                line, used, size = "", 0, cell_len(piece)
            if not line.strip():
                line, used = "", 0
            line, used = line + piece, used + size
        lines.append(line.rstrip())
    return lines


@dataclass
class Column:
    header: str
    cells: list[str]
    role: str = "fixed"  # fixed, name or text (see the module's docstring)
    right: bool = False
    short: list[str] | None = None  # short forms of the cells, for when space is short
    short_header: str | None = None
    styles: list[str] | None = None  # a style per cell, on a terminal
    optional: int | None = None  # may be left out when space is short, lowest first


@dataclass
class _Plan:
    width: int
    gap: int = WIDE_GAP
    shortened: set[int] = field(default_factory=set)
    limits: dict[int, int] = field(default_factory=dict)  # name columns wrapped to this width
    dropped: set[int] = field(default_factory=set)  # optional columns left out
    measured: dict[tuple, int] = field(default_factory=dict)  # the widths worked out so far
    stacked: bool = False


def _cells(col: Column, index: int, plan: _Plan) -> tuple[str, list[str]]:
    if index in plan.shortened:
        return col.short_header or col.header, col.short or col.cells
    return col.header, col.cells


def _natural(col: Column, index: int, plan: _Plan, header: bool) -> int:
    key = (index, index in plan.shortened, plan.limits.get(index), header)
    if key not in plan.measured:
        plan.measured[key] = _measure(col, index, plan, header)
    return plan.measured[key]


def _measure(col: Column, index: int, plan: _Plan, header: bool) -> int:
    head, cells = _cells(col, index, plan)
    natural = max([cell_len(head) if header else 0] + [max((cell_len(x) for x in c.split("\n")), default=0)
                                                        for c in cells])
    limit = plan.limits.get(index)
    if limit is not None and limit < natural:
        return max(cell_len(line) for c in [head] + cells for line in wrap(c, limit))
    return natural


def _room(columns: list[Column], plan: _Plan, header: bool, wide: int | None) -> int:
    """The cells left for the text column (or the slack, without one)."""
    shown = [i for i in range(len(columns)) if (i != wide or not plan.stacked) and i not in plan.dropped]
    used = sum(_natural(columns[i], i, plan, header) for i in shown if i != wide)
    return plan.width - used - plan.gap * (len(shown) - 1)


def plan(columns: list[Column], width: int, *, header: bool = True) -> _Plan:
    """How ``columns`` fit ``width``: what is shortened, the gap, the names'
    widths, whether the text goes under the row. Each step is taken only
    while the text column has less than its share; when it would still get
    fewer than MIN_TEXT cells, the text goes under the row and the other
    columns are fitted again, now only to the width."""
    wide = next((i for i, c in enumerate(columns) if c.role == "text"), None)
    if wide is None:
        return _shrink(columns, _Plan(width), header, None, 0)
    wanted = min(_natural(columns[wide], wide, _Plan(width), header), max(MIN_TEXT, int(width * TEXT_SHARE)))
    p = _shrink(columns, _Plan(width), header, wide, wanted)
    if _room(columns, p, header, wide) < min(wanted, MIN_TEXT):
        p = _shrink(columns, _Plan(width, stacked=True), header, wide, 0)
    return p


def _shrink(columns: list[Column], p: _Plan, header: bool, wide: int | None, wanted: int) -> _Plan:
    def enough() -> bool:
        return _room(columns, p, header, wide) >= wanted

    for i, col in enumerate(columns):
        if col.short is not None and not enough():
            p.shortened.add(i)
    if not enough():
        p.gap = TIGHT_GAP
    for _rank, i in sorted((c.optional, i) for i, c in enumerate(columns) if c.optional is not None):
        if not enough():
            p.dropped.add(i)
    names = [i for i, c in enumerate(columns) if c.role == "name" or (p.stacked and c.role == "text" and i != wide)]
    while not enough():
        bendable = []
        for i in names:
            now = _natural(columns[i], i, p, header)
            floor = max(min(MIN_NAME, now), max(longest_word(c) for c in columns[i].cells + [columns[i].header]))
            if now > floor:
                bendable.append((now, i))
        if not bendable:
            break
        now, i = max(bendable)
        p.limits[i] = now - 1
    return p


def _segment(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - cell_len(text))
    return space + text if right else text + space


def lay_out(columns: list[Column], width: int, *, header: bool = True, header_style: str = "") -> list[Text]:
    """The table's lines, at most ``width`` cells each (unless fixed columns
    alone are wider)."""
    p = plan(columns, width, header=header)
    wide = next((i for i, c in enumerate(columns) if c.role == "text"), None)
    widths = {i: _natural(c, i, p, header) for i, c in enumerate(columns)}
    inline = [i for i in range(len(columns)) if not (p.stacked and i == wide) and i not in p.dropped]
    if wide is not None and not p.stacked:
        widths[wide] = max(1, min(_room(columns, p, header, wide), widths[wide]))
    indent = widths[inline[0]] + p.gap if p.stacked and len(inline) > 1 else 2
    rows = len(columns[0].cells) if columns else 0
    gap = " " * p.gap
    lines: list[Text] = []

    def emit(cells: dict[int, tuple[list[str], str]], order: list[int]) -> None:
        height = max(len(parts) for parts, _style in cells.values())
        last = order[-1]
        for k in range(height):
            pieces: list[str] = []
            spans: list[Span] = []
            at = 0
            for i in order:
                parts, style = cells[i]
                part = parts[k] if k < len(parts) else ""
                pad = " " * max(0, widths[i] - cell_len(part))
                if columns[i].right:
                    segment, start = pad + part, at + len(pad)
                else:
                    segment, start = (part if i == last else part + pad), at
                if style and part:
                    spans.append(Span(start, start + len(part), style))
                pieces.append(segment)
                at += len(segment)
                if i != last:
                    pieces.append(gap)
                    at += len(gap)
            lines.append(Text("".join(pieces).rstrip(), spans=spans))

    def stacked_text(text: str, style: str) -> None:
        for part in wrap(text, max(1, width - indent)):
            line = Text(" " * indent)
            line.append(part, style=style or None)
            line.rstrip()
            lines.append(line)

    if header:
        heads = {i: (wrap(_cells(columns[i], i, p)[0], widths[i]), header_style) for i in inline}
        emit(heads, inline)
        if p.stacked and wide is not None:
            stacked_text(columns[wide].header, header_style)
    for r in range(rows):
        cells = {}
        for i in inline:
            text = _cells(columns[i], i, p)[1][r]
            styles = columns[i].styles
            style = styles[r] if styles else ""
            parts = text.split("\n") if columns[i].role == "fixed" else wrap(text, widths[i])
            cells[i] = (parts, style)
        emit(cells, inline)
        if p.stacked and wide is not None:
            styles = columns[wide].styles
            style = styles[r] if styles else ""
            stacked_text(columns[wide].cells[r], style)
    return lines


def paragraph(text: str, width: int, *, indent: int = 0, style: str = "") -> list[Text]:
    """Prose (a note, a line of evidence) wrapped to ``width``, every line
    indented by ``indent`` cells."""
    return [Text(" " * indent + part, style=style or "") if part else Text("")
            for part in wrap(text, max(1, width - indent))]
