"""Backup and check: copying a ledger safely, and proving that it is sound.

``backup`` copies a ledger with SQLite's online backup API while other
processes keep writing. The whole copy is taken from one read snapshot (one
read transaction held on the source for all the steps), so it is the ledger
exactly as it stood at one moment: in WAL mode, readers never block writers,
and writers never force the copy to restart. The copy is itself a ledger like
any other: same ``application_id`` and ``user_version``, in WAL mode, and
checkpointed, so it is one self-contained file. The evidence files its
records name are copied (and hashed on the way) into the evidence folder the
copy will look in (``paths.evidence_dir``). Everything is written under
temporary names beside the target and renamed into place at the end, so an
interrupted backup leaves nothing half-written under the target's name.

``check`` reads a ledger and never writes it. It runs SQLite's
``integrity_check`` and ``foreign_key_check``, names the orphan rows, checks
that each task's current fields equal the last change its history records
(the invariant the reports' past figures rely on), that every closed task has
its closing time and that every task has a history, and verifies every
evidence file against its recorded size and sha256. The database checks are
set-based SQL; only the evidence files are visited one by one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from rectify.errors import InputError, LedgerError
from rectify.i18n import N_, _, reason
from rectify.paths import WriteError, copy_hashed, evidence_dir, evidence_file, read_chunks, sha256_stream

PAGES_PER_STEP = 1024  # pages copied per step of the online backup (4 MiB at the usual page size)
SIDECARS = ("-wal", "-shm", "-journal")  # files SQLite keeps beside a database


# Names of tables, columns and checks as a person reads them in a fault.
_NAMES = {"task": N_("task"), "problem": N_("problem"), "event": N_("event"), "evidence": N_("evidence"),
          "task_id": N_("task id"), "problem_id": N_("problem id"), "integrity": N_("integrity"),
          "orphan": N_("orphan rows"), "history": N_("history"), "closed": N_("closing time"),
          "lookback": N_("look-back")}


def _name(name: str) -> str:
    return _(_NAMES[name]) if name in _NAMES else name


@dataclass
class Fault:
    """One thing found wrong. ``kind`` is one of: integrity, orphan, history,
    closed, evidence, lookback (see README, "Backup and check")."""

    kind: str
    message: str
    task: int | None = None
    table: str | None = None
    row: int | None = None
    file: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


# -- opening a ledger that must exist --------------------------------------------


def open_existing(path: Path) -> sqlite3.Connection:
    """A connection to the ledger at ``path``, which must exist and be a rectify
    ledger this version can read. The connection refuses every write."""
    from rectify.store import _check_header, _connect

    if not (path.exists() or path.is_symlink()) or _check_header(path) is None:
        raise LedgerError(_("There is no ledger at {path}.").format(path=path))
    try:
        conn = _connect(str(path))
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError as e:
        raise LedgerError(_("Cannot open the ledger {path}: {reason}.").format(path=path, reason=reason(e))) from None
    return conn


def _counts(conn: sqlite3.Connection) -> dict:
    return {table + "s": conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("task", "problem", "event")}


# -- evidence files ----------------------------------------------------------------

_EVIDENCE_FILES = "SELECT id, task_id, path, sha256, size FROM evidence WHERE path IS NOT NULL ORDER BY id"


def _evidence_fault(row, found: tuple[str, int] | None) -> Fault | None:
    """Compare a file as found, (sha256, size) or None when missing, with its record."""
    where = {"task": row["task_id"], "table": "evidence", "row": row["id"], "file": row["path"]}
    head = _("evidence {id} of task {task}: file {file}").format(id=row["id"], task=row["task_id"], file=row["path"])
    if found is None:
        return Fault("evidence", _("{evidence} is missing.").format(evidence=head), **where)
    sha, size = found
    if row["size"] is not None and size != row["size"]:
        return Fault("evidence", _("{evidence} has {size} bytes; the ledger recorded {recorded}.").format(
            evidence=head, size=size, recorded=row["size"]), **where)
    if sha != row["sha256"]:
        return Fault("evidence", _("{evidence} has changed: its sha256 is {sha}, the ledger recorded {recorded}.").format(
            evidence=head, sha=sha[:12], recorded=(row["sha256"] or _("none"))[:12]), **where)
    return None


def _outside_fault(row) -> Fault:
    return Fault("evidence", _("evidence {id} of task {task}: the recorded path {file} leads out of the evidence folder.").format(
        id=row["id"], task=row["task_id"], file=row["path"]),
        task=row["task_id"], table="evidence", row=row["id"], file=row["path"])


def _unreadable_fault(row, error: OSError) -> Fault:
    return Fault("evidence", _("evidence {id} of task {task}: file {file} cannot be read: {reason}.").format(
        id=row["id"], task=row["task_id"], file=row["path"], reason=reason(error)),
        task=row["task_id"], table="evidence", row=row["id"], file=row["path"])


def _each_evidence(rows, folder: Path, read) -> tuple[dict[str, tuple[str, int]], list[Fault]]:
    """Visit each recorded evidence file once, however many rows name it.
    ``read(file, rel)`` gives its (sha256, size); an OSError it raises is the
    file's own fault (missing, or unreadable) and the visit goes on. A
    WriteError, from a copy being written, is not caught. Returns the files
    found, by recorded path, and the faults, in the order of ``rows``."""
    seen: dict[str, tuple[str, int] | OSError | None] = {}
    faults = []
    for row in rows:
        rel = row["path"]
        file = evidence_file(folder, rel)
        if file is None:
            faults.append(_outside_fault(row))
            continue
        if rel not in seen:
            try:
                seen[rel] = read(file, rel)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                seen[rel] = None
            except OSError as e:
                seen[rel] = e
        found = seen[rel]
        fault = _unreadable_fault(row, found) if isinstance(found, OSError) else _evidence_fault(row, found)
        if fault:
            faults.append(fault)
    return {rel: found for rel, found in seen.items() if isinstance(found, tuple)}, faults


def _digest(file: Path, rel: str) -> tuple[str, int]:
    with read_chunks(file) as data:
        return sha256_stream(data)


def _verify_evidence(conn: sqlite3.Connection, folder: Path, totals: dict) -> list[Fault]:
    found, faults = _each_evidence(conn.execute(_EVIDENCE_FILES), folder, _digest)
    totals["evidence_files"] = len(found)
    totals["evidence_bytes"] = sum(size for _sha, size in found.values())
    return faults


# -- check -------------------------------------------------------------------------


def _integrity(conn: sqlite3.Connection, folder: Path, totals: dict) -> list[Fault]:
    """SQLite's own check of every page and index. Where it stops on a page
    it cannot read, each table is checked alone to name the damaged ones."""
    try:
        return _integrity_faults(conn, None)
    except sqlite3.DatabaseError as whole:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        faults = []
        for table in tables:
            try:
                faults += _integrity_faults(conn, table)
            except sqlite3.DatabaseError as e:
                faults.append(Fault("integrity", _("integrity check of table {table}: {reason}.").format(
                    table=_name(table), reason=reason(e)), table=table))
        return faults or [Fault("integrity", _("integrity check: {message}").format(message=reason(whole)))]


def _integrity_faults(conn: sqlite3.Connection, table: str | None) -> list[Fault]:
    sql = f'PRAGMA integrity_check("{table}")' if table else "PRAGMA integrity_check"
    lines = [r[0] for r in conn.execute(sql) if not r[0].startswith("*** in database")]
    if lines == ["ok"]:
        return []
    if table:
        return [Fault("integrity", _("integrity check of table {table}: {reason}.").format(table=_name(table), reason=line),
                      table=table) for line in lines]
    return [Fault("integrity", _("integrity check: {message}").format(message=line)) for line in lines]


def _orphans(conn: sqlite3.Connection, folder: Path, totals: dict) -> list[Fault]:
    """Rows whose reference leads nowhere. ``foreign_key_check`` finds the
    tables and constraints concerned; one anti-join per constraint names them."""
    broken = sorted({(r[0], r[3]) for r in conn.execute("PRAGMA foreign_key_check")})
    faults = []
    for table, fkid in broken:
        fk = next(r for r in conn.execute(f'PRAGMA foreign_key_list("{table}")') if r[0] == fkid)
        parent, column, key = fk[2], fk[3], fk[4] or "rowid"
        rows = conn.execute(
            f'SELECT c.rowid, c."{column}" FROM "{table}" c WHERE c."{column}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM "{parent}" p WHERE p."{key}" = c."{column}") ORDER BY c.rowid')
        for row, value in rows:
            task = value if parent == "task" else row if table == "task" else None
            faults.append(Fault("orphan", _("{table} {row}: its {column} is {value}, but there is no {parent} {value}.").format(
                table=_name(table), row=row, column=_name(column), value=value, parent=_name(parent)), task=task, table=table, row=row))
    return faults


def _history_fields() -> tuple[str, ...]:
    """The task fields whose every change is an event with old and new values:
    those the reports rebuild for a past moment. ``problem_id`` and
    ``relapse_of`` are left out: an id is local to a ledger, and a history
    copied from another ledger's JSON export names that ledger's problems and
    tasks. So is ``recheck_due``: a re-check is scheduled by the ledger that
    closed the task, and an import copies the history but not the schedule.
    The look-back's records (re-checks, relapses, the schedule, settings) are
    checked by ``_lookback``."""
    from rectify.reports import REBUILT

    return tuple(f for f in REBUILT if f not in ("problem_id", "relapse_of", "recheck_due"))


def _history(conn: sqlite3.Connection, folder: Path, totals: dict) -> list[Fault]:
    """Each task's current fields against the last change its history records."""
    fields = _history_fields()
    current = " ".join(f"WHEN '{f}' THEN CAST(t.{f} AS TEXT)" for f in fields)
    rows = conn.execute(
        f"""SELECT * FROM (
              SELECT e.id AS event, e.task_id AS task, e.field AS field, e.new AS recorded,
                     CASE e.field {current} END AS value
              FROM (SELECT max(id) AS id FROM event WHERE field IN ({",".join("?" * len(fields))})
                    GROUP BY task_id, field) last
              JOIN event e ON e.id = last.id JOIN task t ON t.id = e.task_id)
            WHERE value IS NOT recorded ORDER BY task, field""", fields)
    from rectify.model import field_label

    faults = [Fault("history", _("task {task}: its {field} is {value}, but its history last set it to {recorded} (event {event}).").format(
        task=r["task"], field=field_label(r["field"]), value=_shown(r["value"]), recorded=_shown(r["recorded"]),
        event=r["event"]), task=r["task"], table="event", row=r["event"]) for r in rows]
    for (task,) in conn.execute("SELECT t.id FROM task t WHERE NOT EXISTS "
                                "(SELECT 1 FROM event e WHERE e.task_id = t.id) ORDER BY t.id"):
        faults.append(Fault("history", _("task {task} has no recorded history.").format(task=task),
                                task=task, table="task", row=task))
    return faults


