"""Evidence (佐证材料), the one way in, through and out: every evidence file
rectify copies in (``evidence``, ``recheck``), verifies (``check``) or copies
out (``export --evidence``, ``backup``) goes through this module.

- **In**: a file is checked to be a readable file with a name that can be kept
  (``evidence_sources``), copied under a temporary name into the task's folder
  with its sha256 taken on the way (``staged_evidence``), recorded by the
  ledger (``ledger.record_evidence``, in the command's transaction), then moved
  to its stored name (``place_evidence``). The folders must be the user's own.
- **Through**: a recorded path is never followed out of the evidence folder
  (``evidence_file``), nor through a symbolic link, nor to anything but a
  regular file (``EvidenceFile``); files are read a chunk at a time and hashed
  on the way (``read_chunks``, ``sha256_stream``, ``digest``). ``each_file``
  visits each recorded file once, for ``check`` and ``backup``.
- **Out**: ``copy_hashed`` copies a file and hashes it, leaving no part of a
  failed copy; an error on the copy's side is a ``paths.WriteError``, never
  taken for a source that cannot be read. ``file_state``, ``into_zip`` and
  ``into_folder`` are the export's steps.

The folder itself is ``paths.evidence_dir`` (beside the ledger file).
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final, Protocol

from rectify.errors import InputError, LedgerError
from rectify.i18n import _
from rectify.i18n import reason as failure_reason
from rectify.paths import WriteError, clean_leftovers, evidence_dir, make_folders, temp_name, writing

__all__ = ["CHUNK", "MAX_STORED_NAME", "OUTSIDE", "EvidenceFile", "NotFollowed", "copy_checked", "copy_hashed",
           "digest", "drop_copy", "each_file", "evidence_dir", "evidence_file", "evidence_name_fault", "evidence_sources",
           "file_state", "folder_fault", "into_folder", "into_zip", "mark_unreadable", "place_evidence", "read_chunks",
           "sha256_stream", "staged_evidence", "stored_name", "zip_time"]


class Ledger(Protocol):
    """What the evidence needs of a ledger (store.Ledger): where its file is."""

    @property
    def path(self) -> Path: ...


# -- where evidence is kept ------------------------------------------------------


def evidence_file(folder: Path, rel: str) -> EvidenceFile | None:
    """The file a recorded evidence path names inside ``folder``, or None when
    the path would lead out of it (absolute, ``..``, a backslash). A ledger
    may come from anywhere: no path it records is followed out of its folder."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel or "\x00" in rel:
        return None
    return EvidenceFile(folder, parts)


MAX_STORED_NAME = 200  # bytes of a stored evidence file name, under the 255 most file systems allow


def evidence_name_fault(name: str) -> str | None:
    """Why a file cannot be evidence under its own ``name``, or None: a name
    with a path separator, a backslash or a control character would be read
    as a path, or echo terminal codes, wherever it is shown or copied."""
    from rectify.i18n import _

    if name in ("", ".", "..") or "/" in name or "\\" in name:
        return _("it contains a path separator or a backslash")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        return _("it contains a control character")
    return None


def stored_name(sha: str, name: str) -> str:
    """The file name an evidence copy is kept under: ``<sha256[:12]>-<name>``,
    its middle shortened (the suffix kept) to MAX_STORED_NAME bytes. The name
    as given stays in the ledger."""
    whole = f"{sha[:12]}-{name}"
    if len(whole.encode("utf-8")) <= MAX_STORED_NAME:
        return whole
    suffix = PurePosixPath(name).suffix
    if len(suffix.encode("utf-8")) > 20:
        suffix = ""
    room = MAX_STORED_NAME - len(sha[:12].encode()) - 1 - len(suffix.encode("utf-8"))
    stem = name[: len(name) - len(suffix)] if suffix else name
    return f"{sha[:12]}-{stem.encode('utf-8')[:room].decode('utf-8', 'ignore')}{suffix}"


