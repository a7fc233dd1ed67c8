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
its closing time and that every task has a history, that the history keeps
the ledger's rules (each state change one the transition table allows, a
close by a checker other than the person responsible, at the closing time
recorded), that no stored text holds a control character (NUL, ESC ...),
that every stored time is a valid one within the supported dates and that no
task's history runs backwards in time, and verifies every evidence file
against its recorded size and sha256. The database checks are set-based SQL;
only the evidence files are visited one by one.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypedDict

from rectify.errors import InputError, LedgerError
from rectify.i18n import N_, _, pgettext, reason
from rectify.evidence import copy_hashed, digest, each_file, evidence_dir
from rectify.paths import SIDECARS, WriteError, guard_output, remove, temp_name

if TYPE_CHECKING:
    from rectify import contracts

PAGES_PER_STEP = 1024  # pages copied per step of the online backup (4 MiB at the usual page size)


# Names of tables, columns and checks as a person reads them in a fault.
_NAMES = {"task": N_("task"), "problem": N_("problem"), "event": N_("event"), "evidence": N_("evidence"),
          "task_id": N_("task id"), "problem_id": N_("problem id"), "integrity": N_("integrity"),
          "orphan": N_("orphan rows"), "history": N_("history"), "closed": N_("closing time"),
          "files": N_("files"), "rules": N_("rules"), "text": N_("stored text"), "times": N_("times"),
          "lookback": N_("look-back")}


def _name(name: str) -> str:
    return _(_NAMES[name]) if name in _NAMES else name


@dataclass
class Fault:
    """One thing found wrong. ``kind`` is one of: integrity, orphan, history,
    closed, rules, text, times, evidence, permissions, symlink, name,
    leftover, lookback (see README, "Backup and check")."""

    kind: str
    message: str
    task: int | None = None
    table: str | None = None
    row: int | None = None
    file: str | None = None

    def as_dict(self) -> contracts.Fault:
        return {"kind": self.kind, "message": self.message, "task": self.task, "table": self.table,
                "row": self.row, "file": self.file}


@dataclass
class Totals:
    """What the checks count on their way, and the ledger they check."""

    ledger: Path
    evidence_files: int = 0
    evidence_bytes: int = 0


class Counts(TypedDict):
    tasks: int
    problems: int
    events: int


# -- opening a ledger that must exist --------------------------------------------


def open_existing(path: Path) -> sqlite3.Connection:
    """A connection to the ledger at ``path``, which must exist and be a rectify
    ledger this version can read. The connection refuses every write."""
    from rectify import ledgerfile
    from rectify.store import _check_header, reading_connection

    ledgerfile.refuse_odd_kind(path)
    ledgerfile.tidy(path)
    if not (path.exists() or path.is_symlink()) or _check_header(path) is None:
        raise LedgerError(_("There is no ledger at {path}.").format(path=path))
    ledgerfile.refuse_stale_wal(path)
    try:
        conn = reading_connection(path)
        # A damaged page may hold bytes that are not UTF-8: read them escaped, never raise on them.
        conn.text_factory = lambda data: data.decode("utf-8", "backslashreplace")
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError as e:
        raise LedgerError(_("Cannot open the ledger {path}: {reason}.").format(path=path, reason=reason(e))) from None
    return conn


def _counts(conn: sqlite3.Connection) -> Counts:
    def count(table: str) -> int:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    return {"tasks": count("task"), "problems": count("problem"), "events": count("event")}


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
            evidence=head, sha=sha[:12], recorded=(row["sha256"] or pgettext("nothing", "none"))[:12]), **where)
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
    """Visit each recorded evidence file once (``evidence.each_file``, with
    ``read``). Returns the files found, by recorded path, and the faults, in
    the order of ``rows``."""
    files: dict[str, tuple[str, int]] = {}
    faults = []
    for row, found in each_file(rows, folder, read):
        if isinstance(found, str):  # evidence.OUTSIDE: the recorded path leads out of the folder
            faults.append(_outside_fault(row))
            continue
        if isinstance(found, tuple):
            files.setdefault(row["path"], found)
        fault = _unreadable_fault(row, found) if isinstance(found, OSError) else _evidence_fault(row, found)
        if fault:
            faults.append(fault)
    return files, faults


