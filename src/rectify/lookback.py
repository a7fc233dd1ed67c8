"""The look-back (回头看): re-checks of closed tasks, samples drawn for an
on-site check (销号反向核查), and the figures of both.

A closed task carries ``recheck_due``, set when it was closed (``ledger``,
``change_status``). A re-check records whether the fix held or the problem
came back (反弹): a relapse opens a new task linked to the original
(``relapse_of``), under the same problem, whose closing stays true in its
history. A sample picks closed tasks at random, stratified by unit and kind
so that every unit is seen, reproducibly from its seed, and records what it
picked with the unit, kind and category each task had then; the figures of a
past day are therefore the same whatever happened since.
"""

from __future__ import annotations

import json
import math
import random
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from rectify import dates
from rectify.errors import InputError, NotFoundError, RuleError
from rectify.i18n import _
from rectify.evidence import evidence_sources, place_evidence, staged_evidence
from rectify.ledger import (
    _current, actor, clean_text, get_task, insert_task, inserted_id,
    record_evidence, refuse_own_check, apply_changes,
)
from rectify.model import status_label
from rectify.store import Ledger

if TYPE_CHECKING:
    from rectify.contracts import LookbackOfTask, RecheckDue, SampledTask

RESULTS = ("held", "relapsed")


# -- re-checks ---------------------------------------------------------------------


def due_rechecks(ledger: Ledger, within_days: int = 0) -> list[RecheckDue]:
    """Closed tasks whose re-check falls on or before today (+ ``within_days``), soonest first."""
    today = dates.today()
    until = (today + timedelta(days=within_days)).isoformat()
    rows = ledger.query("SELECT id FROM task WHERE status = 'closed' AND recheck_due IS NOT NULL"
                        " AND recheck_due <= ? ORDER BY recheck_due, id", (until,))
    out: list[RecheckDue] = []
    for (task_id,) in rows:
        task = get_task(ledger, task_id, today=today)
        due = task["recheck_due"]
        out.append({**task, "recheck_overdue": due is not None and due < today.isoformat()})
    return out


def record_recheck(ledger: Ledger, task_id: int, result: str, checker: str, note: str,
                   files: list[str] | None = None, *, due: str | None = None) -> dict:
    """Record a re-check of a closed task: ``held`` or ``relapsed``, by a
    checker who is not the person responsible, with a note and any evidence.
    A relapse opens a new task (due ``due``, if given) linked to the original.
    Everything is one transaction; returns the recheck as JSON."""
    if result not in RESULTS:
        raise InputError(_("Give --held or --relapsed."))
    checker = clean_text(checker, "checker", required=True)
    note = clean_text(note, "note", required=True)
    due = dates.parse_date(due).isoformat() if due else None
    sources = evidence_sources(files or [])
    _current(ledger, task_id)
    with staged_evidence(ledger, task_id, sources) as staged:
        with ledger.transaction():
            old = _current(ledger, task_id)
            if old["status"] != "closed":
                raise RuleError(_("Task {id} is {status}: only a closed task is checked again.").format(
                    id=task_id, status=status_label(old["status"])))
            refuse_own_check(checker, old["owner"],
                             _("The checker must not be the person responsible ({owner}): another person checks again."))
            now = ledger.timestamp()
            if staged:
                record_evidence(ledger, task_id, staged, note, who=checker)
            relapse_id = None
            if result == "relapsed":
                fields = {k: old[k] for k in ("title", "target", "kind", "unit", "leader", "owner", "helpers", "category")}
                fields["due"] = due
                fields["note"] = _("Relapse of task {id}: {note}").format(id=task_id, note=note)
                fields["relapse_of"] = task_id
                relapse_id = insert_task(ledger, fields, problem_id=old["problem_id"], who=checker, round_id=old.get("round_id"))
                ledger.record(relapse_id, "relapse", field="relapse_of", old=None, new=task_id, note=note,
                              actor=checker, at=now)
            cur = ledger.conn.execute(
                "INSERT INTO recheck (task_id, at, result, checker, note, relapse_task_id) VALUES (?,?,?,?,?,?)",
                (task_id, now, result, checker, note, relapse_id))
            ledger.record(task_id, "recheck", new=result, note=note, actor=checker, at=now)
            apply_changes(ledger, task_id, old, {"recheck_due": None}, "recheck", note=note, who=checker)
            recheck_id = inserted_id(cur)
        place_evidence(staged)
    return get_recheck(ledger, recheck_id)


def get_recheck(ledger: Ledger, recheck_id: int) -> dict:
    row = ledger.conn.execute("SELECT * FROM recheck WHERE id = ?", (recheck_id,)).fetchone()
    return dict(row)


def links(ledger: Ledger, task_id: int) -> LookbackOfTask:
    """The look-back of one task for ``show``: its re-checks, the tasks its
    relapses opened, and the task it is a relapse of."""
    rechecks = [dict(r) for r in ledger.query(
        "SELECT id, at, result, checker, note, relapse_task_id FROM recheck WHERE task_id = ? ORDER BY id", (task_id,))]
    return {"rechecks": rechecks,
            "relapses": [r["relapse_task_id"] for r in rechecks if r["relapse_task_id"]],
            "samples": [r[0] for r in ledger.query(
                "SELECT sample_id FROM sample_task WHERE task_id = ? ORDER BY sample_id", (task_id,))]}


