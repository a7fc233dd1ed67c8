"""Import: a file's rows -> checked records -> a plan (add / update /
unchanged) -> applied in one transaction.

``read_source`` reads a file into checked records (``sheet`` for xlsx and CSV
grids, ``json_io`` for JSON). ``build_plan`` decides, without writing and
without a query per row, what each record does. ``apply_plan`` writes it
inside the caller's one transaction. The merge is idempotent: a row with a uid
updates that task, a row without one updates the task with the same problem
text and measure, anything else is added; nothing is deleted. Updates go
through ``ledger._apply_changes`` (action ``import``), so every changed field,
status included, is one event.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rectify import dates
from rectify import ledger as L
from rectify.errors import ImportFileError, InputError
from rectify.exchange.records import Kept, Record, Source
from rectify.exchange.sheet import HEADER_SCAN_ROWS, read_grid
from rectify.i18n import _, ngettext

if TYPE_CHECKING:
    from rectify.exchange.tables import Table


# -- reading a file ------------------------------------------------------------


def read_source(path: Path, *, sheet: str | None = None, today: date | None = None, strict: bool = False) -> Source:
    """Read and check every row of a ledger file: JSON, or the ledger table
    among the sheets or tables of a workbook, CSV or document (``choose``)."""
    path = Path(path)
    today = today or dates.today()
    if not path.is_file():
        raise InputError(_("No such file: {path}").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".json",):
        from rectify.exchange import json_io

        # JSON is a program's format, not an office's sheet: it stays all or nothing.
        source = Source(path.name, "json", set(), strict=True)
        json_io.read_records(source, json_io.read(path), today)
        return source
    from rectify.exchange import tables as T

    if suffix not in T.SHEET_FORMATS:
        raise InputError(_("Cannot tell the format of {name}: use a .xlsx, .xls, .ods, .docx, .csv or .json file.").format(
            name=path.name))
    text = suffix in (".csv", ".txt", ".tsv")
    if text and sheet is not None:
        raise InputError(_("--sheet applies to workbooks and documents only."))
    return choose(path.name, "csv" if text else suffix.lstrip("."), T.read_tables(path), sheet, today, strict)


def _score(source: Source) -> tuple:
    """What makes a table the ledger: a measure column, then the most rows, then the most ledger columns."""
    return ("title" in source.mapped.values(), len(source.records) + len(source.bad), len(source.present))


def choose(name: str, fmt: str, tables: list[Table], wanted: str | None, today: date, strict: bool = False) -> Source:
    """The source read from the table that reads as a ledger: one with a
    measure column, the most data rows, the most ledger columns; not the
    first or active sheet. ``wanted`` (a name, or a number from 1) chooses.
    ``source.choice`` says which was taken and why the others were not."""
    if wanted is not None:
        names = [t.name for t in tables]
        if wanted in names:
            tables = [tables[names.index(wanted)]]
        elif wanted.strip().isdigit() and 1 <= int(wanted) <= len(tables):
            tables = [tables[int(wanted) - 1]]
        else:
            raise InputError(_("The file has no sheet or table {name!r}; it has: {names}.").format(
                name=wanted, names=", ".join(f"{i} {n}" for i, n in enumerate(names, start=1))))
    read: list[tuple[str, Source | None]] = []
    for table in tables:
        source = Source(name, fmt, set(), sheet=None if fmt == "csv" else table.name, strict=strict)
        found_header = read_grid(source, table.grid, table.merges, today)
        source.notes[:0] = table.notes
        read.append((table.name, source if found_header else None))
    found = [(n, s) for n, s in read if s is not None]
    if not found:
        raise _no_header(name)
    best_name, best = max(found, key=lambda item: _score(item[1]))
    if len(tables) > 1:
        rows = len(best.records) + len(best.bad)
        best.choice.append(ngettext(
            "Read {name!r}: {rows} data row under a header naming {n} ledger columns.",
            "Read {name!r}: {rows} data rows under a header naming {n} ledger columns.", rows).format(
            name=best_name, rows=rows, n=len(best.present)))
        for other, other_source in read:
            if other == best_name:
                continue
            if other_source is None:
                why = _("no header row")
            elif "title" not in other_source.mapped.values():
                why = _("no measure column")
            else:
                n = len(other_source.records) + len(other_source.bad)
                why = ngettext("{rows} data row", "{rows} data rows", n).format(rows=n)
            best.choice.append(_("Not read {name!r}: {why}.").format(name=other, why=why))
        best.choice.append(_("Use --sheet NAME or --sheet NUMBER to read another."))
    return best


def _no_header(name: str) -> ImportFileError:
    return ImportFileError(
        _("{name}: no header row found in the first {n} rows; expected headers such as Measure, Problem, Due, "
          "Unit (or the Chinese headers of `rectify export`).").format(name=name, n=HEADER_SCAN_ROWS))


# -- the plan --------------------------------------------------------------------


@dataclass
class Plan:
    adds: list[Record] = field(default_factory=list)
    updates: list[tuple[Record, dict, dict]] = field(default_factory=list)  # (record, old task row, changes)
    unchanged: list[tuple[Record, int]] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)
    # (text, round id) -> (category, code)
    new_problems: dict[tuple[str, int | None], tuple[str | None, str | None]] = field(default_factory=dict)
    progress_notes: list[tuple[int, str]] = field(default_factory=list)  # (task id, note) on existing tasks
    evidence: list[tuple[int, str]] = field(default_factory=list)  # (task id, note) on existing tasks
    kept: list[tuple[int, int, Kept]] = field(default_factory=list)  # (task id, row, cell) on existing tasks

    def changed_ids(self) -> set[int]:
        return ({old["id"] for _r, old, _c in self.updates} | {t for t, _n in self.progress_notes}
                | {t for t, _n in self.evidence} | {t for t, _r, _k in self.kept})


_SELECT_TASKS = ("SELECT id, uid, title, target, kind, unit, leader, owner, helpers, due, note, category, status, "
                 "progress, closed_at, closed_by, problem_id, round_id FROM task")


def build_plan(ledger, source: Source, round_id: int | None = None) -> Plan:
    """Decide for every record: add, update or leave; no SQL writes, no per-row SELECT.
    A task added goes to the round its row names, else to ``round_id``, with
    a problem of that round (the same text in another round is another
    problem: a look-back may feed it back again). A task updated keeps its round."""
    plan = Plan(bad=list(source.bad))
    conn = ledger.conn
    rounds = {name: rid for rid, name in conn.execute("SELECT id, name FROM round")}
    in_round = {(desc, rid): pid for pid, desc, rid in conn.execute("SELECT id, description, round_id FROM problem")}
    problems = {desc: pid for pid, desc in conn.execute("SELECT id, description FROM problem")}
    problem_text = {pid: desc for desc, pid in problems.items()}
    tasks: dict[str, dict] = {}
    by_key: dict[tuple, list[str]] = {}
    by_title: dict[str, list[str]] = {}
    cursor = conn.execute(_SELECT_TASKS)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values))
        tasks[row["uid"]] = row
        by_key.setdefault((problem_text.get(row["problem_id"]), row["title"]), []).append(row["uid"])
        by_title.setdefault(row["title"], []).append(row["uid"])
    notes = _latest_notes(ledger) if "progress_note" in source.present else {}
    evidence = _evidence_texts(ledger) if "evidence" in source.present else {}
    kept_before = _kept_cells(ledger) if any(rec.kept for rec in source.records) else {}
    has_problem = "problem" in source.present
    seen_uid: dict[str, int] = {}
    seen_key: dict[tuple, int] = {}
    seen_task: dict[int, int] = {}
    unit = _("item") if source.format == "json" else _("row")
    for rec in source.records:
        if rec.round is not None and rec.round not in rounds:
            plan.bad.append((rec.row, _("no round {name!r} in the ledger; the rounds are: {names}. Add it with `rectify round add`.").format(
                name=rec.round, names=_(", ").join(rounds) or _("none"))))
            continue
        rec.round_id = rounds[rec.round] if rec.round is not None else round_id
        title = rec.values["title"]
        key = (rec.problem if has_problem else None, title)
        if rec.uid:
            if rec.uid in seen_uid:
                plan.bad.append((rec.row, _("uid {uid} is also on {unit} {row}.").format(
                    uid=rec.uid, unit=unit, row=seen_uid[rec.uid])))
                continue
            seen_uid[rec.uid] = rec.row
            old = tasks.get(rec.uid)
        else:
            if key in seen_key:
                plan.bad.append((rec.row, _("same problem and measure as {unit} {row}; give each a uid or merge them.").format(
                    unit=unit, row=seen_key[key])))
                continue
            seen_key[key] = rec.row
            matches = by_key.get(key, []) if has_problem else by_title.get(title, [])
            if len(matches) > 1:
                plan.bad.append((rec.row, _("{n} tasks in the ledger have this measure{problem}; add the uid column to say which.").format(
                    n=len(matches), problem=_(" and problem") if has_problem else "")))
                continue
            old = tasks[matches[0]] if matches else None
        if old is None:
            plan.adds.append(rec)
            key = (rec.problem, rec.round_id)
            if rec.problem and key not in in_round and key not in plan.new_problems:
                plan.new_problems[key] = (rec.values.get("category"), rec.code)
            continue
        if old["id"] in seen_task:
            plan.bad.append((rec.row, _("updates the same task as {unit} {row}.").format(unit=unit, row=seen_task[old["id"]])))
            continue
        seen_task[old["id"]] = rec.row
        changes = _changes(rec, old, has_problem, problem_text)
        refusal = _closing_refusal(changes, rec, old)
        if refusal:
            plan.bad.append((rec.row, refusal))
            continue
        key = (rec.problem, old["round_id"])
        if has_problem and rec.problem and key not in in_round and key not in plan.new_problems:
            if "problem_id" in changes:
                plan.new_problems[key] = (rec.values.get("category"), rec.code)
        touched = False
        claim_only = rec.claim is not None and rec.progress_note == rec.claim and old["status"] == "closed"
        if rec.progress_note and rec.progress_note != notes.get(old["id"]) and not claim_only:
            plan.progress_notes.append((old["id"], rec.progress_note))
            touched = True
        known = evidence.get(old["id"], set())
        for line in rec.evidence:
            if line not in known:
                plan.evidence.append((old["id"], line))
                known = known | {line}
                touched = True
        for cell in rec.kept:
            if (cell.header, cell.text) not in kept_before.get(old["id"], set()):
                plan.kept.append((old["id"], rec.row, cell))
                touched = True
        if changes or touched:
            plan.updates.append((rec, old, changes))
        else:
            plan.unchanged.append((rec, old["id"]))
    return plan


def is_bulk_load(ledger, source: Source) -> bool:
    """A large file into a ledger with no tasks yet: the case worth SQLite's
    rollback journal (``Ledger.rollback_journal``). Asked before the write
    lock: if another process adds tasks meanwhile, the import is as correct,
    only journaled the other way."""
    return len(source.records) >= BULK_ROWS and is_empty(ledger)


def is_empty(ledger) -> bool:
    return not ledger.conn.execute("SELECT EXISTS (SELECT 1 FROM task) OR EXISTS (SELECT 1 FROM problem)").fetchone()[0]


def _changes(rec: Record, old: dict, has_problem: bool, problem_text: dict) -> dict:
    want = dict(rec.values)
    status = want.get("status")
    if rec.claim and status in ("submitted", "closed") and old["status"] == "closed":
        # A claim of done on a task the ledger has closed changes nothing.
        status = None
        want.pop("progress", None)
    # A sheet's closing-time cell left empty (the usual case when a unit
    # closes a task in an exported sheet) means "now", as `rectify close` does.
    if status and status != old["status"] and not want.get("closed_at"):
        if status == "closed":
            want["closed_at"] = dates.timestamp()
        elif old["status"] == "closed":
            want.update(closed_at=None, closed_by=None)
    if status is None:
        want.pop("status", None)
    changes = {k: v for k, v in want.items() if old.get(k) != v}
    if has_problem and problem_text.get(old["problem_id"]) != rec.problem:
        changes["problem_id"] = rec.problem  # a text here; the id is known when applied
    return changes


def _closing_refusal(changes: dict, rec: Record, old: dict) -> str | None:
    """A sheet may not close a task the ledger holds open unless it names a
    checker other than the person responsible: the rule `rectify close` keeps.
    (A task new to this ledger may arrive closed: that records a past fact.)"""
    if changes.get("status") != "closed":
        return None
    checker = (rec.values.get("closed_by") or "").strip()
    owner = (rec.values.get("owner") or old["owner"] or "").strip()
    if not checker:
        return _("closes task {id} without naming its checker: fill in the checker column, or close it with `rectify close`.").format(id=old["id"])
    if owner and L.person_key(checker) == L.person_key(owner):
        return _("closes task {id} with its own person responsible as checker; another person must verify it.").format(id=old["id"])
    return None


def _kept_cells(ledger) -> dict[int, set]:
    out: dict[int, set] = {}
    for task_id, header, text in ledger.conn.execute("SELECT task_id, header, text FROM import_cell"):
        out.setdefault(task_id, set()).add((header, text))
    return out


def _latest_notes(ledger) -> dict[int, str]:
    return dict(ledger.conn.execute(
        "SELECT task_id, note FROM event WHERE id IN (SELECT max(id) FROM event WHERE action = 'progress' "
        "AND note IS NOT NULL GROUP BY task_id)"))


def _evidence_texts(ledger) -> dict[int, set]:
    out: dict[int, set] = {}
    for task_id, name, note in ledger.conn.execute("SELECT task_id, name, note FROM evidence"):
        out.setdefault(task_id, set()).update(x for x in (name, note) if x)
    return out


# -- applying it -------------------------------------------------------------------

_INSERT_TASK = ("INSERT INTO task (id, uid, problem_id, title, target, kind, category, unit, leader, owner, helpers, "
                "due, status, progress, note, created, updated, closed_at, closed_by, round_id) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_EVENT = "INSERT INTO event (task_id, at, action, field, old, new, note, actor) VALUES (?,?,?,?,?,?,?,?)"
_INSERT_EVIDENCE = "INSERT INTO evidence (task_id, added, note) VALUES (?,?,?)"
_INSERT_KEPT = ("INSERT INTO import_cell (task_id, at, source, row, header, field, text, review, reason) "
                "VALUES (?,?,?,?,?,?,?,?,?)")


def _next_id(conn, table: str) -> int:
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    top = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    return max(seq[0] if seq else 0, top or 0) + 1


BULK_ROWS = 20000  # from this many new tasks on, indexes are rebuilt once rather than kept up row by row
CHUNK = 5000  # rows written between two ticks of the progress bar


@contextmanager
def _indexes_rebuilt(conn, bulk: bool):
    """Drop the task and event indexes, and build them again at the end: for a
    bulk add, one sort beats a hundred thousand B-tree updates. Inside the
    import's transaction, so a failure restores them with everything else."""
    if not bulk:
        yield
        return
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                         "AND tbl_name IN ('task', 'event')").fetchall()
    for name, _sql in saved:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in saved:
        conn.execute(sql)


