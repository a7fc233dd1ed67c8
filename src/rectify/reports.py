"""Summaries, the weekly printout and supervision sheets (督办单), as plain data.

Every figure is the ledger as it stood at a *moment*: the end of a day, or
now. A task's field at moment M is the ``old`` value of the first event that
changed the field after M (ordered by time, then id), or else its current
value; a task exists at M when it was created by then. So a report for a past
day gives the same figures whatever has changed since.

The work is SQL over indexed columns, never a Python loop over every task:

* now (nothing recorded after the moment): counts come straight from the
  current columns, mostly from the composite indexes of migration m002;
* a past moment: only the tasks changed or created after it are rebuilt, in
  two temporary tables. Each count is the count over the current columns,
  minus those changed tasks as they are now, plus the same tasks as they were;
* the 8-week trend telescopes the state changes: the number in a state at M
  is the number in it now, less the tasks created after M, less each later
  change's step into the state, plus its step out.

The colour bands are ``ledger.band_sql``, the same CASE as ``list``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
import sqlite3
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from rectify import dates
from rectify.errors import InputError
from rectify.i18n import _
from rectify.ledger import band_params, band_sql, task_dict
from rectify.settings import settings_at
from rectify.vocabulary import ACTIVE, ACTIVE_SQL, CANCELLED, CLOSED, KINDS, LONG_TERM, PROBLEM_STATES, STATES

if TYPE_CHECKING:
    from rectify.contracts import Figures, Group, ProblemFigures, ProblemGroup, Summary, Task, TrendPoint, Weekly

BREAKDOWNS = ("unit", "category", "kind", "leader", "owner")
# The key of a breakdown that is not one of the summary's own (by_unit, by_kind).
_BY_KEY: dict[str, Literal["by_category", "by_leader", "by_owner"]] = {
    "category": "by_category", "leader": "by_leader", "owner": "by_owner"}
TREND_WEEKS = 8
END_OF_DAY = "T23:59:59"

# The task fields a past moment rebuilds from the event history.
REBUILT = ("title", "target", "kind", "status", "due", "unit", "leader", "owner", "helpers",
           "category", "note", "progress", "problem_id", "closed_at", "closed_by", "round_id",
           "recheck_due", "relapse_of")
_INTEGERS = ("progress", "problem_id", "round_id", "relapse_of")


# -- moments ------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """What a report describes: ``day`` judges deadlines and bands; ``until``
    is the last recorded second it includes (ISO, like event times)."""

    day: date
    until: str


def moment(day: date | None = None) -> Moment:
    """The end of ``day``, or now for today or no day. A future day is refused."""
    now = dates.now()
    if day is None or day == now.date():
        return Moment(now.date(), now.isoformat(timespec="seconds"))
    if day > now.date():
        raise InputError(_("{day} is in the future; a report shows what has happened by a day that has begun.").format(
            day=day.isoformat()))
    return Moment(day, day.isoformat() + END_OF_DAY)


def as_of(text: str | None) -> Moment:
    """``--as-of``: any date the parser knows; none means now."""
    return moment(dates.parse_date(text) if text else None)


def week_label(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def report_week(week: str | None = None, day: str | None = None) -> tuple[date, Moment]:
    """``--week`` or ``--as-of`` -> (the week's Monday, the report's moment).

    A past week is reported as at its Sunday's end; the week under way as at
    now; ``--as-of DATE`` reports DATE's week as at the end of DATE."""
    if week and day:
        raise InputError(_("Give --week or --as-of, not both."))
    if day:
        at = as_of(day)
        return at.day - timedelta(days=at.day.weekday()), at
    monday, sunday = dates.iso_week(week or "this week")
    today = dates.today()
    if monday > today:
        raise InputError(_("The week {week} has not begun yet.").format(week=week_label(monday)))
    return monday, moment(min(sunday, today))


def rate(closed: int, total: int, cancelled: int) -> float:
    """Completion rate (完成率): closed / (all − cancelled); 0 when nothing is to be done."""
    todo = total - cancelled
    return closed / todo if todo else 0.0


# -- the ledger at a moment ---------------------------------------------------


def stale_candidates_sql(alias: str) -> str:
    """Long-term and unfinished, recorded before :stale_since."""
    s = alias
    return f"{s}.kind = '{LONG_TERM}' AND {s}.status IN {ACTIVE_SQL} AND {s}.created < :stale_since"


def recent_progress_sql() -> str:
    """The tasks with a progress note from :stale_since to the moment, once each."""
    return ("SELECT DISTINCT e.task_id FROM event e WHERE e.field = 'progress'"
            " AND e.at >= :stale_since AND e.at <= :until")


def stale_sql(alias: str) -> str:
    """Long-term and unfinished, recorded before :stale_since, and no progress
    note from :stale_since to the moment."""
    # NOT IN a set built once (from the index on event(field, at)), rather
    # than a search of the events for every long-term task.
    return f"{stale_candidates_sql(alias)} AND {alias}.id NOT IN ({recent_progress_sql()})"