def _shown(value: str | None) -> str:
    return _("(empty)") if value is None else repr(value)


def _closed(conn: sqlite3.Connection, folder: Path, totals: dict) -> list[Fault]:
    return [Fault("closed", _("task {task} is closed but has no closing time.").format(task=task),
                    task=task, table="task", row=task)
            for (task,) in conn.execute("SELECT id FROM task WHERE status = 'closed' AND closed_at IS NULL ORDER BY id")]


def _lookback(conn: sqlite3.Connection, folder: Path, totals: dict) -> list[Fault]:
    """The look-back's records against the tasks: each re-check has its event
    and was made of a task closed by then; each relapse's new task links back
    to the task it relapsed from; each task opened by a relapse has its
    re-check; only a closed task has a re-check scheduled; each setting
    equals the last change recorded of it."""
    faults = []
    for task, status in conn.execute(
            "SELECT id, status FROM task WHERE recheck_due IS NOT NULL AND status != 'closed' ORDER BY id"):
        from rectify.model import status_label

        faults.append(Fault("lookback", _("task {task} is {status} but has a re-check scheduled.").format(
            task=task, status=status_label(status)), task=task, table="task", row=task))
    for rid, task in conn.execute(
            """SELECT c.id, c.task_id FROM recheck c WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.task_id = c.task_id
                   AND e.action = 'recheck' AND e.field IS NULL AND e.new = c.result AND e.at = c.at) ORDER BY c.id"""):
        faults.append(Fault("lookback", _("re-check {id} of task {task} has no event in the task's history.").format(
            id=rid, task=task), task=task, table="recheck", row=rid))
    for rid, task, new in conn.execute(
            """SELECT c.id, c.task_id, c.relapse_task_id FROM recheck c LEFT JOIN task t ON t.id = c.relapse_task_id
               WHERE c.result = 'relapsed' AND (t.id IS NULL OR t.relapse_of IS NOT c.task_id) ORDER BY c.id"""):
        faults.append(Fault("lookback", _("re-check {id} of task {task} found a relapse, but task {new} does not link back to it.").format(
            id=rid, task=task, new=new), task=task, table="recheck", row=rid))
    for (task,) in conn.execute(
            """SELECT t.id FROM task t WHERE t.relapse_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM recheck c
                   WHERE c.task_id = t.relapse_of AND c.relapse_task_id = t.id) ORDER BY t.id"""):
        faults.append(Fault("lookback", _("task {task} is recorded as a relapse, but no re-check opened it.").format(task=task),
                            task=task, table="task", row=task))
    for key, value, recorded in conn.execute(
            """SELECT s.key, s.value, (SELECT e.new FROM ledger_event e WHERE e.action = 'config' AND e.subject = s.key
                                       ORDER BY e.at DESC, e.id DESC LIMIT 1) AS recorded
               FROM setting s WHERE recorded IS NOT s.value ORDER BY s.key"""):
        faults.append(Fault("lookback", _("setting {key} is {value}, but its history last set it to {recorded}.").format(
            key=key, value=_shown(value), recorded=_shown(recorded)), table="setting"))
    return faults


