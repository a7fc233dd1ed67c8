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


# -- an import killed part-way ------------------------------------------------------

IMPORTED = 6000


@pytest.fixture(scope="module")
def big_import(tmp_path_factory) -> Path:
    """A JSON file of tasks that takes about a second to import."""
    path = tmp_path_factory.mktemp("import") / "tasks.json"
    path.write_text(json.dumps([{"title": f"Imported measure {i}", "unit": f"Unit {i % 20}", "owner": f"Owner {i % 50}",
                                 "kind": ["immediate", "long_term"][i % 2], "due": f"2027-{i % 12 + 1:02d}-15",
                                 "problem": {"description": f"Finding {i // 3}"}} for i in range(IMPORTED)]))
    return path


def counts(db: Path) -> tuple[int, int, int]:
    return tuple(query(db, f"SELECT count(*) FROM {table}")[0][0] for table in ("task", "event", "problem"))


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(str(db) + "-wal")
    except OSError:
        return -1


def import_killed(db: Path, source: Path, when) -> bool:
    """Start `rectify import`, SIGKILL it once ``when(seconds, wal bytes)`` is
    true; True if it was killed before it finished."""
    proc = subprocess.Popen([sys.executable, "-m", "rectify", "--db", str(db), "import", str(source)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    start = time.monotonic()
    while proc.poll() is None:
        if when(time.monotonic() - start, wal_size(db)):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return proc.returncode == -signal.SIGKILL
        time.sleep(0.001)
    return False


# Kill points: while Python starts, once the ledger is open (the -wal file is
# there) and the file is being read, and twice while the commit writes the
# WAL: the import's pages stay in SQLite's cache until COMMIT, so the -wal
# file grows only at the very end.
def after_open(seconds: float):
    opened = []

    def when(t, wal):
        if wal >= 0 and not opened:
            opened.append(t)
        return bool(opened) and t - opened[0] > seconds

    return when


KILL_POINTS = {
    "at-start": lambda: lambda t, wal: t > 0.03,
    "ledger-open": lambda: lambda t, wal: wal >= 0,
    "mid-way": lambda: after_open(0.25),
    "commit-begun": lambda: lambda t, wal: wal > 100_000,
    "commit-late": lambda: lambda t, wal: wal > 2_000_000,
}


def test_an_import_killed_at_any_point_is_whole_or_absent(cli, db, big_import, tmp_path):
    cli.add("before the import", "--unit", "Finance")
    seed = tmp_path / "seed.db"
    seed.write_bytes(db.read_bytes())
    before = counts(seed)
    assert not import_killed(db, big_import, lambda t, wal: False)
    whole = counts(db)
    assert whole[0] == before[0] + IMPORTED and whole[1] > before[1] and whole[2] > before[2]

    outcomes = {}
    for name, when in KILL_POINTS.items():
        target = tmp_path / f"{name}.db"
        target.write_bytes(seed.read_bytes())
        killed = import_killed(target, big_import, when())
        assert integrity(target) == "ok", name
        outcomes[name] = counts(target)
        assert outcomes[name] in (before, whole), (name, killed, outcomes[name])
        if name in ("at-start", "ledger-open"):
            assert killed and outcomes[name] == before, name
        print(name, "killed" if killed else "finished", "whole" if outcomes[name] == whole else "absent")
    # Whatever the kill left, importing again completes the import.
    for name in ("mid-way", "commit-late"):
        res = run_process("--db", str(tmp_path / f"{name}.db"), "import", str(big_import))
        assert res.returncode == 0, res.stderr
        assert counts(tmp_path / f"{name}.db") == whole, name
        assert integrity(tmp_path / f"{name}.db") == "ok"