def last_progress_sql(alias: str) -> str:
    return (f"(SELECT max(e.at) FROM event e WHERE e.task_id = {alias}.id AND e.field = 'progress'"
            f" AND e.at <= :until)")


class Snapshot:
    """The ledger as it stood at ``at``.

    When something was recorded after the moment, two temporary tables hold
    what rebuilding needs: the overlay (per changed task, the first ``old``
    of each field changed since) and the set of tasks changed or created
    since. Everything else is read from the current columns.

    With a ``round`` (a dict of ``rounds.find_round``), only the tasks in
    that round at the moment count: the round is rebuilt like any field."""

    _serial = itertools.count(1)

    def __init__(self, ledger, at: Moment, stale_days: int | None = None, round: dict | None = None):
        self.ledger = ledger
        self.at = at
        self.round = round
        self.in_round = "" if round is None else f" AND round_id = {int(round['id'])}"
        self.settings = settings_at(ledger, at.until)  # the ledger's settings in force at the moment
        self.stale_days = stale_days or self.settings["stale_days"]
        self.params = {**band_params(at.day, self.settings), "until": at.until,
                       "stale_since": (at.day - timedelta(days=self.stale_days)).isoformat()}
        self.current = not ledger.scalar(
            "SELECT EXISTS (SELECT 1 FROM event WHERE at > :until) OR EXISTS (SELECT 1 FROM task WHERE created > :until)",
            self.params)
        if not self.current:
            n = next(self._serial)
            self.overlay, self.changed = f"report_overlay_{n}", f"report_changed_{n}"
            self._build()

    def _build(self) -> None:
        conn = self.ledger.conn
        columns = ", ".join(f"has_{f} INTEGER, {f}" for f in REBUILT)
        conn.execute(f"CREATE TEMP TABLE {self.overlay} (task_id INTEGER PRIMARY KEY, {columns})")
        picks = ", ".join(f"max(field = '{f}'), max(CASE WHEN field = '{f}' THEN old END)" for f in REBUILT)
        fields = ", ".join(f"'{f}'" for f in REBUILT)
        # INDEXED BY: unprompted, SQLite walks the whole event table in
        # (task_id, field) order to spare the window's sort.
        conn.execute(
            f"""INSERT INTO {self.overlay}
                SELECT task_id, {picks} FROM (
                    SELECT task_id, field, old,
                           row_number() OVER (PARTITION BY task_id, field ORDER BY at, id) AS nth
                    FROM event INDEXED BY event_at WHERE at > :until AND field IN ({fields}))
                WHERE nth = 1 GROUP BY task_id""", self.params)
        conn.execute(f"CREATE TEMP TABLE {self.changed} (task_id INTEGER PRIMARY KEY)")
        conn.execute(f"INSERT INTO {self.changed} SELECT task_id FROM {self.overlay}"
                     " UNION SELECT id FROM task WHERE created > :until", self.params)

    def _rebuilt(self, ids: str) -> str:
        """A FROM item: the tasks of subquery ``ids`` that existed, as they were."""
        def column(f: str) -> str:
            old = f"CAST(o.{f} AS INTEGER)" if f in _INTEGERS else f"o.{f}"
            return f"CASE WHEN o.has_{f} THEN {old} ELSE t.{f} END AS {f}"

        # updated: the time of the last field change by then (each change that
        # sets it writes an event at that time), or the creation.
        updated = ("CASE WHEN o.task_id IS NULL THEN t.updated ELSE COALESCE((SELECT max(e.at) FROM event e"
                   " WHERE e.task_id = t.id AND e.field IS NOT NULL AND e.at <= :until), t.created) END AS updated")
        return (f"(SELECT t.id, t.uid, t.created, {updated}, {', '.join(column(f) for f in REBUILT)}"
                f" FROM task t LEFT JOIN {self.overlay} o ON o.task_id = t.id"
                f" WHERE t.created <= :until AND t.id IN ({ids}))")

    # -- counts --------------------------------------------------------------

    def tally(self, by: str) -> dict:
        """Counts keyed by tuples (see ``_tally``) for the whole ledger at the moment."""
        counts = self._tally(self._within("task"), by)
        if not self.current:
            ids = f"SELECT task_id FROM {self.changed}"
            # CROSS JOIN: from the few changed tasks, never a scan of an index
            # probing each entry against them.
            _add(counts, self._tally(self._within(
                f"(SELECT t.* FROM {self.changed} c CROSS JOIN task t ON t.id = c.task_id)"), by), -1)
            _add(counts, self._tally(self._within(self._rebuilt(ids)), by), +1)
        return counts

    def _within(self, source: str) -> str:
        """``source`` (a table or FROM item) cut to the report's round, if it has one."""
        return source if not self.in_round else f"(SELECT * FROM {source} WHERE 1{self.in_round})"

    def _tally(self, source: str, by: str) -> dict:
        """("cell", unit, kind, status) -> tasks; ("late", unit, kind, status) ->
        those past their deadline (overdue when the state is unfinished);
        ("soon",) -> due within 7 days; ("by", key, status), ("by_late", key,
        status) for ``by``; ("band", band) for yellow and blue; ("stale",)."""
        q = self.ledger.query
        p = self.params
        late = "count(CASE WHEN s.due < :today THEN 1 END)"  # cheaper than testing the state per row
        counts: dict = {}
        for unit, kind, status, n, past in q(
                f"SELECT s.unit, s.kind, s.status, count(*), {late} FROM {source} s GROUP BY s.unit, s.kind, s.status", p):
            counts[("cell", unit, kind, status)] = n
            counts[("late", unit, kind, status)] = past
        if by not in ("unit", "kind"):
            for key, status, n, past in q(
                    f"SELECT s.{by}, s.status, count(*), {late} FROM {source} s GROUP BY s.{by}, s.status", p):
                counts[("by", key, status)] = n
                counts[("by_late", key, status)] = past
        counts[("soon",)] = q(f"SELECT count(*) FROM {source} s WHERE s.status IN {ACTIVE_SQL}"
                              " AND s.due >= :today AND s.due <= :blue_until", p)[0][0]
        # LIMIT -1 keeps the subquery whole, so the band is worked out once
        # per task rather than once for GROUP BY and again for the result.
        for band, n in q(
                f"SELECT band, count(*) FROM (SELECT {band_sql('s', 'until')} AS band FROM {source} s"
                f" WHERE s.status IN {ACTIVE_SQL} AND s.due >= :today AND s.due <= :yellow_until LIMIT -1)"
                " GROUP BY band", p):
            if band:
                counts[("band", band)] = n
        if source == "task":
            # The whole ledger: the long-term unfinished tasks (counted from
            # an index), less those among them with a recent progress note
            # (few, found from the notes), rather than a test of every
            # candidate against the notes.
            stale = (f"SELECT (SELECT count(*) FROM task s WHERE {stale_candidates_sql('s')})"
                     f" - (SELECT count(*) FROM ({recent_progress_sql()}) r CROSS JOIN task s ON s.id = r.task_id"
                     f" WHERE {stale_candidates_sql('s')})")
        else:  # a few changed tasks
            stale = f"SELECT count(*) FROM {source} s WHERE {stale_sql('s')}"
        counts[("stale",)] = q(stale, p)[0][0]
        return counts

    # -- tasks ---------------------------------------------------------------

    def source(self, candidates: str) -> str:
        """A FROM item: the candidate tasks that existed, as they were, with ``updated``.
        ``candidates`` is a condition on the *current* columns of ``task``."""
        if self.current:
            return (f"(SELECT id, uid, created, updated, {', '.join(REBUILT)} FROM task"
                    f" WHERE created <= :until AND ({candidates}){self.in_round})")
        return self._within(self._rebuilt(
            f"SELECT id FROM task WHERE ({candidates}) UNION SELECT task_id FROM {self.changed}"))

    def rows(self, candidates: str, where: str, order: str, params: dict | None = None, *,
             extra: str = "") -> list[sqlite3.Row]:
        """The rows of tasks as they stood, for ``task_dict`` (plus ``extra``
        columns, named x_NAME by convention).

        ``candidates`` is a condition on the *current* columns (so an index
        can answer it); ``where`` then filters the tasks as they were, alias ``r``.
        Tasks changed since the moment are always candidates."""
        sql = f"""SELECT r.*, p.description AS problem_description, p.code AS problem_code,
                         {band_sql('r', 'until')} AS band {extra}
                  FROM {self.source(candidates)} r LEFT JOIN problem p ON p.id = r.problem_id
                  WHERE {where} ORDER BY {order}"""
        return self.ledger.query(sql, {**self.params, **(params or {})})

    def tasks(self, candidates: str, where: str, order: str, params: dict | None = None) -> list[Task]:
        """Tasks as they stood, as ``list --json`` objects (see ``rows``)."""
        return [task_dict(row, self.at.day) for row in self.rows(candidates, where, order, params)]

    def section(self, candidates: str, where: str, order: str, params: dict, limit: int | None, *,
                extra: str = "", total: int | None = None) -> tuple[list[sqlite3.Row], int]:
        """The rows of the first ``limit`` tasks (all for None) and how many
        there are in all (``total``, when already known). With a limit, the
        ids are picked first, so that only the tasks shown are built in full."""
        if limit is None:
            rows = self.rows(candidates, where, order, params, extra=extra)
            return rows, len(rows)
        count = "0" if total is not None else "count(*) OVER ()"
        picked = self.ledger.query(
            f"SELECT r.id, {count} FROM {self.source(candidates)} r"
            f" WHERE {where} ORDER BY {order} LIMIT :page_limit", {**self.params, **params, "page_limit": limit})
        if not picked:
            return [], 0
        ids = ",".join(str(int(row[0])) for row in picked)
        rows = self.rows(f"id IN ({ids})", f"r.id IN ({ids})", order, params, extra=extra)
        return rows, picked[0][1] if total is None else total


