"""An import of more rows than one insert statement takes (store.insert_many:
ROWS_PER_INSERT rows a statement) writes every row, in the sheet's order,
with its problem and events, as row-by-row inserts would."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from rectify.store import ROWS_PER_INSERT

ROWS = 2 * ROWS_PER_INSERT + 234  # two full statements and a shorter one
UNITS = ["财务处", "审计处", "办公室"]


def _sheet(path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["序号", "具体问题", "整改措施", "责任单位", "整改时限", "整改进展"])
        for i in range(ROWS):
            out.writerow([i // 2 + 1, f"问题{i // 2 + 1}", f"措施{i + 1}", UNITS[i % 3], f"2027-{i % 12 + 1:02d}-15",
                          f"进展{i + 1}" if i % 3 == 0 else ""])


def test_more_rows_than_one_statement_arrive_whole_and_in_order(cli, db, tmp_path):
    sheet = tmp_path / "many.csv"
    _sheet(sheet)
    cli.ok("import", str(sheet))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tasks = conn.execute("SELECT t.id, t.title, t.unit, t.due, t.status, p.description "
                         "FROM task t JOIN problem p ON p.id = t.problem_id ORDER BY t.id").fetchall()
    assert tasks == [(i + 1, f"措施{i + 1}", UNITS[i % 3], f"2027-{i % 12 + 1:02d}-15",
                      "in_progress" if i % 3 == 0 else "open", f"问题{i // 2 + 1}")
                     for i in range(ROWS)]
    assert conn.execute("SELECT id, description FROM problem ORDER BY id").fetchall() == [
        (n, f"问题{n}") for n in range(1, (ROWS + 1) // 2 + 1)]
    # Each task's add event, then its progress note, in the sheet's order, one command.
    events = conn.execute("SELECT task_id, action, note FROM event ORDER BY id").fetchall()
    expected = []
    for i in range(ROWS):
        expected.append((i + 1, "add"))
        if i % 3 == 0:
            expected.append((i + 1, "progress"))
    assert [(t, a) for t, a, _n in events] == expected
    assert [n for _t, a, n in events if a == "progress"] == [f"进展{i + 1}" for i in range(0, ROWS, 3)]
    assert conn.execute("SELECT count(DISTINCT command) FROM event").fetchone() == (1,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
