"""Export: the ledger's tasks as sheet rows or JSON objects, and the evidence
files with a manifest. Plain data in, files out; the CLI picks the target.

A sheet row, column by column (see ``columns.COLUMNS``): 序号 is the problem's
code, or else its running number in the export (a number the import knows is
only a position); 整改时限 is a date, or 长期坚持 / 立行立改 for a task with a
kind and no date; 整改进展 is the latest progress note; 完成情况 is the state in
ledger wording, with the percentage when it says more than the state does;
佐证材料 names each piece of evidence on its own line.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from datetime import date
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from rectify import dates
from rectify import ledger as L
from rectify.errors import InputError
from rectify.exchange import columns
from rectify.i18n import _, reason
from rectify.evidence import evidence_dir, evidence_file, file_state, into_folder, into_zip
from rectify.paths import WriteError, atomic_write, clean_leftovers, kill_point, remove, temp_name
from rectify.vocabulary import BAND_THRESHOLDS, CLOSED, SHEET_KIND_WORDS, SHEET_STATUS_WORDS

if TYPE_CHECKING:
    import sqlite3

    from rectify.contracts import Event, Evidence, ExportedTask, Task

T = TypeVar("T")

FIELDS = [c.field for c in columns.COLUMNS]


def select(ledger, filters: dict, today: date) -> list[Task]:
    """The tasks to export: the filters of ``list``, every state unless --status."""
    tasks, _total = L.list_tasks(ledger, {**filters, "all": True}, today=today)
    return tasks


def _by_task(rows: list[sqlite3.Row], ids: set[int], item: Callable[[sqlite3.Row], T]) -> dict[int, list[T]]:
    out: dict[int, list[T]] = {}
    for row in rows:
        if row["task_id"] in ids:
            out.setdefault(row["task_id"], []).append(item(row))
    return out


def _evidence(ledger, ids: set[int]) -> dict[int, list[Evidence]]:
    return _by_task(ledger.query(
        "SELECT id, task_id, added, name, path, sha256, size, note FROM evidence ORDER BY task_id, id"), ids,
        L.evidence_item)


def _event(row: sqlite3.Row) -> Event:
    return L.event_item(row, row["note"])  # as stored: an export is read back, not shown


def json_objects(ledger, tasks: list[Task]) -> list[ExportedTask]:
    """``list --json`` objects with ``evidence`` and ``history``, as ``show --json``."""
    ids = {t["id"] for t in tasks}
    evidence = _evidence(ledger, ids)
    history = _by_task(ledger.query(
        "SELECT id, task_id, at, action, field, old, new, note, actor, command FROM event ORDER BY task_id, id"), ids,
        _event)
    return [{**task, "evidence": evidence.get(task["id"], []), "history": history.get(task["id"], [])}
            for task in tasks]


def _latest_notes(ledger, ids: set[int]) -> dict[int, str]:
    from rectify.undo import not_undone

    rows = ledger.query(
        "SELECT task_id, note FROM event WHERE id IN (SELECT max(id) FROM event WHERE action = 'progress' "
        f"AND note IS NOT NULL AND {not_undone()} GROUP BY task_id)")
    return {r["task_id"]: r["note"] for r in rows if r["task_id"] in ids}


def status_cell(task: Task, lang: str) -> str:
    word = SHEET_STATUS_WORDS[lang][task["status"]]
    percent = task["progress"]
    default = 100 if task["status"] == CLOSED else 0
    return word if percent == default else f"{word} {percent}%"


def sheet_rows(ledger, tasks: list[Task], lang: str) -> list[list]:
    """One list of cell values per task, in ``FIELDS`` order."""
    ids = {t["id"] for t in tasks}
    notes = _latest_notes(ledger, ids)
    evidence = _evidence(ledger, ids)
    numbers: dict[object, int] = {}
    rows = []
    for task in tasks:
        problem = task["problem"]
        if problem and problem["code"]:
            seq: object = problem["code"]
        else:
            key = problem["id"] if problem else ("task", task["id"])
            seq = numbers.setdefault(key, len(numbers) + 1)
        # A stored value that is not a date (a damaged ledger) is written as it is.
        due: object = dates.day_or_none(task["due"]) or task["due"]
        if due is None and task["kind"]:
            due = SHEET_KIND_WORDS[lang][task["kind"]]
        closed_at = dates.moment_or_none(task["closed_at"]) or task["closed_at"]
        lines = [line for e in evidence.get(task["id"], []) if (line := e["name"] or e["note"])]
        value = {
            "seq": seq,
            "category": task["category"],
            "problem": problem["description"] if problem else None,
            "title": task["title"],
            "target": task["target"],
            "kind": SHEET_KIND_WORDS[lang][task["kind"]] if task["kind"] else None,
            "leader": task["leader"],
            "unit": task["unit"],
            "owner": task["owner"],
            "helpers": task["helpers"],
            "due": due,
            "progress_note": notes.get(task["id"]),
            "status": status_cell(task, lang),
            "evidence": "\n".join(lines) or None,
            "closed_at": closed_at,
            "closed_by": task["closed_by"],
            "note": task["note"],
            "uid": task["uid"],
        }
        rows.append([value[f] for f in FIELDS])
    return rows


def headers(lang: str) -> list[str]:
    return [columns.header(f, lang) for f in FIELDS]


def stamp(exported_at: str, unit: str | None) -> list[tuple[str, str]]:
    """The export stamp's rows: when the sheet was exported (the ledger's
    clock), and for which unit. An import compares a returned sheet with the
    ledger as it stood then (``importer._as_exported``)."""
    return [(columns.STAMP_KEY, exported_at), ("unit", unit or "")]


def write_xlsx(path: Path, ledger, tasks: list[Task], lang: str, today: date, *, fill_in: bool = False,
               unit: str | None = None) -> None:
    """The house layout, stamped. A fill-in workbook (``fill_in``) also has
    its instructions sheet, a drop-down list of status words, and every column
    but those of ``columns.FILL_IN_FIELDS`` locked (no password)."""
    from rectify.exchange import xlsx

    text = columns.SHEET_TEXT[lang]
    uid = FIELDS.index("uid")  # the last column: kept for a re-import, not printed
    layout = xlsx.Layout(
        title=text["title"].format(date=dates.sheet_date(today, lang), n=len(tasks)) + (f" — {unit}" if unit else ""),
        headers=headers(lang),
        rows=sheet_rows(ledger, tasks, lang),
        bands=[t["band"] for t in tasks],
        widths=[c.width for c in columns.COLUMNS],
        date_columns={FIELDS.index("closed_at")},
        legend=[text["legend"].format(**BAND_THRESHOLDS)],
        sheet_name=text["sheet"],
        print_columns=uid,
        nowrap=frozenset({uid}),
        footer=text["footer"],
        stamp=stamp(dates.timestamp(), unit),
    )
    if fill_in:
        layout.editable = {FIELDS.index(f) for f in columns.FILL_IN_FIELDS}
        layout.lists = {FIELDS.index("status"): list(columns.FILL_IN_STATUS[lang])}
        layout.instructions = (str(columns.FILL_IN_TEXT[lang]["sheet"]), list(columns.FILL_IN_TEXT[lang]["lines"]))
    atomic_write(path, lambda tmp: xlsx.write(tmp, layout))


def file_name(unit: str) -> str:
    """A unit's name as a file name: the characters Windows refuses become _."""
    name = "".join("_" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in unit).strip(" .")
    return (name or "_")[:100] + ".xlsx"


