"""JSON in and out.

Out: an array of task objects, each exactly as ``rectify list --json`` gives
it, plus ``"evidence"`` and ``"history"`` as ``rectify show --json`` gives them.

In: that array (or an object with a ``"tasks"`` array). Keys rectify derives
(``id``, ``overdue``, ``band``, ``updated``) are read past; any other unknown
key is reported as unmapped.
"""

from __future__ import annotations

import json
from pathlib import Path

from rectify.errors import ImportFileError
from rectify.i18n import _


def write(stream, tasks: list[dict]) -> None:
    json.dump(tasks, stream, ensure_ascii=False, indent=1)
    stream.write("\n")


def read(path: Path) -> list:
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ImportFileError(_("Cannot read {path}: {reason}.").format(path=path, reason=e.strerror)) from None
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise ImportFileError(_("{name} is not valid JSON: {reason}.").format(name=name, reason=e)) from None
    if isinstance(doc, dict) and isinstance(doc.get("tasks"), list):
        doc = doc["tasks"]
    if not isinstance(doc, list):
        raise ImportFileError(
            _("{name} must hold an array of task objects, as `rectify export --format json` writes.").format(name=name))
    return doc