def _add(counts: dict, other: dict, sign: int) -> None:
    for key, n in other.items():
        counts[key] = counts.get(key, 0) + sign * n


# -- summary ------------------------------------------------------------------


class Tally(TypedDict):
    """A group's counts while they are counted (a Group without its rate)."""

    total: int
    open: int
    closed: int
    cancelled: int
    overdue: int


def _group() -> Tally:
    return {"total": 0, "open": 0, "closed": 0, "cancelled": 0, "overdue": 0}


def _count(group: Tally, status: str, n: int) -> None:
    group["total"] += n
    if status in ACTIVE:
        group["open"] += n
    elif status == CLOSED:
        group["closed"] += n
    elif status == CANCELLED:
        group["cancelled"] += n


def _rated(g: Tally) -> Group:
    return {**g, "completion_rate": rate(g["closed"], g["total"], g["cancelled"])}


def _finish(groups: dict[str | None, Tally]) -> dict[str, Group]:
    """Drop empty groups (a unit that did not exist yet), add the rate, sort by key."""
    out = {}
    for key in sorted(groups, key=lambda k: (k is None, k or "")):
        g = groups[key]
        if g["total"]:
            out["" if key is None else key] = _rated(g)
    return out


def summary(ledger, at: Moment, *, by: str = "unit", stale_days: int | None = None, round: dict | None = None) -> Summary:
    """The figures of ``rectify summary`` (the JSON contract; see README)."""
    if by not in BREAKDOWNS:
        raise InputError(_("Unknown breakdown {by!r}: use unit, category, kind, leader or owner.").format(by=by))
    return {**_summary(Snapshot(ledger, at, stale_days, round), by), "lookback": lookback_at(ledger, at, round)}