def folder_fault(folder: Path) -> str | None:
    """Why rectify must not keep evidence in ``folder``, or None (also when it
    does not exist yet): a symbolic link (evidence would go where it leads),
    not a folder, another user's, or writable by others."""
    from rectify.i18n import _

    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as e:
        from rectify.i18n import reason

        return reason(e)
    if stat.S_ISLNK(st.st_mode):
        return _("is a symbolic link")
    if not stat.S_ISDIR(st.st_mode):
        return _("is not a folder")
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return _("belongs to another user")
    if st.st_mode & 0o022:
        return _("can be written by others (mode {mode:o})").format(mode=stat.S_IMODE(st.st_mode))
    return None


class NotFollowed(OSError):
    """An evidence path that is a symbolic link, or not a regular file: never read."""


class EvidenceFile:
    """A file inside an evidence folder, opened only the safe way: every
    folder on the way and the file itself without following a symbolic link,
    and only a regular file (a FIFO would hang a read, a device would never
    end). Duck-typed with ``Path`` for ``open("rb")``."""

    def __init__(self, folder: Path, parts: tuple[str, ...]):
        self.folder = folder
        self.parts = parts

    def __str__(self) -> str:
        return str(self.folder.joinpath(*self.parts))

    def open(self, mode: str = "rb"):
        assert mode == "rb"
        return os.fdopen(self._open_fd(), "rb")

    def is_file(self) -> bool:
        try:
            os.close(self._open_fd())
        except OSError:
            return False
        return True

    def size(self) -> int:
        fd = self._open_fd()
        try:
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def _open_fd(self) -> int:
        from rectify.i18n import _

        nofollow = getattr(os, "O_NOFOLLOW", 0)
        if not nofollow or os.open not in os.supports_dir_fd:  # Windows: check each step by name
            path = self.folder
            for part in ("", *self.parts):
                path = path / part if part else path
                if path.is_symlink():
                    raise NotFollowed(errno.ELOOP, _("a symbolic link, which rectify does not follow"))
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        else:
            try:
                fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | nofollow)
                for part in self.parts[:-1]:
                    try:
                        inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | nofollow, dir_fd=fd)
                    finally:
                        os.close(fd)
                    fd = inner
                try:
                    file_fd = os.open(self.parts[-1], os.O_RDONLY | nofollow | os.O_NONBLOCK, dir_fd=fd)
                finally:
                    os.close(fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) and self._is_link():
                    raise NotFollowed(errno.ELOOP, _("a symbolic link, which rectify does not follow")) from None
                raise
            fd = file_fd
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            if stat.S_ISDIR(os.stat(self.folder.joinpath(*self.parts), follow_symlinks=False).st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            raise NotFollowed(errno.EINVAL, _("not a regular file"))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return fd

    def _is_link(self) -> bool:
        path = self.folder
        for part in ("", *self.parts):
            path = path / part if part else path
            if path.is_symlink():
                return True
        return False


# -- reading and hashing ---------------------------------------------------------

CHUNK = 1 << 20  # bytes read at a time: an evidence file is never held whole in memory


@contextmanager
def read_chunks(file: Path | EvidenceFile) -> Iterator[Iterator[bytes]]:
    """The contents of ``file``, a chunk at a time. The file is opened and its
    first chunk read on entry, so that a file that cannot be read at all
    raises its OSError before the caller has written anything."""
    with file.open("rb") as f:  # a Path, or an EvidenceFile: opened the safe way
        first = f.read(CHUNK)
        yield itertools.chain([first] if first else [], iter(lambda: f.read(CHUNK), b""))


def sha256_stream(data: Iterable[bytes], sink: Callable[[bytes], object] | None = None) -> tuple[str, int]:
    """The sha256 and size of ``data``, each chunk handed on to ``sink`` on the
    way. An OSError from reading propagates as it is; one from ``sink`` is
    raised as WriteError."""
    digest = hashlib.sha256()
    size = 0
    for chunk in data:
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            writing(sink, chunk)
    return digest.hexdigest(), size


def digest(file: Path | EvidenceFile) -> tuple[str, int]:
    """The sha256 and size of a file, read a chunk at a time."""
    with read_chunks(file) as data:
        return sha256_stream(data)


# -- copying in --------------------------------------------------------------------


def copy_hashed(source: Path, dest: Path, *, mode: int = 0o666, folder_mode: int = 0o777) -> tuple[str, int]:
    """Copy the file ``source`` to ``dest`` (its missing folders made with
    ``folder_mode``), hashing on the way; return its (sha256, size). A source
    that cannot be read at all raises its OSError before anything is
    created, and one that fails part-way leaves no part of ``dest``. An error
    on the side of ``dest`` is raised as WriteError."""
    with read_chunks(source) as data:
        writing(make_folders, dest.parent, folder_mode)
        out = writing(open, dest, "wb", opener=lambda path, flags: os.open(path, flags, mode))
        try:
            found = sha256_stream(data, out.write)
            writing(out.flush)  # the last buffered bytes: a full disk shows here
        except BaseException:  # the source failed part-way, or the copy did: no part of it is left
            try:
                out.close()
            except OSError:
                pass  # the bytes it could not flush: the error already being raised
            dest.unlink(missing_ok=True)
            raise
        writing(out.close)
        return found


def evidence_sources(files: list[str]) -> list[Path]:
    """The files named, each one checked to be a readable file."""
    sources = []
    for name in files:
        path = Path(name)
        if not path.is_file():
            raise InputError(_("Evidence file not found: {path}").format(path=name))
        if not os.access(path, os.R_OK):
            raise InputError(_("Evidence file is not readable: {path}").format(path=name))
        fault = evidence_name_fault(path.name)
        if fault:
            raise InputError(_("The evidence file name {name} cannot be kept: {reason}. Rename the file and attach it again.").format(
                name=ascii(path.name), reason=fault))
        sources.append(path)
    return sources


class staged_evidence:
    """Copy each file under a temporary name into the task's evidence folder,
    hashing it on the way; what is not placed is removed at the end. The
    folders must be the user's own (never a link, nor writable by others);
    the temporary copies of killed runs are cleaned first."""

    def __init__(self, ledger: Ledger, task_id: int, sources: list[Path]):
        self.ledger, self.task_id, self.sources = ledger, task_id, sources
        self.staged: list[tuple[Path, Path, str, int, str]] = []

    def __enter__(self) -> list:
        folder = evidence_dir(self.ledger.path) / str(self.task_id)
        for place in (evidence_dir(self.ledger.path), folder):
            fault = folder_fault(place)
            if fault:
                raise LedgerError(_("The evidence folder {folder} {reason}; rectify does not keep evidence there. Make it a folder of your own, mode 700.").format(
                    folder=place, reason=fault))
        clean_leftovers(folder)
        try:
            for src in self.sources:
                tmp = temp_name(folder / "incoming", "part")
                try:
                    sha, size = copy_hashed(src, tmp, mode=0o600, folder_mode=0o700)
                except WriteError as e:
                    raise LedgerError(_("Cannot copy into the evidence folder {folder}: {reason}.").format(
                        folder=folder, reason=failure_reason(e))) from None
                except OSError as e:
                    raise InputError(_("Evidence file is not readable: {path}").format(path=src) + f" ({failure_reason(e)})") from None
                final = folder / stored_name(sha, src.name)  # the name as given is kept in the ledger
                self.staged.append((tmp, final, sha, size, src.name))
        except BaseException:
            self.__exit__()
            raise
        return self.staged

    def __exit__(self, *exc) -> None:
        for tmp, *_rest in self.staged:
            if tmp.exists():
                tmp.unlink()


def place_evidence(staged: list) -> None:
    """Move the staged files to their names, once their rows are committed;
    a copy dropped as a duplicate (``drop_copy``) is not placed."""
    for tmp, final, *_rest in staged:
        if not tmp.exists():
            continue
        os.replace(tmp, final)
        os.chmod(final, 0o600)


def drop_copy(tmp: Path) -> None:
    """Remove a staged copy that is not to be kept: the task has that file already."""
    tmp.unlink(missing_ok=True)


# -- verifying ---------------------------------------------------------------------

OUTSIDE: Final = "outside"  # a recorded path that would lead out of the evidence folder
# What a visit finds of a recorded file: its (sha256, size) as read, None when
# it is missing, the OSError that kept it from being read, or OUTSIDE.
Found = tuple[str, int] | OSError | str | None


def each_file(rows: Iterable[Mapping[str, Any]], folder: Path,
              read: Callable[[EvidenceFile, str], tuple[str, int]]) -> Iterator[tuple[Mapping[str, Any], Found]]:
    """Visit each recorded evidence file once, however many rows name it, and
    yield each row with what was found. ``read(file, rel)`` gives its
    (sha256, size) (``digest``, or a copy that hashes); an OSError it raises is
    the file's own fault (missing, or unreadable) and the visit goes on. A
    WriteError, from a copy being written, is not caught. A path that would
    lead out of ``folder`` is never followed: it is OUTSIDE."""
    seen: dict[str, tuple[str, int] | OSError | None] = {}
    for row in rows:
        rel = row["path"]
        file = evidence_file(folder, rel)
        if file is None:
            yield row, OUTSIDE
            continue
        if rel not in seen:
            try:
                seen[rel] = read(file, rel)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                seen[rel] = None
            except OSError as e:
                seen[rel] = e
        yield row, seen[rel]


# -- copying out -------------------------------------------------------------------
#
# The export's steps (``export --evidence``): each works on one entry of the
# manifest (exporter.evidence_entries), a dict whose "check" says what became
# of the file: ok, missing, unreadable (with "reason"), changed, outside, note.


def file_state(entry: dict, source: EvidenceFile) -> str:
    """"ok", "missing", or "unreadable" (with its reason: a symbolic link, not a regular file ...)."""
    try:
        source.size()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return "missing"
    except OSError as error:
        mark_unreadable(entry, error)
        return "unreadable"
    return "ok"


def copy_checked(entry: dict, data: Iterable[bytes], sink: Callable[[bytes], object]) -> None:
    """Stream ``data`` to ``sink`` while hashing; mark the entry changed if the hash differs."""
    sha, _size = sha256_stream(data, sink)
    if sha != entry["sha256"]:
        entry["check"] = "changed"


def zip_time(stamp: str | None) -> tuple[int, int, int, int, int, int]:
    """A zip member's time from an ISO moment (1980-01-01, the zip format's first day, when none)."""
    try:
        moment = datetime.fromisoformat(stamp or "")
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    t = max(moment, datetime(1980, 1, 1)).timetuple()
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def into_zip(zf: zipfile.ZipFile, e: dict) -> None:
    """One evidence file into the zip. A file that cannot be opened or read at
    all is marked unreadable; one that fails part-way stops the export, since
    half a member cannot be taken back out (nothing is written: the zip is
    built under a temporary name). An error writing the zip is a WriteError."""
    if e["file"] in zf.NameToInfo:  # one stored file recorded twice (an older ledger): one member, no duplicate name
        return
    info = zipfile.ZipInfo(e["file"], date_time=zip_time(e["date"]))
    info.compress_type = zipfile.ZIP_DEFLATED
    try:
        with read_chunks(e["source"]) as data:
            # zip64 for a member of 2 GiB or more (or whose size is not known): the
            # plain zip format holds sizes up to 2 GiB only.
            size = max(e["size"] or 0, e["source"].size())
            member = writing(zf.open, info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT)
            try:
                copy_checked(e, data, member.write)
            except OSError as error:  # reading the source part-way
                raise LedgerError(_("Evidence file {file} of task {task} cannot be read: {reason}; nothing was written.").format(
                    file=e["file"], task=e["task"], reason=failure_reason(error))) from None
            finally:
                writing(member.close)
    except OSError as error:
        mark_unreadable(e, error)


def into_folder(target: Path, e: dict) -> None:
    """One evidence file into the folder; an unreadable one is marked so, and no part of it is left."""
    try:
        sha, _size = copy_hashed(e["source"], target.joinpath(*PurePosixPath(e["file"]).parts))
    except OSError as error:
        mark_unreadable(e, error)
        return
    if sha != e["sha256"]:
        e["check"] = "changed"


def mark_unreadable(entry: dict, error: OSError) -> None:
    entry["check"] = "unreadable"
    entry["reason"] = failure_reason(error)
