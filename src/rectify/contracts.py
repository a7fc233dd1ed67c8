"""The JSON contracts, as types: what ``--json`` prints for each command, and
the JSON export / import format. README ("JSON output", "JSON export format",
"Backup and check") says what the values mean; these say which keys there
are and what each holds. They are the return types of the functions that
build the objects, and tests/test_contracts.py holds each to the real output
of the commands, so the types and the JSON cannot drift apart.

JSON output is stable: a key is never removed or renamed, only added. A key
added here is added to the output, and the other way round.

Only types here, and no import of the rest of rectify: any module may use them.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

# -- tasks (add, edit, list, show, the verbs) ----------------------------------


class ProblemRef(TypedDict):
    """The problem a task belongs to, inside a task object."""

    id: int
    description: str
    code: str | None


class Task(TypedDict):
    """A task, as ``add``, ``edit``, ``list``, ``show`` and the verbs print it."""

    id: int
    uid: str
    title: str
    target: str | None
    kind: str | None  # vocabulary.KINDS, or None (unclassified)
    status: str  # vocabulary.STATES
    due: str | None  # YYYY-MM-DD
    overdue: bool
    days_late: int  # whole days past the deadline as of today; 0 when not overdue
    band: str | None  # "red", "yellow", "blue"
    unit: str | None
    leader: str | None
    owner: str | None
    helpers: str | None
    category: str | None
    problem: ProblemRef | None
    progress: int  # 0..100
    note: str | None
    created: str
    updated: str
    closed_at: str | None
    closed_by: str | None
    round_id: int | None
    recheck_due: str | None  # when a closed task is to be checked again
    relapse_of: int | None  # the task whose fix did not hold, for a task a relapse opened


class Evidence(TypedDict):
    """A piece of evidence: a file (name, path, sha256, size) or a note alone."""

    id: int
    added: str
    name: str | None
    path: str | None  # relative to the ledger's evidence folder
    sha256: str | None
    size: int | None
    note: str | None


class Event(TypedDict):
    """One entry of a task's history (``history --json``)."""

    id: int
    at: str
    action: str  # model.ACTIONS
    field: str | None
    old: str | None
    new: str | None
    note: str | None
    actor: str | None
    command: int | None  # the first event of the command that wrote it: one user action (schema 8)


class KeptCell(TypedDict):
    """A cell an import kept as text (``show --json``, ``"kept"``)."""

    at: str
    source: str | None
    row: int | None
    header: str | None
    field: str | None
    text: str
    review: bool
    reason: str | None


class LookbackOfTask(TypedDict):
    """The look-back of one task (``show --json``, ``"lookback"``)."""

    rechecks: list[dict[str, Any]]
    relapses: list[int]  # the ids of the tasks its relapses opened
    samples: list[int]  # the ids of the samples that drew it


class TaskDetail(Task):
    """``show --json``: a task with its evidence, history and kept cells, and
    (added by the command) its look-back."""

    evidence: list[Evidence]
    history: list[Event]
    kept: list[KeptCell]
    lookback: NotRequired[LookbackOfTask]


class ExportedTask(Task):
    """One item of the JSON export, and what a JSON import reads."""

    evidence: list[Evidence]
    history: list[Event]


class RecheckDue(Task):
    """One item of ``lookback due --json``: a closed task whose re-check is due."""

    recheck_overdue: bool


class SampledTask(Task):
    """A task of a sample (``lookback show --json``, ``"tasks"``)."""

    evidence_count: int
    recheck: dict[str, Any] | None  # its first re-check since the sample, or None


class _Problem(TypedDict):
    """A problem's own fields."""

    id: int
    uid: str
    code: str | None
    description: str
    category: str | None
    source: str | None
    created: str


class ProblemRow(_Problem):
    """One item of ``problems --json``."""

    tasks: int
    closed: int | None  # None for a problem with no task
    cancelled: int | None


class ProblemEdited(_Problem):
    """``problem edit --json``: the problem as it is now, and what changed."""

    round_id: int | None
    changed: list[str]  # of description, category, source, code


# -- undo ------------------------------------------------------------------------


class UndoChange(TypedDict):
    """A field an undo puts back."""

    task: int
    field: str
    old: str | None  # the value now (as history stores values: text)
    new: str | None  # the value the undo restores