def lookback_at(ledger, at: Moment, round: dict | None = None) -> dict[str, Any]:
    """The look-back as it stood at ``at`` ("lookback" of summary, weekly and
    the report), of one round's tasks with ``round``."""
    from rectify.lookback import figures

    return figures(ledger, at.until, None if round is None else round["id"])


def _summary(snap: Snapshot, by: str) -> Figures:
    at = snap.at
    counts = snap.tally(by)
    states = dict.fromkeys(STATES, 0)
    by_kind = {k: _group() for k in KINDS}
    unclassified = _group()
    by_unit: dict[str | None, Tally] = {}
    by_other: dict[str | None, Tally] = {}
    for key, n in counts.items():
        if key[0] == "cell":
            _tag, unit, kind, status = key
            states[status] += n
            _count(by_kind.get(kind, unclassified), status, n)
            _count(by_unit.setdefault(unit, _group()), status, n)
        elif key[0] == "late" and key[3] in ACTIVE:
            _tag, unit, kind, _status = key
            by_kind.get(kind, unclassified)["overdue"] += n
            by_unit.setdefault(unit, _group())["overdue"] += n
        elif key[0] == "by":
            _count(by_other.setdefault(key[1], _group()), key[2], n)
        elif key[0] == "by_late" and key[2] in ACTIVE:
            by_other.setdefault(key[1], _group())["overdue"] += n
    total = sum(states.values())
    overdue = sum(g["overdue"] for g in by_unit.values())
    result: Figures = {
        "as_of": at.day.isoformat(),
        "total": total,
        "open": sum(states[s] for s in ACTIVE),
        "closed": states["closed"],
        "cancelled": states["cancelled"],
        "overdue": overdue,
        "due_soon": counts.get(("soon",), 0),
        "completion_rate": rate(states["closed"], total, states["cancelled"]),
        "states": states,
        "bands": {"red": overdue, "yellow": counts.get(("band", "yellow"), 0), "blue": counts.get(("band", "blue"), 0)},
        "by_kind": {k: _rated(g) for k, g in by_kind.items()},
        "unclassified": _rated(unclassified),
        "by_unit": _finish(by_unit),
        "stale": counts.get(("stale",), 0),
        "stale_days": snap.stale_days,
        "by": by,
        # The ledger's band settings in force at the moment (see `rectify config`).
        "thresholds": {"blue_days": snap.settings["blue_days"],
                       "yellow_horizon_days": snap.settings["yellow_horizon_days"],
                       "yellow_quiet_days": snap.settings["yellow_quiet_days"]},
        # The problems, outcomes and round of the tasks counted.
        "round": snap.round,
        "problems": problem_figures(problem_rows(snap)),
        "outcomes": outcome_totals(outcome_rows(snap)),
    }
    if by in _BY_KEY:
        result[_BY_KEY[by]] = _finish(by_other)
    return result


# -- the weekly report --------------------------------------------------------


