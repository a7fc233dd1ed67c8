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

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rectify import dates, notes
from rectify import ledger as L
from rectify import rules as R
from rectify.errors import ImportFileError, InputError
from rectify.exchange import columns
from rectify.exchange.records import Kept, Record, Source
from rectify.exchange.sheet import HEADER_SCAN_ROWS, read_grid
from rectify.i18n import _, ngettext, pgettext
from rectify.model import FINISHED, status_label
from rectify.store import insert_many
from rectify.vocabulary import SHEET_STATUS_WORDS

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
    tables, stamp = _without_stamp(T.read_tables(path))
    source = choose(path.name, "csv" if text else suffix.lstrip("."), tables, sheet, today, strict)
    source.stamp = stamp or _stamp_line(source)
    source.sha256 = _sha256(path)
    return source


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_NOT_LEDGER = {columns.FILL_IN_TEXT[lang]["sheet"] for lang in columns.FILL_IN_TEXT}


def _without_stamp(tables: list[Table]) -> tuple[list[Table], dict | None]:
    """The workbook's tables less the export stamp's hidden sheet and a
    fill-in workbook's instructions; and the stamp, if it is there."""
    stamp = None
    kept = []
    for table in tables:
        if table.name == columns.STAMP_SHEET:
            pairs = {str(row[0]).strip(): row[1] for row in table.grid if len(row) > 1 and row[0] is not None}
            stamp = _stamp(pairs.get(columns.STAMP_KEY), pairs.get("unit"))
        elif table.name not in _NOT_LEDGER or len(tables) == 1:
            kept.append(table)
    return kept or tables, stamp


def _stamp(moment, unit) -> dict | None:
    """The stamp's values, or None when its time does not read as one."""
    from datetime import datetime

    if isinstance(moment, datetime):  # a spreadsheet that took the text for a date
        moment = moment.isoformat(timespec="seconds")
    try:
        at = datetime.fromisoformat(str(moment).strip()).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        return None
    return {"exported_at": at, "unit": (str(unit).strip() or None) if unit is not None else None}


def _stamp_line(source: Source) -> dict | None:
    """A CSV's stamp: the line under its table that ``exporter.write_csv`` writes."""
    for _row, text in reversed(source.below):
        words = text.split()
        if len(words) >= 2 and words[0] == columns.STAMP_KEY:
            unit = text.split(" @", 1)[1] if " @" in text else None
            return _stamp(words[1], unit)
    return None


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
    # What the status words of a returned sheet do, under the rule book (rules.judge_claim):
    moves: list[tuple[int, str]] = field(default_factory=list)  # (task id, verb): start or submit
    claims: list[tuple[int, str]] = field(default_factory=list)  # (task id, words): claims done, awaiting evidence
    requests: list[tuple[int, str | None, str]] = field(default_factory=list)  # (task id, old due, new due)
    # Every change, claim, conflict and refusal, per task and field, for the dry run and the register.
    findings: list[dict] = field(default_factory=list)
    stamped: bool = False  # the file carries an export stamp: fields compared with the ledger as exported

    def changed_ids(self) -> set[int]:
        return ({old["id"] for _r, old, _c in self.updates} | {t for t, _n in self.progress_notes}
                | {t for t, _n in self.evidence} | {t for t, _r, _k in self.kept} | {t for t, _v in self.moves}
                | {t for t, _w in self.claims} | {t for t, _o, _n in self.requests})