# -- samples -------------------------------------------------------------------------


def parse_rate(text: str) -> float:
    """``20%``, ``20``, ``0.2`` -> 0.2."""
    raw = text.strip().replace("％", "%")
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise InputError(_("--rate takes a share (20%, 0.2), not {value!r}.").format(value=text)) from None
    if not raw.endswith("%") and value > 1:
        value /= 100
    if not 0 < value <= 1:
        raise InputError(_("--rate must be more than 0% and at most 100%, not {value!r}.").format(value=text))
    return value


def population(ledger: Ledger, scope: dict) -> list[dict]:
    """Closed tasks in ``scope`` (round id, unit, category, kind, from, to:
    closing dates), in id order: what a sample draws from."""
    where, params = ["status = 'closed'"], {}
    if scope.get("round"):
        where.append("round_id = :round")
        params["round"] = int(scope["round"])
    for name in ("unit", "category"):
        if scope.get(name):
            where.append(f"{name} = :{name}")
            params[name] = scope[name]
    if scope.get("kind"):
        where.append("kind IS NULL" if scope["kind"] == "none" else "kind = :kind")
        params["kind"] = scope["kind"]
    if scope.get("from"):
        where.append("closed_at >= :start")
        params["start"] = scope["from"]
    if scope.get("to"):
        where.append("closed_at <= :end")
        params["end"] = scope["to"] + "T23:59:59"
    return [dict(r) for r in ledger.query(
        f"SELECT id, unit, kind, category FROM task WHERE {' AND '.join(where)} ORDER BY id", params)]


def allocate(strata: dict[tuple, int], total: int) -> dict[tuple, int]:
    """How many to draw from each stratum (unit, kind): first one from every
    unit (from its largest stratum), then the rest of ``total`` in proportion
    to what each stratum has left, by largest remainders. The sample holds
    ``total`` tasks, or one per unit when there are more units."""
    counts = dict.fromkeys(strata, 0)
    for unit in sorted({k[0] for k in strata}, key=lambda u: (u is None, u or "")):
        keys = [k for k in strata if k[0] == unit]
        counts[max(keys, key=lambda k: (strata[k], [-x for x in _rank(k)]))] += 1
    rest = min(total, sum(strata.values())) - sum(counts.values())
    if rest > 0:
        room = {k: strata[k] - counts[k] for k in strata}
        size = sum(room.values())
        exact = {k: rest * room[k] / size for k in strata}
        share = {k: math.floor(x) for k, x in exact.items()}
        left = rest - sum(share.values())
        for key in sorted(strata, key=lambda k: (-(exact[k] - share[k]), _order(k)))[:left]:
            share[key] += 1
        counts = {k: counts[k] + share[k] for k in strata}
    return counts


def _rank(key: tuple) -> list[int]:
    """A stable number per stratum for breaking ties (kinds: immediate first)."""
    return [0 if key[1] == "immediate" else 1 if key[1] == "long_term" else 2]


def _order(key: tuple) -> tuple:
    return tuple((v is None, v or "") for v in key)


def draw(tasks: list[dict], total: int, seed: str) -> list[dict]:
    """The sample: per stratum, a random choice seeded by the seed and the
    stratum, so the same seed and the same ledger give the same sample."""
    strata: dict[tuple, list[dict]] = {}
    for task in tasks:
        strata.setdefault((task["unit"], task["kind"]), []).append(task)
    counts = allocate({key: len(items) for key, items in strata.items()}, total)
    picked = []
    for key in sorted(strata, key=_order):
        chooser = random.Random(f"{seed}|{key[0] or ''}|{key[1] or ''}")
        picked += chooser.sample(strata[key], counts[key])
    return sorted(picked, key=lambda t: t["id"])


def take_sample(ledger: Ledger, scope: dict, *, rate: float | None = None, n: int | None = None,
                seed: str | None = None, note: str | None = None) -> dict:
    """Draw and record a sample of closed tasks; returns it as ``lookback list --json`` shows one."""
    if (rate is None) == (n is None):
        raise InputError(_("Give --rate or --n (how many to sample), one of them."))
    if n is not None and n < 1:
        raise InputError(_("--n must be 1 or more."))
    note = clean_text(note, "note")
    seed = clean_text(seed, "seed") or str(secrets.randbelow(10**8))
    with ledger.transaction():
        tasks = population(ledger, scope)
        if not tasks:
            raise RuleError(_("No closed task is in the scope given: nothing to sample."))
        if rate is not None:
            wanted = max(1, math.ceil(rate * len(tasks)))
        else:
            assert n is not None  # one of the two, checked above
            wanted = min(n, len(tasks))
        picked = draw(tasks, wanted, seed)
        now = ledger.timestamp()
        who = actor(ledger)
        cur = ledger.conn.execute(
            "INSERT INTO sample (at, seed, rate, requested, scope, population, note, actor) VALUES (?,?,?,?,?,?,?,?)",
            (now, seed, rate, n, json.dumps(scope, ensure_ascii=False, sort_keys=True), len(tasks), note, who))
        sample_id = inserted_id(cur)
        ledger.conn.executemany(
            "INSERT INTO sample_task (sample_id, task_id, unit, kind, category) VALUES (?,?,?,?,?)",
            [(sample_id, t["id"], t["unit"], t["kind"], t["category"]) for t in picked])
        for t in picked:
            ledger.record(t["id"], "sample", new=sample_id, actor=who, at=now)
        ledger.record_ledger("sample", subject=str(sample_id), new=len(picked), note=f"seed {seed}", actor=who, at=now)
    result = get_sample(ledger, sample_id)
    result["wanted"] = wanted
    return result


