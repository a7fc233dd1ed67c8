"""The reports as one self-contained HTML file, printable on A4: what an
office prints. No external file, font or script: the styles are inline, the
trend is an inline SVG, and the fonts fall back through the Chinese faces
found on Linux, macOS and Windows. A Chinese report names the Chinese faces
first; an English one its Latin faces first, the Chinese ones after them for
Chinese names and places in the data."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from rectify import dates
from rectify.i18n import is_zh
from rectify.render import layout
from rectify.render.layout import label
from rectify.text import printable

# Sans-serif faces with simplified Chinese, as installed on Linux (Noto,
# Source Han, WenQuanYi), macOS (PingFang, Hiragino) and Windows (YaHei,
# SimHei), then SimSun, on nearly every Chinese Windows and printer driver.
CJK_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC", "Hiragino Sans GB", '
             '"Microsoft YaHei", "WenQuanYi Micro Hei", "SimHei", "SimSun"')
LATIN_FONTS = '"Segoe UI", "Helvetica Neue", Arial'


def escape(text: object) -> str:
    """Text as HTML: &, <, >, quotes as entities, and control characters shown
    escaped (rectify.text): the file may be printed to a terminal too."""
    return html.escape(printable(text))


def fonts() -> str:
    """The font-family list for the current language."""
    return f"{CJK_FONTS}, sans-serif" if is_zh() else f"{LATIN_FONTS}, {CJK_FONTS}, sans-serif"


CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
html { font-family: %(fonts)s; font-size: 10.5pt; line-height: 1.45; color: #111; }
body { margin: 0 auto; padding: 8mm 0; max-width: 186mm; }
header { border-bottom: 2px solid #222; margin-bottom: 5mm; padding-bottom: 2mm; }
h1 { font-size: 16pt; margin: 0 0 1.5mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p { margin: 0.5mm 0; }
.meta { color: #333; font-size: 9.5pt; }
section.short { break-inside: avoid; page-break-inside: avoid; }
table { border-collapse: collapse; width: 100%%; margin-bottom: 1mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #999; padding: 0.8mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eceff3; font-weight: 600; white-space: nowrap; }  /* a short header stays on one line */
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
tr.red td:first-child { border-left: 3pt solid #c62828; }
tr.yellow td:first-child { border-left: 3pt solid #f9a825; }
tr.blue td:first-child { border-left: 3pt solid #1565c0; }
td.band-red { background: #fde0e0; } td.band-yellow { background: #fff3c4; } td.band-blue { background: #dbe9fb; }
.more, .empty { color: #444; font-style: italic; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%%; max-width: 170mm; height: auto; }
.sheet { break-after: page; page-break-after: always; }
.sheet:last-child { break-after: auto; page-break-after: auto; }
.ask { margin-top: 4mm; font-size: 9.5pt; }
@media screen { body { padding: 10mm; } }
"""

SHORT = 15  # a section of at most this many rows is kept on one page