# The checks, in the order they run and report; each one's name is shown when it cannot run at all.
CHECKS = (("integrity", _integrity), ("orphan", _orphans), ("history", _history), ("closed", _closed),
          ("evidence", _verify_evidence), ("lookback", _lookback))


def check(path: Path) -> dict:
    """Check the ledger at ``path``; the result is the JSON of ``rectify check --json``."""
    conn = open_existing(path)
    # The integrity check reads every page, most more than once: room for the
    # pages and a mapping of the file halve its time on a large ledger.
    conn.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, used only as needed
    conn.execute("PRAGMA mmap_size = 268435456")
    folder = evidence_dir(path)
    totals = {"evidence_files": 0, "evidence_bytes": 0}
    faults: list[Fault] = []
    try:
        for kind, run in CHECKS:
            try:
                faults += run(conn, folder, totals)
            except sqlite3.DatabaseError as e:  # a damaged file: say so, and go on with the other checks
                faults.append(Fault(kind, _("The {check} check could not finish: {reason}.").format(
                    check=_name(kind), reason=reason(e))))
        try:
            counts = _counts(conn)
        except sqlite3.DatabaseError:
            counts = {"tasks": None, "problems": None, "events": None}
    finally:
        conn.close()
    return {"ledger": os.path.abspath(path), "ok": not faults, **counts, **totals,
            "faults": [p.as_dict() for p in faults]}


