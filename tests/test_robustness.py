"""The ledger under faults: writers racing each other, an import killed with
SIGKILL part-way, files that are not ours. Real processes against a real
ledger file, since the process boundary is the point."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import dump, run_process

# One process running many command lines, as a person's shell loop would:
# each one opens the ledger, writes in its own transaction and closes it.
DRIVER = """
import json, sys
from rectify.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    try:
        main(argv)
        code = 0
    except SystemExit as e:
        code = e.code or 0
    results.append(code)
print(json.dumps(results))
"""


def driver(lines: list[list[str]]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", DRIVER, json.dumps(lines)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def query(db: Path, sql: str) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- parallel writers -------------------------------------------------------------

WRITERS, ADDS = 4, 25


def test_parallel_writers_lose_nothing(db):
    """Four processes add at once to a ledger none of them has created yet,
    while a fifth reads it (list, summary) all along."""
    writers = [driver([["--db", str(db), "add", f"writer {w} task {i}", "--unit", f"unit {w}", "--due", f"+{i}d"]
                       for i in range(ADDS)]) for w in range(WRITERS)]
    reader = driver([["--db", str(db), *args] for _ in range(10)
                     for args in (["list", "--json", "--all"], ["summary", "--json"], ["list", "--overdue"])])
    for p in [*writers, reader]:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "error" not in err, err
        assert json.loads(out.splitlines()[-1]) == [0] * (ADDS if p in writers else 30), err

    assert integrity(db) == "ok"
    tasks = query(db, "SELECT id, uid, title, unit FROM task")
    assert len(tasks) == WRITERS * ADDS
    assert len({t[0] for t in tasks}) == len({t[1] for t in tasks}) == WRITERS * ADDS
    assert sorted(t[2] for t in tasks) == sorted(f"writer {w} task {i}" for w in range(WRITERS) for i in range(ADDS))
    assert all(t[3] == "unit " + t[2].split()[1] for t in tasks)
    adds = Counter(r[0] for r in query(db, "SELECT task_id FROM event WHERE action = 'add'"))
    assert adds == {t[0]: 1 for t in tasks}
    assert not query(db, "SELECT id FROM event WHERE task_id NOT IN (SELECT id FROM task)")
    assert integrity(db) == "ok" and dump(db)


def test_parallel_progress_notes_on_one_task_are_all_kept(cli, db):
    """Writers racing on the same row: every note lands, in the history too."""
    task = cli.add("shared")
    procs = [driver([["--db", str(db), "progress", str(task), f"note {w}/{i}"] for i in range(10)])
             for w in range(WRITERS)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert json.loads(out) == [0] * 10, err
    notes = [e["note"] for e in cli.json("history", task) if e["action"] == "progress"]
    assert sorted(notes) == sorted(f"note {w}/{i}" for w in range(WRITERS) for i in range(10))
    assert integrity(db) == "ok"