def weekly(ledger, monday: date, at: Moment, *, stale_days: int | None = None, limit: int | None = None,
           round: dict | None = None) -> Weekly:
    """The weekly printout for the ISO week starting ``monday``, as at ``at``
    (the JSON contract; see README). ``limit`` keeps the first tasks of each
    list (for a printout); "counts" always says how many there are."""
    from rectify.supervision import pending_at

    sunday = monday + timedelta(days=6)
    snap = Snapshot(ledger, at, stale_days, round)
    p = {"start": monday.isoformat() + "T00:00:00",
         "next_monday": (sunday + timedelta(days=1)).isoformat(),
         "next_sunday": (sunday + timedelta(days=7)).isoformat()}
    created = "created >= :start AND created <= :until"
    touched = ("id IN (SELECT task_id FROM event WHERE field IN ('status', 'closed_at') AND at >= :start"
               f" AND at <= :until UNION SELECT id FROM task WHERE {created})")
    unfinished = f"status IN {ACTIVE_SQL}"
    now: Summary = {**_summary(snap, "unit"), "lookback": lookback_at(ledger, at)}
    closed = "r.status = 'closed' AND r.closed_at >= :start"
    late = f"r.status IN {ACTIVE_SQL} AND r.due < :today"
    sections = {
        "new": (created, "r.created >= :start", "r.created, r.id", ""),
        "closed": (touched, closed, "r.closed_at, r.id", ""),
        "overdue": (f"{unfinished} AND due < :today", late, "r.unit IS NULL, r.unit, r.due, r.id", ""),
        "due_next_week": (f"{unfinished} AND due >= :next_monday AND due <= :next_sunday",
                          f"r.status IN {ACTIVE_SQL} AND r.due >= :next_monday AND r.due <= :next_sunday",
                          "r.due, r.unit IS NULL, r.unit, r.id", ""),
        "stale": (f"kind = '{LONG_TERM}' AND {unfinished}", stale_sql("r"), "r.unit IS NULL, r.unit, r.created, r.id",
                  f", {last_progress_sql('r')} AS x_last_progress"),
        "established": (touched, closed + f" AND r.kind = '{LONG_TERM}'", "r.closed_at, r.id", ""),
    }
    rows, counts = {}, {}
    known = {"overdue": now["overdue"], "stale": now["stale"]}
    for name, (candidates, where, order, extra) in sections.items():
        rows[name], counts[name] = snap.section(candidates, where, order, p, limit, extra=extra,
                                                total=known.get(name))

    def tasks(name: str) -> list[Task]:
        return [task_dict(row, at.day) for row in rows[name]]

    overdue = tasks("overdue")
    for task in overdue:
        due = dates.day_or_none(task["due"])  # a damaged stored date counts 0
        task["days_late"] = (at.day - due).days if due else 0
    stale = [{**task_dict(row, at.day), "last_progress": row["x_last_progress"]} for row in rows["stale"]]
    extended, counts["extended"] = _extensions(ledger, snap, p, limit)
    return {
        "week": week_label(monday),
        "from": monday.isoformat(),
        "to": sunday.isoformat(),
        "as_of": at.day.isoformat(),
        "summary": now,
        "previous": summary(ledger, moment(monday - timedelta(days=1)), stale_days=stale_days, round=round),
        "new": tasks("new"),
        "closed": tasks("closed"),
        "overdue": overdue,
        "overdue_by_unit": sorted(({"unit": unit or None, "overdue": g["overdue"], "open": g["open"]}
                                   for unit, g in now["by_unit"].items() if g["overdue"]),
                                  key=lambda u: (-u["overdue"], u["unit"] is None, u["unit"] or "")),
        "due_next_week": tasks("due_next_week"),
        "extended": extended,
        "stale": stale,
        "established": _with_outcomes(ledger, tasks("established"), at),
        "counts": {"new": counts["new"], "closed": counts["closed"], "overdue": counts["overdue"],
                   "due_next_week": counts["due_next_week"], "stale": counts["stale"],
                   "established": counts["established"], "extended": counts["extended"]},
        "trend": trend(ledger, _trend_cuts(sunday, at)) if round is None else round_trend(ledger, _trend_cuts(sunday, at), round),
        "lookback": lookback_at(ledger, at, round),
        "extension_requests": pending_at(ledger, at.until),
    }


def _extensions(ledger, snap: Snapshot, p: dict, limit: int | None) -> tuple[list[dict], int]:
    """One entry per extension granted in the week: the task as at the moment,
    with "extension": {"at", "from", "to", "reason"}; and how many there are."""
    from rectify.notes import shown

    params = {**snap.params, **p}
    from rectify.undo import not_undone

    granted = f"FROM event WHERE field = 'due' AND action = 'extend' AND at >= :start AND at <= :until AND {not_undone(until='until')}"
    if snap.round is not None:
        granted += f" AND task_id IN (SELECT r.id FROM {snap.source('1')} r)"
    total = ledger.scalar(f"SELECT count(*) {granted}", params)
    events = ledger.query(f"SELECT task_id, at, old, new, note {granted} ORDER BY at, id LIMIT :page_limit",
                          {**params, "page_limit": -1 if limit is None else limit})
    if not events:
        return [], total
    ids = ",".join(str(int(e["task_id"])) for e in events)
    tasks = {t["id"]: t for t in snap.tasks(f"id IN ({ids})", f"r.id IN ({ids})", "r.id", p)}
    return [{**tasks[e["task_id"]], "extension": {"at": e["at"], "from": e["old"], "to": e["new"], "reason": shown(e["note"])}}
            for e in events if e["task_id"] in tasks], total


