"""The reports as Markdown, for pasting into a document or a message.

Every text that may hold user data (cells, titles, the lines under a title)
goes through ``escape``: a title ``<script>`` or ``[click](http://x)`` is
shown as typed, never read as HTML, a link or table syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rectify.render import layout
from rectify.render.layout import label
from rectify.text import printable

# Markdown's inline punctuation, shown literally behind a backslash (CommonMark:
# any ASCII punctuation may be escaped so): code, emphasis, links and images,
# table bars, strike-through. A line may not start a heading, list or quote.
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def escape(text: object, *, line: bool = False) -> str:
    """``text`` as literal Markdown on one line: HTML's &, <, > and " as
    entities; Markdown's punctuation (links, emphasis, code, table bars)
    escaped; newlines as spaces (a table row and a line of prose are one
    line); control characters shown escaped (rectify.text). With ``line``,
    the text starts a line: it may not start a heading, a list or a quote."""
    s = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    s = printable(s, newlines=False)
    s = "".join(_HTML.get(c, c) for c in s) if any(c in s for c in _HTML) else s
    s = _PUNCTUATION.sub(r"\\\1", s)
    if not line:
        return s
    return _LINE_START.sub(lambda m: m[1] + (m[2] + "\\" if m[2][0].isdigit() else "\\" + m[2]), s)


def table(t: layout.Table, level: int = 2) -> list[str]:
    lines = [f"{'#' * level} {escape(t.title)}", ""] if t.title else []
    if not t.rows:
        return lines + [label("nothing"), ""]
    lines.append("| " + " | ".join(escape(c) for c in t.columns) + " |")
    lines.append("| " + " | ".join("---:" if i in t.right else "---" for i in range(len(t.columns))) + " |")
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in t.rows]
    if t.more:
        lines += ["", label("more", n=t.more)]
    return lines + [""]


def weekly(data: Mapping[str, Any], *, context: dict | None = None) -> str:
    title, meta = layout.week_heading(data, context)
    lines = [f"# {escape(title)}", ""] + [f"{escape(line, line=True)}  " for line in meta] + [""]
    lines += table(layout.headline(data))
    lines += problem_tables(data["summary"])
    for t in layout.weekly_tables(data):
        lines += table(t)
    for t in layout.report_extras(data):
        lines += table(t)
    lines += [f"## {escape(label('trend'))}", "", "```"] + layout.trend_lines(data["trend"]) + ["```", ""]
    return "\n".join(lines)


def problem_tables(summary: dict) -> list[str]:
    from rectify.render.problems import outcome_table, round_line, side_by_side

    line = round_line(summary)
    lines = [line, ""] if line else []
    lines += table(side_by_side(summary))
    if summary["outcomes"]["entries"]:
        lines += table(outcome_table(summary))
    return lines


def sheet(sheet: dict, as_of: str, days: int) -> str:
    lines = [f"# {escape(layout.sheet_title(sheet))} · {escape(layout.as_of_label(as_of))}", ""]
    lines += [f"{escape(line, line=True)}  " for line in layout.sheet_lines(sheet, days)] + [""]
    t = layout.sheet_table(sheet, as_of)
    lines += table(t) if t.rows else [label("sheet_empty", days=days), ""]
    lines += [label("sheet_ask", days=days), ""]
    return "\n".join(lines)


def sheets(data: Mapping[str, Any]) -> str:
    return "\n---\n\n".join(sheet(s, data["as_of"], data["due_within"]) for s in data["sheets"])
