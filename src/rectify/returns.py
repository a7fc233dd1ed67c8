"""The return register: which units sent their sheet back, and which not.

Every import into a ledger records the file it read (``record``: unit,
time, file name, sha256, the export stamp, what it changed) in
``returned_sheet`` (migrations.m007_returns), in the import's transaction.
``period`` lists for a period the units that returned a sheet and the units
with unfinished tasks that did not.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from rectify import dates
from rectify.store import Ledger
from rectify.vocabulary import ACTIVE_SQL

DEFAULT_DAYS = 7  # the period `rectify returns` covers without --since: the office's week


def sheet_unit(source, plan) -> str | None:
    """The unit a returned sheet is from: its export stamp's, else the one
    unit all its rows (or the tasks they update) name."""
    stamped = (source.stamp or {}).get("unit")
    if stamped:
        return stamped
    units = {rec.values.get("unit") for rec in source.records if rec.values.get("unit")}
    units |= {old["unit"] for _rec, old, _changes in plan.updates if old["unit"]}
    return units.pop() if len(units) == 1 else None


def record(ledger: Ledger, source, plan, who: str | None) -> int:
    """Record an imported sheet in the register; its id. Inside the import's transaction."""
    stamp = source.stamp or {}
    cur = ledger.conn.execute(
        "INSERT INTO returned_sheet (at, unit, file, sha256, exported_at, added, updated, unchanged, changes, actor)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (ledger.timestamp(), sheet_unit(source, plan), source.name, source.sha256, stamp.get("exported_at"),
         len(plan.adds), len(plan.updates), len(plan.unchanged),
         json.dumps(plan.findings, ensure_ascii=False, default=str), who))
    return int(cur.lastrowid or 0)


def period(ledger: Ledger, since: date | None = None) -> dict:
    """The sheets returned since ``since`` (default: a week before today),
    and the units with unfinished tasks that returned none."""
    since = since or dates.today() - timedelta(days=DEFAULT_DAYS)
    start = since.isoformat()
    returned = []
    for row in ledger.query("SELECT id, at, unit, file, sha256, exported_at, added, updated, unchanged, changes, actor"
                            " FROM returned_sheet WHERE at >= ? ORDER BY at, id", (start,)):
        item = dict(row)
        findings = json.loads(item.pop("changes") or "[]")
        item["claims"] = sum(f["what"] == "claim" for f in findings)
        item["conflicts"] = sum(f["what"] == "conflict" for f in findings)
        item["refused"] = sum(f["what"] == "refused" for f in findings)
        returned.append(item)
    units = [r["unit"] for r in ledger.query(
        f"SELECT DISTINCT unit FROM task WHERE unit IS NOT NULL AND status IN {ACTIVE_SQL}"
        " ORDER BY unit")]
    done = {r["unit"] for r in returned}
    return {"since": start, "returned": returned, "missing": [u for u in units if u not in done]}


def changes(ledger: Ledger, sheet_id: int) -> list[dict]:
    """What one recorded import changed (its findings)."""
    text = ledger.scalar("SELECT changes FROM returned_sheet WHERE id = ?", (sheet_id,))
    return json.loads(text or "[]")