_SELECT_TASKS = ("SELECT id, uid, title, target, kind, unit, leader, owner, helpers, due, note, category, status, "
                 "progress, closed_at, closed_by, problem_id, round_id, created, "
                 "EXISTS (SELECT 1 FROM evidence v WHERE v.task_id = task.id) AS evidence_count FROM task")


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
    notes = _all_notes(ledger) if source.records else {}
    evidence = _evidence_texts(ledger) if source.records else {}
    stamp = (source.stamp or {}).get("exported_at")
    plan.stamped = bool(stamp)
    exported = _as_exported(ledger, stamp) if stamp else {}
    pending = {t for (t,) in conn.execute("SELECT task_id FROM extension_request WHERE status = 'pending'")}
    claimed = {t for (t,) in conn.execute("SELECT DISTINCT task_id FROM event WHERE action = 'claim'")}
    kept_before = _kept_cells(ledger) if any(rec.kept for rec in source.records) else {}
    has_problem = "problem" in source.present
    seen_uid: dict[str, int] = {}
    seen_key: dict[tuple, int] = {}
    seen_task: dict[int, int] = {}
    unit = _("item") if source.format == "json" else _("row")
    for rec in source.records:
        if rec.round is not None and rec.round not in rounds:
            plan.bad.append((rec.row, _("no round {name!r} in the ledger; the rounds are: {names}. Add it with `rectify round add`.").format(
                name=rec.round, names=_(", ").join(rounds) or pgettext("nothing", "none"))))
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
            refusal = _settle_new(rec, source)
            if refusal:
                plan.bad.append((rec.row, refusal))
                continue
            plan.adds.append(rec)
            if rec.problem:
                key = (rec.problem, rec.round_id)
                if key not in in_round and key not in plan.new_problems:
                    plan.new_problems[key] = (rec.values.get("category"), rec.code)
            continue
        if old["id"] in seen_task:
            plan.bad.append((rec.row, _("updates the same task as {unit} {row}.").format(unit=unit, row=seen_task[old["id"]])))
            continue
        seen_task[old["id"]] = rec.row
        found: list[dict] = []
        before = exported.get(old["id"], {}) if stamp and old["created"] <= stamp else None
        changes = _changes(rec, old, has_problem, problem_text, before, found)
        known = evidence.get(old["id"], set())
        new_evidence = [line for i, line in enumerate(rec.evidence) if line not in known and line not in rec.evidence[:i]]
        note = rec.progress_note if rec.progress_note and rec.progress_note not in notes.get(old["id"], ()) else None
        if note and rec.claim and note == rec.claim:
            note = None  # the claim's own words: recorded with the claim, not as a second note
        refusal = _rules_for(rec, old, changes, note, new_evidence, source, (pending, claimed), plan, found, before)
        if refusal:
            plan.bad.append((rec.row, refusal))
            continue
        if has_problem and rec.problem and "problem_id" in changes:
            key = (rec.problem, old["round_id"])
            if key not in in_round and key not in plan.new_problems:
                plan.new_problems[key] = (rec.values.get("category"), rec.code)
        touched = False
        if note:
            plan.progress_notes.append((old["id"], note))
            found.append(_finding(old, rec, "note", "progress_note", None, note))
            touched = True
        for line in new_evidence:
            plan.evidence.append((old["id"], line))
            found.append(_finding(old, rec, "evidence", "evidence", None, line))
            touched = True
        for cell in rec.kept:
            if (cell.header, cell.text) not in kept_before.get(old["id"], set()):
                plan.kept.append((old["id"], rec.row, cell))
                touched = True
        touched = touched or any(f["what"] in ("start", "submit", "claim", "extension") for f in found)
        plan.findings.extend(found)
        if changes or touched:
            plan.updates.append((rec, old, changes))
        else:
            plan.unchanged.append((rec, old["id"]))
    return plan


def _finding(old: dict, rec: Record, what: str, field: str | None, before, after, **more) -> dict:
    """One line of what an import does to a task (the dry run's, the register's)."""
    return {"task": old["id"], "row": rec.row, "what": what, "field": field, "old": before, "new": after, **more}


def _text_of(value) -> str | None:
    return None if value is None or value == "" else str(value)


_RETURN_FIELDS = ("title", "target", "kind", "unit", "leader", "owner", "helpers", "due", "note", "category", "progress")


def _changes(rec: Record, old: dict, has_problem: bool, problem_text: dict, before: dict | None,
             found: list[dict]) -> dict:
    """The fields the row changes on a task in the ledger. With the ledger as
    it stood at export (``before``: field -> text at the export, for the
    fields changed since), a field changes only where the sheet differs from
    that; where the ledger changed it too, the ledger's value stays and it is
    a conflict. Without it (no stamp) the sheet is compared with the ledger
    now. The state and the closing columns are not fields a sheet sets
    (``_rules_for`` judges the state)."""
    want = {k: v for k, v in rec.values.items() if k in _RETURN_FIELDS}
    if rec.claim and old["status"] == "closed":
        want.pop("progress", None)  # a claim of done on a task the ledger closed changes nothing
    if has_problem and problem_text.get(old["problem_id"]) != rec.problem:
        want["problem_id"] = rec.problem  # a text here; the id is known when applied
        old = {**old, "problem_id": problem_text.get(old["problem_id"])}
    changes = {}
    for key, value in want.items():
        now = _text_of(old.get(key))
        if _text_of(value) == now:
            continue
        if before is not None and key in before:  # changed in the ledger since the export
            if _text_of(value) != _text_of(before[key]):
                found.append(_finding(old, rec, "conflict", key, now, value, exported=before[key]))
            continue  # the sheet still says what was exported: a stale copy, the newer value stays
        changes[key] = value
    return changes