# -- backup ------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _occupied(target: Path) -> list[Path]:
    """What a backup at ``target`` replaces: the file, SQLite's files beside it
    (a stale WAL would be replayed into the new copy), its evidence folder."""
    paths = [target, *(target.with_name(target.name + s) for s in SIDECARS), evidence_dir(target)]
    return [p for p in paths if p.exists() or p.is_symlink()]


def _refuse_target(source: Path, target: Path, force: bool) -> None:
    """Every reason not to write a backup at ``target``; nothing is touched."""
    if target.is_dir():
        raise InputError(_("{path} is a folder; give the backup a file name, e.g. {example}.").format(
            path=target, example=target / "ledger-backup.db"))
    if not target.parent.is_dir():
        raise InputError(_("The folder {folder} does not exist; create it first.").format(folder=target.parent))
    if any(_same_file(source.with_name(source.name + s), target) for s in ("", *SIDECARS)):
        raise InputError(_("{path} is the ledger itself; give another file for the backup.").format(path=target))
    if evidence_dir(target).resolve() == evidence_dir(source).resolve():
        raise InputError(_("A backup at {path} would share the ledger's evidence folder {folder}; choose another name or folder.").format(
            path=target, folder=evidence_dir(source)))
    occupied = _occupied(target)
    if occupied and not force:
        raise InputError(_("{path} already exists; choose another name, or use --force to replace it.").format(path=occupied[0]))


