"""What a person can do to a ledger: add, edit, classify, progress, evidence,
the state changes, extensions, and the queries behind ``list`` and ``show``.

Every function validates first and then makes its change inside one
transaction together with its event rows, so a refused command leaves the
file exactly as it was. Results are plain dicts: the JSON contract.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
import sqlite3
from typing import TYPE_CHECKING, Literal, overload

from rectify import dates
from rectify.errors import InputError, NotFoundError, RectifyError, RuleError
from rectify.i18n import _
from rectify.evidence import drop_copy, evidence_dir, evidence_sources, place_evidence, staged_evidence  # noqa: F401
from rectify.model import ACTIVE, EDITABLE, parse_kind
from rectify.rules import (MAX_TEXT, SUSPECT, check_due_edit, check_extension, check_move, clean_percent,  # noqa: F401
                           clean_text, needs_a_closer_look, person_key, reason_for, refuse_own_check, status_fields,
                           unfinished, visible)
from rectify.settings import recheck_days, settings_at
from rectify.store import Ledger
from rectify.vocabulary import ACTIVE_SQL, FINISHED_SQL, NO_KIND, WORKING_SQL

if TYPE_CHECKING:
    from rectify.contracts import Event, Evidence, KeptCell, ProblemRef, ProblemRow, Task, TaskDetail


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The id of the row the INSERT on ``cur`` wrote (sqlite3 types it
    Optional because only an INSERT sets it)."""
    if cur.lastrowid is None:
        raise RuntimeError("not the cursor of an INSERT")
    return cur.lastrowid


def actor(ledger: Ledger | None = None) -> str | None:
    """The person a change is recorded with: see ``settings.current_user``
    (RECTIFY_USER, the setting ``user``, $USER, the login name)."""
    if ledger is not None:
        return ledger.user()[0]
    from rectify.settings import current_user

    return current_user()[0]