def _rules_for(rec: Record, old: dict, changes: dict, note: str | None, new_evidence: list[str], source: Source,
               known: tuple[set[int], set[int]], plan: Plan, found: list[dict], before: dict | None) -> str | None:
    """Put a returned row's changes to a task in the ledger through the rule
    book; the refusal of the row, or None. A JSON file (a program's, all or
    nothing) is refused where a sheet's status word is only reported."""
    strict = source.format == "json"
    task_id = old["id"]
    pending, claimed = known  # tasks with an extension request pending; tasks that claimed done already
    if old["status"] in FINISHED and (changes or note or new_evidence):
        return _("task {id} is {status}: a returned sheet does not change a closed or cancelled task "
                     "(`rectify reopen {id} --reason ...` first).").format(id=task_id, status=status_label(old["status"]))
    if "due" in changes and old["due"] and changes["due"] and changes["due"] > old["due"]:
        if strict or old["status"] in FINISHED:
            return _("moves the deadline of task {id} later: an extension needs `rectify extend {id} DATE --reason ...`.").format(
                id=task_id)
        due = changes.pop("due")
        if task_id in pending:
            found.append(_finding(old, rec, "refused", "due", old["due"], due, why="pending"))
        else:
            plan.requests.append((task_id, old["due"], due))
            found.append(_finding(old, rec, "extension", "due", old["due"], due))
    for key, value in changes.items():
        found.append(_finding(old, rec, "change", "problem" if key == "problem_id" else key, old.get(key), value))
    claim = rec.values.get("status")
    if before is not None and "status" in before and R.unchanged_claim(claim, before["status"]):
        claim = None  # the sheet says what was exported: the ledger's newer state stays
    judged = R.judge_claim(claim, old["status"], has_evidence=bool(new_evidence) or _has_evidence(old))
    if judged.outcome == "refused":
        if strict:
            return _("says task {id} is {new}, but it is {status}: {why}").format(
                id=task_id, new=status_label(_state(claim)), status=status_label(old["status"]), why=_why(judged.why, task_id))
        found.append(_finding(old, rec, "refused", "status", old["status"], _state(claim), why=judged.why))
    elif judged.outcome == "move":
        assert judged.verb is not None  # a move names its verb
        if strict and R.transition(judged.verb, old["status"]) != _state(claim):
            return _("says task {id} is {new}, but it is {status}: {why}").format(
                id=task_id, new=status_label(_state(claim)), status=status_label(old["status"]), why=_why("close", task_id))
        plan.moves.append((task_id, judged.verb))
        found.append(_finding(old, rec, judged.verb, "status", old["status"], R.transition(judged.verb, old["status"])))
    elif judged.outcome == "claim" and task_id in claimed:
        pass  # claimed done already, still awaiting evidence: the same claim is not recorded twice
    elif judged.outcome == "claim":
        if strict:
            return _("says task {id} is {new}, but it has no evidence: {why}").format(
                id=task_id, new=status_label(_state(claim)), why=_why("evidence", task_id))
        assert claim is not None  # only a word claims
        plan.claims.append((task_id, rec.claim or rec.progress_note or claim))
        found.append(_finding(old, rec, "claim", "status", old["status"], old["status"]))
        if judged.verb:
            plan.moves.append((task_id, judged.verb))
    elif note and old["status"] == "open":
        plan.moves.append((task_id, "start"))  # progress starts an open task, as `rectify progress` does
        found.append(_finding(old, rec, "start", "status", "open", "in_progress"))
    return None


def _state(claim: str | None) -> str:
    return "submitted" if claim == "done" else (claim or "open")


def _why(why: str | None, task_id: int) -> str:
    """What the ledger would need instead of a sheet's status word."""
    return {
        "finished": _("a sheet does not reopen a closed task nor revive a cancelled one (`rectify reopen {id} --reason ...`)."),
        "cancel": _("a sheet does not cancel a task (`rectify cancel {id} --reason ...`)."),
        "backwards": _("a sheet does not move a task backwards (`rectify reject {id} --reason ...`)."),
        "evidence": _("attach evidence with `rectify evidence {id} ...`, then submit."),
        "close": _("a file does not close a task: a checker closes it (`rectify close {id} --by ...`)."),
        "pending": _("an extension request is pending already (`rectify extend requests`)."),
    }.get(why or "", "").format(id=task_id)


