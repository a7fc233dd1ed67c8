"""Text from data or the file system, made safe to print.

A task title, an evidence file's name, a CSV header, a path typed on the
command line or a value read back from a damaged ledger may hold control
characters: ESC starts a terminal escape sequence (``ESC[2J`` clears the
screen, ``ESC]8;;`` makes a link), BEL rings, CR returns over the line
already printed, and the C1 controls (U+0080..U+009F, e.g. U+009B, the
one-byte CSI) act as escapes on many terminals. Bidirectional overrides
reorder what a line shows. ``printable`` shows each of them as its escape,
``\\x1b``, ``\\x9b``, ``\\u202e``, so the terminal never receives one raw and
the reader sees that it was there. Everything else is kept: Chinese, emoji,
tabs, and newlines where the layout has room for them.

This is the one sanitiser for what rectify prints. It is applied at the
seams: the error boundary (``cli.fail``), the messages and lines the commands
print (``cli.say``, ``cli.out``), the terminal renderers (``render.terminal``,
``render.report_text``) and the Markdown and HTML renderers. JSON output is
exact data: ``json`` escapes control characters itself.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, the C1 controls, and the bidirectional
# embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069).
_ESCAPED = [*range(0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0),
            *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_TABLE = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _ESCAPED}
_ONE_LINE = {**_TABLE, 0x0A: "\\n"}


def printable(text: object, *, newlines: bool = True) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``).
    With ``newlines=False`` a newline is shown as ``\\n`` too: for what must
    stay one line (an error message, a fault)."""
    s = text if isinstance(text, str) else str(text)
    if s.isascii() and s.isprintable():  # the common case, at C speed
        return s
    s = s.translate(_TABLE if newlines else _ONE_LINE)
    if not s.isprintable():  # lone surrogates: bytes that were not UTF-8
        s = "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in s)
    return s


def printable_data(value):
    """A copy of plain data (dicts, lists, tuples, strings) with every string,
    keys too, made ``printable``; for a renderer to show. Other values are
    kept as they are."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(printable_data(v) for v in value)
    return value


# What JSON leaves raw but a terminal acts on: DEL, the C1 controls, the
# bidirectional controls. In a JSON string each may be written \\uXXXX: the
# same data, safe to show.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps``, which escapes only the C0 controls)
    with DEL, C1 and bidirectional controls written as ``\\uXXXX`` escapes.
    They occur only inside strings, so the data is exactly the same."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


class JsonSafeStream:
    """A stream that ``json.dump`` writes to, passing each piece through ``json_safe``."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(json_safe(text))


def has_control(text: str) -> bool:
    """Whether ``printable`` would change ``text`` (newlines aside)."""
    return printable(text) != text