def write_fill_in_all(folder: Path, ledger, filters: dict, lang: str, today: date) -> list[tuple[str, Path, int]]:
    """One fill-in workbook per unit with tasks under ``filters``, in
    ``folder``: (unit, file, tasks) for each."""
    tasks = select(ledger, filters, today)
    units: dict[str, list[Task]] = {}
    for task in tasks:
        if task["unit"]:
            units.setdefault(task["unit"], []).append(task)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for unit, own in sorted(units.items()):
        path = folder / file_name(unit)
        write_xlsx(path, ledger, own, lang, today, fill_in=True, unit=unit)
        written.append((unit, path, len(own)))
    return written


def write_csv(stream, ledger, tasks: list[Task], lang: str, unit: str | None = None) -> None:
    """CSV rows, and the stamp as the last line, under the table (a note
    line, as offices write 注：… under theirs; Excel and WPS keep it as a cell)."""
    from rectify.exchange import csv_io

    rows = sheet_rows(ledger, tasks, lang)
    line = f"{columns.STAMP_KEY} {dates.timestamp()}" + (f" @{unit}" if unit else "")
    csv_io.write(stream, headers(lang), rows + [[line]])


# -- evidence ----------------------------------------------------------------

MANIFEST_FIELDS = ("task", "uid", "title", "file", "name", "sha256", "size", "date", "note", "check")