class UndoResult(TypedDict):
    """``undo --json``."""

    command: int  # the undone action: the id of its first event (``history --json`` "command")
    action: str  # its action (the first event's), model.ACTIONS
    at: str  # when it was recorded
    actor: str | None  # as whom
    tasks: list[int]  # the tasks it changed, in order
    changes: list[UndoChange]  # what the undo changes (would change, with --dry-run)
    cancels: list[int]  # tasks the undone action added: the undo cancels them, their history kept
    dry_run: bool  # True: nothing was changed


# -- summary and weekly --------------------------------------------------------


class Group(TypedDict):
    """The figures of a group of tasks (a kind, a unit, ...)."""

    total: int
    open: int
    closed: int
    cancelled: int
    overdue: int
    completion_rate: float


class Bands(TypedDict):
    red: int
    yellow: int
    blue: int


class Thresholds(TypedDict):
    """The band settings a summary was computed with (vocabulary.BAND_THRESHOLDS are the defaults)."""

    blue_days: int
    yellow_horizon_days: int
    yellow_quiet_days: int


class ProblemGroup(TypedDict):
    """Problem-level figures: a count per vocabulary.PROBLEM_STATES."""

    total: int
    done: int
    in_progress: int
    not_started: int
    cancelled: int
    completion_rate: float


class ProblemFigures(ProblemGroup):
    by_category: dict[str, ProblemGroup]


class _FiguresRequired(TypedDict):
    as_of: str
    total: int
    open: int
    closed: int
    cancelled: int
    overdue: int
    due_soon: int
    completion_rate: float
    states: dict[str, int]  # one count per vocabulary.STATES
    bands: Bands
    by_kind: dict[str, Group]  # one group per vocabulary.KINDS
    unclassified: Group
    by_unit: dict[str, Group]
    stale: int
    stale_days: int
    by: str  # reports.BREAKDOWNS
    thresholds: Thresholds
    round: dict[str, Any] | None
    problems: ProblemFigures
    outcomes: dict[str, Any]


class Figures(_FiguresRequired, total=False):
    """The figures of a summary without the look-back (``report --json``,
    ``"summary"``). With ``--by`` other than unit and kind, the breakdown is
    under ``by_<key>`` as well (by_category, by_leader, by_owner)."""

    by_category: dict[str, Group]
    by_leader: dict[str, Group]
    by_owner: dict[str, Group]


class Summary(Figures):
    """``summary --json``: the figures and the look-back."""

    lookback: dict[str, Any]


class TrendPoint(TypedDict):
    week: str  # YYYY-Www
    open: int
    closed: int


class UnitOverdue(TypedDict):
    unit: str | None
    overdue: int
    open: int


class WeeklyCounts(TypedDict):
    """How many tasks each list of the weekly has (the lists may be cut by --limit)."""

    new: int
    closed: int
    overdue: int
    due_next_week: int
    stale: int
    established: int
    extended: int


# "from" is a Python keyword: the functional form names it.
Weekly = TypedDict("Weekly", {
    "week": str,
    "from": str,
    "to": str,
    "as_of": str,
    "summary": Summary,
    "previous": Summary,
    "new": list[Task],
    "closed": list[Task],
    "overdue": list[Task],
    "overdue_by_unit": list[UnitOverdue],
    "due_next_week": list[Task],
    "extended": list[dict[str, Any]],  # tasks with "extension"
    "stale": list[dict[str, Any]],  # tasks with their last progress
    "established": list[dict[str, Any]],  # tasks with "evidence" and "outcome"
    "counts": WeeklyCounts,
    "trend": list[TrendPoint],
    "lookback": dict[str, Any],
    "extension_requests": list[dict[str, Any]],
})
Weekly.__doc__ = """``weekly --json``: the week's lists, this week's and last week's summaries."""


# -- check and backup ------------------------------------------------------------


class Fault(TypedDict):
    """One thing ``check`` found wrong (``kind``: see README, "Backup and check")."""

    kind: str
    message: str
    task: int | None
    table: str | None
    row: int | None
    file: str | None


class CheckResult(TypedDict):
    """``check --json``. The counts are None when the ledger is too damaged to count."""

    ledger: str
    ok: bool
    tasks: int | None
    problems: int | None
    events: int | None
    evidence_files: int
    evidence_bytes: int
    faults: list[Fault]


class BackupResult(TypedDict):
    """``backup --json``."""

    ledger: str
    backup: str
    evidence_dir: str | None
    schema: int
    journal_mode: str
    tasks: int
    problems: int
    events: int
    evidence_files: int
    ledger_bytes: int
    evidence_bytes: int
    bytes: int
    faults: list[Fault]