def _kept_row(task_id: int, now: str, source_name: str, row: int, cell: Kept) -> tuple:
    return (task_id, now, source_name, row, cell.header, cell.field, cell.text, int(cell.review), cell.reason)


def apply_plan(ledger, plan: Plan, source_name: str, progress=None) -> None:
    """Write the plan. Call inside ``ledger.transaction()``: all or nothing."""
    conn = ledger.conn
    # Room for the indexes a large import touches: without it SQLite spills
    # pages to the WAL again and again inside the one transaction.
    conn.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, used only as needed
    now = ledger.timestamp()
    who = L.actor(ledger)
    note = _("import {name}").format(name=source_name)
    problems = _add_problems(conn, plan, now)
    total = len(plan.adds) + len(plan.updates)
    existing = conn.execute("SELECT count(*) FROM task").fetchone()[0]
    done = 0
    tid = _next_id(conn, "task")
    with _indexes_rebuilt(conn, len(plan.adds) >= BULK_ROWS and len(plan.adds) > existing):
        for start in range(0, len(plan.adds), CHUNK):
            task_rows: list[tuple] = []
            events: list[tuple] = []
            evidence: list[tuple] = []
            kept: list[tuple] = []
            for rec in plan.adds[start:start + CHUNK]:
                task_rows.append(_task_row(rec, tid, problems, now))
                _add_events(rec, tid, task_rows[-1][13], now, note, who, events, evidence)
                kept.extend(_kept_row(tid, now, source_name, rec.row, cell) for cell in rec.kept)
                tid += 1
            conn.executemany(_INSERT_TASK, task_rows)
            conn.executemany(_INSERT_EVENT, events)
            conn.executemany(_INSERT_EVIDENCE, evidence)
            conn.executemany(_INSERT_KEPT, kept)
            done += len(task_rows)
            if progress is not None:
                progress(done, total)
        for rec, old, changes in plan.updates:
            if "problem_id" in changes:
                key = (changes["problem_id"], old["round_id"])
                changes = {**changes, "problem_id": problems.get(key) if changes["problem_id"] else None}
            if old["due"] and (changes.get("due") or "") > old["due"]:
                # A later deadline is an extension, wherever it comes from: the
                # weekly printout lists it with the others, the file as its reason.
                changes = dict(changes)
                L._apply_changes(ledger, old["id"], old, {"due": changes.pop("due")}, "extend", note=note)
            L._apply_changes(ledger, old["id"], old, changes, "import", note=note)
            done += 1
            if progress is not None and done % CHUNK == 0:
                progress(done, total)
        _add_notes(conn, plan, now, who)
        conn.executemany(_INSERT_KEPT, [_kept_row(t, now, source_name, row, cell) for t, row, cell in plan.kept])
    if progress is not None:
        progress(total, total)