def _with_outcomes(ledger, tasks: list[Task], at: Moment) -> list[dict[str, Any]]:
    """For rules established: the tasks with the checker's remark on closing
    ("outcome") and the evidence by then ("evidence")."""
    if not tasks:
        return []
    ids = ",".join(str(int(t["id"])) for t in tasks)
    params = {"until": at.until}
    evidence: dict = {}
    for row in ledger.query(f"SELECT task_id, name, note FROM evidence WHERE task_id IN ({ids})"
                            " AND added <= :until ORDER BY id", params):
        evidence.setdefault(row["task_id"], []).append(row["name"] or row["note"])
    remarks = dict(ledger.query(
        f"""SELECT task_id, note FROM (SELECT task_id, note, row_number() OVER
                (PARTITION BY task_id ORDER BY at DESC, id DESC) AS nth
            FROM event WHERE task_id IN ({ids}) AND field = 'status' AND new = 'closed' AND action != 'undo'
                AND at <= :until)
            WHERE nth = 1""", params))
    return [{**task, "evidence": evidence.get(task["id"], []), "outcome": remarks.get(task["id"]) or task["target"]}
            for task in tasks]


def _trend_cuts(sunday: date, at: Moment) -> list[tuple[str, str]]:
    """(week, last second) for the report's week and the seven before, oldest first."""
    cuts = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        end = sunday - timedelta(weeks=back)
        cuts.append((week_label(end), at.until if back == 0 else end.isoformat() + END_OF_DAY))
    return cuts


def trend(ledger, cuts: list[tuple[str, str]]) -> list[TrendPoint]:
    """Unfinished ("open") and closed tasks at each cut, by telescoping the
    state changes after it: in state S at M = in S now − created after M and
    in S now − Σ over later changes ([new in S] − [old in S]), the changes
    counted only for tasks that existed at M."""
    params = {f"c{k}": until for k, (_label, until) in enumerate(cuts)}

    def bucket(column: str) -> str:  # how many cuts lie before the value
        whens = " ".join(f"WHEN {column} > :c{k} THEN {k + 1}" for k in reversed(range(len(cuts))))
        return f"CASE {whens} ELSE 0 END"

    q = ledger.query
    now = dict(q("SELECT status, count(*) FROM task GROUP BY status"))
    newer = q(f"SELECT {bucket('created')}, status, count(*) FROM task WHERE created > :c0 GROUP BY 1, 2", params)
    # INDEXED BY: the partial index over state changes (m003) holds all the
    # event columns wanted; unprompted, SQLite reads each event's row.
    moves = q(f"""SELECT {bucket('e.at')}, {bucket('t.created')}, e.old, e.new, count(*)
                  FROM event e INDEXED BY event_status_at JOIN task t ON t.id = e.task_id
                  WHERE e.field = 'status' AND e.at > :c0 GROUP BY 1, 2, 3, 4""", params)

    def count(k: int, states: set[str]) -> int:  # tasks in one of ``states`` at cut k
        n = sum(c for s, c in now.items() if s in states)
        n -= sum(c for b, s, c in newer if b > k and s in states)
        n -= sum(c * ((new in states) - (old in states)) for b_at, b_created, old, new, c in moves
                 if b_at > k and b_created <= k)
        return n

    return [{"week": label, "open": count(k, set(ACTIVE)), "closed": count(k, {CLOSED})}
            for k, (label, _until) in enumerate(cuts)]


# -- supervision sheets --------------------------------------------------------


def sheets(ledger, unit: str | None = None, round: dict | None = None, within: int | None = None) -> dict:
    """Supervision sheets (督办单), now: per responsible unit, its overdue tasks
    and those due within the blue band's days (or ``within`` days), in the
    colour bands, with leader and owner."""
    at = moment()
    snap = Snapshot(ledger, at, round=round)
    blue_days = snap.settings["blue_days"] if within is None else within
    p = {"unit": unit, "sheet_until": (at.day + timedelta(days=blue_days)).isoformat()}
    only = " AND unit = :unit" if unit is not None else ""
    tasks = snap.tasks(
        f"status IN {ACTIVE_SQL} AND due <= :sheet_until{only}",
        f"r.status IN {ACTIVE_SQL} AND r.due <= :sheet_until" + (" AND r.unit = :unit" if unit is not None else ""),
        "r.unit IS NULL, r.unit, r.due, r.id", p)
    if unit is not None and not tasks:
        from rectify.filters import check

        check(ledger, {"unit": unit})
    by_unit: dict[str | None, list[dict[str, Any]]] = {}
    for task in tasks:
        due = dates.day_or_none(task["due"])
        by_unit.setdefault(task["unit"], []).append({**task, "days_left": (due - at.day).days if due else 0})
    if unit is not None and not by_unit:
        by_unit[unit] = []
    return {
        "as_of": at.day.isoformat(),
        "due_within": blue_days,
        "sheets": [{
            "unit": name,
            "leaders": sorted({t["leader"] for t in items if t["leader"]}),
            "overdue": sum(1 for t in items if t["overdue"]),
            "due_soon": sum(1 for t in items if not t["overdue"]),
            "tasks": items,
        } for name, items in by_unit.items()],
    }