def evidence_entries(ledger, tasks: list[Task]) -> list[dict]:
    """Each piece of evidence of ``tasks``, with whether its file is there. A
    recorded path that would lead out of the evidence folder is never followed."""
    ids = {t["id"] for t in tasks}
    by_id = {t["id"]: t for t in tasks}
    folder = evidence_dir(ledger.path)
    entries = []
    for task_id, items in sorted(_evidence(ledger, ids).items()):
        task = by_id[task_id]
        for e in items:
            entry = {"task": task_id, "uid": task["uid"], "title": task["title"], "file": e["path"],
                     "name": e["name"], "sha256": e["sha256"], "size": e["size"], "date": e["added"],
                     "note": e["note"], "check": "note", "source": None}
            if e["path"]:
                source = evidence_file(folder, e["path"])
                entry["source"] = source
                entry["check"] = "outside" if source is None else file_state(entry, source)
            entries.append(entry)
    return entries


def _manifest_csv(entries: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(MANIFEST_FIELDS)
    from rectify.exchange.csv_io import cell_text

    for e in entries:
        writer.writerow([cell_text(e[k]) for k in MANIFEST_FIELDS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_evidence(ledger, tasks: list[Task], target: Path) -> list[dict]:
    """The evidence files of ``tasks`` and ``manifest.csv`` into a folder or a
    .zip. A file that cannot be read is marked ``unreadable`` and left out."""
    entries = evidence_entries(ledger, tasks)
    target = Path(target)
    if target.suffix.lower() == ".zip":
        def build(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                for e in entries:
                    if e["check"] == "ok":
                        into_zip(zf, e)
                zf.writestr("manifest.csv", _manifest_csv(entries))

        try:
            atomic_write(target, build)
        except WriteError as e:
            raise InputError(_("Cannot write {path}: {reason}.").format(path=target, reason=reason(e))) from None
        return entries
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(_("{path} exists and is not an empty folder; give a new folder or a .zip name.").format(
            path=target))
    # Built under a temporary name beside the folder and renamed at the end:
    # a run interrupted or killed part-way leaves no partial folder under
    # the name (the next export there removes the temporary one).
    build_dir = temp_name(target, "tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        build_dir.mkdir()
        for entry in entries:
            if entry["check"] == "ok":
                kill_point("export-evidence")
                into_folder(build_dir, entry)
        (build_dir / "manifest.csv").write_bytes(_manifest_csv(entries))
        if target.is_dir():
            target.rmdir()  # empty, as checked above
        os.replace(build_dir, target)
    except (OSError, WriteError) as e:
        raise InputError(_("Cannot write the evidence to {path}: {reason}.").format(path=target, reason=reason(e))) from None
    finally:
        remove(build_dir)
    return entries