def _add_problems(conn, plan: Plan, now: str) -> dict[tuple[str, int | None], int]:
    """Insert the new problems; return every problem's id by its text and round."""
    problems = {(desc, rid): pid for pid, desc, rid in conn.execute("SELECT id, description, round_id FROM problem")}
    pid = _next_id(conn, "problem")
    rows = []
    for (desc, rid), (category, code) in plan.new_problems.items():
        problems[(desc, rid)] = pid
        rows.append((pid, str(uuid.uuid4()), code, desc, category, now, rid))
        pid += 1
    conn.executemany("INSERT INTO problem (id, uid, code, description, category, created, round_id) VALUES (?,?,?,?,?,?,?)",
                     rows)
    return problems


def _task_row(rec: Record, tid: int, problems: dict, now: str) -> tuple:
    v = rec.values
    status = v.get("status") or "open"
    percent = v.get("progress")
    if percent is None:
        percent = 100 if status == "closed" else 0
    closed_at = v.get("closed_at")
    if status == "closed" and "closed_at" not in v:
        closed_at = now
    return (tid, rec.uid or str(uuid.uuid4()), problems.get((rec.problem, rec.round_id)) if rec.problem else None,
            v["title"], v.get("target"), v.get("kind"), v.get("category"), v.get("unit"),
            v.get("leader"), v.get("owner"), v.get("helpers"), v.get("due"), status, percent,
            v.get("note"), rec.created or now, now, closed_at, v.get("closed_by"), rec.round_id)