# -- problems, outcomes and rounds -------------------------------------------------
#
# The figures the documents an office hands in are made of (整改情况报告):
# problems rather than tasks, and the outcomes. Like every other figure they
# are the ledger at the snapshot's moment, in the snapshot's round.


def problem_state(tasks: int, closed: int, cancelled: int, moved: int) -> str:
    """A problem's state from its tasks' states: done when every task is
    closed or cancelled and at least one is closed; cancelled when every task
    is cancelled (withdrawn, like a duplicate); in progress when some task has
    moved from open; otherwise (no task yet, or none begun) not started."""
    if tasks and closed + cancelled == tasks:
        return "done" if closed else "cancelled"
    return "in_progress" if moved else "not_started"


def _problem_group() -> dict[str, int]:
    return {"total": 0, **dict.fromkeys(PROBLEM_STATES, 0)}


def _problem_rate(group: dict[str, int]) -> ProblemGroup:
    """A count per problem state (``_problem_group``) as the contract has it, with the rate."""
    return {"total": group["total"], "done": group["done"], "in_progress": group["in_progress"],
            "not_started": group["not_started"], "cancelled": group["cancelled"],
            "completion_rate": rate(group["done"], group["total"], group["cancelled"])}


def problem_rows(snap: Snapshot) -> list[dict]:
    """Every problem of the round as it stood: id, code, description,
    category, round_id, state and its task counts. A problem with no task
    by then counts as not started, in the round it is in now."""
    p = snap.params
    rows = snap.ledger.query(
        f"""SELECT r.problem_id AS id, count(*) AS tasks, sum(r.status = 'closed') AS closed,
                   sum(r.status = 'cancelled') AS cancelled, sum(r.status != 'open') AS moved,
                   min(r.category) AS task_category, max(r.round_id) AS round_id
            FROM {snap.source("problem_id IS NOT NULL")} r WHERE r.problem_id IS NOT NULL
            GROUP BY r.problem_id""", p)
    counts = {row["id"]: dict(row) for row in rows}
    alone = "" if snap.round is None else f" AND p.round_id = {int(snap.round['id'])}"
    for (pid, round_id) in snap.ledger.query(
            f"""SELECT p.id, p.round_id FROM problem p WHERE p.created <= :until{alone}
                AND NOT EXISTS (SELECT 1 FROM task t WHERE t.problem_id = p.id AND t.created <= :until)""", p):
        counts.setdefault(pid, {"id": pid, "tasks": 0, "closed": 0, "cancelled": 0, "moved": 0,
                                "task_category": None, "round_id": round_id})
    if not counts:
        return []
    info = {row["id"]: row for row in snap.ledger.query(
        f"SELECT id, code, description, category FROM problem WHERE id IN ({','.join(str(int(i)) for i in counts)})")}
    out = []
    for pid in sorted(counts):
        c = counts[pid]
        if pid not in info:  # a task's problem id from another ledger's history: no problem here
            continue
        out.append({"id": pid, "code": info[pid]["code"], "description": info[pid]["description"],
                    "category": info[pid]["category"] or c["task_category"], "round_id": c["round_id"],
                    "state": problem_state(c["tasks"], c["closed"] or 0, c["cancelled"] or 0, c["moved"] or 0),
                    "tasks": c["tasks"], "closed": c["closed"] or 0, "cancelled": c["cancelled"] or 0})
    return out


def problem_figures(rows: list[dict]) -> ProblemFigures:
    """Problems by state, overall and by category, with the completion rate
    (done / (all − cancelled)), from ``problem_rows``."""
    whole = _problem_group()
    by_category: dict[str | None, dict[str, int]] = {}
    for row in rows:
        for group in (whole, by_category.setdefault(row["category"], _problem_group())):
            group["total"] += 1
            group[row["state"]] += 1
    return {**_problem_rate(whole),
            "by_category": {("" if k is None else k): _problem_rate(g)
                            for k, g in sorted(by_category.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))}}


def _outcome_group() -> dict:
    return {"entries": 0, "rules": 0, "people": 0, "other": 0,
            "money_fen": {"recovered": 0, "returned": 0, "saved": 0, "total": 0}}


def outcome_rows(snap: Snapshot, task_ids: str | None = None) -> list[dict]:
    """The outcomes recorded by the moment (and not withdrawn by then) on
    tasks of the round, each with the task's unit and category as they stood
    (``x_unit``, ``x_category``), in the order recorded."""
    from rectify.rounds import OUTCOME_COLUMNS, outcome_dict

    only = f" AND o.task_id IN ({task_ids})" if task_ids is not None else ""
    rows = snap.ledger.query(
        f"""SELECT {OUTCOME_COLUMNS}, r.unit AS x_unit, r.category AS x_category
            FROM outcome o JOIN {snap.source("id IN (SELECT task_id FROM outcome)")} r ON r.id = o.task_id
            WHERE o.at <= :until AND (o.withdrawn IS NULL OR o.withdrawn > :until){only}
            ORDER BY o.at, o.id""", snap.params)
    return [{**outcome_dict(row), "unit": row["x_unit"], "category": row["x_category"]} for row in rows]


