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

from conftest import run_process

# One process running many command lines, as a person's shell loop would:
# each one opens the ledger, writes in its own transaction and closes it.
DRIVER = """
import json, sys
from rectify.cli.app import main
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
    assert query(db, "SELECT count(*) FROM event") == [(WRITERS * ADDS,)]
    assert not [p.name for p in db.parent.iterdir() if p.name.endswith(".new")]  # no half-made ledgers left


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


def import_killed(db: Path, source: Path, when, probe=wal_size) -> bool:
    """Start `rectify import`, SIGKILL it once ``when(seconds, probe(db))`` is
    true (by default the size of the -wal file); True if it was killed before
    it finished."""
    proc = subprocess.Popen([sys.executable, "-m", "rectify", "--db", str(db), "import", str(source)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    start = time.monotonic()
    while proc.poll() is None:
        if when(time.monotonic() - start, probe(db)):
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
    "mid-way": None,  # set from the length of the whole import: see the test
    "commit-begun": lambda: lambda t, wal: wal > 100_000,
    "commit-late": lambda: lambda t, wal: wal > 2_000_000,
}


def test_an_import_killed_at_any_point_is_whole_or_absent(cli, db, big_import, tmp_path):
    cli.add("before the import", "--unit", "Finance")
    seed = tmp_path / "seed.db"
    seed.write_bytes(db.read_bytes())
    before = counts(seed)
    opened = []
    start = time.monotonic()
    assert not import_killed(db, big_import, lambda t, wal: wal >= 0 and not opened and opened.append(t))
    span = time.monotonic() - start
    whole = counts(db)
    # Half way between opening the ledger and the end: reading or inserting, whatever the machine's speed.
    mid_way = (opened[0] + span) / 2 if opened else span / 2
    assert whole[0] == before[0] + IMPORTED and whole[1] > before[1] and whole[2] > before[2]

    outcomes = {}
    for name, when in KILL_POINTS.items():
        target = tmp_path / f"{name}.db"
        target.write_bytes(seed.read_bytes())
        killed = import_killed(target, big_import, (lambda t, wal: t > mid_way) if when is None else when())
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


# -- a bulk load into a new ledger, with SQLite's rollback journal ---------------------

BULK = 20_000  # importer.BULK_ROWS: from here on, a load into an empty ledger uses the rollback journal


@pytest.fixture(scope="module")
def bulk_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "bulk.json"
    path.write_text(json.dumps([{"title": f"Bulk measure {i}", "unit": f"Unit {i % 20}", "kind": "immediate",
                                 "due": f"2027-{i % 12 + 1:02d}-15", "problem": {"description": f"Finding {i // 4}"}}
                                for i in range(BULK)]))
    return path


def journal_mode(db: Path) -> str:
    return {1: "rollback", 2: "wal"}[db.read_bytes()[18]]


def db_and_journal(db: Path) -> tuple[int, int]:
    sizes = []
    for path in (db, Path(str(db) + "-journal")):
        try:
            sizes.append(os.path.getsize(path))
        except OSError:
            sizes.append(-1)
    return tuple(sizes)


def test_a_bulk_load_into_a_new_ledger_ends_in_wal_mode_and_killed_is_whole_or_absent(cli, db, bulk_file, tmp_path):
    from rectify.exchange.importer import BULK_ROWS

    assert BULK == BULK_ROWS
    assert not import_killed(db, bulk_file, lambda t, sizes: False)
    whole = counts(db)
    assert whole[0] == BULK and journal_mode(db) == "wal" and integrity(db) == "ok"
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name)) == [db.name]
    seed_size = os.path.getsize(db) // 10  # well under the loaded ledger's size

    # Killed while the journal exists, and twice while the commit writes the file.
    points = {"journal": lambda sizes: sizes[1] >= 0,
              "file-growing": lambda sizes: sizes[0] > seed_size,
              "file-late": lambda sizes: sizes[0] > 6 * seed_size}
    outcomes = {}
    for name, point in points.items():
        target = tmp_path / f"{name}.db"
        seen = []
        killed = import_killed(target, bulk_file, lambda t, sizes, seen=seen, point=point: seen.append(sizes) or point(sizes), probe=db_and_journal)
        # rectify itself first: a read-only check rolls a hot journal back, and finds the ledger sound.
        res = run_process("--db", str(target), "check", "--json")
        if killed and name != "journal":  # half the commit was in the file: the rollback took it out
            assert seen[-1][0] > seed_size and os.path.getsize(target) < seen[-1][0] and json.loads(res.stdout)["tasks"] == 0
        if target.exists() and res.returncode != 5:
            assert res.returncode == 0, (name, killed, res.stdout, res.stderr)
            outcomes[name] = counts(target)
            assert outcomes[name] in ((0, 0, 0), whole), (name, killed, outcomes[name])
            # The next write puts the ledger back in WAL mode, and importing again completes the import.
            res = run_process("--db", str(target), "import", str(bulk_file))
            assert res.returncode == 0, res.stderr
            assert counts(target) == whole and journal_mode(target) == "wal" and integrity(target) == "ok", name
            assert not Path(str(target) + "-journal").exists()
        else:
            outcomes[name] = None  # killed before the ledger file was made
        print(name, "killed" if killed else "finished", outcomes[name])
    assert any(v == (0, 0, 0) for v in outcomes.values()), outcomes  # at least one kill fell inside the commit


def test_a_bulk_load_does_not_wait_for_a_reader_and_keeps_wal(cli, db, bulk_file):
    nothing = db.with_name("nothing.json")
    nothing.write_text("[]")
    cli.ok("import", nothing)  # an empty ledger
    assert counts(db) == (0, 0, 0)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM task").fetchone()  # a reader holds a snapshot
        start = time.monotonic()
        res = run_process("--db", str(db), "import", str(bulk_file))
        assert res.returncode == 0, res.stderr
        assert time.monotonic() - start < 20  # the busy timeout (30 s) was not waited out
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert counts(db)[0] == BULK and journal_mode(db) == "wal"


def test_a_ledger_left_in_rollback_mode_goes_back_to_wal_at_the_next_write(cli, db):
    cli.add("a task")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    assert journal_mode(db) == "rollback"
    before = db.read_bytes()
    cli.ok("list")
    cli.ok("summary")
    assert db.read_bytes() == before  # a read changes nothing
    cli.add("another")
    assert journal_mode(db) == "wal" and integrity(db) == "ok" and counts(db)[0] == 2


# -- files that are not ours, or from a newer rectify --------------------------------


def _ledger_then(folder: Path, change, *, journal: str = "wal") -> Path:
    """A real ledger with one task, then ``change(conn)`` applied to it."""
    from conftest import Cli

    path = folder / "ledger.db"
    Cli(path).add("x")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    change(conn)
    conn.close()
    return path


def _text_file(folder: Path) -> Path:
    path = folder / "ledger.db"
    path.write_text("Minutes of the meeting\n" * 20)
    return path


def _other_program(folder: Path) -> Path:
    path = folder / "ledger.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE task (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO task (title) VALUES ('theirs')")
    conn.commit()
    conn.close()
    return path


def _newer_version(folder: Path) -> Path:
    from rectify.migrations import LATEST

    return _ledger_then(folder, lambda conn: conn.execute(f"PRAGMA user_version = {LATEST + 1}"))


def _unknown_migration(journal: str):
    def make(folder: Path) -> Path:
        from rectify.migrations import LATEST

        def change(conn):
            conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                         "VALUES ('rectify', 'm999_from_the_future', '2027-01-01')")
            conn.execute(f"PRAGMA user_version = {LATEST - 1}")  # so the names are read

        return _ledger_then(folder, change, journal=journal)

    return make


def _directory(folder: Path) -> Path:
    path = folder / "ledger.db"
    path.mkdir()
    (path / "inside.txt").write_text("kept")
    return path


FOREIGN = {
    "directory": (_directory, "is a directory"),
    "text-file": (_text_file, "not an SQLite file"),
    "another-programs-sqlite": (_other_program, "another program"),
    "newer-schema": (_newer_version, "newer rectify"),
    "unknown-migration": (_unknown_migration("wal"), "m999_from_the_future"),
    "unknown-migration-rollback-journal": (_unknown_migration("delete"), "m999_from_the_future"),
}
COMMANDS = {
    "list": ["list"], "summary": ["summary", "--json"], "show": ["show", "1"],
    "add": ["add", "mine"], "progress": ["progress", "1", "note"], "import": ["import", "{json}"],
}


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.is_file() and p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", FOREIGN)
def test_foreign_and_future_files_are_refused_and_left_as_they_were(tmp_path, kind, command):
    make, words = FOREIGN[kind]
    folder = tmp_path / "ledger"
    folder.mkdir()
    path = make(folder)
    source = tmp_path / "tasks.json"
    source.write_text('[{"title": "imported"}]')
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    before = snapshot(folder)
    argv = [a.replace("{json}", str(source)) for a in COMMANDS[command]]
    res = run_process("--db", str(path), *argv)
    assert res.returncode == 5, res
    assert res.stderr.startswith("rectify: error: ") and res.stderr.count("\n") == 1, res.stderr
    assert words in res.stderr
    assert snapshot(folder) == before  # the same files, bytes and times: no -wal, no evidence folder
