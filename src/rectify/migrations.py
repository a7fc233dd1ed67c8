"""The ledger schema, as named migrations recorded in the ledger itself.

Each migration is a function ``mNNN_name(db)`` taking a sqlite-utils
``Database``. They run in order, each recorded in ``_sqlite_migrations``
(migration set "rectify"). A released migration is never edited: a change to
the schema is a new migration at the end of the list. ``PRAGMA user_version``
mirrors the number applied, so a ledger's version can be read from its header
without running SQL; a version above ``LATEST`` means a newer rectify wrote it.

sqlite-utils is imported only here, and this module only when a ledger is
created or upgraded, so it costs nothing on an ordinary command.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def _dataframe_libraries_hidden() -> Iterator[None]:
    """sqlite-utils imports pandas and numpy when they are installed, at its
    own import, only to map their value types; rectify never passes them one.
    Loading numpy cost 0.2 s idle and 0.7 s under load on the first command
    of a new ledger (measured 2026-12-04). They are hidden during that import
    only (sqlite-utils treats them as absent) and visible again after it."""
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


with _dataframe_libraries_hidden():
    from sqlite_utils.migrations import Migrations

migrations = Migrations("rectify")


@migrations()
def m001_initial(db):
    db.executescript(
        """
        CREATE TABLE problem (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            code TEXT,
            description TEXT NOT NULL,
            category TEXT,
            source TEXT,
            created TEXT NOT NULL
        );
        CREATE TABLE task (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: never reused
            uid TEXT NOT NULL UNIQUE,
            problem_id INTEGER REFERENCES problem(id),
            title TEXT NOT NULL CHECK (length(trim(title)) > 0),
            target TEXT,
            kind TEXT CHECK (kind IN ('immediate', 'long_term')),
            category TEXT,
            unit TEXT,
            leader TEXT,
            owner TEXT,
            helpers TEXT,
            due TEXT CHECK (due IS NULL OR due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'in_progress', 'submitted', 'closed', 'cancelled')),
            progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
            note TEXT,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            closed_at TEXT,
            closed_by TEXT
        );
        CREATE TABLE event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id INTEGER NOT NULL REFERENCES task(id),
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            field TEXT,
            old TEXT,
            new TEXT,
            note TEXT,
            actor TEXT
        );
        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id INTEGER NOT NULL REFERENCES task(id),
            added TEXT NOT NULL,
            name TEXT,
            path TEXT,
            sha256 TEXT,
            size INTEGER,
            note TEXT
        );
        CREATE INDEX task_status ON task(status, due);
        CREATE INDEX task_due ON task(due);
        CREATE INDEX task_kind ON task(kind);
        CREATE INDEX task_unit ON task(unit);
        CREATE INDEX task_owner ON task(owner);
        CREATE INDEX task_category ON task(category);
        CREATE INDEX task_problem ON task(problem_id);
        CREATE INDEX event_task ON event(task_id, field, at);
        CREATE INDEX event_at ON event(at);
        CREATE INDEX evidence_task ON evidence(task_id);
        -- The history is append-only: the ledger itself refuses to rewrite it.
        CREATE TRIGGER event_no_update BEFORE UPDATE ON event
            BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
        CREATE TRIGGER event_no_delete BEFORE DELETE ON event
            BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
        """
    )


@migrations()
def m002_report_indexes(db):
    """Indexes for the reports. Summaries count tasks by unit, kind, category,
    leader or owner together with state and deadline: a composite index per
    grouping answers each count from the index alone, in index order, instead
    of sorting the whole table (each one serves the lookups of the
    single-column index it replaces). ``created`` joins state and deadline
    (colour bands) and kind and state (stale long-term tasks), so those
    candidates need no row reads; with state, it finds the tasks new in a week
    and counts those recorded after each week of the trend.
    ``event(field, at)`` finds the state changes of recent weeks."""
    db.executescript(
        """
        DROP INDEX task_status;
        DROP INDEX task_kind;
        DROP INDEX task_unit;
        DROP INDEX task_owner;
        DROP INDEX task_category;
        CREATE INDEX task_status ON task(status, due, created);
        CREATE INDEX task_kind_status ON task(kind, status, created);
        CREATE INDEX task_unit_kind_status ON task(unit, kind, status, due);
        CREATE INDEX task_owner_status ON task(owner, status, due);
        CREATE INDEX task_category_status ON task(category, status, due);
        CREATE INDEX task_leader_status ON task(leader, status, due);
        CREATE INDEX task_created ON task(created, status);
        CREATE INDEX event_field_at ON event(field, at);
        """
    )


@migrations()
def m003_covering_indexes(db):
    """Indexes that answer the reports at 100,000 tasks without reading rows.
    ``task_status`` and ``task_kind_status`` gain the unit, which orders the
    overdue and stale lists of the weekly printout (only the tasks shown are
    then read). ``event_field_at`` gains the task, so the set of tasks with a
    recent progress note (bands, stale tasks) comes from the index alone. A
    partial index over the state changes alone carries what the 8-week trend
    adds up."""
    db.executescript(
        """
        DROP INDEX task_status;
        DROP INDEX task_kind_status;
        DROP INDEX event_field_at;
        CREATE INDEX task_status ON task(status, due, created, unit);
        CREATE INDEX task_kind_status ON task(kind, status, created, unit);
        CREATE INDEX event_field_at ON event(field, at, task_id);
        CREATE INDEX event_status_at ON event(at, task_id, old, new, field) WHERE field = 'status';
        """
    )


@migrations()
def m004_rounds_outcomes(db):
    """Rounds and outcomes. A *round* (巡察轮次) is the inspection, audit or
    supervision visit whose feedback a problem came from. A problem belongs to
    one; its tasks carry the same ``round_id`` (kept equal by every change, each
    change an event on the task) so that a report for a past day rebuilds a
    task's round from the history like any other field. An *outcome* (整改成效)
    is what a task achieved: a rule issued, money recovered, people held to
    account, or other results; each row has its event in the history.
    Amounts are whole fen (0.01 yuan), stored exactly."""
    db.executescript(
        """
        CREATE TABLE round (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
            kind TEXT CHECK (kind IN ('tour', 'inspection', 'audit', 'supervision', 'lookback', 'other')),
            fed_back TEXT CHECK (fed_back IS NULL OR fed_back GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            issuer TEXT,
            created TEXT NOT NULL
        );
        ALTER TABLE problem ADD COLUMN round_id INTEGER REFERENCES round(id);
        ALTER TABLE task ADD COLUMN round_id INTEGER REFERENCES round(id);
        CREATE INDEX problem_round ON problem(round_id);
        CREATE INDEX task_round_status ON task(round_id, status, due);
        CREATE TABLE outcome (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id INTEGER NOT NULL REFERENCES task(id),
            at TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('rule', 'money', 'people', 'other')),
            title TEXT,       -- rule: its title; other: the result; money: what it was
            doc_no TEXT,      -- rule: the document number (文号)
            issued TEXT CHECK (issued IS NULL OR issued GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            fen INTEGER CHECK (fen IS NULL OR fen >= 0),          -- money, in fen
            money_kind TEXT CHECK (money_kind IS NULL OR money_kind IN ('recovered', 'returned', 'saved')),
            people INTEGER CHECK (people IS NULL OR people > 0),  -- people held to account
            form TEXT,        -- people: the form (诫勉谈话, 党纪处分 ...)
            actor TEXT,
            withdrawn TEXT,   -- when an entry made in error was withdrawn (its event says why)
            CHECK (type != 'rule' OR title IS NOT NULL),
            CHECK (type != 'money' OR (fen IS NOT NULL AND money_kind IS NOT NULL)),
            CHECK (type != 'people' OR people IS NOT NULL),
            CHECK (type != 'other' OR title IS NOT NULL)
        );
        CREATE INDEX outcome_task ON outcome(task_id, at);
        CREATE INDEX outcome_at ON outcome(at);
        -- Outcomes are recorded, never rewritten, like the history they stand
        -- for; an entry made in error is withdrawn once, and stays.
        CREATE TRIGGER outcome_no_update BEFORE UPDATE ON outcome
            WHEN OLD.withdrawn IS NOT NULL OR NEW.withdrawn IS NULL
              OR NEW.id IS NOT OLD.id OR NEW.task_id IS NOT OLD.task_id OR NEW.at IS NOT OLD.at
              OR NEW.type IS NOT OLD.type OR NEW.title IS NOT OLD.title OR NEW.doc_no IS NOT OLD.doc_no
              OR NEW.issued IS NOT OLD.issued OR NEW.fen IS NOT OLD.fen OR NEW.money_kind IS NOT OLD.money_kind
              OR NEW.people IS NOT OLD.people OR NEW.form IS NOT OLD.form OR NEW.actor IS NOT OLD.actor
            BEGIN SELECT RAISE(ABORT, 'outcomes are append-only'); END;
        CREATE TRIGGER outcome_no_delete BEFORE DELETE ON outcome
            BEGIN SELECT RAISE(ABORT, 'outcomes are append-only'); END;
        """
    )


@migrations()
def m005_lookback(db):
    """The look-back and the paper trail of supervision (issue 17).

    ``setting``: the ledger's own thresholds (colour bands, stale days, lead
    times, re-check periods), so every machine reading the ledger agrees; a
    key absent is at its default. ``ledger_event``: the history of what
    belongs to no one task (a setting changed, a sample drawn, a notice issued
    or answered), append-only like ``event``. A task gains ``recheck_due``
    (when a closed task is to be checked again) and ``relapse_of`` (the task
    whose fix did not hold, for a task opened by a relapse). ``recheck``
    holds each re-check's result; ``sample`` and ``sample_task`` the samples
    of a look-back, each task with the unit, kind and category it had when
    drawn; ``notice`` and ``notice_task`` the numbered notices;
    ``extension_request`` the extensions asked for and their decisions."""
    db.executescript(
        """
        CREATE TABLE setting (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            changed TEXT NOT NULL
        );
        CREATE TABLE ledger_event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT,
            old TEXT,
            new TEXT,
            note TEXT,
            actor TEXT
        );
        CREATE INDEX ledger_event_subject ON ledger_event(action, subject, at);
        CREATE TRIGGER ledger_event_no_update BEFORE UPDATE ON ledger_event
            BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
        CREATE TRIGGER ledger_event_no_delete BEFORE DELETE ON ledger_event
            BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
        ALTER TABLE task ADD COLUMN recheck_due TEXT
            CHECK (recheck_due IS NULL OR recheck_due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
        ALTER TABLE task ADD COLUMN relapse_of INTEGER REFERENCES task(id);
        CREATE INDEX task_recheck_due ON task(recheck_due) WHERE recheck_due IS NOT NULL;
        CREATE INDEX task_relapse_of ON task(relapse_of) WHERE relapse_of IS NOT NULL;
        CREATE TABLE recheck (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id INTEGER NOT NULL REFERENCES task(id),
            at TEXT NOT NULL,
            result TEXT NOT NULL CHECK (result IN ('held', 'relapsed')),
            checker TEXT NOT NULL,
            note TEXT,
            relapse_task_id INTEGER REFERENCES task(id)
        );
        CREATE INDEX recheck_task ON recheck(task_id, at);
        CREATE TABLE sample (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            seed TEXT NOT NULL,
            rate REAL,
            requested INTEGER,
            scope TEXT NOT NULL,
            population INTEGER NOT NULL,
            note TEXT,
            actor TEXT
        );
        CREATE TABLE sample_task (
            sample_id INTEGER NOT NULL REFERENCES sample(id),
            task_id INTEGER NOT NULL REFERENCES task(id),
            unit TEXT,
            kind TEXT,
            category TEXT,
            PRIMARY KEY (sample_id, task_id)
        );
        CREATE INDEX sample_task_task ON sample_task(task_id);
        CREATE TABLE notice (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            number TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('reminder', 'supervision', 'warning')),
            year INTEGER NOT NULL,
            serial INTEGER NOT NULL,
            unit TEXT,
            issued TEXT NOT NULL,
            reply_by TEXT,
            replied_at TEXT,
            reply_note TEXT,
            replied_by TEXT,
            actor TEXT,
            UNIQUE (kind, year, serial)
        );
        CREATE TABLE notice_task (
            notice_id INTEGER NOT NULL REFERENCES notice(id),
            task_id INTEGER NOT NULL REFERENCES task(id),
            PRIMARY KEY (notice_id, task_id)
        );
        CREATE INDEX notice_task_task ON notice_task(task_id);
        CREATE TABLE extension_request (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id INTEGER NOT NULL REFERENCES task(id),
            at TEXT NOT NULL,
            old_due TEXT,
            new_due TEXT NOT NULL,
            reason TEXT NOT NULL,
            requested_by TEXT,
            late INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
            decided_at TEXT,
            decided_by TEXT,
            decision_note TEXT
        );
        CREATE INDEX extension_request_task ON extension_request(task_id);
        CREATE INDEX extension_request_status ON extension_request(status, at);
        """
    )


@migrations()
def m006_import_review(db):
    """Cells an import kept as text (issue 14: nothing lost, nothing guessed).
    A cell that could not be read is kept verbatim with ``review = 1``: its
    task awaits a person's look (``rectify list --review``) until
    ``rectify reviewed`` clears it. A cell of a column no field takes is kept
    with ``review = 0``. ``header`` is the column as the sheet names it,
    ``field`` the task field it was meant for (NULL: none)."""
    db.executescript(
        """
        CREATE TABLE import_cell (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id INTEGER NOT NULL REFERENCES task(id),
            at TEXT NOT NULL,
            source TEXT,
            row INTEGER,
            header TEXT NOT NULL,
            field TEXT,
            text TEXT NOT NULL,
            review INTEGER NOT NULL DEFAULT 0 CHECK (review IN (0, 1)),
            reason TEXT
        );
        CREATE INDEX import_cell_task ON import_cell(task_id);
        CREATE INDEX import_cell_review ON import_cell(task_id) WHERE review = 1;
        """
    )


@migrations()
def m007_returns(db):
    """The return register (issue 15): each returned sheet an import read
    into the ledger. ``unit`` is the unit the sheet's export stamp names, or
    the one unit of all its rows; ``exported_at`` the stamp's time (NULL: the
    sheet had none and was compared with the ledger as it was); ``changes``
    the import's findings as JSON (per task and field: change, claim,
    conflict, refusal)."""
    db.executescript(
        """
        CREATE TABLE returned_sheet (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            unit TEXT,
            file TEXT NOT NULL,
            sha256 TEXT,
            exported_at TEXT,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            changes TEXT,
            actor TEXT
        );
        CREATE INDEX returned_sheet_at ON returned_sheet(at);
        """
    )


@migrations()
def m008_event_command(db):
    """Which command wrote an event (issue 18): ``command`` is the id of the
    first event the same command wrote, so ``history`` shows one line per
    action (a close writes the status, the closing time, the checker, the
    progress and the re-check date). Events written before it have NULL, and
    are grouped by moment, person and action instead (``ledger.actions``)."""
    db.executescript(
        """
        ALTER TABLE event ADD COLUMN command INTEGER;
        """
    )


MIGRATIONS = [m.name for m in migrations._migrations]
LATEST = len(MIGRATIONS)
