"""Every location rectify uses, resolved in one place, and the safe ways to
write there (temporary names, atomic replacement, the leftovers of killed
runs). Evidence files are read and copied by rectify.evidence.

The ledger: ``--db PATH``, then ``RECTIFY_DB``, then ``ledger.db`` in the
user's data directory (``RECTIFY_HOME`` overrides that directory, for tests).
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Callable
from pathlib import Path


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
    """The ledger path in use, and where it came from ("--db", "RECTIFY_DB", "default").

    The path is resolved here, once: a ledger reached through a symbolic link
    (or a linked folder) is the file the link leads to, and its evidence
    folder is beside that file, whichever link named it."""
    if option:
        raw, source = Path(option).expanduser(), "--db"
    elif os.environ.get("RECTIFY_DB"):
        raw, source = Path(os.environ["RECTIFY_DB"]).expanduser(), "RECTIFY_DB"
    else:
        raw, source = data_dir() / "ledger.db", "default"
    return Path(os.path.realpath(raw)), source


def evidence_dir(ledger: Path) -> Path:
    """The managed evidence folder beside a ledger: ``ledger.db`` -> ``ledger.evidence/``."""
    return ledger.with_name(ledger.stem + ".evidence")


SIDECARS = ("-wal", "-shm", "-journal")  # files SQLite keeps beside a database


def _refused(message: str) -> Exception:
    from rectify.errors import InputError

    return InputError(message)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _same_entry(a: Path, b: Path) -> bool:
    """``a`` and ``b`` name one file: the same inode (a hard link, a symbolic
    link, another spelling), or, where neither exists yet, the same name in
    the same folder, letter case aside (a case-insensitive file system)."""
    ia = _identity(a)
    if ia is not None and ia == _identity(b):
        return True
    return a.name.casefold() == b.name.casefold() and (
        a.parent == b.parent or (_identity(a.parent) is not None and _identity(a.parent) == _identity(b.parent)))


def guard_output(target: Path | str, ledger: Path) -> Path:
    """Refuse (InputError, exit 2) a path a command was asked to write that is
    the ledger itself, a file SQLite keeps beside it (-wal, -shm, -journal),
    or anything inside its evidence folder; nothing is touched. Paths are
    compared as the file system resolves them: symbolic links, hard links,
    ``..`` and letter case. Returns ``target`` unchanged."""
    from rectify.i18n import _

    path = Path(os.path.realpath(Path(target).expanduser()))
    real = Path(os.path.realpath(ledger))
    for suffix in ("", *SIDECARS):
        if _same_entry(path, real.with_name(real.name + suffix)):
            raise _refused(_("{path} is the ledger itself, or a file SQLite keeps beside it; writing there would destroy the ledger. Give another file.").format(
                path=target))
    folder = evidence_dir(real)
    for above in (path, *path.parents):
        if _same_entry(above, folder):
            raise _refused(_("{path} is inside the ledger's evidence folder {folder}; give a place outside it.").format(
                path=target, folder=folder))
    return Path(target)


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


def make_folders(folder: Path, mode: int) -> None:
    """``folder`` and every missing folder above it, each with ``mode``
    whatever the umask (where ``mkdir(parents=True)`` gives the leaf alone
    the mode, and the umask takes from it)."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=mode)
        except FileExistsError:
            continue  # made by another process in the meantime: its mode is its own
        os.chmod(path, mode)


# -- temporary files, and the leftovers of killed runs -----------------------------
#
# Every temporary name rectify makes is ``.{name}.{pid}.{token}.{kind}`` beside
# the file it stands for (SQLite may add -wal, -shm, -journal to it): a run
# killed part-way leaves only names of this shape, and the next run that
# passes that folder removes those whose process is gone.

TEMP_KINDS = ("new", "tmp", "old", "part", "restore")
_TEMP = re.compile(r"^\.(?P<base>.+)\.(?P<pid>\d+)\.(?P<token>[0-9a-f]{12})\.(?P<kind>new|tmp|old|part|restore)"
                   r"(?:-wal|-shm|-journal|\.[^.]*)?$")
# Names of earlier releases, without the process id: stale after an hour.
_OLD_TEMP = re.compile(r"^(?:\.rectify-export-[0-9a-z_]{8}.*|\.incoming-[0-9a-f]{32}|\..+\.[0-9a-z_]{8}\.new"
                       r"|\..+\.[0-9a-f]{12}\.(?:tmp|old|evidence\.tmp))(?:-wal|-shm|-journal)?$")
STALE_AFTER_S = 3600  # a temporary name this old is stale even if its process id lives (ids are reused)


def temp_name(path: Path, kind: str) -> Path:
    """A temporary name beside ``path`` for this process (``kind`` one of TEMP_KINDS)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.{kind}")


def temp_parts(name: str) -> tuple[str, int, str] | None:
    """(base, pid, kind) of a temporary name of this release, else None."""
    m = _TEMP.match(name)
    return (m["base"], int(m["pid"]), m["kind"]) if m else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end it: only the age tells
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's
    return True


def is_stale(path: Path, now: float | None = None) -> bool:
    """``path`` is a temporary file of rectify's whose run has ended: its
    process is gone, or it is older than STALE_AFTER_S."""
    import time

    parts = temp_parts(path.name)
    if parts is None and not _OLD_TEMP.match(path.name):
        return False
    try:
        age = (now or time.time()) - os.lstat(path).st_mtime
    except OSError:
        return False
    if parts is not None and not _alive(parts[1]):
        return True
    return age > STALE_AFTER_S


def leftovers(folder: Path, base: str | None = None) -> list[Path]:
    """The stale temporary files rectify left in ``folder`` (only of ``base``
    when given), sorted by name."""
    try:
        entries = [Path(e.path) for e in os.scandir(folder) if e.name.startswith(".")]
    except OSError:
        return []
    found = [p for p in entries if is_stale(p)]
    if base is not None:
        found = [p for p in found if p.name.startswith(f".{base}.") or p.name.startswith(f".{base}-")]
    return sorted(found)


def remove(path: Path) -> None:
    """Remove a file or a whole folder (never following a link); what cannot be removed stays."""
    import shutil

    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove rectify's stale temporary files in ``folder``; returns them."""
    found = leftovers(folder)
    for path in found:
        remove(path)
    return found


def atomic_write(path: Path, write) -> None:
    """Write through a temporary file beside ``path``, then rename: a failed
    or interrupted write never leaves half a file under the real name, and
    the temporary names of earlier killed writes in that folder are removed.
    ``write(temp_path)`` writes the content."""
    from rectify.errors import InputError
    from rectify.i18n import _, reason

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(_("The folder {folder} does not exist.").format(folder=folder))
    clean_leftovers(folder)
    tmp = temp_name(path, "part")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        write(tmp)
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as e:
        raise InputError(_("Cannot write {path}: {reason}.").format(path=path, reason=reason(e))) from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_steps: dict[str, int] = {}


def kill_point(name: str) -> None:
    """For the tests of kills: with RECTIFY_TEST_KILL_AT=name:N the process
    kills itself (SIGKILL: nothing cleaned up) on reaching step N of
    ``name``; with name:N:INT it interrupts itself as Ctrl-C does."""
    wanted = os.environ.get("RECTIFY_TEST_KILL_AT")
    if not wanted or not wanted.startswith(name + ":"):
        return
    _steps[name] = _steps.get(name, 0) + 1
    import signal

    if wanted == f"{name}:{_steps[name]}":
        os.kill(os.getpid(), signal.SIGKILL)
    elif wanted == f"{name}:{_steps[name]}:INT":
        os.kill(os.getpid(), signal.SIGINT)
