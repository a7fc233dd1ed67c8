"""`rectify backup` and `rectify check`, through the real CLI on real ledger files:
a backup taken while other processes write is one consistent moment of the
ledger and passes `check`; refusals change nothing; `check` finds each kind of
fault it promises, never writes, and survives a damaged file."""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import dump, file_bytes, run_process
from rectify.migrations import LATEST  # the schema a new ledger, and so its backup, carries

APPLICATION_ID = 0x52435446

# A writer process: adds tasks through the CLI's entry point until told to stop.
WRITER = """
import os, sys
from rectify.cli.app import main
db, stop, name = sys.argv[1:4]
n = 0
while not os.path.exists(stop):
    try:
        main(["--db", db, "add", f"{name} {n}", "--unit", name])
    except SystemExit as e:
        if e.code not in (0, None):
            sys.exit(f"add failed with {e.code}")
    n += 1
print(n)
"""


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _sql(path: Path, *statements: str) -> None:
    """Change a ledger behind rectify's back: how a fault gets into a file."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def _bulk_ledger(cli, tmp_path, n: int) -> None:
    """A ledger of ``n`` tasks, quickly: one import."""
    sheet = tmp_path / "bulk.csv"
    with open(sheet, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["problem", "measure", "kind", "deadline", "unit", "owner"])
        for i in range(n):
            writer.writerow([f"Finding {i // 4}", f"Measure number {i} with some words", "immediate",
                             f"2026-{i % 12 + 1:02d}-15", f"Unit {i % 20}", f"Person {i % 50}"])
    cli.ok("import", sheet)


@pytest.fixture
def evidenced(cli, tmp_path):
    """A ledger with a closed task, evidence files on two tasks and a note."""
    first = cli.add("Revise the procurement rules", "--owner", "Li Hua", "--new-problem", "Loose procurement")
    second = cli.add("Clear the overdue reimbursements", "--due", "2026-11-01")
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("minutes of the meeting\n")
    scan = tmp_path / "scan.bin"
    scan.write_bytes(bytes(range(256)) * 40)
    cli.ok("evidence", first, minutes)
    cli.ok("evidence", second, scan, "--note", "the scanned receipts")
    cli.ok("evidence", second, "--note", "seen on site")
    cli.ok("submit", first)
    cli.ok("close", first, "--by", "Chen Jing")
    cli.ok("progress", second, "Half the receipts filed", "--percent", 50)
    return {"first": first, "second": second}


def _evidence_files(ledger: Path) -> dict[str, bytes]:
    folder = ledger.with_name(ledger.stem + ".evidence")
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- backup ---------------------------------------------------------------------


def test_backup_of_a_quiet_ledger_is_the_same_ledger_with_its_evidence(cli, db, tmp_path, evidenced):
    target = tmp_path / "copies" / "ledger-2026-11-25.db"
    target.parent.mkdir()
    events = _rows(db, "SELECT count(*) FROM event")[0][0]
    assert events > 8
    result = cli.json("backup", target)
    assert dump(target) == dump(db)
    assert _evidence_files(target) == _evidence_files(db) and len(_evidence_files(db)) == 2
    header = _rows(target, "SELECT * FROM pragma_application_id, pragma_user_version, pragma_journal_mode")[0]
    assert header == (APPLICATION_ID, LATEST, "wal")
    assert os.stat(target).st_mode & 0o777 == 0o600
    # The evidence is as private as the ledger, in the ledger's folder and in the copy's.
    for folder in (db.with_name("ledger.evidence"), target.with_name("ledger-2026-11-25.evidence")):
        modes = {p.relative_to(folder).as_posix(): p.stat().st_mode & 0o777 for p in [folder, *folder.rglob("*")]}
        assert {m for p, m in modes.items() if p == "." or "/" not in p} == {0o700} and len(modes) == 5, modes
        assert {m for p, m in modes.items() if "/" in p} == {0o600}, modes
    assert sorted(os.listdir(target.parent)) == ["ledger-2026-11-25.db", "ledger-2026-11-25.evidence"]
    assert result == {
        "ledger": str(db), "backup": str(target), "evidence_dir": str(tmp_path / "copies" / "ledger-2026-11-25.evidence"),
        "schema": LATEST, "journal_mode": "wal", "tasks": 2, "problems": 1, "events": events,
        "evidence_files": 2, "ledger_bytes": target.stat().st_size, "evidence_bytes": 23 + 10240,
        "bytes": target.stat().st_size + 23 + 10240, "faults": []}
    # The copy is a ledger: rectify reads it, and writes to it, with its own evidence folder.
    backup = type(cli)(target)
    assert backup.ok("check").stdout == "ok\n"
    assert backup.json("show", evidenced["first"])["status"] == "closed"
    backup.ok("reopen", evidenced["first"], "--reason", "Spot check failed")
    assert cli.json("show", evidenced["first"])["status"] == "closed"
    # Restore: the backup backed up onto the ledger, as README says.
    kept = dump(target), _evidence_files(target)
    cli.ok("evidence", evidenced["second"], tmp_path / "minutes.txt")
    backup.ok("backup", db, "--force")
    assert (dump(db), _evidence_files(db)) == kept


def test_backup_prints_where_and_what(cli, db, tmp_path, evidenced):
    res = cli.ok("backup", tmp_path / "b.db")
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"Backed up {db} to {tmp_path / 'b.db'} (")
    assert lines[1].strip().startswith("2 tasks, 1 problem, ") and lines[1].endswith(" events")
    assert lines[2].strip() == f"2 evidence files (10.0 KB) in {tmp_path / 'b.evidence'}"


def test_backup_while_three_processes_add_tasks_is_one_consistent_moment(cli, db, tmp_path, evidenced, monkeypatch):
    from rectify import maintenance

    _bulk_ledger(cli, tmp_path, 300)
    monkeypatch.setattr(maintenance, "PAGES_PER_STEP", 4)  # many steps, so the writers commit between them
    stop = tmp_path / "stop"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(stop), f"w{i}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(3)]
    try:
        deadline = time.time() + 60
        while _rows(db, "SELECT count(DISTINCT unit) FROM task WHERE unit LIKE 'w_'")[0][0] < 3 and time.time() < deadline:
            time.sleep(0.05)
        backups = []
        # At least three backups, and more until one of them ran while tasks were added.
        for i in range(10):
            if i >= 3 and any(after > before for _t, _r, before, after in backups):
                break
            before = _rows(db, "SELECT max(id) FROM task")[0][0]
            target = tmp_path / f"during-{i}.db"
            result = cli.json("backup", target)
            backups.append((target, result, before, _rows(db, "SELECT max(id) FROM task")[0][0]))
    finally:
        stop.touch()
        outputs = [w.communicate(timeout=60) for w in writers]
    assert all(w.returncode == 0 for w in writers), outputs
    added = sum(int(out.split()[-1]) for out, _err in outputs)
    assert _rows(db, "SELECT count(*) FROM task")[0][0] == 302 + added  # no writer lost a task
    assert any(after > before for _t, _r, before, after in backups)  # tasks were added while a backup ran
    for target, result, before, after in backups:
        top = _rows(target, "SELECT max(id) FROM task")[0][0]
        assert before <= top <= after
        # The counts reported are the source's at the snapshot: its tasks up to
        # the copy's last id, and their events (the writers only add tasks).
        counts = _rows(db, f"SELECT (SELECT count(*) FROM task WHERE id <= {top}),"
                           f" (SELECT count(*) FROM event WHERE task_id <= {top})")[0]
        assert (result["tasks"], result["events"]) == counts and result["tasks"] == top
        # Exactly the source as it stood when the copy's snapshot was taken.
        for table, key in (("task", "id"), ("event", "task_id"), ("evidence", "task_id")):
            sql = f"SELECT * FROM {table} WHERE {key} <= {top} ORDER BY id"
            assert _rows(target, sql) == _rows(db, sql), table
        assert _rows(target, "SELECT * FROM problem") == _rows(db, "SELECT * FROM problem")  # the writers add none
        res = run_process("--db", str(target), "check")
        assert (res.returncode, res.stdout) == (0, "ok\n"), res.stderr
        assert _evidence_files(target) == _evidence_files(db)
    assert _leftovers(tmp_path) == []


def test_backup_refusals_change_nothing(cli, db, tmp_path, evidenced):
    existing = tmp_path / "old.db"
    existing.write_bytes(b"an earlier backup")
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    (tmp_path / "folder.db").mkdir()
    link = tmp_path / "alias.db"
    link.symlink_to(db)
    before = {p: file_bytes(p) for p in (db, existing, foreign)}
    ledger_dump = dump(db)
    cases = [
        (["backup", existing], 2, "already exists"),
        (["backup", foreign], 2, "already exists"),
        (["backup", db], 2, "the ledger itself"),
        (["backup", db, "--force"], 2, "the ledger itself"),
        (["backup", link, "--force"], 2, "the ledger itself"),
        (["backup", str(db) + "-wal", "--force"], 2, "the ledger itself"),
        (["backup", tmp_path / "ledger.bak", "--force"], 2, "evidence folder"),
        (["backup", tmp_path / "folder.db", "--force"], 2, "is a folder"),
        (["backup", tmp_path / "nowhere" / "b.db"], 2, "does not exist"),
    ]
    for args, code, words in cases:
        res = cli(*args)
        assert res.exit_code == code and words in res.stderr, (args, res)
        assert res.stderr.count("\n") == 1 and res.stdout == "", (args, res)
    for args, code, words in [(["--db", tmp_path / "missing.db", "backup", tmp_path / "m.db"], 5, "no ledger"),
                              (["--db", foreign, "backup", tmp_path / "f.db"], 5, "another program")]:
        res = cli(*args, db=False)
        assert res.exit_code == code and words in res.stderr, (args, res)
    assert {p: file_bytes(p) for p in before} == before
    assert dump(db) == ledger_dump
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["alias.db", "folder.db", "ledger.db", "ledger.evidence", "minutes.txt", "old.db", "other.db", "scan.bin"])


def test_backup_force_replaces_the_copy_and_its_evidence_folder(cli, db, tmp_path, evidenced):
    target = tmp_path / "b.db"
    stale = tmp_path / "b.evidence" / "9" / "stale.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("from an older backup")
    res = cli("backup", target)
    assert res.exit_code == 2 and "b.evidence already exists" in res.stderr
    assert not target.exists()
    target.write_bytes(b"older")
    Path(str(target) + "-wal").write_bytes(b"a stale log that must not be replayed into the new copy")
    cli.ok("backup", target, "--force")
    assert dump(target) == dump(db)
    assert _evidence_files(target) == _evidence_files(db) and not stale.exists()
    assert not Path(str(target) + "-wal").exists()
    assert _leftovers(tmp_path) == []


def test_backup_reports_a_missing_evidence_file_and_still_writes(cli, db, tmp_path, evidenced):
    (rel,) = [r for r in _evidence_files(db) if r.endswith("minutes.txt")]
    (db.with_name("ledger.evidence") / rel).unlink()
    res = cli("backup", tmp_path / "b.db")
    assert res.exit_code == 7, res
    assert f"file {rel} is missing." in res.stdout and "The backup was written, but 1 evidence file" in res.stderr
    assert dump(tmp_path / "b.db") == dump(db)
    assert _evidence_files(tmp_path / "b.db") == _evidence_files(db) and len(_evidence_files(db)) == 1
    res = cli("backup", tmp_path / "c.db", "--json")
    assert res.exit_code == 7
    assert [(f["kind"], f["task"], f["file"]) for f in res.json()["faults"]] == [("evidence", evidenced["first"], rel)]
    assert res.json()["evidence_files"] == 1


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_copy_whose_last_bytes_cannot_be_written_is_the_copys_fault(tmp_path):
    """A small file fails only when its buffered bytes are flushed (here into
    /dev/full, where every write fails with ENOSPC): that is the copy's side,
    a WriteError, never taken for a source that cannot be read. Every command
    that copies evidence (evidence, backup, export) goes through copy_hashed;
    the temporary names they copy to cannot be put on /dev/full from outside."""
    from rectify.evidence import copy_hashed
    from rectify.paths import WriteError

    small = tmp_path / "small.txt"
    small.write_text("x" * 100)
    dest = tmp_path / "dest.txt"
    dest.symlink_to("/dev/full")
    with pytest.raises(WriteError) as caught:
        copy_hashed(small, dest)
    assert caught.value.strerror == os.strerror(28) and small.read_text() == "x" * 100
    assert not dest.is_symlink() and not dest.exists()  # no part of the copy is left


UNREADABLE = "/proc/self/mem"  # a file whose every read fails (EIO), even for root
needs_unreadable = pytest.mark.skipif(not os.path.exists(UNREADABLE), reason="needs Linux's /proc")


def _make_unreadable(db: Path, name: str) -> str:
    """Put an unreadable file where the ledger keeps the evidence file ``name``:
    a symbolic link (to a file whose read fails), which rectify never follows."""
    (rel,) = [r for r in _evidence_files(db) if r.endswith(name)]
    stored = db.with_name("ledger.evidence") / rel
    stored.unlink()
    stored.symlink_to(UNREADABLE)
    return rel


@needs_unreadable
def test_backup_with_an_unreadable_evidence_file_writes_the_rest_and_names_it(cli, db, tmp_path, evidenced):
    scan = {r: data for r, data in _evidence_files(db).items() if r.endswith("scan.bin")}
    rel = _make_unreadable(db, "minutes.txt")
    res = cli("backup", tmp_path / "b.db")
    assert res.exit_code == 7, res  # the file's fault, not the target's: the copy is written
    assert res.stdout.splitlines()[-1] == f"evidence 1 of task {evidenced['first']}: file {rel} cannot be read: a symbolic link, which rectify does not follow."
    assert "The backup was written, but 1 evidence file" in res.stderr and "Could not write" not in res.stderr
    assert dump(tmp_path / "b.db") == dump(db)
    assert _evidence_files(tmp_path / "b.db") == scan  # and nothing of the unreadable one
    assert _leftovers(tmp_path) == []
    res = cli("check", "--json")
    assert res.exit_code == 7
    assert [(f["kind"], f["row"], f["file"]) for f in res.json()["faults"]] == [("evidence", 1, rel), ("symlink", None, rel)]
    assert res.json()["evidence_files"] == 1 and res.json()["evidence_bytes"] == 10240


def test_backup_that_cannot_write_an_evidence_file_blames_the_target_and_leaves_nothing(cli, db, tmp_path, evidenced):
    """A write that fails on the target's side (here: past a file size limit,
    which binds root too) is the target's error, exit 5, and no part of the
    copy is left under any name."""
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1 << 20))
    cli.ok("evidence", evidenced["second"], big)
    target = tmp_path / "copies" / "b.db"
    target.parent.mkdir()

    def limit():
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (512 << 10, 512 << 10))

    res = subprocess.run([sys.executable, "-m", "rectify", "--db", str(db), "backup", str(target)],
                         capture_output=True, text=True, preexec_fn=limit, timeout=60)
    assert res.returncode == 5, res
    assert res.stderr.startswith(f"rectify: error: Could not write the backup {target}: ") and res.stderr.count("\n") == 1
    assert os.listdir(target.parent) == []


# -- check ----------------------------------------------------------------------


def test_check_a_sound_ledger(cli, db, evidenced):
    res = cli.ok("check")
    assert res.stdout == "ok\n"
    events = _rows(db, "SELECT count(*) FROM event")[0][0]
    assert res.stderr == f"Checked {db}: 2 tasks, {events} events, 2 evidence files (10.0 KB).\n"
    result = cli.json("check")
    assert result == {"ledger": str(db), "ok": True, "tasks": 2, "problems": 1, "events": events,
                      "evidence_files": 2, "evidence_bytes": 23 + 10240, "faults": []}


def test_check_of_no_ledger_is_an_error(cli, db):
    res = cli("check")
    assert res.exit_code == 5 and "There is no ledger at" in res.stderr
    assert not db.exists()


def _faults(cli) -> list[dict]:
    res = cli("check", "--json")
    assert res.exit_code == 7, res
    assert res.json()["ok"] is False
    return res.json()["faults"]


def test_check_finds_deleted_and_altered_evidence_files(cli, db, evidenced):
    folder = db.with_name("ledger.evidence")
    files = {Path(r).name.split("-", 1)[1]: folder / r for r in _evidence_files(db)}
    files["minutes.txt"].unlink()
    scan = files["scan.bin"]
    data = bytearray(scan.read_bytes())
    recorded = hashlib.sha256(data).hexdigest()[:12]
    data[5000] ^= 1  # the same size, one bit changed
    scan.write_bytes(bytes(data))
    before = dump(db), file_bytes(db)
    res = cli("check")
    assert res.exit_code == 7 and "2 faults found" in res.stderr
    minutes_rel = files["minutes.txt"].relative_to(folder).as_posix()
    scan_rel = scan.relative_to(folder).as_posix()
    assert res.stdout.splitlines() == [
        f"evidence 1 of task {evidenced['first']}: file {minutes_rel} is missing.",
        f"evidence 2 of task {evidenced['second']}: file {scan_rel} has changed: its sha256 is "
        f"{hashlib.sha256(data).hexdigest()[:12]}, the ledger recorded {recorded}.",
    ]
    assert [(f["kind"], f["task"], f["table"], f["row"], f["file"]) for f in _faults(cli)] == [
        ("evidence", evidenced["first"], "evidence", 1, minutes_rel),
        ("evidence", evidenced["second"], "evidence", 2, scan_rel)]
    scan.write_bytes(bytes(data[:-1]))
    assert "has 10239 bytes; the ledger recorded 10240" in cli("check").stdout
    assert (dump(db), file_bytes(db)) == before  # check never writes


def test_check_finds_orphan_rows(cli, db, evidenced):
    _sql(db, "INSERT INTO event (task_id, at, action) VALUES (999, '2026-11-20T10:00:00', 'add')",
         "INSERT INTO evidence (task_id, added, note) VALUES (998, '2026-11-20T10:00:00', 'lost')",
         f"UPDATE task SET problem_id = 777 WHERE id = {evidenced['second']}")
    faults = [(f["kind"], f["table"], f["task"]) for f in _faults(cli)]
    assert faults == [("orphan", "event", 999), ("orphan", "evidence", 998), ("orphan", "task", evidenced["second"])]
    out = cli("check").stdout
    orphan = sqlite3.connect(db).execute("SELECT id FROM event WHERE task_id = 999").fetchone()[0]
    assert f"event {orphan}: its task id is 999, but there is no task 999." in out
    assert f"task {evidenced['second']}: its problem id is 777, but there is no problem 777." in out


def test_check_finds_a_status_that_disagrees_with_the_history(cli, db, evidenced):
    second = evidenced["second"]
    _sql(db, f"UPDATE task SET status = 'closed', progress = 70 WHERE id = {second}",
         f"UPDATE task SET closed_at = NULL WHERE id = {evidenced['first']}")
    faults = _faults(cli)
    assert [(f["kind"], f["task"], f["table"]) for f in faults] == [
        ("history", evidenced["first"], "event"), ("history", second, "event"), ("history", second, "event"),
        ("closed", evidenced["first"], "task"), ("closed", second, "task")]
    out = cli("check").stdout.splitlines()
    assert out[1].startswith(f"task {second}: its progress is '70', but its history last set it to '50' (event")
    assert out[2].startswith(f"task {second}: its status is 'closed', but its history last set it to 'in_progress' (event")
    assert out[0].startswith(f"task {evidenced['first']}: its closed on is (empty), but its history last set it to '2026-11-25T09:00:00'")
    assert f"task {second} is closed but has no closing time." in out


def test_check_finds_a_task_without_history(cli, db, evidenced):
    _sql(db, "INSERT INTO task (uid, title, status, created, updated) VALUES ('u-1', 'Slipped in', 'open', '2026-11-25T09:00:00', '2026-11-25T09:00:00')")
    assert [(f["kind"], f["message"]) for f in _faults(cli)] == [("history", "task 3 has no recorded history.")]


def test_check_reports_a_damaged_page_without_a_traceback(cli, db, tmp_path):
    _bulk_ledger(cli, tmp_path, 400)
    copy = tmp_path / "copy.db"
    cli.ok("backup", copy)
    page = _rows(copy, "PRAGMA page_size")[0][0]
    pages = copy.stat().st_size // page
    with open(copy, "r+b") as f:  # a page in the middle overwritten
        f.seek((pages // 2) * page)
        f.write((b"\xff\x00garbage" * page)[:page])
    res = run_process("--db", str(copy), "check")
    assert res.returncode == 7 and res.stderr.startswith("rectify: error: ") and res.stderr.count("\n") == 1, res
    assert f" found in {copy}." in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert res.stdout.startswith("integrity check"), res.stdout
    assert res.stdout.splitlines()[0].endswith("database disk image is malformed."), res.stdout