def _temp_name(target: Path, suffix: str) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.{suffix}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def backup(source: Path, target: Path, *, force: bool = False, progress=None) -> dict:
    """Copy the ledger at ``source`` and its evidence files to ``target``;
    the result is the JSON of ``rectify backup --json``. ``progress(done,
    total)`` is called with bytes copied."""
    target = Path(os.path.abspath(target))
    src = open_existing(source)
    try:
        _refuse_target(source, target, force)
        temp_db, temp_evidence = _temp_name(target, "tmp"), _temp_name(target, "evidence.tmp")
        try:
            result = _copy(src, source, temp_db, temp_evidence, progress)
            _put_in_place(target, temp_db, temp_evidence)
        except (OSError, WriteError, sqlite3.OperationalError) as e:  # the target's side: no room, no right to write
            raise LedgerError(_("Could not write the backup {path}: {reason}.").format(
                path=target, reason=reason(e))) from None
        finally:
            for path in (temp_db, *(temp_db.with_name(temp_db.name + s) for s in SIDECARS), temp_evidence):
                _remove(path)
    finally:
        src.close()
    faults = result.pop("faults")
    return {"ledger": os.path.abspath(source), "backup": str(target),
            "evidence_dir": str(evidence_dir(target)) if result["evidence_files"] else None, **result,
            "bytes": result["ledger_bytes"] + result["evidence_bytes"], "faults": faults}


def _copy(src: sqlite3.Connection, source: Path, temp_db: Path, temp_evidence: Path, progress) -> dict:
    """The database pages from one snapshot of ``src``, then the evidence files
    its records name; each under its temporary name."""
    src.execute("BEGIN")  # one read snapshot for every step and every count
    try:
        page_size = src.execute("PRAGMA page_size").fetchone()[0]
        pages = src.execute("PRAGMA page_count").fetchone()[0]
        files = src.execute(_EVIDENCE_FILES).fetchall()
        total = pages * page_size + sum(r["size"] or 0 for r in files)
        fd = os.open(temp_db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        dst = sqlite3.connect(str(temp_db), isolation_level=None)
        try:
            dst.execute(f"PRAGMA page_size = {page_size}")
            dst.execute("PRAGMA journal_mode = WAL")  # the copy is a ledger like any other

            def step(status, remaining, count):
                if progress is not None:
                    progress((count - remaining) * page_size, total)

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            dst.row_factory = sqlite3.Row
            counts = _counts(dst)
            schema = dst.execute("PRAGMA user_version").fetchone()[0]
            journal_mode = dst.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            dst.close()  # checkpoints: the copy is one file
    finally:
        src.execute("COMMIT")
    ledger_bytes = temp_db.stat().st_size
    copied, faults = _copy_evidence(files, evidence_dir(source), temp_evidence,
                                    lambda done: progress and progress(pages * page_size + done, total))
    return {"schema": schema, "journal_mode": journal_mode, **counts, "evidence_files": len(copied),
            "ledger_bytes": ledger_bytes, "evidence_bytes": sum(size for _sha, size in copied.values()),
            "faults": [p.as_dict() for p in faults]}


def _copy_evidence(rows, folder: Path, temp_evidence: Path, progress) -> tuple[dict, list[Fault]]:
    """Copy each recorded evidence file, hashing it on the way; a file missing,
    changed or unreadable is reported, and copied as it is when it can be read
    at all. Only an error in writing the copy (a WriteError) stops the backup."""
    done = 0

    def copy(file: Path, rel: str) -> tuple[str, int]:
        nonlocal done
        final = temp_evidence.joinpath(*PurePosixPath(rel).parts)
        found = copy_hashed(file, final, mode=0o600, folder_mode=0o700)  # as the ledger keeps its own
        done += found[1]
        progress(done)
        return found

    return _each_evidence(rows, folder, copy)


def _put_in_place(target: Path, temp_db: Path, temp_evidence: Path) -> None:
    """Rename the finished copy to its name. What it replaces (with --force)
    is moved aside first, and removed once the copy is in place, or put back
    if the copy cannot be."""
    aside: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for path in _occupied(target):
            moved = _temp_name(path, "old")
            os.replace(path, moved)
            aside.append((path, moved))
        os.replace(temp_db, target)
        placed.append(target)
        if temp_evidence.is_dir():
            os.replace(temp_evidence, evidence_dir(target))
    except OSError:
        for path in placed:
            _remove(path)
        for path, moved in reversed(aside):
            os.replace(moved, path)
        raise
    for _path, moved in aside:
        _remove(moved)
