"""What is checked and put right on the ledger's file before SQLite opens it.

- Its kind: a FIFO would hang every command, a device would take SQLite's
  journal beside it (``/dev/null-journal``); only a regular file is a ledger.
- A ``-wal`` left beside a file that was replaced by hand since: SQLite would
  replay that log, written for the earlier file, over the new one.
- The leftovers of runs that were killed (``paths.temp_name``), and a restore
  (``backup --force`` onto a ledger) killed between its renames: rolled back
  while the new copy is not yet in place, rolled forward once it is.
- A ledger that cannot be written (a read-only folder, a ``chmod 400``
  archive, a CD): read through SQLite's read-only ways, leaving no file behind.

Only the standard library, and nothing heavy: this runs at every command.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import struct
import sys
import tempfile
import time
from pathlib import Path

from rectify.errors import LedgerError
from rectify.i18n import _
from rectify.paths import (SIDECARS, evidence_dir, is_stale, remove, temp_name, temp_parts)

KEEP_WAL_VAR = "RECTIFY_KEEP_WAL"  # 1: replay a -wal the stale-log check would refuse (see README)


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


# -- the kind of file ------------------------------------------------------------


def refuse_odd_kind(path: Path) -> bool:
    """Raise LedgerError unless ``path`` is a regular file or absent; True when it exists."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            return False  # a link to nothing: the ledger is made where it leads
        return False
    except OSError:
        return True  # unreadable in some way: opening it says why
    if stat.S_ISREG(st.st_mode):
        return True
    if stat.S_ISDIR(st.st_mode):
        raise LedgerError(_("{path} is a directory, not a ledger file.").format(path=path))
    kind = (_("a named pipe (FIFO)") if stat.S_ISFIFO(st.st_mode) else _("a socket") if stat.S_ISSOCK(st.st_mode)
            else _("a device"))
    raise LedgerError(_("{path} is {kind}, not a ledger file; nothing was read or written.").format(path=path, kind=kind))


# -- writable or not --------------------------------------------------------------


def writable(path: Path) -> bool:
    """The ledger and its folder can be written (SQLite makes its -wal and -shm there)."""
    folder = path.parent
    return os.access(folder, os.W_OK | os.X_OK) and (not path.exists() or os.access(path, os.W_OK))


def refuse_read_only(path: Path) -> None:
    raise LedgerError(_("The ledger {path} is read-only (the file or its folder cannot be written); nothing was changed.").format(
        path=path))


class _ReadOnlyCopy(sqlite3.Connection):
    """A connection to a private copy of a read-only ledger and its -wal;
    the copy goes when the connection closes."""

    folder: str | None = None

    def close(self) -> None:
        super().close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __del__(self):
        self.close()


def connect_read_only(path: Path, connect) -> sqlite3.Connection:
    """A reading connection to a ledger that cannot be written, leaving no
    file behind. No log beside it: SQLite's ``immutable`` mode. A log and its
    index (-wal and -shm): a plain read-only open, which uses them. A log
    without its index: SQLite cannot read that in place, so the two files are
    copied to a private folder and read there."""
    wal, shm = sidecar(path, "-wal"), sidecar(path, "-shm")
    has_log = wal.exists() and wal.stat().st_size > 0
    if not has_log:
        return connect(f"{path.absolute().as_uri()}?immutable=1", uri=True)
    if shm.exists():
        try:
            conn = connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            pass
    folder = tempfile.mkdtemp(prefix="rectify-read-")
    try:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, sidecar(copy, "-wal"))
        conn = connect(str(copy), factory=_ReadOnlyCopy)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    conn.folder = folder
    return conn


# -- a -wal left by an earlier file ---------------------------------------------------

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_SHM_VERSION = 3007000


def _checksum(data: bytes, s0: int, s1: int, big: bool) -> tuple[int, int]:
    for x0, x1 in struct.iter_unpack(">II" if big else "<II", data):
        s0 = (s0 + x0 + s1) & 0xFFFFFFFF
        s1 = (s1 + x1 + s0) & 0xFFFFFFFF
    return s0, s1