def _document(title: str, body: list[str]) -> str:
    lang = "zh-CN" if is_zh() else "en"
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS % {'fonts': fonts()}}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def table(t: layout.Table, *, band_cells: tuple[int, ...] = ()) -> str:
    """A section with its heading (if any) and table; ``band_cells`` are shaded in the row's band."""
    short = len(t.rows) <= SHORT
    parts = [f'<section class="{"short" if short else "long"}">']
    if t.title:
        parts.append(f"<h2>{escape(t.title)}</h2>")
    if not t.rows:
        parts.append(f'<p class="empty">{escape(label("nothing"))}</p></section>')
        return "\n".join(parts)
    heads = "".join(f'<th class="num">{escape(c)}</th>' if i in t.right else f"<th>{escape(c)}</th>"
                    for i, c in enumerate(t.columns))
    parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>")
    for row, band in zip(t.rows, t.bands):
        cells = []
        for i, cell in enumerate(row):
            classes = []
            if i in t.right:
                classes.append("num")
            elif i != t.wide:
                classes.append("nowrap")
            if band and i in band_cells:
                classes.append(f"band-{band}")
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{escape(cell)}</td>")
        row_class = f' class="{band}"' if band else ""
        parts.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    if t.more:
        parts.append(f'<p class="more">{escape(label("more", n=t.more))}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def trend_svg(trend: list[dict]) -> str:
    """The 8-week trend as an inline SVG line chart: unfinished and closed tasks."""
    width, height = 640, 250
    left, right, top, bottom = 40, 16, 48, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([max(p["open"], p["closed"]) for p in trend] + [1])
    inset = 20  # keeps the first and last points clear of the axis labels
    step = (plot_w - 2 * inset) / max(len(trend) - 1, 1)

    def x(i: int) -> float:
        return round(left + inset + i * step, 1)

    def y(v: int) -> float:
        return round(top + plot_h * (1 - v / peak), 1)

    series = ((label("open"), "open", "#d84315"), (label("closed"), "closed", "#2e7d32"))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(label("trend"))}" font-family=\'{fonts()}\' font-size="11">']
    for fraction in (0, 0.5, 1):
        value = round(peak * fraction)
        out.append(f'<line x1="{left}" y1="{y(value)}" x2="{width - right}" y2="{y(value)}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(value) + 4}" text-anchor="end" fill="#555">{value}</text>')
    for i, p in enumerate(trend):
        out.append(f'<text x="{x(i)}" y="{height - bottom + 18}" text-anchor="middle" fill="#333">'
                   f'{escape(dates.show_week(p["week"], short=True))}</text>')
    for n, (name, key, colour) in enumerate(series):
        points = " ".join(f"{x(i)},{y(p[key])}" for i, p in enumerate(trend))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, p in enumerate(trend):
            out.append(f'<circle cx="{x(i)}" cy="{y(p[key])}" r="3.5" fill="{colour}"/>')
            out.append(f'<text x="{x(i)}" y="{y(p[key]) - 7}" text-anchor="middle" fill="{colour}">{p[key]}</text>')
        lx = left + n * 150
        out.append(f'<rect x="{lx}" y="8" width="14" height="4" fill="{colour}"/>')
        out.append(f'<text x="{lx + 20}" y="14" fill="#222">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def weekly(data: Mapping[str, Any], *, context: dict | None = None) -> str:
    title, meta = layout.week_heading(data, context)
    body = ["<header>", f"<h1>{escape(title)}</h1>"]
    body += [f'<p class="meta">{escape(line)}</p>' for line in meta]
    body.append("</header>")
    body.append(table(layout.headline(data)))
    body += problem_tables(data["summary"])
    for t in layout.weekly_tables(data):
        body.append(table(t))
    for t in layout.report_extras(data):
        body.append(table(t))
    body.append(f'<section class="short"><h2>{escape(label("trend"))}</h2>'
                f"<figure>{trend_svg(data['trend'])}</figure></section>")
    return _document(title, body)


def problem_tables(summary: dict) -> list[str]:
    from rectify.render.problems import outcome_table, round_line, side_by_side

    line = round_line(summary)
    out = [f'<p class="meta">{escape(line)}</p>'] if line else []
    out.append(table(side_by_side(summary)))
    if summary["outcomes"]["entries"]:
        out.append(table(outcome_table(summary)))
    return out


def _sheet(sheet: dict, as_of: str, days: int) -> list[str]:
    out = ['<div class="sheet">', "<header>",
           f"<h1>{escape(layout.sheet_title(sheet))}</h1>",
           f'<p class="meta">{escape(layout.as_of_label(as_of))}</p>']
    lines = layout.sheet_lines(sheet, days)
    out.append(f"<p><strong>{escape(lines[0])}</strong></p>")
    out += [f"<p>{escape(line)}</p>" for line in lines[1:]]
    out.append("</header>")
    t = layout.sheet_table(sheet, as_of)
    if t.rows:
        out.append(table(t, band_cells=(0, 6)))
    else:
        out.append(f'<p class="empty">{escape(label("sheet_empty", days=days))}</p>')
    out.append(f'<p class="ask">{escape(label("sheet_ask", days=days))}</p>')
    out.append("</div>")
    return out


def sheets(data: Mapping[str, Any]) -> str:
    """All the sheets of ``data`` in one document, one sheet a page."""
    body: list[str] = []
    for s in data["sheets"]:
        body += _sheet(s, data["as_of"], data["due_within"])
    return _document(f"{label('sheet_title')} · {layout.as_of_label(data['as_of'])}", body)