def _verify_evidence(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
    found, faults = _each_evidence(conn.execute(_EVIDENCE_FILES), folder, lambda file, _rel: digest(file))
    totals.evidence_files = len(found)
    totals.evidence_bytes = sum(size for _sha, size in found.values())
    return faults


# -- check -------------------------------------------------------------------------


def _integrity(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
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


def _orphans(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
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
    ``round_id`` and ``relapse_of`` are left out: an id is local to a ledger,
    and a history copied from another ledger's JSON export names that
    ledger's problems, rounds and tasks. So is ``recheck_due``: a re-check is
    scheduled by the ledger that closed the task, and an import copies the
    history but not the schedule. (The other events a task's history holds,
    outcomes recorded or withdrawn, set no task field: they are not compared
    either. The look-back's records are checked by ``_lookback``.)"""
    from rectify.reports import REBUILT

    return tuple(f for f in REBUILT if f not in ("problem_id", "round_id", "relapse_of", "recheck_due"))


def _history(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
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


def _closed(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
    return [Fault("closed", _("task {task} is closed but has no closing time.").format(task=task),
                    task=task, table="task", row=task)
            for (task,) in conn.execute("SELECT id FROM task WHERE status = 'closed' AND closed_at IS NULL ORDER BY id")]


def _files(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
    """The files on disk: the ledger and its evidence files kept from others
    (rectify makes them 0600, its folders 0700), no symbolic link in the
    evidence folder (rectify never follows one), no evidence name that would
    be read as a path or echo terminal codes, no leftovers of killed runs."""
    from rectify.evidence import folder_fault
    from rectify.paths import is_stale, leftovers

    faults = []
    ledger = totals.ledger
    for path in (ledger, *leftovers(ledger.parent)):
        if path == ledger:
            faults += _mode_fault(path, _("the ledger file {file}").format(file=path))
        else:
            faults.append(Fault("leftover", _("{file} is a temporary file left by a run that was killed; it can be deleted.").format(
                file=path), file=str(path)))
    fault = folder_fault(folder)
    if fault:
        kind = "symlink" if folder.is_symlink() else "permissions"
        faults.append(Fault(kind, _("the evidence folder {folder} {reason}.").format(folder=folder, reason=fault), file=str(folder)))
        if folder.is_symlink():
            return faults + _names(conn)
    for root, dirs, files in os.walk(folder):
        for name in sorted(dirs + files):
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                faults.append(Fault("symlink", _("{file} in the evidence folder is a symbolic link; rectify does not follow it.").format(
                    file=rel), file=rel))
            elif is_stale(path):
                faults.append(Fault("leftover", _("{file} is a temporary file left by a run that was killed; it can be deleted.").format(
                    file=path), file=rel))
            elif name in files:
                faults += _mode_fault(path, _("evidence file {file}").format(file=rel), rel)
    return faults + _names(conn)


def _mode_fault(path: Path, what: str, rel: str | None = None) -> list[Fault]:
    try:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
    except OSError:
        return []
    if os.name != "posix" or not mode & 0o077:
        return []
    return [Fault("permissions", _("{what} can be read or written by others (mode {mode:o}); rectify keeps it 600: chmod 600 {path}").format(
        what=what, mode=mode, path=path), file=rel or str(path))]


def _names(conn: sqlite3.Connection) -> list[Fault]:
    from rectify.evidence import evidence_name_fault

    faults = []
    for row in conn.execute("SELECT id, task_id, name FROM evidence WHERE name IS NOT NULL ORDER BY id"):
        fault = evidence_name_fault(row["name"])
        if fault:
            faults.append(Fault("name", _("evidence {id} of task {task}: its name {name} cannot be kept as a file name: {reason}.").format(
                id=row["id"], task=row["task_id"], name=ascii(row["name"]), reason=fault),
                task=row["task_id"], table="evidence", row=row["id"]))
    return faults


def _rules(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
    """A history that breaks the ledger's rules: a state change the transition
    table does not allow (an import may set any state: a sheet records what
    happened elsewhere), and a task whose last closing was by no checker, by
    its own person responsible, or at another time than its closing time."""
    from rectify.ledger import person_key
    from rectify.model import STATUS_LABELS, TRANSITIONS, UNDO_MOVES, VERB_LABELS

    def state(value):
        return _(STATUS_LABELS[value]) if value in STATUS_LABELS else _shown(value)

    allowed = [(verb, old, target) for verb, (sources, target) in TRANSITIONS.items() for old in sources]
    allowed += [("undo", old, new) for old, new in sorted(UNDO_MOVES)]  # `rectify undo`: a transition taken back
    values = ",".join("(?,?,?)" for _a in allowed)
    params = [x for triple in allowed for x in triple]
    faults = [Fault("rules", _("task {task}: event {event} changes its state from {old} to {new} "
                               "(the action: {action}), which the ledger's rules do not allow.").format(
        task=r["task_id"], event=r["id"], old=state(r["old"]), new=state(r["new"]),
        action=_(VERB_LABELS[r["action"]]) if r["action"] in VERB_LABELS else _shown(r["action"])),
        task=r["task_id"], table="event", row=r["id"])
        for r in conn.execute(
            f"""SELECT id, task_id, action, old, new FROM event WHERE field = 'status' AND action != 'import'
                AND (action, old, new) NOT IN (VALUES {values}) ORDER BY task_id, id""", params)]
    closes = conn.execute(
        """SELECT t.id AS task, t.owner, t.closed_at, e.id AS event, e.at, e.actor
           FROM task t JOIN event e ON e.id = (SELECT max(id) FROM event WHERE task_id = t.id AND field = 'status')
           WHERE t.status = 'closed' AND e.action = 'close' ORDER BY t.id""")
    for r in closes:
        where = {"task": r["task"], "table": "event", "row": r["event"]}
        checker = (r["actor"] or "").strip()
        if not checker:
            faults.append(Fault("rules", _("task {task} was closed without a checker (event {event}).").format(
                task=r["task"], event=r["event"]), **where))
        elif r["owner"] and person_key(checker) == person_key(r["owner"]):
            faults.append(Fault("rules", _("task {task} was closed by its own person responsible, {owner} (event {event}).").format(
                task=r["task"], owner=r["owner"], event=r["event"]), **where))
        if r["closed_at"] and not _same_moment(r["closed_at"], r["at"]):
            faults.append(Fault("rules", _("task {task}: its closing time {closed} is not the time of its closing, {at} (event {event}).").format(
                task=r["task"], closed=_shown(r["closed_at"]), at=_shown(r["at"]), event=r["event"]), **where))
    return faults


def _same_moment(a: str, b: str) -> bool:
    """Two stored times within a minute of each other (a ledger written before
    the closing time and the close event shared one reading of the clock may
    differ by a second)."""
    from datetime import datetime

    try:
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) <= 60
    except (TypeError, ValueError):
        return a == b


# The text columns of each table, checked for control characters.
_TEXT_COLUMNS = {
    "task": ("uid", "title", "target", "kind", "status", "due", "unit", "leader", "owner", "helpers", "category",
             "note", "created", "updated", "closed_at", "closed_by"),
    "problem": ("uid", "code", "description", "category", "source", "created"),
    "event": ("at", "action", "field", "old", "new", "note", "actor"),
    "evidence": ("added", "name", "path", "sha256", "note"),
}
# What no command stores: the C0 controls but tab and newline, DEL, the C1
# controls (NUL is looked for in the bytes: SQLite's text functions stop at it).
_CONTROL_GLOB = "*[\x01-\x08\x0b-\x1f\x7f\x80-\x9f]*"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _file_name(table: str, column: str, row) -> bool:
    """Whether a column holds an evidence file's name, which `rectify evidence`
    takes as the file system gives it (control characters and all)."""
    return (table == "evidence" and column in ("name", "path")) or (
        table == "event" and column == "new" and row["action"] == "evidence")


def _text(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
    """Stored text holding a NUL or another control character (an escape
    sequence, a bell): a ledger edited by hand, or by another program. An
    evidence file's name is a fault only with a NUL (no file name holds one)."""
    from rectify.model import field_label
    from rectify.text import printable

    faults = []
    for table, columns in _TEXT_COLUMNS.items():
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        columns = tuple(c for c in columns if c in have)
        test = " OR ".join(f"{c} GLOB :glob OR instr(CAST({c} AS BLOB), X'00') > 0" for c in columns)
        task = "task_id" if table != "task" and "task_id" in have else "id" if table == "task" else "NULL"
        for row in conn.execute(f"SELECT rowid AS rid, {task} AS task, {', '.join(columns)} FROM {table} WHERE {test} "
                                "ORDER BY rowid", {"glob": _CONTROL_GLOB}):
            for column in columns:
                value = row[column]
                if not isinstance(value, str) or not _CONTROL.search(value):
                    continue
                if _file_name(table, column, row) and "\x00" not in value:
                    continue  # a file's name, as the file system gave it: shown escaped, not a fault
                faults.append(Fault("text", _("{table} {row}: its {column} holds a control character: {value}.").format(
                    table=_name(table), row=row["rid"], column=field_label(column), value=printable(value, newlines=False)[:120]),
                    task=row["task"], table=table, row=row["rid"]))
    return faults


# A time as rectify stores it; SQLite's date functions take a 30 February as
# it is, and normalise it only through a modifier ('+0 days'), hence those.
_ISO_MOMENT = "%Y-%m-%dT%H:%M:%S"


def _times(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
    """Stored times that are not valid times within the supported dates, and
    histories whose times run backwards: an event earlier than the one
    recorded before it for the same task (a clock set back, a time zone
    changed, a hand edit), which the reports would read in the wrong order."""
    from rectify.dates import MAX_DATE, MIN_DATE

    low, high = f"{MIN_DATE.isoformat()}T00:00:00", f"{MAX_DATE.isoformat()}T23:59:59"
    bounds = {"low": low, "high": high, "fmt": _ISO_MOMENT}
    faults = []
    for r in conn.execute("""SELECT id, task_id, at FROM event WHERE strftime(:fmt, at, '+0 seconds') IS NOT at
                             OR at NOT BETWEEN :low AND :high ORDER BY id""", bounds):
        faults.append(Fault("times", _("event {event} of task {task}: its time {at} is not a valid time from {low} to {high}.").format(
            event=r["id"], task=r["task_id"], at=_shown(r["at"]), low=low[:10], high=high[:10]),
            task=r["task_id"], table="event", row=r["id"]))
    for column in ("created", "closed_at"):
        for r in conn.execute(f"""SELECT id, {column} AS value FROM task WHERE {column} IS NOT NULL AND
                                  (strftime(:fmt, {column}, '+0 seconds') IS NOT {column} OR {column} NOT BETWEEN :low AND :high)
                                  ORDER BY id""", bounds):
            faults.append(Fault("times", _("task {task}: its {field} {value} is not a valid time from {low} to {high}.").format(
                task=r["id"], field=_field(column), value=_shown(r["value"]), low=low[:10], high=high[:10]),
                task=r["id"], table="task", row=r["id"]))
    for r in conn.execute("""SELECT id, due FROM task WHERE due IS NOT NULL AND
                             (date(due, '+0 days') IS NOT due OR due NOT BETWEEN :low AND :high) ORDER BY id""",
                          {"low": low[:10], "high": high[:10]}):
        faults.append(Fault("times", _("task {task}: its {field} {value} is not a valid date from {low} to {high}.").format(
            task=r["id"], field=_field("due"), value=_shown(r["due"]), low=low[:10], high=high[:10]),
            task=r["id"], table="task", row=r["id"]))
    for r in conn.execute("""SELECT id, task_id, at, before FROM (
                               SELECT id, task_id, at, lag(at) OVER (PARTITION BY task_id ORDER BY id) AS before
                               FROM event) WHERE at < before ORDER BY task_id, id"""):
        faults.append(Fault("times", _("task {task}: its history runs backwards: event {event} at {at} comes after one at {before}.").format(
            task=r["task_id"], event=r["id"], at=r["at"], before=r["before"]), task=r["task_id"], table="event", row=r["id"]))
    return faults


def _field(name: str) -> str:
    from rectify.model import field_label

    return field_label(name)


def _lookback(conn: sqlite3.Connection, folder: Path, totals: Totals) -> list[Fault]:
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
          ("rules", _rules), ("text", _text), ("times", _times), ("evidence", _verify_evidence), ("lookback", _lookback),
          ("files", _files))


def check(path: Path) -> contracts.CheckResult:
    """Check the ledger at ``path``; the result is the JSON of ``rectify check --json``."""
    conn = open_existing(path)
    # The integrity check reads every page, most more than once: room for the
    # pages and a mapping of the file halve its time on a large ledger.
    conn.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, used only as needed
    conn.execute("PRAGMA mmap_size = 268435456")
    folder = evidence_dir(path)
    totals = Totals(Path(os.path.abspath(path)))
    faults: list[Fault] = []
    try:
        for kind, run in CHECKS:
            try:
                faults += run(conn, folder, totals)
            except sqlite3.DatabaseError as e:  # a damaged file: say so, and go on with the other checks
                faults.append(Fault(kind, _("The {check} check could not finish: {reason}.").format(
                    check=_name(kind), reason=reason(e))))
        try:
            counts: Counts | None = _counts(conn)
        except sqlite3.DatabaseError:
            counts = None  # too damaged to count
    finally:
        conn.close()
    return {"ledger": os.path.abspath(path), "ok": not faults,
            "tasks": counts["tasks"] if counts else None, "problems": counts["problems"] if counts else None,
            "events": counts["events"] if counts else None,
            "evidence_files": totals.evidence_files, "evidence_bytes": totals.evidence_bytes,
            "faults": [p.as_dict() for p in faults]}


# -- backup ------------------------------------------------------------------------


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
    guard_output(target, source)
    guard_output(evidence_dir(target), source)
    if evidence_dir(target).resolve() == evidence_dir(source).resolve():
        raise InputError(_("A backup at {path} would share the ledger's evidence folder {folder}; choose another name or folder.").format(
            path=target, folder=evidence_dir(source)))
    real = Path(os.path.realpath(source))
    if evidence_dir(target).resolve() in (real.parent, *real.parent.parents):
        raise InputError(_("The ledger {ledger} is inside {folder}, the folder a backup at {path} would replace; choose another name or folder.").format(
            ledger=real, folder=evidence_dir(target), path=target))
    occupied = _occupied(target)
    if occupied and not force:
        raise InputError(_("{path} already exists; choose another name, or use --force to replace it.").format(path=occupied[0]))


def backup(source: Path, target: Path, *, force: bool = False, progress=None) -> contracts.BackupResult:
    """Copy the ledger at ``source`` and its evidence files to ``target``;
    the result is the JSON of ``rectify backup --json``. ``progress(done,
    total)`` is called with bytes copied."""
    target = Path(os.path.abspath(target))
    src = open_existing(source)
    try:
        _refuse_target(source, target, force)
        from rectify import ledgerfile

        if target.parent != source.parent:
            ledgerfile.tidy(target)  # what killed backups left at the target
        temp_db, temp_evidence = temp_name(target, "tmp"), temp_name(evidence_dir(target), "tmp")
        try:
            result = _copy(src, source, temp_db, temp_evidence, progress)
            _put_in_place(target, temp_db, temp_evidence)
        except (OSError, WriteError, sqlite3.OperationalError) as e:  # the target's side: no room, no right to write
            raise LedgerError(_("Could not write the backup {path}: {reason}.").format(
                path=target, reason=reason(e))) from None
        finally:
            for path in (temp_db, *(temp_db.with_name(temp_db.name + s) for s in SIDECARS), temp_evidence):
                remove(path)
    finally:
        src.close()
    return {"ledger": os.path.abspath(source), "backup": str(target),
            "evidence_dir": str(evidence_dir(target)) if result["evidence_files"] else None,
            "schema": result["schema"], "journal_mode": result["journal_mode"],
            "tasks": result["tasks"], "problems": result["problems"], "events": result["events"],
            "evidence_files": result["evidence_files"], "ledger_bytes": result["ledger_bytes"],
            "evidence_bytes": result["evidence_bytes"], "bytes": result["ledger_bytes"] + result["evidence_bytes"],
            "faults": result["faults"]}


class Copied(Counts):
    """What ``_copy`` wrote."""

    schema: int
    journal_mode: str
    evidence_files: int
    ledger_bytes: int
    evidence_bytes: int
    faults: list[contracts.Fault]


def _copy(src: sqlite3.Connection, source: Path, temp_db: Path, temp_evidence: Path, progress) -> Copied:
    """The database pages from one snapshot of ``src``, then the evidence files
    its records name; each under its temporary name."""
    src.execute("BEGIN")  # one read snapshot for every step and every count
    try:
        try:
            page_size = src.execute("PRAGMA page_size").fetchone()[0]
            pages = src.execute("PRAGMA page_count").fetchone()[0]
            files = src.execute(_EVIDENCE_FILES).fetchall()
        except sqlite3.DatabaseError as e:  # the ledger's side: a damaged page
            raise LedgerError(_("The ledger {path} is damaged ({reason}); nothing was written. Run `rectify check`.").format(
                path=source, reason=reason(e))) from None
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
    return {"schema": schema, "journal_mode": journal_mode, "tasks": counts["tasks"], "problems": counts["problems"],
            "events": counts["events"], "evidence_files": len(copied),
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
    """Rename the finished copy to its name, so that a kill at any step
    leaves a usable ledger (the old one or the new one) and its evidence
    folder in sight. What the copy replaces (with --force) is recorded in a
    plan file first (``ledgerfile.write_restore_plan``), then SQLite's files
    beside the old file and its evidence folder are moved aside, the new
    evidence folder is renamed in, and last the new file replaces the old
    one in one rename (the old file is never missing). The next run that
    opens the ledger finds the plan of a killed restore and takes it back
    while the new file is still under its temporary name, or finishes it."""
    from rectify import ledgerfile
    from rectify.paths import kill_point

    plan: dict = {"target": str(target), "temp_db": str(temp_db), "target_evidence": str(evidence_dir(target)),
            "temp_evidence": str(temp_evidence) if temp_evidence.is_dir() else None,
            "aside": [[str(p), str(temp_name(p, "old"))] for p in _occupied(target) if p != target]}
    marker = ledgerfile.write_restore_plan(target, plan) if plan["aside"] or target.exists() else None
    done: list[tuple[Path, Path]] = []
    try:
        for original, moved in plan["aside"]:
            kill_point("restore")
            os.replace(original, moved)
            done.append((Path(original), Path(moved)))
        if plan["temp_evidence"]:
            kill_point("restore")
            os.replace(temp_evidence, evidence_dir(target))
        kill_point("restore")
        os.replace(temp_db, target)
        kill_point("restore")
    except OSError:
        if evidence_dir(target).exists() and not temp_evidence.exists() and plan["temp_evidence"]:
            os.replace(evidence_dir(target), temp_evidence)
        for original, moved in reversed(done):
            os.replace(moved, original)
        if marker:
            marker.unlink(missing_ok=True)
        raise
    for _original, moved in plan["aside"]:
        remove(Path(moved))
    if marker:
        marker.unlink(missing_ok=True)

