#!/usr/bin/env python3
"""Pictures of rectify's terminal screens for docs/: each command runs on a
pseudo-terminal (so it is in colour, as a user sees it), its screen goes
into a flat OpenDocument text in a font whose Chinese characters are exactly
two Latin cells wide (Noto Sans Mono CJK), LibreOffice makes a PDF of it and
pdftoppm a PNG.

    PYTHONPATH=src python3 scripts/screens.py LEDGER LANG WIDTH OUT.png -- list --overdue

The clock is RECTIFY_NOW (default 2026-11-25T09:00:00), the pager is off.
Needs soffice and pdftoppm; a development tool, not part of rectify.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from rich.text import Text

FONT = "Noto Sans Mono CJK SC"
POINTS = 10  # font size; a Latin cell is half of it wide
LINE = 12.5  # points a line


def run_on_terminal(ledger: str, lang: str, width: int, args: list[str]) -> str:
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": str(width), "LINES": "1000", "RECTIFY_LANG": lang, "RECTIFY_PAGER": "",
           "RECTIFY_NOW": os.environ.get("RECTIFY_NOW", "2026-11-25T09:00:00"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "rectify", "--db", ledger, *args], stdout=slave,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait()
    os.close(master)
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def _hex(triplet) -> str:
    return triplet.hex


def fodt(lines: list[Text], width: int) -> str:
    theme = DEFAULT_TERMINAL_THEME
    styles: dict[tuple[str, bool], str] = {}
    body = []
    for line in lines:
        parts = []
        for segment in line.render(console=_console(width)):
            style = segment.style
            color = _hex(style.color.get_truecolor(theme)) if style and style.color else _hex(theme.foreground_color)
            bold = bool(style and style.bold)
            name = styles.setdefault((color, bold), f"T{len(styles) + 1}")
            text = escape(segment.text).replace(" ", "<text:s/>")
            parts.append(f'<text:span text:style-name="{name}">{text}</text:span>')
        body.append(f'<text:p text:style-name="Screen">{"".join(parts)}</text:p>')
    auto = "".join(
        f'<style:style style:name="{name}" style:family="text"><style:text-properties fo:color="{color}"'
        + (' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else "") + "/></style:style>"
        for (color, bold), name in styles.items())
    page_width = ((width + 4) * POINTS / 2 + 24) / 72 * 2.54  # a few cells to spare: no line may wrap
    page_height = (len(lines) * LINE + 24) / 72 * 2.54
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="Mono" svg:font-family="'{FONT}'" style:font-pitch="fixed"/></office:font-face-decls>
<office:styles><style:style style:name="Screen" style:family="paragraph">
<style:paragraph-properties fo:margin-top="0pt" fo:margin-bottom="0pt" fo:line-height="{LINE}pt"
 style:text-autospace="none" style:punctuation-wrap="simple" style:line-break="normal" style:writing-mode="lr-tb"/>
<style:text-properties style:font-name="Mono" fo:font-size="{POINTS}pt" style:font-name-asian="Mono"
 style:font-size-asian="{POINTS}pt" style:font-name-complex="Mono" fo:color="{_hex(theme.foreground_color)}"/>
</style:style></office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{page_width:.2f}cm"
 fo:page-height="{page_height:.2f}cm" fo:margin-top="0.3cm" fo:margin-bottom="0.1cm" fo:margin-left="0.3cm"
 fo:margin-right="0.1cm" fo:background-color="{_hex(theme.background_color)}"/></style:page-layout>
{auto}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>{"".join(body)}</office:text></office:body></office:document>
"""


def _console(width: int):
    from rich.console import Console

    return Console(width=width, force_terminal=True, color_system="truecolor")


def main(argv: list[str]) -> int:
    split = argv.index("--")
    ledger, lang, width, out = argv[:split]
    args = argv[split + 1:]
    screen = run_on_terminal(ledger, lang, int(width), args)
    lines = [Text("$ rectify " + " ".join(args), style="dim")] + [Text.from_ansi(x) for x in screen.rstrip("\n").split("\n")]
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "screen.fodt"
        doc.write_text(fodt(lines, int(width)), encoding="utf-8")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(doc)], check=True,
                       capture_output=True, timeout=300)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(Path(tmp) / "screen.pdf"),
                        str(Path(tmp) / "screen")], check=True)
        shutil.copy(Path(tmp) / "screen.png", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
