"""Files on disk under hostile conditions: outputs that would overwrite the
ledger, evidence names and symbolic links, the ledger reached through a link,
restores and exports killed part-way, a -wal left beside a replaced file,
modes under umask 000, FIFOs and devices, read-only ledgers, leftovers of
killed runs, damaged pages. Each through the real CLI on real files."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import Cli, dump, run_process

POSIX = os.name == "posix"
posix_only = pytest.mark.skipif(not POSIX, reason="POSIX file modes, links and FIFOs")


def _one_line_error(res, code: int, words: str = "") -> None:
    assert res.exit_code == code, res
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rectify: error: ") and words in lines[0], res
    assert "Traceback" not in res.stderr


def _evidence(db: Path) -> dict[str, bytes]:
    folder = db.with_name(db.stem + ".evidence")
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _state(db: Path):
    return dump(db), _evidence(db), sorted(p.name for p in db.parent.iterdir())


@pytest.fixture
def filled(cli, db, tmp_path):
    """A ledger with two tasks and an evidence file."""
    proof = tmp_path / "outside" / "minutes.txt"
    proof.parent.mkdir()
    proof.write_text("signed minutes\n")
    a = cli.add("Revise the rules", "--owner", "Li Hua")
    cli.add("Clear the backlog")
    cli.ok("evidence", a, proof)
    return a


# -- 1. one guard for every output path ------------------------------------------------


@posix_only
def test_outputs_that_are_the_ledger_by_another_name_are_refused(cli, db, tmp_path, filled):
    (stored,) = [db.parent / "ledger.evidence" / rel for rel in _evidence(db)]
    (tmp_path / "link.json").symlink_to(db)
    os.link(db, tmp_path / "hard.json")
    (tmp_path / "linked-folder").symlink_to(db.parent / "ledger.evidence")
    cases = [
        ("export", "--format", "json", "--output", tmp_path / "link.json"),
        ("export", "--format", "json", "--output", tmp_path / "hard.json"),
        ("export", "--format", "csv", "--output", str(db) + "-wal"),
        ("export", "--format", "csv", "--output", str(db) + "-SHM"),
        ("export", "--format", "json", "--output", tmp_path / "LEDGER.DB"),
        ("weekly", "--output", stored),
        ("weekly", "--format", "html", "--output", tmp_path / "linked-folder" / "new.html"),
        ("export", "--evidence", tmp_path / "linked-folder" / "out.zip"),
        ("sheets", "--format", "html", "--output", tmp_path / "linked-folder" / "sheets"),
        ("backup", tmp_path / "linked-folder" / "copy.db"),
    ]
    before = _state(db)
    for args in cases:
        res = cli(*args)
        _one_line_error(res, 2)
        assert "ledger" in res.stderr, res
    assert _state(db) == before


# -- 2, 14, 15. evidence names ------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("name", ["minutes\\2026.pdf", "minutes\x1b[31m.pdf", "tab\there.txt", "del\x7f.txt"])
def test_evidence_names_that_read_as_paths_or_codes_are_refused(cli, db, tmp_path, name):
    task = cli.add("t")
    file = tmp_path / name
    file.write_text("x")
    before = dump(db)
    res = cli("evidence", task, file)
    _one_line_error(res, 2, "Rename the file")
    assert "\x1b" not in res.stderr and "\t" not in res.stderr.rstrip("\n")
    assert dump(db) == before and not (db.parent / "ledger.evidence" / str(task)).exists()


@pytest.mark.parametrize("name", ["a" * 246 + ".pdf", "整改会议纪要" * 13 + "及附件.docx"])
def test_names_too_long_for_the_file_system_are_kept_under_a_short_file_name(cli, db, tmp_path, name):
    task = cli.add("t")
    file = tmp_path / name
    file.write_text("long name")
    cli.ok("evidence", task, file)
    (row,) = cli.json("show", task)["evidence"]
    assert row["name"] == name  # the name as given, in the ledger
    stored = db.parent / "ledger.evidence" / row["path"]
    assert stored.read_text() == "long name" and len(stored.name.encode()) <= 200
    assert stored.suffix == Path(name).suffix
    cli.ok("check")
    cli.ok("backup", tmp_path / "b.db")
    cli.ok("export", "--evidence", tmp_path / "ev.zip")
    with zipfile.ZipFile(tmp_path / "ev.zip") as zf:
        assert zf.read(row["path"]) == b"long name"


def _set_evidence(db: Path, **values) -> None:
    conn = sqlite3.connect(db)
    with conn:
        for column, value in values.items():
            conn.execute(f"UPDATE evidence SET {column} = ?", (value,))
    conn.close()


def test_a_ledger_already_holding_such_names_is_handled_without_leaving_its_folder(cli, db, tmp_path, filled):
    (tmp_path / "secret.txt").write_text("secret")
    _set_evidence(db, name="minutes\x1b]0;owned\x07.pdf", path=f"{filled}/..\\..\\secret.txt")
    res = cli("check", "--json")
    assert res.exit_code == 7
    kinds = sorted(f["kind"] for f in res.json()["faults"])
    assert kinds == ["evidence", "name"], res
    res = cli("check")
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout and "Traceback" not in res.stderr
    res = cli("backup", tmp_path / "b.db")
    assert res.exit_code == 7 and "Traceback" not in res.stderr, res
    for out in (tmp_path / "ev.zip", tmp_path / "ev"):
        res = cli.ok("export", "--evidence", out)
    with zipfile.ZipFile(tmp_path / "ev.zip") as zf:
        assert zf.namelist() == ["manifest.csv"]
    assert sorted(p.name for p in (tmp_path / "ev").iterdir()) == ["manifest.csv"]
    assert "secret" not in (tmp_path / "ev" / "manifest.csv").read_text(encoding="utf-8-sig").replace("secret.txt", "")


def test_xlsx_export_holds_any_text_xml_cannot(cli, db, tmp_path, filled):
    """One cell-text function writes every cell: a control character in a
    task title and in an evidence name no longer stops the workbook."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE task SET title = ? WHERE id = ?", ("Revise\x1b[31m the\x00 rules\x0b", filled))
    conn.close()
    _set_evidence(db, name="minutes\x01.pdf")
    cli.ok("export", "--format", "xlsx", "--output", tmp_path / "l.xlsx")
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(tmp_path / "l.xlsx").active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Revise\\x1b[31m the\\x00 rules\\x0b" in cells
    assert "minutes\\x01.pdf" in cells


# -- 3. the ledger through a symbolic link --------------------------------------------------


@posix_only
def test_a_ledger_named_by_a_link_keeps_its_evidence_beside_the_real_file(tmp_path, monkeypatch):
    real = tmp_path / "data" / "ledger.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    monkeypatch.setenv("RECTIFY_DB", str(link))
    cli = Cli(link)
    (tmp_path / "m.txt").write_text("m")
    task = cli.add("t")
    cli.ok("evidence", task, tmp_path / "m.txt")
    assert (real.parent / "ledger.evidence").is_dir() and not (tmp_path / "link.evidence").exists()
    assert cli("where", db=False).stdout.strip() == str(real)
    Cli(real).ok("check")  # the real path finds the file
    cli.ok("check")


# -- 4. a restore killed at each rename ---------------------------------------------------------


def test_a_restore_killed_at_any_rename_leaves_a_usable_ledger_and_its_evidence(cli, db, tmp_path, filled):
    (tmp_path / "late.txt").write_text("later evidence")
    cli.ok("backup", tmp_path / "b.db")
    old_titles = sorted(t["title"] for t in cli.json("list", "--all"))
    backup = Cli(tmp_path / "b.db")
    new = backup.add("Only in the backup")
    backup.ok("evidence", new, tmp_path / "late.txt")
    new_titles = sorted(t["title"] for t in backup.json("list", "--all"))
    shutil.copyfile(db, tmp_path / "old.db")
    shutil.copytree(db.parent / "ledger.evidence", tmp_path / "old.evidence")
    step = 0
    while True:
        step += 1
        res = run_process("--db", str(tmp_path / "b.db"), "backup", str(db), "--force",
                          env={"RECTIFY_TEST_KILL_AT": f"restore:{step}"})
        after = Cli(db)
        titles = sorted(t["title"] for t in after.json("list", "--all"))  # the next command
        assert titles in (old_titles, new_titles), (step, titles)
        assert (db.parent / "ledger.evidence").is_dir(), step
        after.ok("check")  # ledger and evidence folder agree
        assert not [p for p in db.parent.iterdir() if p.name.startswith(".")], step  # nothing left over
        if res.returncode == 0:
            assert titles == new_titles
            break
        assert res.returncode == -signal.SIGKILL, res
        # back to the old ledger for the next step
        shutil.copyfile(tmp_path / "old.db", db)
        shutil.rmtree(db.parent / "ledger.evidence")
        shutil.copytree(tmp_path / "old.evidence", db.parent / "ledger.evidence")
    assert step >= 4  # evidence aside, new evidence in, the file replaced, done


# -- 5. a -wal left beside a file replaced by hand ----------------------------------------------

# Writes a change and dies without closing: its -wal and -shm stay, as after a kill.
LEAVE_WAL = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("UPDATE task SET title = 'changed in the log' WHERE id = 1")
os._exit(0)
"""


def _leave_wal(db: Path) -> None:
    subprocess.run([sys.executable, "-c", LEAVE_WAL, str(db)], check=True)
    assert Path(str(db) + "-wal").stat().st_size > 0


def test_a_log_left_by_a_kill_is_still_replayed(cli, db, filled):
    _leave_wal(db)
    assert cli.json("show", "1")["title"] == "changed in the log"


def test_a_file_copied_over_a_left_log_is_refused_not_replayed(cli, db, tmp_path, filled):
    cli.ok("backup", tmp_path / "b.db")
    Cli(tmp_path / "b.db").add("Only in the backup")
    _leave_wal(db)
    time.sleep(0.01)
    shutil.copyfile(tmp_path / "b.db", db)  # "restore" by hand; the -wal stays
    wal = Path(str(db) + "-wal").read_bytes()
    for args in (["list"], ["check"], ["add", "x"]):
        res = cli(*args)
        _one_line_error(res, 5, "was replaced after its last writer left ledger.db-wal")
    assert Path(str(db) + "-wal").read_bytes() == wal and (tmp_path / "b.db").read_bytes() == db.read_bytes()
    os.replace(str(db) + "-wal", tmp_path / "old-wal")  # as the message says
    os.replace(str(db) + "-shm", tmp_path / "old-shm")
    assert "Only in the backup" in [t["title"] for t in cli.json("list", "--all")]


def test_a_file_moved_over_a_left_log_is_refused_and_the_escape_works(cli, db, tmp_path, filled, monkeypatch):
    cli.ok("backup", tmp_path / "b.db")
    _leave_wal(db)
    time.sleep(0.01)
    os.replace(tmp_path / "b.db", db)  # a move keeps the backup's older mtime; its ctime is new
    _one_line_error(cli("list"), 5, "RECTIFY_KEEP_WAL=1")
    monkeypatch.setenv("RECTIFY_KEEP_WAL", "1")
    assert cli.json("show", "1")["title"] == "changed in the log"


# -- 8. symbolic links inside the evidence folder -------------------------------------------------


@posix_only
def test_a_symlink_in_the_evidence_folder_is_never_followed(cli, db, tmp_path, filled):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret content")
    (rel,) = _evidence(db)
    stored = db.parent / "ledger.evidence" / rel
    stored.unlink()
    stored.symlink_to(secret)
    res = cli("check", "--json")
    assert res.exit_code == 7
    assert {f["kind"] for f in res.json()["faults"]} == {"evidence", "symlink"}
    res = cli("backup", tmp_path / "b.db")
    assert res.exit_code == 7 and "symbolic link" in res.stdout, res
    assert not any(b"the secret content" in p.read_bytes() for p in (tmp_path / "b.evidence").rglob("*") if p.is_file())
    for out in (tmp_path / "ev.zip", tmp_path / "ev"):
        res = cli.ok("export", "--evidence", out)
        assert "symbolic link" in res.stderr
    with zipfile.ZipFile(tmp_path / "ev.zip") as zf:
        assert all(b"the secret content" not in zf.read(n) for n in zf.namelist())
    assert [p.name for p in (tmp_path / "ev").rglob("*")] == ["manifest.csv"]
    # a linked task folder is not followed either
    stored.unlink()
    task_folder = stored.parent
    shutil.rmtree(task_folder)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / stored.name).write_text("the secret content")
    task_folder.symlink_to(tmp_path / "elsewhere")
    res = cli.ok("export", "--evidence", tmp_path / "ev2.zip")
    with zipfile.ZipFile(tmp_path / "ev2.zip") as zf:
        assert zf.namelist() == ["manifest.csv"]


# -- 9. modes ----------------------------------------------------------------------------------------


@posix_only
def test_under_umask_000_the_ledger_is_0600_and_its_folders_0700(tmp_path):
    db = tmp_path / "new" / "deeper" / "ledger.db"
    empty = tmp_path / "empty.db"
    empty.touch(mode=0o666)
    os.chmod(empty, 0o666)
    (tmp_path / "m.txt").write_text("m")
    old = os.umask(0)
    try:
        cli = Cli(db)
        task = cli.add("t")
        cli.ok("evidence", task, tmp_path / "m.txt")
        Cli(empty).add("t")
    finally:
        os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(db) == 0o600 and mode(empty) == 0o600
    assert mode(db.parent) == mode(db.parent.parent) == 0o700
    folder = db.parent / "ledger.evidence"
    assert mode(folder) == mode(folder / str(task)) == 0o700
    assert all(mode(p) == 0o600 for p in folder.rglob("*") if p.is_file())
    Cli(db).ok("check")


@posix_only
def test_an_evidence_folder_that_is_a_link_or_open_to_others_is_refused_and_reported(cli, db, tmp_path, filled):
    (tmp_path / "m.txt").write_text("m")
    folder = db.parent / "ledger.evidence"
    os.chmod(db, 0o666)
    res = cli("check", "--json")
    assert [f["kind"] for f in res.json()["faults"]] == ["permissions"], res
    os.chmod(db, 0o600)
    os.chmod(folder, 0o777)
    before = dump(db)
    _one_line_error(cli("evidence", filled, tmp_path / "m.txt"), 5, "can be written by others")
    assert "permissions" in [f["kind"] for f in cli("check", "--json").json()["faults"]]
    os.chmod(folder, 0o700)
    shared = tmp_path / "shared"
    folder.rename(shared)
    folder.symlink_to(shared)
    _one_line_error(cli("evidence", filled, tmp_path / "m.txt"), 5, "is a symbolic link")
    assert dump(db) == before
    assert "symlink" in [f["kind"] for f in cli("check", "--json").json()["faults"]]


# -- 15. zip64 ------------------------------------------------------------------------------------------


def test_evidence_beyond_the_zip_limit_is_written_as_zip64(cli, db, tmp_path, monkeypatch):
    """2 GiB is the plain zip format's limit; the test lowers the limit to a
    few KB instead of writing gigabytes."""
    task = cli.add("t")
    big = tmp_path / "scan.bin"
    big.write_bytes(os.urandom(20_000))
    cli.ok("evidence", task, big)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 10_000)
    cli.ok("export", "--evidence", tmp_path / "ev.zip")
    with zipfile.ZipFile(tmp_path / "ev.zip") as zf:
        (member,) = [n for n in zf.namelist() if n.endswith("scan.bin")]
        assert zf.read(member) == big.read_bytes()


# -- 16. FIFOs, devices, folders, sockets ---------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "socket"])
def test_a_ledger_path_that_is_no_regular_file_is_refused_at_once(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "ledger.db"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/null")
    elif kind == "folder":
        path = tmp_path / "ledger.db"
        path.mkdir()
    else:
        path = tmp_path / "ledger.db"
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
    before = sorted(os.listdir(path.parent))
    if kind == "fifo":  # a real process, with a time limit: a read of a FIFO would wait for ever
        res = run_process("check", env={"RECTIFY_DB": str(path)}, timeout=20)
        assert res.returncode == 5 and res.stderr.count("\n") == 1 and "not a ledger file" in res.stderr, res
    cli = Cli(path)
    for args in (["list"], ["check"], ["add", "x"], ["backup", str(tmp_path / "b.db")], ["export", "--format", "json"]):
        _one_line_error(cli(*args), 5, "not a ledger file")
    assert sorted(os.listdir(path.parent)) == before


# -- 18. read-only ledgers ----------------------------------------------------------------------------------


def _as_reader():
    """Run a process that the file modes bind: root ignores them (its
    CAP_DAC_OVERRIDE), so as root the process drops that power first."""
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl")


@pytest.fixture
def open_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    yield folder
    os.chmod(folder, 0o755)


READS = (["list", "--all"], ["show", "1"], ["history", "1"], ["summary"], ["weekly"], ["check"],
         ["export", "--format", "json"], ["problems"])

# Runs several commands in one process (the start-up is most of a command's
# time), printing each one's exit code and what the ledger's folder holds after it.
COMMANDS = """
import json, os, sys
from rectify.cli.app import main
db, runs = sys.argv[1], json.loads(sys.argv[2])
for argv in runs:
    try:
        main(["--db", db, *argv])
        code = 0
    except SystemExit as e:
        code = e.code or 0
    sys.stderr.write(json.dumps([argv, code, sorted(os.listdir(os.path.dirname(db)))]) + "\\n")
"""


def _run_as_reader(db: Path, *runs: list[str]) -> list[tuple[list[str], int, list[str], str]]:
    import json

    res = subprocess.run([sys.executable, "-c", COMMANDS, str(db), json.dumps(runs)], capture_output=True, text=True,
                         preexec_fn=_as_reader, timeout=120)
    out = []
    for line in res.stderr.splitlines():
        if line.startswith("["):
            argv, code, names = json.loads(line)
            out.append((argv, code, names, res.stdout))
        else:
            out.append((None, None, None, line))
    return out


@posix_only
@pytest.mark.parametrize("leave", ["clean", "wal-and-shm", "wal-only"])
def test_a_ledger_in_a_read_only_folder_is_read_and_nothing_is_left(open_folder, leave):
    db = open_folder / "ledger.db"
    cli = Cli(db)
    cli.add("Read me")
    cli.add("Read me too")
    if leave != "clean":
        _leave_wal(db)
        if leave == "wal-only":
            os.unlink(str(db) + "-shm")
    os.chmod(open_folder, 0o555)
    before = sorted(os.listdir(open_folder))
    results = _run_as_reader(db, *READS, ["show", "1", "--json"], ["add", "x"])
    errors = [line for argv, _code, _names, line in results if argv is None and line.startswith("rectify: error")]
    assert not [line for argv, _c, _n, line in results if argv is None and "Traceback" in line]
    assert [(argv, code) for argv, code, _n, _o in results if argv] == [(a, 0) for a in READS] + [
        (["show", "1", "--json"], 0), (["add", "x"], 5)], results
    assert all(names == before for argv, _c, names, _o in results if argv), results
    assert len(errors) == 1 and "read-only" in errors[0], errors  # the one line of the refused add
    assert ('"changed in the log"' in results[0][3]) == (leave != "clean")


@posix_only
def test_a_chmod_400_ledger_is_read_and_not_written(open_folder):
    db = open_folder / "ledger.db"
    Cli(db).add("Archived")
    os.chmod(db, 0o400)
    dumped = dump(db)
    results = _run_as_reader(db, ["list", "--all"], ["check"], ["add", "x"])
    assert [(argv, code, names) for argv, code, names, _o in results if argv] == [
        (["list", "--all"], 0, ["ledger.db"]), (["check"], 0, ["ledger.db"]), (["add", "x"], 5, ["ledger.db"])], results
    assert dump(db) == dumped


# -- 21. leftovers of killed runs --------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_killed_runs_are_removed_by_the_next_run_and_only_they(cli, db, tmp_path, filled):
    dead, hour_ago = _dead_pid(), time.time() - 7200
    mine = [f".ledger.db.{dead}.0123456789ab.tmp", f".ledger.db.{dead}.0123456789ab.tmp-wal",
            f".b.db.{dead}.00000000abcd.old", ".bk1.db.0123456789ab.tmp", ".rectify-export-ab12cd34.xlsx"]
    live = [f".ledger.db.{os.getpid()}.0123456789ab.tmp"]
    theirs = [".notes.tmp", ".ledger.db.backup", "ledger.db.0123456789ab.tmp"]
    for name in mine + live + theirs:
        (db.parent / name).write_text("x")
        os.utime(db.parent / name, (hour_ago, hour_ago) if name in mine[3:] else None)
    (db.parent / f".b.db.{dead}.00000000abcd.tmp").mkdir()  # a killed evidence export's folder
    mine.append(f".b.db.{dead}.00000000abcd.tmp")
    task_folder = db.parent / "ledger.evidence" / str(filled)
    incoming = task_folder / f".incoming.{dead}.0123456789ab.part"
    incoming.write_text("half a copy")
    res = cli("check", "--json")  # check names the one it cannot clear from the ledger's folder
    assert [f["kind"] for f in res.json()["faults"]] == ["leftover"], res
    cli.ok("list")
    names = set(os.listdir(db.parent))
    assert not names & set(mine) and set(live + theirs) <= names
    (tmp_path / "m.txt").write_text("m")
    cli.ok("evidence", filled, tmp_path / "m.txt")
    assert not incoming.exists()


def test_an_evidence_export_interrupted_or_killed_leaves_no_partial_folder(cli, db, tmp_path, filled):
    second = cli.add("second")
    (tmp_path / "b.txt").write_text("b")
    cli.ok("evidence", second, tmp_path / "b.txt")
    out = tmp_path / "exports" / "evidence"
    out.parent.mkdir()
    res = run_process("--db", str(db), "export", "--evidence", str(out), env={"RECTIFY_TEST_KILL_AT": "export-evidence:2:INT"})
    assert res.returncode == 130 and "nothing was changed" in res.stderr, res
    assert os.listdir(out.parent) == []
    res = run_process("--db", str(db), "export", "--evidence", str(out), env={"RECTIFY_TEST_KILL_AT": "export-evidence:2"})
    assert res.returncode == -signal.SIGKILL
    assert not out.exists() and len(os.listdir(out.parent)) == 1  # the temporary folder, until the next run
    cli.ok("export", "--evidence", out)
    assert sorted(os.listdir(out.parent)) == ["evidence"]
    with open(out / "manifest.csv", encoding="utf-8-sig") as f:
        assert {r["check"] for r in csv.DictReader(f)} == {"ok"}


# -- 22. damaged pages ------------------------------------------------------------------------------------------


def test_damaged_text_is_the_ledgers_fault_and_check_prints_it_escaped(cli, db, tmp_path, filled):
    (rel,) = _evidence(db)
    damaged = tmp_path / "damaged.db"
    shutil.copyfile(db, damaged)
    data = bytearray(damaged.read_bytes())
    at = data.find(rel.encode())
    assert at > 0
    data[at + 2] = 0xFF  # not UTF-8
    data[at + 4] = 0x1B  # an escape
    damaged.write_bytes(bytes(data))
    shutil.copytree(db.parent / "ledger.evidence", tmp_path / "damaged.evidence")
    broken = Cli(damaged)
    res = broken("backup", tmp_path / "copy.db")
    assert "decode" not in res.stderr and "Traceback" not in res.stderr, res
    assert "Could not write the backup" not in res.stderr, res
    res = broken("check")
    assert res.exit_code == 7 and "\x1b" not in res.stdout and "\\xff" in res.stdout and "\\x1b" in res.stdout, res


def test_a_manifest_of_a_long_name_is_read_back(cli, db, tmp_path):
    """The manifest names the file as it is stored, shortened."""
    task = cli.add("t")
    (tmp_path / ("b" * 240 + ".txt")).write_text("b")
    cli.ok("evidence", task, tmp_path / ("b" * 240 + ".txt"))
    cli.ok("export", "--evidence", tmp_path / "ev.zip")
    with zipfile.ZipFile(tmp_path / "ev.zip") as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode("utf-8-sig"))))
        assert zf.read(rows[0]["file"]) == b"b" and rows[0]["name"] == "b" * 240 + ".txt"