def _sample_row(ledger: Ledger, row, until: str | None = None) -> dict:
    figures = _sample_results(ledger, f"st.sample_id = {int(row['id'])}", until or "9999")
    return {"id": row["id"], "at": row["at"], "seed": row["seed"], "rate": row["rate"], "n": row["requested"],
            "scope": json.loads(row["scope"]), "population": row["population"], "note": row["note"],
            "actor": row["actor"], **figures["all"]}


def get_sample(ledger: Ledger, sample_id: int, *, tasks: bool = False) -> dict:
    row = ledger.conn.execute("SELECT * FROM sample WHERE id = ?", (sample_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("No sample with id {id}. See `rectify lookback list`.").format(id=sample_id))
    sample = _sample_row(ledger, row)
    if tasks:
        sampled: list[SampledTask] = []
        for r in ledger.query("""SELECT st.task_id, (SELECT json_object('at', c.at, 'result', c.result, 'checker', c.checker,
                                        'note', c.note, 'relapse_task_id', c.relapse_task_id)
                                    FROM recheck c WHERE c.task_id = st.task_id AND c.at >= s.at ORDER BY c.at, c.id LIMIT 1)
                                 FROM sample_task st JOIN sample s ON s.id = st.sample_id
                                 WHERE st.sample_id = ? ORDER BY st.unit IS NULL, st.unit, st.kind, st.task_id""",
                              (sample_id,)):
            sampled.append({**get_task(ledger, r[0]),
                            "evidence_count": ledger.scalar("SELECT count(*) FROM evidence WHERE task_id = ?", (r[0],)),
                            "recheck": json.loads(r[1]) if r[1] else None})
        sample["tasks"] = sampled
    return sample


def list_samples(ledger: Ledger) -> list[dict]:
    return [_sample_row(ledger, r) for r in ledger.query("SELECT * FROM sample ORDER BY id")]


# -- figures -------------------------------------------------------------------------


def _sample_results(ledger: Ledger, where: str, until: str) -> dict:
    """Per sampled task (in samples drawn by ``until``): its first re-check
    after it was drawn, by ``until``. Counted overall and by unit and category."""
    rows = ledger.query(
        f"""SELECT st.unit, st.category,
                   (SELECT c.result FROM recheck c WHERE c.task_id = st.task_id AND c.at >= s.at AND c.at <= :until
                    ORDER BY c.at, c.id LIMIT 1) AS result
            FROM sample_task st JOIN sample s ON s.id = st.sample_id
            WHERE s.at <= :until AND {where}""", {"until": until})
    out: dict = {"all": _figure(), "by_unit": {}, "by_category": {}}
    for unit, category, result in rows:
        for group in (out["all"], out["by_unit"].setdefault(unit or "", _figure()),
                      out["by_category"].setdefault(category or "", _figure())):
            group["sampled"] += 1
            if result:
                group["checked"] += 1
                group[result] += 1
    return out


def _figure() -> dict:
    return {"sampled": 0, "checked": 0, "held": 0, "relapsed": 0}


def figures(ledger: Ledger, until: str, round_id: int | None = None) -> dict:
    """The look-back as it stood at ``until`` (the "lookback" of summary,
    weekly and the report): samples drawn, tasks sampled, checked, held and
    relapsed, by unit and category; and every re-check recorded, sampled or
    not. With ``round_id``, only the tasks of that round count."""
    in_round = "1" if round_id is None else f"task_id IN (SELECT id FROM task WHERE round_id = {int(round_id)})"
    results = _sample_results(ledger, in_round.replace("task_id", "st.task_id", 1), until)
    rechecks = {result: n for result, n in ledger.query(
        f"SELECT result, count(*) FROM recheck WHERE at <= ? AND {in_round} GROUP BY result", (until,))}
    return {
        "samples": ledger.scalar("SELECT count(*) FROM sample WHERE at <= ?", (until,)) if round_id is None else
        ledger.scalar("SELECT count(DISTINCT st.sample_id) FROM sample_task st JOIN sample s ON s.id = st.sample_id "
                      f"WHERE s.at <= ? AND {in_round.replace('task_id', 'st.task_id', 1)}", (until,)),
        **results["all"],
        "by_unit": dict(sorted(results["by_unit"].items())),
        "by_category": dict(sorted(results["by_category"].items())),
        "rechecks": {"held": rechecks.get("held", 0), "relapsed": rechecks.get("relapsed", 0)},
    }