def _has_evidence(old: dict) -> bool:
    return bool(old.get("evidence_count"))


def _settle_new(rec: Record, source: Source) -> str | None:
    """The state of a task new to the ledger (a first import: the sheet is
    the office's existing record), under the rule book; a refusal for a JSON
    object closed by its own person responsible."""
    v = rec.values
    claim = v.get("status")
    if rec.history is not None or source.format == "json":
        if claim == "closed" and v.get("closed_by") and R.person_key(v["closed_by"]) == R.person_key(v.get("owner")):
            return _("is closed by its own person responsible ({owner}); another person verifies and closes.").format(
                owner=v.get("owner"))
        return None
    state, flag = R.first_import_state(claim, checker=v.get("closed_by"), owner=v.get("owner"),
                                       has_evidence=bool(rec.evidence))
    if claim == "done" and v.get("progress") is None:
        v["progress"] = 100  # the unit says done: 100%, whatever the state the rules give it
    if state != "closed":
        v.pop("closed_at", None)
        v.pop("closed_by", None)
    if state in (None, "open") and rec.progress_note and claim is None:
        state = "in_progress"  # a progress note starts an open task, as `rectify progress` does
    v["status"] = state
    rec.flag = flag
    return None


def is_bulk_load(ledger, source: Source) -> bool:
    """A large file into a ledger with no tasks yet: the case worth SQLite's
    rollback journal (``Ledger.rollback_journal``). Asked before the write
    lock: if another process adds tasks meanwhile, the import is as correct,
    only journaled the other way."""
    return len(source.records) >= BULK_ROWS and is_empty(ledger)


def is_empty(ledger) -> bool:
    return not ledger.conn.execute("SELECT EXISTS (SELECT 1 FROM task) OR EXISTS (SELECT 1 FROM problem)").fetchone()[0]


def _kept_cells(ledger) -> dict[int, set]:
    out: dict[int, set] = {}
    for task_id, header, text in ledger.conn.execute("SELECT task_id, header, text FROM import_cell"):
        out.setdefault(task_id, set()).add((header, text))
    return out


def _all_notes(ledger) -> dict[int, set]:
    """Every progress note of every task: a note already in the ledger is not added twice."""
    out: dict[int, set] = {}
    for task_id, note in ledger.conn.execute("SELECT task_id, note FROM event WHERE action = 'progress' AND note IS NOT NULL"):
        out.setdefault(task_id, set()).add(note)
    return out


def _as_exported(ledger, stamp: str) -> dict[int, dict]:
    """For each task changed since ``stamp``, its fields as they stood then
    (text): the ``old`` of the first event after the stamp that changed each."""
    out: dict[int, dict] = {}
    for task_id, name, old in ledger.conn.execute(
            "SELECT task_id, field, old FROM event WHERE at > ? AND field IS NOT NULL ORDER BY id", (stamp,)):
        fields = out.setdefault(task_id, {})
        if name == "problem_id":
            continue
        fields.setdefault(name, old)
    return out


def _evidence_texts(ledger) -> dict[int, set]:
    out: dict[int, set] = {}
    for task_id, name, note in ledger.conn.execute("SELECT task_id, name, note FROM evidence"):
        out.setdefault(task_id, set()).update(x for x in (name, note) if x)
    return out


# -- applying it -------------------------------------------------------------------

# A new task's row as ``_task_row`` builds it: the one place its layout is
# written; the positions read back from it are named from this list.
_TASK_COLUMNS = ("id", "uid", "problem_id", "title", "target", "kind", "category", "unit", "leader", "owner", "helpers",
                 "due", "status", "progress", "note", "created", "updated", "closed_at", "closed_by", "round_id")
_STATUS, _PROGRESS, _CLOSED_AT, _CLOSED_BY = (_TASK_COLUMNS.index(c) for c in ("status", "progress", "closed_at",
                                                                                "closed_by"))
_INSERT_TASK = (f"INSERT INTO task ({', '.join(_TASK_COLUMNS)}) "
                f"VALUES ({','.join('?' * len(_TASK_COLUMNS))})")