def outcome_totals(rows: list[dict]) -> dict:
    """Outcomes totalled: rules established or revised, money by type (fen,
    exact), people held to account, other results; overall, by category and by unit."""
    whole = _outcome_group()
    by_category: dict = {}
    by_unit: dict = {}
    for o in rows:
        for group in (whole, by_category.setdefault(o["category"], _outcome_group()),
                      by_unit.setdefault(o["unit"], _outcome_group())):
            group["entries"] += 1
            if o["type"] == "rule":
                group["rules"] += 1
            elif o["type"] == "money":
                group["money_fen"][o["money_type"]] += o["fen"]
                group["money_fen"]["total"] += o["fen"]
            elif o["type"] == "people":
                group["people"] += o["people"]
            else:
                group["other"] += 1

    def keyed(groups: dict) -> dict:
        return {("" if k is None else k): g for k, g in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))}

    return {**whole, "by_category": keyed(by_category), "by_unit": keyed(by_unit)}


def round_trend(ledger, cuts: list[tuple[str, str]], round: dict) -> list[TrendPoint]:
    """``trend`` for one round: the round's tasks at each cut, rebuilt (a task
    may have moved between rounds, which the telescoping cannot see)."""
    out: list[TrendPoint] = []
    for label, until in cuts:
        day = date.fromisoformat(until[:10])
        counts = Snapshot(ledger, Moment(day, until), round=round).tally("unit")
        cells = [(key[3], n) for key, n in counts.items() if key[0] == "cell"]
        out.append({"week": label, "open": sum(n for s, n in cells if s in ACTIVE),
                    "closed": sum(n for s, n in cells if s == "closed")})
    return out


def outcomes(ledger, at: Moment, round: dict | None = None) -> dict:
    """``rectify outcomes``: each entry recorded by the moment, and the totals."""
    snap = Snapshot(ledger, at, round=round)
    rows = outcome_rows(snap)
    return {"as_of": at.day.isoformat(), "round": round, "outcomes": rows, "totals": outcome_totals(rows)}


def report(ledger, at: Moment, round: dict | None = None, *, interim: bool = False) -> dict:
    """The content of ``rectify report`` as plain data: the figures of
    ``summary`` for the same round and moment, and, per category, each
    problem with its tasks as they stood, their progress notes, closing
    remarks and outcomes by then; and the tasks still open."""
    from rectify.undo import not_undone

    snap = Snapshot(ledger, at, round=round)
    figures = _summary(snap, "category")
    problems = problem_rows(snap)
    tasks = snap.tasks("1", "1", "r.problem_id IS NULL, r.problem_id, r.id")
    ids = ",".join(str(int(t["id"])) for t in tasks) or "NULL"
    notes: dict = {}
    remarks: dict = {}
    for row in ledger.query(
            f"""SELECT task_id, at, action, field, new, note FROM event WHERE task_id IN ({ids}) AND at <= :until
                AND ((action = 'progress' AND field = 'progress' AND note IS NOT NULL AND {not_undone(until='until')})
                     OR (field = 'status' AND new = 'closed' AND action != 'undo'))
                ORDER BY at, id""", snap.params):
        if row["field"] == "progress":
            notes.setdefault(row["task_id"], []).append({"at": row["at"], "note": row["note"]})
        elif row["note"]:
            remarks[row["task_id"]] = row["note"]
    found: dict = {}
    for o in outcome_rows(snap):
        found.setdefault(o["task_id"], []).append(o)
    by_problem: dict = {}
    loose = []
    told = [{**t, "progress_notes": notes.get(t["id"], []),
             "closing_remark": remarks.get(t["id"]) if t["status"] == "closed" else None,
             "outcomes": found.get(t["id"], [])} for t in tasks]
    for task in told:
        if task["problem"] is None:
            loose.append(task)
        else:
            by_problem.setdefault(task["problem"]["id"], []).append(task)
    categories: dict = {}
    for p in problems:
        categories.setdefault(p["category"], []).append({**p, "tasks": by_problem.get(p["id"], [])})
    order = sorted(categories, key=lambda c: min(p["id"] for p in categories[c]))  # in the order first recorded
    unfinished = [t for t in told if t["status"] in ACTIVE]
    unfinished.sort(key=lambda t: (t["due"] is None, t["due"] or "", t["id"]))
    return {
        "kind": "interim" if interim else "final",
        "as_of": at.day.isoformat(),
        "round": round,
        "summary": figures,
        "lookback": lookback_at(ledger, at, round),
        "categories": [{"name": c, "problems": categories[c]} for c in order],
        "other_tasks": loose,
        "open_tasks": unfinished,
    }
