"""The reports as Markdown, for pasting into a document or a message."""

from __future__ import annotations

from rectify.render import layout as L
from rectify.render.layout import label


def _cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def table(t: L.Table, level: int = 2) -> list[str]:
    lines = [f"{'#' * level} {t.title}", ""] if t.title else []
    if not t.rows:
        return lines + [label("nothing"), ""]
    lines.append("| " + " | ".join(_cell(c) for c in t.columns) + " |")
    lines.append("| " + " | ".join("---:" if i in t.right else "---" for i in range(len(t.columns))) + " |")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]
    if t.more:
        lines += ["", label("more", n=t.more)]
    return lines + [""]


def weekly(data: dict, *, context: dict | None = None) -> str:
    title, meta = L.week_heading(data, context)
    lines = [f"# {title}", ""] + [f"{line}  " for line in meta] + [""]
    lines += table(L.headline(data))
    for t in L.weekly_tables(data):
        lines += table(t)
    for t in L.report_extras(data):
        lines += table(t)
    lines += [f"## {label('trend')}", "", "```"] + L.trend_lines(data["trend"]) + ["```", ""]
    return "\n".join(lines)


def sheet(sheet: dict, as_of: str, days: int) -> str:
    lines = [f"# {L.sheet_title(sheet)} · {L.as_of(as_of)}", ""]
    lines += [f"{line}  " for line in L.sheet_lines(sheet, days)] + [""]
    t = L.sheet_table(sheet, as_of)
    lines += table(t) if t.rows else [label("sheet_empty", days=days), ""]
    lines += [label("sheet_ask", days=days), ""]
    return "\n".join(lines)


def sheets(data: dict) -> str:
    return "\n---\n\n".join(sheet(s, data["as_of"], data["due_within"]) for s in data["sheets"])