_INSERT_EVIDENCE = "INSERT INTO evidence (task_id, added, note) VALUES (?,?,?)"
_INSERT_KEPT = ("INSERT INTO import_cell (task_id, at, source, row, header, field, text, review, reason) "
                "VALUES (?,?,?,?,?,?,?,?,?)")


def _next_id(conn, table: str) -> int:
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    top = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    return max(seq[0] if seq else 0, top or 0) + 1


BULK_ROWS = 20000  # from this many new tasks into an empty ledger on, SQLite's rollback journal (is_bulk_load)
# From this many new tasks on (more than the ledger has), the task and event
# indexes are built once at the end rather than kept up row by row: for 5,000
# tasks into an empty ledger that is 17% less time writing (README, "Speed").
REBUILD_ROWS = 1000
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


def _new_uids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, as ``str(uuid.uuid4())`` writes
    them, from one read of the system's random source: four times faster."""
    raw = os.urandom(16 * n).hex()
    out = []
    for i in range(0, 32 * n, 32):
        h = raw[i:i + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}")
    return out


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
    note = notes.note("import", name=source_name)
    problems = _add_problems(conn, plan, now)
    total = len(plan.adds) + len(plan.updates)
    existing = conn.execute("SELECT count(*) FROM task").fetchone()[0]
    done = 0
    tid = _next_id(conn, "task")
    uids = iter(_new_uids(len(plan.adds)))
    with _indexes_rebuilt(conn, len(plan.adds) >= REBUILD_ROWS and len(plan.adds) > existing):
        for start in range(0, len(plan.adds), CHUNK):
            task_rows: list[tuple] = []
            events: list[tuple] = []
            evidence: list[tuple] = []
            kept: list[tuple] = []
            for rec in plan.adds[start:start + CHUNK]:
                row = _task_row(rec, tid, problems, now, next(uids))
                task_rows.append(row)
                kept.extend(_kept_row(tid, now, source_name, rec.row, cell) for cell in rec.kept)
                _add_events(rec, tid, row, now, source_name, who, events, evidence, kept)
                tid += 1
            insert_many(conn, _INSERT_TASK, task_rows)
            ledger.record_many(events)
            insert_many(conn, _INSERT_EVIDENCE, evidence)
            insert_many(conn, _INSERT_KEPT, kept)
            done += len(task_rows)
            if progress is not None:
                progress(done, total)
        for _rec, old, changes in plan.updates:
            if "problem_id" in changes:
                key = (changes["problem_id"], old["round_id"])
                changes = {**changes, "problem_id": problems.get(key) if changes["problem_id"] else None}
            L.apply_changes(ledger, old["id"], old, changes, "import", note=note)
            done += 1
            if progress is not None and done % CHUNK == 0:
                progress(done, total)
        _add_notes(ledger, plan, now, who)
        insert_many(conn, _INSERT_KEPT, [_kept_row(t, now, source_name, row, cell) for t, row, cell in plan.kept])
        _apply_claims(ledger, plan, source_name, who)
    if progress is not None:
        progress(total, total)


def _add_problems(conn, plan: Plan, now: str) -> dict[tuple[str, int | None], int]:
    """Insert the new problems; return every problem's id by its text and round."""
    problems = {(desc, rid): pid for pid, desc, rid in conn.execute("SELECT id, description, round_id FROM problem")}
    pid = _next_id(conn, "problem")
    rows = []
    for ((desc, rid), (category, code)), uid in zip(plan.new_problems.items(), _new_uids(len(plan.new_problems))):
        problems[(desc, rid)] = pid
        rows.append((pid, uid, code, desc, category, now, rid))
        pid += 1
    insert_many(conn, "INSERT INTO problem (id, uid, code, description, category, created, round_id) VALUES (?,?,?,?,?,?,?)",
                rows)
    return problems


def _task_row(rec: Record, tid: int, problems: dict, now: str, new_uid: str) -> tuple:
    v = rec.values
    status = v.get("status") or "open"  # settled by the plan (``_settle_new``)
    percent = v.get("progress")
    if percent is None:
        percent = 100 if status == "closed" else 0
    closed_at = v.get("closed_at")
    if status == "closed" and not closed_at:  # carried over with no date: closed as of the import
        closed_at = now
    # In the order of _TASK_COLUMNS.
    return (tid, rec.uid or new_uid, problems.get((rec.problem, rec.round_id)) if rec.problem else None,
            v["title"], v.get("target"), v.get("kind"), v.get("category"), v.get("unit"),
            v.get("leader"), v.get("owner"), v.get("helpers"), v.get("due"), status, percent,
            v.get("note"), rec.created or now, now, closed_at, v.get("closed_by"), rec.round_id)