def _wal_pages(wal: Path, limit: int | None) -> tuple[int, dict[int, int]] | None:
    """(page size, {page number: offset of its latest committed frame}) of
    the log, only frames up to ``limit`` when given; None for a log SQLite
    would ignore anyway."""
    with open(wal, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return None
        magic, _version, page_size, _seq, salt1, salt2, c0, c1 = struct.unpack(">8I", head)
        if magic not in _WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
            return None
        big = bool(magic & 1)
        s0, s1 = _checksum(head[:24], 0, 0, big)
        if (s0, s1) != (c0, c1):
            return None
        pages: dict[int, int] = {}
        pending: dict[int, int] = {}
        frame = 0
        while limit is None or frame < limit:
            offset = f.tell()
            header = f.read(24)
            data = f.read(page_size)
            if len(header) < 24 or len(data) < page_size:
                break
            pgno, commit, fs1, fs2, fc0, fc1 = struct.unpack(">6I", header)
            if (fs1, fs2) != (salt1, salt2):
                break
            s0, s1 = _checksum(header[:8] + data, s0, s1, big)
            if (s0, s1) != (fc0, fc1):
                break
            frame += 1
            pending[pgno] = offset + 24
            if commit:
                pages.update(pending)
                pending.clear()
        return page_size, pages


def _backfilled(shm: Path, wal_head: bytes) -> int | None:
    """How many frames of the log were already copied into the file, from
    the index SQLite keeps (-shm), or None when it says nothing reliable."""
    try:
        with open(shm, "rb") as f:
            head = f.read(136)
    except OSError:
        return None
    if len(head) < 136 or head[:48] != head[48:96]:
        return None
    order = "<" if sys.byteorder == "little" else ">"
    if struct.unpack(order + "I", head[:4])[0] != _SHM_VERSION or head[32:40] != wal_head[16:24]:
        return None
    return struct.unpack(order + "I", head[96:100])[0]


def _in_use(shm: Path) -> bool:
    """Another connection has the ledger open: it holds SQLite's read lock on
    the -shm (byte 128, the "DMS" lock). Linux only; elsewhere, assumed in
    use, so the check below never refuses a live log."""
    if not sys.platform.startswith("linux"):
        return True
    try:
        import fcntl

        fd = os.open(shm, os.O_RDONLY)
    except (ImportError, OSError):
        return True  # cannot tell: never refuse
    try:
        query = struct.pack("@hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 128, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        return struct.unpack("@hhqqi", answer)[0] != fcntl.F_UNLCK
    except OSError:
        return True
    finally:
        os.close(fd)  # this process holds no SQLite lock on it yet: closing loses none


def refuse_stale_wal(path: Path) -> None:
    """Refuse a ledger file that was replaced (copied or moved over) after its
    last writer left a -wal beside it, when replaying that log would change
    the new file. The sign: the file changed (its ctime) after the log was
    last written, while no connection has it open, and the pages the log
    says were already copied into the file are not in it."""
    wal, shm = sidecar(path, "-wal"), sidecar(path, "-shm")
    # A writer that opens the ledger, writes or checkpoints while this looks
    # makes a sound file look replaced for a moment (its pages half copied);
    # a replaced file stays so. Refused only when it looks so three times.
    for pause in (0.05, 0.2, None):
        if not _looks_stale(path, wal, shm):
            return
        if pause is not None:
            time.sleep(pause)
    raise LedgerError(_(
        "{path} was replaced after its last writer left {wal}, and SQLite would replay that log over it; "
        "nothing was read or written. If you put this file there on purpose (a restore), move {wal} and {shm} "
        "away; if you only changed its permissions, run the command again with {var}=1.").format(
        path=path, wal=wal.name, shm=shm.name, var=KEEP_WAL_VAR))


def _looks_stale(path: Path, wal: Path, shm: Path) -> bool:
    """One look for the sign ``refuse_stale_wal`` describes."""
    try:
        wal_st, db_st = os.stat(wal), os.stat(path)
    except OSError:
        return False
    if (sys.platform == "win32" or wal_st.st_size <= 32 or db_st.st_ctime_ns <= wal_st.st_mtime_ns
            or os.environ.get(KEEP_WAL_VAR) == "1" or (shm.exists() and _in_use(shm))):
        return False
    try:
        with open(wal, "rb") as f:
            wal_head = f.read(32)
        whole = _wal_pages(wal, None)
        if whole is None or not whole[1]:
            return False  # no committed frame: nothing would be replayed
        done = _backfilled(shm, wal_head) if shm.exists() else None
        page_size, pages = whole if done is None else _wal_pages(wal, done) or (whole[0], {})
        # Nothing copied into the file yet, and yet the file changed after
        # the log: it was replaced. Otherwise the copied pages must be there.
        stale = done == 0
        with open(path, "rb") as db, open(wal, "rb") as log:
            for pgno, offset in sorted(pages.items()):
                if stale:
                    break
                db.seek((pgno - 1) * page_size)
                log.seek(offset)
                stale = db.read(page_size) != log.read(page_size)
    except OSError:
        return False
    return stale


# -- leftovers and killed restores -------------------------------------------------


def write_restore_plan(target: Path, plan: dict) -> Path:
    """Record what a restore at ``target`` is about to rename, so that a run
    after a kill can finish it or take it back (``recover``)."""
    marker = temp_name(target, "restore")
    fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(plan, f)
        f.flush()
        os.fsync(f.fileno())
    return marker


def finish_restore(marker: Path, plan: dict) -> None:
    """Complete or undo the restore ``plan`` that ``marker`` records. While
    the new copy is still under its temporary name the restore is undone
    (what was moved aside goes back); once the copy has its name, what was
    moved aside is removed."""
    if Path(plan["temp_db"]).exists():
        target_evidence = Path(plan["target_evidence"])
        for original, moved in reversed(plan["aside"]):
            original, moved = Path(original), Path(moved)
            if not moved.exists():
                continue
            if original == target_evidence and original.exists():
                remove(original)  # the new folder, renamed in before the kill
            os.replace(moved, original)
        renamed_in = plan.get("temp_evidence") and not Path(plan["temp_evidence"]).exists()
        if renamed_in and not any(original == plan["target_evidence"] for original, _moved in plan["aside"]):
            remove(target_evidence)  # the new folder, where the old ledger had none
        for name in (plan["temp_db"], plan.get("temp_evidence") or ""):
            if name:
                remove(Path(name))
    else:
        for _original, moved in plan["aside"]:
            remove(Path(moved))
        if plan.get("temp_evidence"):
            remove(Path(plan["temp_evidence"]))
    marker.unlink(missing_ok=True)


def tidy(path: Path) -> None:
    """Before a ledger is opened: finish restores killed part-way and remove
    the stale temporary files of killed runs, in its folder and its evidence
    folder's top level. Whatever cannot be done (a read-only folder) is left."""
    folder = path.parent
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(".")]
    except OSError:
        return
    for name in sorted(names, key=lambda n: not n.endswith(".restore")):  # restores first
        entry = folder / name
        if not is_stale(entry):
            continue
        parts = temp_parts(name)
        try:
            if parts and parts[2] == "restore":
                plan = json.loads(entry.read_text(encoding="utf-8"))
                finish_restore(entry, plan)
            elif entry.exists() or entry.is_symlink():
                remove(entry)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    evidence = evidence_dir(path)
    if evidence.is_dir() and not evidence.is_symlink():
        try:
            stale = [Path(e.path) for e in os.scandir(evidence) if e.name.startswith(".") and is_stale(Path(e.path))]
        except OSError:
            return
        for entry in stale:
            remove(entry)


__all__ = ["SIDECARS", "connect_read_only", "finish_restore", "refuse_odd_kind", "refuse_read_only",
           "refuse_stale_wal", "tidy", "writable", "write_restore_plan"]