def _add_events(rec: Record, tid: int, percent: int, now: str, note: str, who, events: list, evidence: list) -> None:
    """A new task's events: its copied history (JSON), else an ``add``; then
    its progress note and evidence lines."""
    title = rec.values["title"]
    if rec.history:
        events.extend((tid, *ev) for ev in rec.history)
    else:
        said = _("{note}; the sheet says {word}").format(note=note, word=_claim_word(rec.claim)) if rec.claim else note
        events.append((tid, now, "add", None, None, title, said, who))
        if rec.progress_note:
            events.append((tid, now, "progress", "progress", str(percent), str(percent), rec.progress_note, who))
    for line in rec.evidence:
        evidence.append((tid, now, line))
        events.append((tid, now, "evidence", None, None, None, line, who))


def _claim_word(text: str) -> str:
    """The words of a claim as the sheet gave them, cut to their first clause."""
    first = " ".join(text.split())
    for stop in "。；;，,\n":
        first = first.split(stop)[0]
    return first[:40]


def _add_notes(conn, plan: Plan, now: str, who) -> None:
    """Progress notes and evidence lines that the file adds to existing tasks."""
    events, evidence = [], []
    ids = ",".join(str(t) for t, _n in plan.progress_notes)
    percent = dict(conn.execute(f"SELECT id, progress FROM task WHERE id IN ({ids})")) if ids else {}
    for task_id, text in plan.progress_notes:
        events.append((task_id, now, "progress", "progress", str(percent[task_id]), str(percent[task_id]), text, who))
    for task_id, text in plan.evidence:
        evidence.append((task_id, now, text))
        events.append((task_id, now, "evidence", None, None, None, text, who))
    conn.executemany(_INSERT_EVENT, events)
    conn.executemany(_INSERT_EVIDENCE, evidence)
