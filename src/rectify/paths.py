"""Every location rectify uses, resolved in one place, and the one way its
evidence files are read: streamed, hashed on the way, never followed out of
their folder.

The ledger: ``--db PATH``, then ``RECTIFY_DB``, then ``ledger.db`` in the
user's data directory (``RECTIFY_HOME`` overrides that directory, for tests).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath


def data_dir() -> Path:
    home = os.environ.get("RECTIFY_HOME")
    if home:
        return Path(home)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "rectify"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "rectify"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rectify"


def ledger_path(option: str | None = None) -> tuple[Path, str]:
    """The ledger path in use, and where it came from ("--db", "RECTIFY_DB", "default")."""
    if option:
        return Path(option).expanduser(), "--db"
    env = os.environ.get("RECTIFY_DB")
    if env:
        return Path(env).expanduser(), "RECTIFY_DB"
    return data_dir() / "ledger.db", "default"


def evidence_dir(ledger: Path) -> Path:
    """The managed evidence folder beside a ledger: ``ledger.db`` -> ``ledger.evidence/``."""
    return ledger.with_name(ledger.stem + ".evidence")


def evidence_file(folder: Path, rel: str) -> Path | None:
    """The file a recorded evidence path names inside ``folder``, or None when
    the path would lead out of it (absolute, ``..``, a backslash). A ledger
    may come from anywhere: no path it records is followed out of its folder."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel:
        return None
    return folder.joinpath(*parts)


# -- reading evidence files ----------------------------------------------------------

CHUNK = 1 << 20  # bytes read at a time: an evidence file is never held whole in memory


class WriteError(Exception):
    """An OSError raised while writing a copy, set apart from one raised while
    reading its source: a copy that fails blames the side that failed."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error
        self.strerror = error.strerror  # so that ``i18n.reason`` words it as it words the OSError


def writing(call: Callable, *args, **kwargs):
    """``call(*args, **kwargs)``, a step of writing a copy: its OSError is raised as WriteError."""
    try:
        return call(*args, **kwargs)
    except OSError as e:
        raise WriteError(e) from e


@contextmanager
def read_chunks(file: Path) -> Iterator[Iterator[bytes]]:
    """The contents of ``file``, a chunk at a time. The file is opened and its
    first chunk read on entry, so that a file that cannot be read at all
    raises its OSError before the caller has written anything."""
    with open(file, "rb") as f:
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


def _make_folders(folder: Path, mode: int) -> None:
    """``folder`` and every missing folder above it, each with ``mode`` (where
    ``mkdir(parents=True)`` gives the leaf alone the mode)."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=mode, exist_ok=True)


def copy_hashed(source: Path, dest: Path, *, mode: int = 0o666, folder_mode: int = 0o777) -> tuple[str, int]:
    """Copy the file ``source`` to ``dest`` (its missing folders made with
    ``folder_mode``), hashing on the way; return its (sha256, size). A source
    that cannot be read at all raises its OSError before anything is
    created, and one that fails part-way leaves no part of ``dest``. An error
    on the side of ``dest`` is raised as WriteError."""
    with read_chunks(source) as data:
        writing(_make_folders, dest.parent, folder_mode)
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