def _add_events(rec: Record, tid: int, row: tuple, now: str, source_name: str, who, events: list, evidence: list,
                kept: list) -> None:
    """A new task's events: its copied history (JSON), else an ``add`` whose
    note says what the sheet said (a claim, a closing carried over); then its
    progress note, its claim of done and its evidence lines. A closing the
    rules do not take as it is marks the task for review (``kept``)."""
    title = rec.values["title"]
    percent = row[_PROGRESS]
    if rec.history:
        events.extend((tid, *ev) for ev in rec.history)
    else:
        events.append((tid, now, "add", None, None, title, _add_note(rec, row, now, source_name), who))
        if rec.progress_note:
            events.append((tid, now, "progress", "progress", str(percent), str(percent), rec.progress_note, who))
        if rec.flag in ("claim", "own_checker") and row[_STATUS] == "in_progress":
            word = _claim_word(rec.claim or rec.progress_note or "")
            events.append((tid, now, "claim", None, None, None, notes.note("claim", name=source_name, word=word), who))
        if rec.flag in ("no_checker", "own_checker"):
            from rectify.i18n import is_zh

            text = rec.values.get("closed_by") or rec.claim or ""
            reason = notes.shown(_add_note(rec, row, now, source_name))
            kept.append((tid, now, source_name, rec.row, columns.header("closed_by", "zh" if is_zh() else "en"), "closed_by",
                         text or "—", 1, reason))
    for line in rec.evidence:
        evidence.append((tid, now, line))
        events.append((tid, now, "evidence", None, None, None, line, who))


def _add_note(rec: Record, row: tuple, now: str, source_name: str) -> str:
    """The language-neutral note of a new task's ``add`` event."""
    if rec.flag == "no_checker":
        return notes.note("carried_unchecked", name=source_name)
    if rec.flag == "own_checker":
        return notes.note("own_checker", name=source_name, checker=rec.values.get("closed_by"))
    if row[_STATUS] == "closed":
        return notes.note("carried", name=source_name, checker=row[_CLOSED_BY],
                          date=(row[_CLOSED_AT] or now)[:10],
                          word=_claim_word(rec.claim) if rec.claim else SHEET_STATUS_WORDS["zh"]["closed"])
    if rec.claim:
        return notes.note("import_said", name=source_name, word=_claim_word(rec.claim))
    return notes.note("import", name=source_name)


def _claim_word(text: str) -> str:
    """The words of a claim as the sheet gave them, cut to their first clause."""
    first = " ".join(text.split())
    for stop in "。；;，,\n":
        first = first.split(stop)[0]
    return first[:40]


def _add_notes(ledger, plan: Plan, now: str, who) -> None:
    """Progress notes and evidence lines that the file adds to existing tasks."""
    conn = ledger.conn
    events: list[tuple[int, str, str, str | None, str | None, str | None, str, str | None]] = []
    evidence = []
    ids = ",".join(str(t) for t, _n in plan.progress_notes)
    percent = dict(conn.execute(f"SELECT id, progress FROM task WHERE id IN ({ids})")) if ids else {}
    for task_id, text in plan.progress_notes:
        events.append((task_id, now, "progress", "progress", str(percent[task_id]), str(percent[task_id]), text, who))
    for task_id, text in plan.evidence:
        evidence.append((task_id, now, text))
        events.append((task_id, now, "evidence", None, None, None, text, who))
    ledger.record_many(events)
    insert_many(conn, _INSERT_EVIDENCE, evidence)


def _apply_claims(ledger, plan: Plan, source_name: str, who) -> None:
    """What the status words and deadlines of a returned sheet do, each through
    the rule book: a claim of done recorded (``claim``), a state moved by its
    verb (start, submit: ``ledger.move`` checks the transition and the
    evidence again), a later deadline filed as an extension request."""
    from rectify import supervision

    for task_id, words in plan.claims:
        ledger.record(task_id, "claim", note=notes.note("claim", name=source_name, word=_claim_word(words)), actor=who)
    for task_id, verb in plan.moves:
        L.move(ledger, task_id, verb, who=who)
    for task_id, _old, due in plan.requests:
        supervision.file_request(ledger, task_id, due, notes.note("extension", name=source_name), who)
