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
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from rectify import dates
from rectify import ledger as L
from rectify.errors import InputError, LedgerError
from rectify.exchange import columns as C
from rectify.i18n import _, reason
from rectify.paths import (WriteError, atomic_write, clean_leftovers, copy_hashed, evidence_dir, evidence_file,
                           kill_point, read_chunks, remove, sha256_stream, temp_name, writing)

FIELDS = [c.field for c in C.COLUMNS]


def select(ledger, filters: dict, today: date) -> list[dict]:
    """The tasks to export: the filters of ``list``, every state unless --status."""
    tasks, _total = L.list_tasks(ledger, {**filters, "all": True}, today=today)
    return tasks


def _by_task(rows, ids: set[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in rows:
        if row["task_id"] in ids:
            out.setdefault(row["task_id"], []).append(dict(row))
    return out


def _evidence(ledger, ids: set[int]) -> dict[int, list[dict]]:
    return _by_task(ledger.query(
        "SELECT id, task_id, added, name, path, sha256, size, note FROM evidence ORDER BY task_id, id"), ids)


def json_objects(ledger, tasks: list[dict]) -> list[dict]:
    """``list --json`` objects with ``evidence`` and ``history``, as ``show --json``."""
    ids = {t["id"] for t in tasks}
    evidence = _evidence(ledger, ids)
    history = _by_task(ledger.query(
        "SELECT id, task_id, at, action, field, old, new, note, actor FROM event ORDER BY task_id, id"), ids)
    out = []
    for task in tasks:
        ev = [{k: v for k, v in e.items() if k != "task_id"} for e in evidence.get(task["id"], [])]
        hist = [{k: v for k, v in e.items() if k != "task_id"} for e in history.get(task["id"], [])]
        out.append({**task, "evidence": ev, "history": hist})
    return out


def _latest_notes(ledger, ids: set[int]) -> dict[int, str]:
    rows = ledger.query(
        "SELECT task_id, note FROM event WHERE id IN (SELECT max(id) FROM event WHERE action = 'progress' "
        "AND note IS NOT NULL GROUP BY task_id)")
    return {r["task_id"]: r["note"] for r in rows if r["task_id"] in ids}


def status_cell(task: dict, lang: str) -> str:
    word = C.STATUS_WORDS[lang][task["status"]]
    percent = task["progress"]
    default = 100 if task["status"] == "closed" else 0
    return word if percent == default else f"{word} {percent}%"


def sheet_rows(ledger, tasks: list[dict], lang: str) -> list[list]:
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
            due = C.KIND_WORDS[lang][task["kind"]]
        closed_at = dates.moment_or_none(task["closed_at"]) or task["closed_at"]
        lines = [e["name"] or e["note"] for e in evidence.get(task["id"], []) if e["name"] or e["note"]]
        value = {
            "seq": seq,
            "category": task["category"],
            "problem": problem["description"] if problem else None,
            "title": task["title"],
            "target": task["target"],
            "kind": C.KIND_WORDS[lang][task["kind"]] if task["kind"] else None,
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
    return [C.header(f, lang) for f in FIELDS]


def stamp(exported_at: str, unit: str | None) -> list[tuple[str, str]]:
    """The export stamp's rows: when the sheet was exported (the ledger's
    clock), and for which unit. An import compares a returned sheet with the
    ledger as it stood then (``importer._as_exported``)."""
    return [(C.STAMP_KEY, exported_at), ("unit", unit or "")]


def write_xlsx(path: Path, ledger, tasks: list[dict], lang: str, today: date, *, fill_in: bool = False,
               unit: str | None = None) -> None:
    """The house layout, stamped. A fill-in workbook (``fill_in``) also has
    its instructions sheet, a drop-down list of status words, and every column
    but those of ``columns.FILL_IN_FIELDS`` locked (no password)."""
    from rectify.exchange import xlsx

    text = C.SHEET_TEXT[lang]
    layout = xlsx.Layout(
        title=text["title"].format(date=today.isoformat(), n=len(tasks)) + (f" — {unit}" if unit else ""),
        headers=headers(lang),
        rows=sheet_rows(ledger, tasks, lang),
        bands=[t["band"] for t in tasks],
        widths=[c.width for c in C.COLUMNS],
        date_columns={FIELDS.index("closed_at")},
        legend=[text["legend"]],
        sheet_name=text["sheet"],
        stamp=stamp(dates.timestamp(), unit),
    )
    if fill_in:
        layout.editable = {FIELDS.index(f) for f in C.FILL_IN_FIELDS}
        layout.lists = {FIELDS.index("status"): list(C.FILL_IN_STATUS[lang])}
        layout.instructions = (C.FILL_IN_TEXT[lang]["sheet"], list(C.FILL_IN_TEXT[lang]["lines"]))
    atomic_write(path, lambda tmp: xlsx.write(tmp, layout))


def file_name(unit: str) -> str:
    """A unit's name as a file name: the characters Windows refuses become _."""
    name = "".join("_" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in unit).strip(" .")
    return (name or "_")[:100] + ".xlsx"


def write_fill_in_all(folder: Path, ledger, filters: dict, lang: str, today: date) -> list[tuple[str, Path, int]]:
    """One fill-in workbook per unit with tasks under ``filters``, in
    ``folder``: (unit, file, tasks) for each."""
    tasks = select(ledger, filters, today)
    units: dict[str, list[dict]] = {}
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


def write_csv(stream, ledger, tasks: list[dict], lang: str, unit: str | None = None) -> None:
    """CSV rows, and the stamp as the last line, under the table (a note
    line, as offices write 注：… under theirs; Excel and WPS keep it as a cell)."""
    from rectify.exchange import csv_io

    rows = sheet_rows(ledger, tasks, lang)
    line = f"{C.STAMP_KEY} {dates.timestamp()}" + (f" @{unit}" if unit else "")
    csv_io.write(stream, headers(lang), rows + [[line]])


# -- evidence ----------------------------------------------------------------

MANIFEST_FIELDS = ("task", "uid", "title", "file", "name", "sha256", "size", "date", "note", "check")


def evidence_entries(ledger, tasks: list[dict]) -> list[dict]:
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
                entry["check"] = "outside" if source is None else _found(entry, source)
            entries.append(entry)
    return entries


def _found(entry: dict, source) -> str:
    """"ok", "missing", or "unreadable" (with its reason: a symbolic link, not a regular file ...)."""
    try:
        source.size()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return "missing"
    except OSError as error:
        _unreadable(entry, error)
        return "unreadable"
    return "ok"


def _copy_checked(entry: dict, data, sink) -> None:
    """Stream ``data`` to ``sink`` while hashing; mark the entry changed if the hash differs."""
    sha, _size = sha256_stream(data, sink)
    if sha != entry["sha256"]:
        entry["check"] = "changed"


def _zip_time(stamp: str | None) -> tuple:
    try:
        moment = datetime.fromisoformat(stamp or "")
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    return tuple(max(moment, datetime(1980, 1, 1)).timetuple())[:6]


def _manifest_csv(entries: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(MANIFEST_FIELDS)
    from rectify.exchange.csv_io import cell_text

    for e in entries:
        writer.writerow([cell_text(e[k]) for k in MANIFEST_FIELDS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_evidence(ledger, tasks: list[dict], target: Path) -> list[dict]:
    """The evidence files of ``tasks`` and ``manifest.csv`` into a folder or a
    .zip. A file that cannot be read is marked ``unreadable`` and left out."""
    entries = evidence_entries(ledger, tasks)
    target = Path(target)
    if target.suffix.lower() == ".zip":
        def build(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                for e in entries:
                    if e["check"] == "ok":
                        _zip_member(zf, e)
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
    build = temp_name(target, "tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        build.mkdir()
        for e in entries:
            if e["check"] == "ok":
                kill_point("export-evidence")
                _folder_file(build, e)
        (build / "manifest.csv").write_bytes(_manifest_csv(entries))
        if target.is_dir():
            target.rmdir()  # empty, as checked above
        os.replace(build, target)
    except (OSError, WriteError) as e:
        raise InputError(_("Cannot write the evidence to {path}: {reason}.").format(path=target, reason=reason(e))) from None
    finally:
        remove(build)
    return entries


def _zip_member(zf: zipfile.ZipFile, e: dict) -> None:
    """One evidence file into the zip. A file that cannot be opened or read at
    all is marked unreadable; one that fails part-way stops the export, since
    half a member cannot be taken back out (nothing is written: the zip is
    built under a temporary name). An error writing the zip is a WriteError."""
    info = zipfile.ZipInfo(e["file"], date_time=_zip_time(e["date"]))
    info.compress_type = zipfile.ZIP_DEFLATED
    try:
        with read_chunks(e["source"]) as data:
            # zip64 for a member of 2 GiB or more (or whose size is not known): the
            # plain zip format holds sizes up to 2 GiB only.
            size = max(e["size"] or 0, e["source"].size())
            member = writing(zf.open, info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT)
            try:
                _copy_checked(e, data, member.write)
            except OSError as error:  # reading the source part-way
                raise LedgerError(_("Evidence file {file} of task {task} cannot be read: {reason}; nothing was written.").format(
                    file=e["file"], task=e["task"], reason=reason(error))) from None
            finally:
                writing(member.close)
    except OSError as error:
        _unreadable(e, error)


def _folder_file(target: Path, e: dict) -> None:
    """One evidence file into the folder; an unreadable one is marked so, and no part of it is left."""
    try:
        sha, _size = copy_hashed(e["source"], target.joinpath(*PurePosixPath(e["file"]).parts))
    except OSError as error:
        _unreadable(e, error)
        return
    if sha != e["sha256"]:
        e["check"] = "changed"


def _unreadable(entry: dict, error: OSError) -> None:
    entry["check"] = "unreadable"
    entry["reason"] = reason(error)