def _due_text(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return dates.parse_date(value).isoformat()


# -- reading -----------------------------------------------------------------

TASK_COLUMNS = """
    t.id, t.uid, t.title, t.target, t.kind, t.status, t.due, t.unit, t.leader,
    t.owner, t.helpers, t.category, t.note, t.progress, t.created, t.updated,
    t.closed_at, t.closed_by, t.problem_id, t.round_id, t.recheck_due, t.relapse_of,
    p.description AS problem_description, p.code AS problem_code
"""


def band_sql(alias: str = "t", progress_until: str | None = None) -> str:
    """The colour band as an SQL CASE over named parameters :today, :blue_until,
    :yellow_until and :quiet_since. One definition for lists and reports.

    red: overdue. yellow: open or in progress, due within 30 days, and no
    progress note for 14 days. blue: any other unfinished task due within 7 days.
    ``progress_until`` names a parameter bounding the progress notes counted
    (a report as of a past moment ignores the notes written after it).

    "No progress note for 14 days" is "the last note, else the creation, is
    before :quiet_since", written so that SQLite answers it from one set:
    the tasks with a note since :quiet_since (built once per statement from
    the index on event(field, at)), plus, for a task recorded since then, any
    earlier note. A correlated max() per task would cost one index search
    for every candidate, which at 100,000 tasks is most of a report.
    """
    t = alias
    bound = f" AND e.at <= :{progress_until}" if progress_until else ""
    return f"""CASE
        WHEN {t}.status IN {FINISHED_SQL} OR {t}.due IS NULL THEN NULL
        WHEN {t}.due < :today THEN 'red'
        WHEN {t}.status IN {WORKING_SQL} AND {t}.due <= :yellow_until
             AND {t}.id NOT IN (SELECT e.task_id FROM event e
                                WHERE e.field = 'progress' AND e.at >= :quiet_since{bound})
             AND ({t}.created < :quiet_since OR EXISTS (SELECT 1 FROM event e WHERE e.task_id = {t}.id
                                                      AND e.field = 'progress' AND e.at < :quiet_since))
            THEN 'yellow'
        WHEN {t}.due <= :blue_until THEN 'blue'
        ELSE NULL END"""


def band_params(today: date, values: dict) -> dict:
    """The parameters of ``band_sql`` for ``today``, under the ledger's
    settings ``values`` (``settings.settings_at``)."""
    return {
        "today": today.isoformat(),
        "blue_until": (today + timedelta(days=values["blue_days"])).isoformat(),
        "yellow_until": (today + timedelta(days=values["yellow_horizon_days"])).isoformat(),
        "quiet_since": (today - timedelta(days=values["yellow_quiet_days"])).isoformat(),
    }


def task_dict(row, today: date) -> Task:
    """A task row as the stable JSON object (see README, "JSON output")."""
    keys = row.keys()
    due = row["due"]
    overdue = bool(due and due < today.isoformat() and row["status"] in ACTIVE)
    problem: ProblemRef | None = None
    if row["problem_id"] is not None:
        problem = {"id": row["problem_id"], "description": row["problem_description"], "code": row["problem_code"]}
    return {
        "id": row["id"],
        "uid": row["uid"],
        "title": row["title"],
        "target": row["target"],
        "kind": row["kind"],
        "status": row["status"],
        "due": due,
        "overdue": overdue,
        "days_late": dates.days_late(due, today) if overdue else 0,  # whole days past the deadline, as of today
        "band": row["band"] if "band" in keys else None,
        "unit": row["unit"],
        "leader": row["leader"],
        "owner": row["owner"],
        "helpers": row["helpers"],
        "category": row["category"],
        "problem": problem,
        "progress": row["progress"],
        "note": row["note"],
        "created": row["created"],
        "updated": row["updated"],
        "closed_at": row["closed_at"],
        "closed_by": row["closed_by"],
        "round_id": row["round_id"] if "round_id" in keys else None,
        "recheck_due": row["recheck_due"],  # when a closed task is to be checked again
        "relapse_of": row["relapse_of"],  # the task whose fix did not hold, for a task a relapse opened
    }


def _task_row(ledger: Ledger, task_id: int, today: date):
    row = ledger.conn.execute(
        f"SELECT {TASK_COLUMNS}, {band_sql()} AS band FROM task t LEFT JOIN problem p ON p.id = t.problem_id WHERE t.id = :id",
        {"id": task_id, **band_params(today, settings_at(ledger))},
    ).fetchone()
    if row is None:
        raise NotFoundError(_("No task with id {id}. See `rectify list --all`.").format(id=task_id))
    return row


@overload
def get_task(ledger: Ledger, task_id: int, *, today: date | None = None, detail: Literal[False] = False) -> Task: ...
@overload
def get_task(ledger: Ledger, task_id: int, *, today: date | None = None, detail: Literal[True]) -> TaskDetail: ...


def get_task(ledger: Ledger, task_id: int, *, today: date | None = None, detail: bool = False) -> Task | TaskDetail:
    today = today or dates.today()
    task = task_dict(_task_row(ledger, task_id, today), today)
    if not detail:
        return task
    return {**task, "evidence": task_evidence(ledger, task_id), "history": history(ledger, task_id),
            "kept": kept_cells(ledger, task_id)}


def task_evidence(ledger: Ledger, task_id: int) -> list[Evidence]:
    """The task's evidence, oldest first."""
    return [evidence_item(r) for r in ledger.query(
        "SELECT id, added, name, path, sha256, size, note FROM evidence WHERE task_id = ? ORDER BY id", (task_id,))]


def evidence_item(r: sqlite3.Row) -> Evidence:
    """A row of ``evidence`` as its JSON object."""
    return {"id": r["id"], "added": r["added"], "name": r["name"], "path": r["path"], "sha256": r["sha256"],
            "size": r["size"], "note": r["note"]}


def event_item(r: sqlite3.Row, note: str | None) -> Event:
    """A row of ``event`` as its JSON object, with ``note`` as it is to be shown."""
    return {"id": r["id"], "at": r["at"], "action": r["action"], "field": r["field"], "old": r["old"],
            "new": r["new"], "note": note, "actor": r["actor"], "command": r["command"]}


def kept_cells(ledger: Ledger, task_id: int) -> list[KeptCell]:
    """The cells an import kept as text for this task (see migrations.m006_import_review)."""
    return [{"at": r["at"], "source": r["source"], "row": r["row"], "header": r["header"], "field": r["field"],
             "text": r["text"], "review": bool(r["review"]), "reason": r["reason"]}
            for r in ledger.query(
                "SELECT at, source, row, header, field, text, review, reason FROM import_cell "
                "WHERE task_id = ? ORDER BY id", (task_id,))]


def mark_reviewed(ledger: Ledger, task_id: int) -> int:
    """Clear a task's review mark: its kept cells stay, as text. One event
    records it. Returns how many cells were awaiting review."""
    with ledger.transaction():
        _task_row(ledger, task_id, dates.today())
        n = ledger.conn.execute("UPDATE import_cell SET review = 0 WHERE task_id = ? AND review = 1",
                                (task_id,)).rowcount
        if n:
            ledger.record(task_id, "reviewed", actor=actor(ledger))
    return n


# Claims done, awaiting evidence: a returned sheet said done (a ``claim``
# event) and the task, unfinished and not submitted, has no evidence yet.
CLAIMED_SQL = (f"(t.status IN {WORKING_SQL} AND t.id IN (SELECT task_id FROM event WHERE action = 'claim')"
               " AND NOT EXISTS (SELECT 1 FROM evidence v WHERE v.task_id = t.id))")


def filters_sql(f: dict, today: date) -> tuple[str, dict]:
    """WHERE clause and parameters for the filters of ``list`` (and ``export``)."""
    where: list[str] = []
    params: dict = {}
    statuses = f.get("status")
    if statuses:
        where.append("t.status IN (%s)" % ",".join(f":st{i}" for i in range(len(statuses))))
        params.update({f"st{i}": s for i, s in enumerate(statuses)})
    elif not f.get("all"):
        where.append(f"t.status IN {ACTIVE_SQL}")
    if f.get("overdue"):
        where.append(f"t.due < :f_today AND t.status IN {ACTIVE_SQL}")
        params["f_today"] = today.isoformat()
    if f.get("due_within") is not None:
        where.append(f"t.due >= :f_today AND t.due <= :f_until AND t.status IN {ACTIVE_SQL}")
        params["f_today"] = today.isoformat()
        params["f_until"] = (today + timedelta(days=f["due_within"])).isoformat()
    for name, op in (("due_before", "<="), ("due_after", ">=")):
        if f.get(name):
            where.append(f"t.due {op} :f_{name}")
            params[f"f_{name}"] = f[name]
    if f.get("kind"):
        if f["kind"] == NO_KIND:
            where.append("t.kind IS NULL")
        else:
            where.append("t.kind = :f_kind")
            params["f_kind"] = f["kind"]
    for name in ("unit", "owner", "category", "leader"):
        if f.get(name):
            where.append(f"t.{name} = :f_{name}")
            params[f"f_{name}"] = f[name]
    if f.get("review"):
        where.append("t.id IN (SELECT task_id FROM import_cell WHERE review = 1)")
    if f.get("claimed"):
        where.append(CLAIMED_SQL)
    if f.get("problem") is not None:
        where.append("t.problem_id = :f_problem")
        params["f_problem"] = f["problem"]
    if f.get("round") is not None:
        where.append("t.round_id = :f_round")
        params["f_round"] = f["round"]
    if f.get("search"):
        where.append(
            "(t.title LIKE :f_search OR t.target LIKE :f_search OR t.note LIKE :f_search"
            " OR t.unit LIKE :f_search OR t.owner LIKE :f_search OR t.leader LIKE :f_search"
            " OR p.description LIKE :f_search)"
        )
        params["f_search"] = "%" + f["search"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where[-1] = where[-1].replace("LIKE :f_search", "LIKE :f_search ESCAPE '\\'")
    return (" WHERE " + " AND ".join(where)) if where else "", params


# The keys of ``list --sort``: each an SQL expression over ``task t`` (a
# missing value sorts last either way), then the deadline and the id.
SORT_KEYS = {
    "due": "t.due",
    "late": f"CASE WHEN t.due < :today AND t.status IN {ACTIVE_SQL} THEN t.due END",
    "unit": "t.unit", "owner": "t.owner", "kind": "t.kind",
    "status": "instr('open in_progress submitted closed cancelled', t.status)",
    "id": "t.id", "updated": "t.updated",
}  # fmt: skip


# The same keys in Chinese, as the ledger's other words are typed in either language.
SORT_WORDS = {"时限": "due", "整改时限": "due", "逾期": "late", "单位": "unit", "责任单位": "unit",
              "责任人": "owner", "状态": "status", "类型": "kind", "编号": "id", "更新": "updated"}


def parse_sort(text: str | None) -> tuple[str, bool]:
    """``--sort KEY`` or ``-KEY`` (reversed) -> (key, reversed); InputError for an unknown key."""
    word = (text or "due").strip().lower()
    reverse = word.startswith("-")
    key = word.lstrip("-").strip()
    key = SORT_WORDS.get(key, key)
    if key not in SORT_KEYS:
        raise InputError(_("Cannot sort by {key!r}: use one of {keys} (a leading - reverses).").format(
            key=text, keys=", ".join(SORT_KEYS)))
    return key, reverse


def sort_order(key: str | None, reverse: bool = False) -> str:
    """The ORDER BY terms of ``list --sort KEY`` (default: by deadline)."""
    key = key or "due"
    way = " DESC" if reverse else ""
    terms = [] if key == "id" else [f"({SORT_KEYS[key]}) IS NULL", f"({SORT_KEYS[key]}){way}"]
    if key not in ("due", "id"):
        terms += ["t.due IS NULL", f"t.due{way}"]
    return ", ".join(terms + [f"t.id{way}"])


def list_tasks(ledger: Ledger, filters: dict, *, limit: int | None = None, offset: int = 0,
               today: date | None = None) -> tuple[list[Task], int]:
    """Tasks matching ``filters``, by due date (undated last), and how many match in all.

    A page is chosen from the indexes alone (ids in order, LIMIT), and only
    its rows are read and given a band; the total is a count over the same
    indexes. The problem table is joined for a text search only."""
    today = today or dates.today()
    where, params = filters_sql(filters, today)
    params.update(band_params(today, settings_at(ledger)))
    join = " LEFT JOIN problem p ON p.id = t.problem_id"
    matching = join if filters.get("search") else ""
    order = " ORDER BY " + sort_order(filters.get("sort"), filters.get("reverse", False))
    columns = f"SELECT {TASK_COLUMNS}, {band_sql()} AS band"
    if limit is None:
        rows = ledger.conn.execute(f"{columns} FROM task t{join}{where}{order}", params).fetchall()
        return [task_dict(r, today) for r in rows], len(rows)
    params.update(limit=limit, offset=offset)
    page = f"SELECT t.id FROM task t{matching}{where}{order} LIMIT :limit OFFSET :offset"
    rows = ledger.conn.execute(f"{columns} FROM ({page}) AS page JOIN task t ON t.id = page.id{join}{order}",
                               params).fetchall()
    if len(rows) < limit and (offset == 0 or rows):
        total = offset + len(rows)
    else:
        total = ledger.conn.execute(f"SELECT count(*) FROM task t{matching}{where}", params).fetchone()[0]
    return [task_dict(r, today) for r in rows], total


def history(ledger: Ledger, task_id: int) -> list[Event]:
    """The task's events, oldest first, generated notes in the reader's
    language (``notes.shown``). ``command`` is shared by the events one
    command wrote (the id of the first), None before schema 8."""
    from rectify.notes import shown

    return [event_item(r, shown(r["note"])) for r in ledger.query(
        "SELECT id, at, action, field, old, new, note, actor, command FROM event WHERE task_id = ? ORDER BY id",
        (task_id,))]


def actions(events: list[Event]) -> list[list[Event]]:
    """The events grouped by the user action that wrote them, in order: one
    group per command (``command``); events written before commands were
    recorded (NULL) go together when one after another they share the
    moment, the person and the action (a close of that time wrote four rows
    at one moment)."""
    groups: list[list[Event]] = []
    last = None
    for ev in events:
        command = ev.get("command")
        key = ("command", command) if command is not None else ("moment", ev["at"], ev["actor"], ev["action"])
        if groups and key == last and ev["action"] != "add":
            groups[-1].append(ev)
        else:
            groups.append([ev])
        last = key
    return groups


def get_problem(ledger: Ledger, problem_id: int) -> dict:
    """The problem's stored row (the keys of contracts.ProblemEdited but ``changed``)."""
    row = ledger.conn.execute("SELECT * FROM problem WHERE id = ?", (problem_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("No problem with id {id}. See `rectify problems`.").format(id=problem_id))
    return dict(row)


def list_problems(ledger: Ledger) -> list[ProblemRow]:
    rows = ledger.query(
        """SELECT p.id, p.uid, p.code, p.description, p.category, p.source, p.created,
                  count(t.id) AS tasks,
                  sum(t.status = 'closed') AS closed,
                  sum(t.status = 'cancelled') AS cancelled
           FROM problem p LEFT JOIN task t ON t.problem_id = p.id
           GROUP BY p.id ORDER BY p.id""")
    return [{"id": r["id"], "uid": r["uid"], "code": r["code"], "description": r["description"],
             "category": r["category"], "source": r["source"], "created": r["created"], "tasks": r["tasks"],
             "closed": r["closed"], "cancelled": r["cancelled"]} for r in rows]


# -- writing -----------------------------------------------------------------


def _find_or_add_problem(ledger: Ledger, description: str, category: str | None,
                         source: str | None = None, code: str | None = None, round_id: int | None = None) -> int:
    """The problem with this description in this round, or a new one. (A
    look-back round may feed the same problem back again: it is a problem of
    its own round.) Call inside a transaction."""
    row = ledger.conn.execute("SELECT id FROM problem WHERE description = ? AND round_id IS ?",
                              (description, round_id)).fetchone()
    if row:
        return row[0]
    cur = ledger.conn.execute(
        "INSERT INTO problem (uid, code, description, category, source, created, round_id) VALUES (?,?,?,?,?,?,?)",
        (str(uuid.uuid4()), code, description, category, source, ledger.timestamp(), round_id),
    )
    return inserted_id(cur)


def add_problem(ledger: Ledger, description: str, *, category: str | None = None,
                source: str | None = None, code: str | None = None, round_id: int | None = None) -> int:
    description = clean_text(description, "problem description", required=True)
    category = clean_text(category, "category")
    source = clean_text(source, "source")
    code = clean_text(code, "code")
    with ledger.transaction():
        return _find_or_add_problem(ledger, description, category, source, code, round_id)


# What ``problem edit`` sets on a problem, as ``clean_text`` names each.
PROBLEM_FIELDS = {"description": "problem description", "category": "category", "source": "source", "code": "code"}


def edit_problem(ledger: Ledger, problem_id: int, changes: dict) -> list[str]:
    """Change a problem's text, category, source or code (``changes``: those
    given; "" clears all but the text, which is required). Returns the names
    of those that changed. A text another problem of the same round already
    has is refused: the two are one problem, merged by moving the tasks
    (``edit TASK --problem``). One transaction records each change as a
    ``problem`` event of the ledger (subject: the problem's id, note: the
    field), and on every task of the problem as a ``problem`` event: the
    text as ``problem_description``, the category on the tasks that had the
    problem's category (they follow it, closed ones too: it is how the
    finding is filed, not the work)."""
    clean = {key: clean_text(value, PROBLEM_FIELDS[key], required=key == "description")
             for key, value in changes.items() if value is not None}
    with ledger.transaction():
        old = get_problem(ledger, problem_id)
        changed = {k: v for k, v in clean.items() if old[k] != v}
        if "description" in changed:
            twin = ledger.scalar("SELECT id FROM problem WHERE description = ? AND round_id IS ? AND id != ?",
                                 (changed["description"], old["round_id"], problem_id))
            if twin is not None:
                raise RuleError(_("Problem {other} already has this text: to merge the two, move the tasks of problem "
                                  "{id} to it with `rectify edit TASK --problem {other}`.").format(
                    other=twin, id=problem_id))
        if not changed:
            return []
        now = ledger.timestamp()
        who = actor(ledger)
        ledger.conn.execute("UPDATE problem SET %s WHERE id = ?" % ", ".join(f"{k} = ?" for k in changed),
                            (*changed.values(), problem_id))
        for key, value in changed.items():
            ledger.record_ledger("problem", subject=str(problem_id), old=old[key], new=value, note=key, actor=who, at=now)
        for task in ledger.query("SELECT * FROM task WHERE problem_id = ? ORDER BY id", (problem_id,)):
            if "description" in changed:
                ledger.record(task["id"], "problem", field="problem_description", old=old["description"],
                              new=changed["description"], actor=who, at=now)
            if "category" in changed and task["category"] == old["category"]:
                apply_changes(ledger, task["id"], dict(task), {"category": changed["category"]}, "problem", who=who, now=now)
    return list(changed)


def prepare_fields(fields: dict) -> dict:
    """Validate and normalise task fields as typed; unknown keys are a bug."""
    out: dict[str, str | None] = {}
    for key, value in fields.items():
        if key == "title":
            out[key] = clean_text(value, "title", required=True)
        elif key == "kind":
            out[key] = parse_kind(value) if value not in (None, "") else None
        elif key == "due":
            out[key] = _due_text(value)
        elif key in EDITABLE or key == "category":
            out[key] = clean_text(value, key)
        else:
            raise KeyError(key)
    return out


def add_task(ledger: Ledger, fields: dict, *, problem_id: int | None = None,
             new_problem: str | None = None, uid: str | None = None, round_id: int | None = None) -> int:
    """Add a task; returns its id. ``fields``: title and any of EDITABLE, category.
    The task is in its problem's round; ``round_id`` names it for a new
    problem or a task without one, and must agree with a problem given."""
    fields = prepare_fields(fields)
    new_problem = clean_text(new_problem, "problem description")
    with ledger.transaction():
        if problem_id is not None:
            problem = get_problem(ledger, problem_id)
            if not fields.get("category"):
                fields["category"] = problem["category"]
            if round_id is not None and round_id != problem["round_id"]:
                raise RuleError(_("Problem {id} belongs to another round: leave out --round, or move the problem "
                                  "with `rectify edit TASK --round ...`.").format(id=problem_id))
            round_id = problem["round_id"]
        elif new_problem:
            problem_id = _find_or_add_problem(ledger, new_problem, fields.get("category"), round_id=round_id)
        return insert_task(ledger, fields, problem_id=problem_id, uid=uid, round_id=round_id)


def insert_task(ledger: Ledger, fields: dict, *, problem_id: int | None = None, uid: str | None = None,
                who: str | None = None, round_id: int | None = None) -> int:
    """Insert a validated task with its "add" event. Inside a transaction."""
    now = ledger.timestamp()
    row = {**fields, "uid": uid or str(uuid.uuid4()), "problem_id": problem_id, "round_id": round_id,
           "status": "open", "progress": 0, "created": now, "updated": now}
    cols = ",".join(row)
    cur = ledger.conn.execute(
        f"INSERT INTO task ({cols}) VALUES ({','.join('?' * len(row))})", tuple(row.values()))
    task_id = inserted_id(cur)
    ledger.record(task_id, "add", new=fields["title"], actor=who or actor(ledger), at=now)
    return task_id


def apply_changes(ledger: Ledger, task_id: int, old: dict, changes: dict, action: str,
                  note: str | None = None, who: str | None = None, now: str | None = None) -> list[str]:
    """Write the fields that differ, with one event each, at ``now`` (default:
    ``ledger.timestamp()``). Inside a transaction; the caller has kept the
    rules (``rectify.rules``)."""
    changed = {k: v for k, v in changes.items() if old.get(k) != v}
    if not changed:
        return []
    now = now or ledger.timestamp()
    sets = ", ".join(f"{k} = ?" for k in changed)
    ledger.conn.execute(f"UPDATE task SET {sets}, updated = ? WHERE id = ?",
                        (*changed.values(), now, task_id))
    for key, value in changed.items():
        ledger.record(task_id, action, field=key, old=old.get(key), new=value, note=note,
                      actor=who or actor(ledger), at=now)
    return list(changed)




def _current(ledger: Ledger, task_id: int) -> dict:
    row = ledger.conn.execute("SELECT * FROM task WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("No task with id {id}. See `rectify list --all`.").format(id=task_id))
    return dict(row)


task_row = _current  # the stored row of a task (every column); NotFoundError when there is none


def _unfinished(ledger: Ledger, task_id: int, refusal: str) -> dict:
    """The task's row, or ``refusal`` (a message with {id} and {status}) as a
    RuleError when it is closed or cancelled."""
    return unfinished(task_id, _current(ledger, task_id), refusal)


def edit_task(ledger: Ledger, task_id: int, fields: dict, *, problem_id: int | None = None,
              new_problem: str | None = None, round_id: int | None = None, reason: str | None = None) -> list[str]:
    """Change fields of a task; returns the names of those that changed.
    A later deadline, or none at all, is an extension (``deadline_change``):
    refused without a ``reason``, recorded as one with it. The reason goes
    with the other changes too. A new round moves the task's problem, with
    all its tasks, to that round."""
    fields = prepare_fields(fields)
    new_problem = clean_text(new_problem, "problem description")
    reason = clean_text(reason, "reason")
    with ledger.transaction():
        moved: list[str] = []
        if round_id is not None:  # which round a problem came from is not the work: closed tasks move too
            moved = move_to_round(ledger, task_id, round_id)
            if not fields and problem_id is None and not new_problem:
                return moved
        old = _unfinished(ledger, task_id, _("Task {id} is {status}: reopen it before changing it."))
        extension = deadline_change(ledger, task_id, old, fields, reason)
        if problem_id is not None:
            problem = get_problem(ledger, problem_id)
            fields["problem_id"] = problem_id
            fields["round_id"] = problem["round_id"]
        elif new_problem:
            fields["problem_id"] = _find_or_add_problem(ledger, new_problem, fields.get("category") or old["category"],
                                                        round_id=old["round_id"])
        kind_changes = {k: fields.pop(k) for k in ["kind"] if k in fields}
        changed = apply_changes(ledger, task_id, old, fields, "edit", note=reason)
        changed += apply_changes(ledger, task_id, old, kind_changes, "classify", note=reason)
        changed += apply_changes(ledger, task_id, old, extension, "extend", note=reason)
    return moved + changed


def deadline_change(ledger: Ledger, task_id: int, old: dict, fields: dict, reason: str | None) -> dict:
    """The rule of a deadline changed by ``edit`` (issue 18): a deadline
    later than the task's, or than the last it had when it has none now, is
    an extension, and so is clearing one; either needs a reason, and is
    recorded as an ``extend`` event, which the weekly's list of extensions
    shows. An earlier deadline, or a first one, is an edit. Takes the due
    date out of ``fields`` when it is an extension, and returns it."""
    if "due" not in fields:
        return {}
    before = old["due"] or ledger.scalar(
        "SELECT old FROM event WHERE task_id = ? AND field = 'due' AND old IS NOT NULL ORDER BY id DESC LIMIT 1",
        (task_id,))
    return {"due": fields.pop("due")} if check_due_edit(task_id, old, fields["due"], before, reason) else {}


def move_to_round(ledger: Ledger, task_id: int, round_id: int | None) -> list[str]:
    """Put the task's problem, and every task of that problem, in the round:
    one ``round`` event per task whose round changes. Inside a transaction."""
    old = _current(ledger, task_id)
    if old["problem_id"] is None:
        tasks = [old]
    else:
        ledger.conn.execute("UPDATE problem SET round_id = ? WHERE id = ?", (round_id, old["problem_id"]))
        tasks = [dict(r) for r in ledger.query("SELECT * FROM task WHERE problem_id = ? ORDER BY id", (old["problem_id"],))]
    changed = []
    for task in tasks:
        changed += apply_changes(ledger, task["id"], task, {"round_id": round_id}, "round")
    return ["round_id"] if changed else []


def classify(ledger: Ledger, task_id: int, kind: str) -> bool:
    kind = parse_kind(kind)
    with ledger.transaction():
        old = _current(ledger, task_id)
        return bool(apply_changes(ledger, task_id, old, {"kind": kind}, "classify"))


def add_progress(ledger: Ledger, task_id: int, note: str, percent: int | None = None) -> Task:
    note = clean_text(note, "progress note", required=True)
    percent = clean_percent(percent)
    with ledger.transaction():
        old = _unfinished(ledger, task_id, _("Task {id} is {status}; reopen it before adding progress."))
        now = ledger.timestamp()
        new_percent = old["progress"] if percent is None else percent
        ledger.conn.execute("UPDATE task SET progress = ?, updated = ? WHERE id = ?", (new_percent, now, task_id))
        ledger.record(task_id, "progress", field="progress", old=old["progress"], new=new_percent,
                      note=note, actor=actor(ledger), at=now)
        if old["status"] == "open":
            move(ledger, task_id, "start")
    return get_task(ledger, task_id)


def add_evidence(ledger: Ledger, task_id: int, files: list[str], note: str | None = None) -> list[dict]:
    """Attach evidence (佐证材料): files, copied into the managed folder beside
    the ledger with their sha256, and/or a note for evidence that is not a file."""
    note = clean_text(note, "evidence note")
    if not files and not note:
        raise InputError(_("Give at least one file, or --note for evidence that is not a file."))
    sources = evidence_sources(files)
    _current(ledger, task_id)  # fail on an unknown id before copying anything
    with staged_evidence(ledger, task_id, sources) as staged:
        with ledger.transaction():
            _unfinished(ledger, task_id, _("Task {id} is {status}; reopen it before adding evidence."))
            added = record_evidence(ledger, task_id, staged, note)
        place_evidence(staged)
    return added


def record_evidence(ledger: Ledger, task_id: int, staged: list, note: str | None, *,
                    who: str | None = None) -> list[dict]:
    """The evidence rows and events of staged files (or of a note alone). Inside a transaction.
    A file whose content (sha256) the task has already, attached before or
    given twice, is not recorded again (``already_attached``): its entry
    says ``already`` (the earlier one's id and name), and its copy is dropped."""
    now = ledger.timestamp()
    added = []
    for tmp, final, sha, size, name in staged:
        before = already_attached(ledger, task_id, sha)
        if before is not None:
            drop_copy(tmp)
            added.append({"id": before["id"], "name": name, "path": before["path"], "sha256": sha, "size": size,
                          "already": {"id": before["id"], "name": before["name"]}})
            continue
        rel = final.relative_to(evidence_dir(ledger.path)).as_posix()
        cur = ledger.conn.execute(
            "INSERT INTO evidence (task_id, added, name, path, sha256, size, note) VALUES (?,?,?,?,?,?,?)",
            (task_id, now, name, rel, sha, size, note))
        ledger.record(task_id, "evidence", new=name, note=sha, actor=who or actor(ledger), at=now)
        added.append({"id": cur.lastrowid, "name": name, "path": rel, "sha256": sha, "size": size})
    if not staged:
        cur = ledger.conn.execute(
            "INSERT INTO evidence (task_id, added, note) VALUES (?,?,?)", (task_id, now, note))
        ledger.record(task_id, "evidence", note=note, actor=who or actor(ledger), at=now)
        added.append({"id": cur.lastrowid, "name": None, "path": None, "sha256": None, "size": None})
    return added


def already_attached(ledger: Ledger, task_id: int, sha: str) -> dict | None:
    """The task's evidence with this content (sha256), the first attached, or None."""
    row = ledger.conn.execute("SELECT id, name, path FROM evidence WHERE task_id = ? AND sha256 = ? ORDER BY id LIMIT 1",
                              (task_id, sha)).fetchone()
    return dict(row) if row else None


def change_status(ledger: Ledger, task_id: int, verb: str, *, reason: str | None = None,
                  checker: str | None = None, recheck: str | int | None = None) -> Task:
    """start, submit, close, reject, reopen, cancel: with the rules of each.

    On closing, ``recheck`` says when the task is to be checked again: a date
    (ISO text), a number of days after today, False for never, or None for
    the ledger's default for the task's kind (settings ``recheck_*_days``)."""
    return change_status_many(ledger, [task_id], verb, reason=reason, checker=checker, recheck=recheck)[0]


def move(ledger: Ledger, task_id: int, verb: str, *, reason: str | None = None, checker: str | None = None,
         recheck: str | int | None = None, who: str | None = None, has_evidence: bool | None = None) -> str:
    """Move a task by ``verb`` under the rule book, with its events; returns
    the new state. Inside a transaction. ``who`` is recorded (the checker
    when closing); ``has_evidence`` may be given by a caller that knows."""
    old = _current(ledger, task_id)
    if has_evidence is None:
        has_evidence = verb == "submit" and bool(
            ledger.scalar("SELECT count(*) FROM evidence WHERE task_id = ?", (task_id,)))
    target = check_move(task_id, old, verb, has_evidence=has_evidence, checker=checker)
    now = ledger.timestamp()  # one moment: the closing time is the close event's time
    recheck_due = _recheck_due(ledger, old["kind"], recheck) if verb == "close" else None
    progress = progress_before_close(ledger, task_id) if verb == "reopen" else None
    changes = status_fields(verb, now, checker=checker, recheck_due=recheck_due, progress_before=progress)
    who = checker or who
    apply_changes(ledger, task_id, old, {"status": target}, verb, note=reason, who=who, now=now)
    apply_changes(ledger, task_id, old, changes, verb, note=reason, who=who, now=now)
    return target


def progress_before_close(ledger: Ledger, task_id: int) -> int:
    """The progress a reopened task goes back to: the last percentage noted
    before it was closed (a progress note, an import, an earlier reopen),
    not the 100% the close set; 0% when none was ever noted."""
    before = ledger.scalar("SELECT new FROM event WHERE task_id = ? AND field = 'progress' AND action != 'close' "
                           "ORDER BY id DESC LIMIT 1", (task_id,))
    try:
        return min(100, max(0, int(before))) if before is not None else 0
    except ValueError:
        return 0


def change_status_many(ledger: Ledger, task_ids: list[int], verb: str, *, reason: str | None = None,
                       checker: str | None = None, recheck: str | int | None = None) -> list[Task]:
    """``change_status`` for several tasks, all or nothing: one transaction
    (one action in the history, one ``undo``); the first refusal names its
    task and nothing is changed."""
    ids = list(dict.fromkeys(task_ids))  # the same id twice is one change
    reason = reason_for(verb, reason)
    checker = clean_text(checker, "checker", required=verb == "close")
    with ledger.transaction():
        for task_id in ids:
            try:
                move(ledger, task_id, verb, reason=reason, checker=checker, recheck=recheck)
            except RectifyError as e:
                if len(ids) > 1:
                    e.message = _("Task {id}: {message} Nothing was changed.").format(id=task_id, message=e.message)
                raise
    return [get_task(ledger, task_id) for task_id in ids]


def _recheck_due(ledger: Ledger, kind: str | None, recheck: str | int | bool | None) -> str | None:
    """When a task closed today is to be checked again (see ``change_status``)."""
    if recheck is False:
        return None
    if isinstance(recheck, str):
        return recheck
    days = recheck_days(settings_at(ledger), kind) if recheck is None else recheck
    return (dates.today() + timedelta(days=days)).isoformat() if days else None


def grant_extension(ledger: Ledger, task_id: int, due: str, reason: str, who: str | None = None) -> None:
    """Move the deadline by the rule of an extension. Inside a transaction."""
    old = check_extension(task_id, _current(ledger, task_id), due)
    apply_changes(ledger, task_id, old, {"due": due}, "extend", note=reason, who=who)


def extend(ledger: Ledger, task_id: int, new_due: str, reason: str) -> Task:
    """Grant an extension (延期): a later deadline, with a reason; the old one stays in history."""
    reason = clean_text(reason, "reason", required=True)
    due = dates.parse_date(new_due).isoformat()
    with ledger.transaction():
        grant_extension(ledger, task_id, due, reason)
    return get_task(ledger, task_id)
