"""Opening a ledger file safely, migrating it, and the event log.

A ledger is an SQLite file stamped with rectify's ``application_id``. Before
SQLite touches a file, its 100-byte header is read: a file that is not SQLite,
an SQLite database of another program, or a ledger written by a newer rectify
is refused without a single byte changing. A new ledger is created on first
write, with mode 0600, in WAL mode, under a temporary name and then linked
into place, so no other process ever sees it half made.

Every change runs inside ``Ledger.transaction()`` (``BEGIN IMMEDIATE``), and
writes its event rows in that same transaction. The one exception to WAL mode
is a bulk load into an empty ledger (``Ledger.rollback_journal``), which runs
with SQLite's rollback journal and switches back at its end.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rectify import dates
from rectify.errors import LedgerError
from rectify.i18n import _, reason

if TYPE_CHECKING:
    from collections.abc import Callable

APPLICATION_ID = 0x52435446  # "RCTF"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 30.0


def latest_schema() -> int:
    # migrations imports sqlite-utils (~90 ms): keep it off the common path.
    from rectify.migrations import LATEST

    return LATEST


def read_header(path: Path) -> tuple[int, int, bool] | None:
    """(application_id, user_version, in WAL mode) from the file header, or
    None for a new, empty file. Raises LedgerError for anything that is not an
    SQLite file."""
    from rectify.ledgerfile import refuse_odd_kind

    refuse_odd_kind(path)  # a FIFO would hang the read below; a device is no ledger
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except IsADirectoryError:
        raise LedgerError(_("{path} is a directory, not a ledger file.").format(path=path)) from None
    except OSError as e:
        raise LedgerError(_("Cannot read the ledger {path}: {reason}.").format(path=path, reason=reason(e))) from None
    if not head:
        return None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise LedgerError(_("{path} is not a rectify ledger (not an SQLite file); it was left untouched.").format(path=path))
    return int.from_bytes(head[68:72], "big"), int.from_bytes(head[60:64], "big"), head[18] == 2


def _refuse_newer(path: Path, version: int, latest: int) -> None:
    raise LedgerError(
        _("{path} was written by a newer rectify (schema {version}; this one knows up to {latest}). Upgrade rectify; the file was left untouched.").format(
            path=path, version=version, latest=latest
        )
    )


def _check_header(path: Path) -> tuple[int, int, bool] | None:
    header = read_header(path)
    if header is None:
        return None
    app_id, version, _wal = header
    if app_id != APPLICATION_ID:
        raise LedgerError(
            _("{path} is an SQLite database of another program, not a rectify ledger; it was left untouched.").format(path=path)
        )
    # The fast check: the schema this build was released with is known
    # without importing the migrations.
    if version > KNOWN_SCHEMA:
        latest = latest_schema()
        if version > latest:
            _refuse_newer(path, version, latest)
    return header


# The schema version this release writes. A test keeps it equal to LATEST.
KNOWN_SCHEMA = 8
# The one statement that writes a task's event (``Ledger.record``, ``record_many``).
INSERT_EVENT = ("INSERT INTO event (task_id, at, action, field, old, new, note, actor, command) "
                "VALUES (?,?,?,?,?,?,?,?,?)")


# A None parameter is bound as NULL either way. Without an adapter of its own,
# the sqlite3 module looks for one through its adaptation protocol, whose
# attribute look-up on a type raises and clears an AttributeError for each None
# bound: about 1 µs each, 58,000 of them (a sixth of the writing) in an import
# of 5,000 rows. An empty dict's ``get`` answers None at once, in C.
sqlite3.register_adapter(type(None), cast("Callable[[None], None]", {}.get))


def _connect(target: str, **options) -> sqlite3.Connection:
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False, **options)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Ledger:
    """An open ledger. Use ``Ledger.open(path, write=...)``."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, exists: bool):
        self.path = path
        self.conn = conn
        self.exists = exists  # False: a read on a ledger not created yet
        self.clock_behind: tuple[str, str] | None = None  # see timestamp()
        self._command: int | None = None  # the first event of the transaction under way, see record()
        self._user: tuple[str | None, str | None] | None = None  # see user()

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, write: bool = False) -> "Ledger":
        from rectify import ledgerfile

        path = Path(path)
        ledgerfile.refuse_odd_kind(path)
        ledgerfile.tidy(path)  # a restore killed part-way, temporary files of killed runs
        header = _check_header(path) if path.exists() or path.is_symlink() else None
        if header is None and not write:
            # Nothing to read yet: answer from an empty in-memory ledger
            # rather than create a file for a read.
            conn = _connect(":memory:")
            _migrate(conn, path)
            return cls(path, conn, exists=False)
        if write and path.exists() and not ledgerfile.writable(path):
            ledgerfile.refuse_read_only(path)
        if header is None:
            _create_file(path)
        else:
            ledgerfile.refuse_stale_wal(path)
        try:
            conn = _connect(str(path)) if write else reading_connection(path)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise LedgerError(_("Cannot open the ledger {path}: {reason}.").format(path=path, reason=reason(e))) from None
        if version < KNOWN_SCHEMA:  # an older ledger, or an empty file to make one in
            _initialize(conn, path)
        elif version > KNOWN_SCHEMA and version > latest_schema():
            conn.close()
            _refuse_newer(path, version, latest_schema())
        elif write and header is not None and not header[2]:
            # Left in rollback-journal mode by a bulk load that could not
            # switch back (see ``rollback_journal``): back to WAL when it can be.
            _journal_mode(conn, "wal", wait_ms=0)
        return cls(path, conn, exists=True)

    def close(self) -> None:
        self.conn.close()

    # -- transactions and the event log -----------------------------------

    @contextmanager
    def transaction(self):
        """One change: ``BEGIN IMMEDIATE`` ... ``COMMIT``, or nothing at all."""
        if not self.exists:
            raise LedgerError(_("Internal error: a write on a read-only ledger."))
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise LedgerError(_("The ledger {path} is busy or read-only: {reason}.").format(path=self.path, reason=reason(e))) from None
        self._command = None  # one transaction is one command: its events are grouped
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as e:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise LedgerError(_("Could not save to the ledger {path}: {reason}.").format(path=self.path, reason=reason(e))) from None

    @contextmanager
    def bulk_transaction(self, bulk: bool):
        """One transaction for a load of many rows (an import): in SQLite's
        rollback journal when ``bulk`` (``rollback_journal``), else as any
        other change. Call outside a transaction."""
        with self.rollback_journal(bulk), self.transaction():
            yield self

    @contextmanager
    def rollback_journal(self, wanted: bool = True):
        """For a bulk load: SQLite's rollback journal in place of its WAL
        while the block runs. Call outside a transaction.

        WAL writes each new page twice, to the log at COMMIT and then into
        the file at the checkpoint; the rollback journal writes it once and
        journals only the pages it changes, which in a ledger being filled
        are few. An import of 100,000 tasks into a new ledger takes about
        10% less time (README, "Speed"). The change is as atomic: a process
        killed mid-way leaves a hot journal, which the next opening of the
        ledger rolls back. The switch is made only when no other connection
        is reading at that moment (it never waits), and undone at the end; if
        a reader holds the ledger then, the next write opening switches back."""
        switched = wanted and _journal_mode(self.conn, "delete", wait_ms=0)
        try:
            yield switched
        finally:
            if switched:
                _journal_mode(self.conn, "wal", wait_ms=1000)

    def record(self, task_id: int, action: str, *, field: str | None = None, old=None, new=None,
               note: str | None = None, actor: str | None = None, at: str | None = None) -> None:
        """Append one event. Call inside ``transaction()``. The events of one
        transaction (one command) share ``command``, the id of the first of
        them: ``history`` shows them as one action. An event without a
        person is the ledger's user's (``user``)."""
        if actor is None:
            actor = self.user()[0]
        self.conn.execute(INSERT_EVENT, (task_id, at or self.timestamp(), action, field, _text(old), _text(new), note,
                                         actor, self._command_id()))

    def _command_id(self) -> int:
        """The ``command`` of this transaction's events: the id the first of
        them gets (AUTOINCREMENT; the history is never rewritten)."""
        if self._command is None:
            seq = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'event'").fetchone()
            top = self.conn.execute("SELECT max(id) FROM event").fetchone()[0]
            self._command = max(seq[0] if seq else 0, top or 0) + 1
        return self._command

    def record_many(self, events) -> None:
        """Append events given as (task_id, at, action, field, old, new, note,
        actor) tuples, old and new as text: a bulk import's events, through
        the same statement as ``record``, one command. Call inside ``transaction()``."""
        command = self._command_id()
        insert_many(self.conn, INSERT_EVENT, [event + (command,) for event in events])

    def user(self) -> tuple[str | None, str | None]:
        """Who is making the changes, and where that came from (settings.current_user)."""
        if self._user is None:
            from rectify.settings import current_user

            self._user = current_user(self)
        return self._user

    def timestamp(self) -> str:
        """The moment to record a change at: the clock, but never earlier than
        the latest event already in the ledger. A clock set back, or a change
        of time zone, would otherwise put a change before the ones it follows,
        and the reports, which rebuild the past from the history, would read
        it wrong. When the clock is behind, ``clock_behind`` keeps (clock,
        recorded) for the command to say. Call inside ``transaction()``."""
        now = dates.timestamp()
        latest = self.conn.execute("SELECT max(at) FROM event WHERE at BETWEEN ? AND ?", _MOMENTS).fetchone()[0]
        if latest is not None and latest > now:
            self.clock_behind = (now, latest)
            return latest
        return now

    def record_ledger(self, action: str, *, subject: str | None = None, old=None, new=None,
                      note: str | None = None, actor: str | None = None, at: str | None = None) -> None:
        """Append one event of the ledger as a whole (a setting, a sample, a
        notice): ``ledger_event``. Call inside ``transaction()``."""
        self.conn.execute(
            "INSERT INTO ledger_event (at, action, subject, old, new, note, actor) VALUES (?,?,?,?,?,?,?)",
            (at or self.timestamp(), action, subject, _text(old), _text(new), note, actor),
        )

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params=()):
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None


# The stored moments a latest time is taken from: a damaged or foreign value
# ("zzz", a year 9999) never becomes the time of every later change.
_MOMENTS = (f"{dates.MIN_DATE.isoformat()}T00:00:00", f"{dates.MAX_DATE.isoformat()}T23:59:59")


def _text(value):
    return None if value is None else str(value)


def reading_connection(path: Path) -> sqlite3.Connection:
    """A connection for reading an existing ledger: the usual one where the
    ledger can be written (SQLite removes its -wal and -shm at the end), a
    read-only one that leaves no file behind where it cannot."""
    from rectify import ledgerfile

    if ledgerfile.writable(path):
        return _connect(str(path))
    return ledgerfile.connect_read_only(path, _connect)


def _create_file(path: Path) -> None:
    """Make a new ledger at ``path`` that appears whole: it is built under a
    temporary name beside ``path`` and linked into place, so a process racing
    this one never sees a half-made file (an SQLite file without rectify's
    stamp yet, which it would refuse as another program's). If another
    process links its ledger first, this one uses that. An empty file already
    at ``path`` is left for ``open`` to make a ledger in, in place."""
    from rectify.paths import make_folders, temp_name

    try:
        make_folders(path.parent, 0o700)
        if path.exists():
            os.chmod(path, 0o600)  # an empty file becomes the ledger: kept as rectify keeps its own
            return
        temp = temp_name(path, "new")
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as e:
        raise LedgerError(_("Cannot create the ledger {path}: {reason}.").format(path=path, reason=reason(e))) from None
    name = str(temp)
    try:
        conn = _connect(name)
        try:
            _initialize(conn, path)
        finally:
            conn.close()
        _link_into_place(temp, path)
    finally:
        for leftover in (temp, Path(name + "-wal"), Path(name + "-shm")):
            leftover.unlink(missing_ok=True)


ROWS_PER_INSERT = 500  # rows in one statement of ``insert_many``


def insert_many(conn: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    """``conn.executemany(sql, rows)`` for an ``INSERT ... VALUES (?, ...)``,
    as statements of many rows each (``VALUES (...), (...), ...``): the same
    rows, in order, under the same constraints. With ``executemany`` each
    row is one run of the statement: the module resets and rebinds it, and
    SQLite opens the table and its indexes again; here that is done once per
    ROWS_PER_INSERT rows. 5,000 tasks and their 10,706 events insert in
    0.14 s instead of 0.20 (README, issue 14). (Each row's CHECKs still run:
    the status CHECK's list of five words is still made into a table for
    every row; ``EXPLAIN`` shows no ``Once`` in a CHECK.)"""
    if not rows:
        return
    head, sep, values = sql.rpartition(" VALUES ")
    if not sep or len(rows) == 1:
        conn.executemany(sql, rows)
        return
    width = len(rows[0])
    per = max(1, min(ROWS_PER_INSERT, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // max(width, 1)))
    full = None
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        if len(chunk) == per:
            full = full or f"{head} VALUES {','.join([values] * per)}"
            statement = full
        else:
            statement = f"{head} VALUES {','.join([values] * len(chunk))}"
        conn.execute(statement, list(chain.from_iterable(chunk)))


def _journal_mode(conn: sqlite3.Connection, mode: str, *, wait_ms: int) -> bool:
    """Set the journal mode, waiting at most ``wait_ms`` for other connections
    to let go; True if the ledger is now in ``mode``."""
    conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
    try:
        return conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0] == mode
    except sqlite3.OperationalError:  # busy: another connection is reading or writing
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def _link_into_place(temp: Path, path: Path) -> None:
    try:
        os.link(temp, path)
    except FileExistsError:
        pass  # another process made the ledger first: it is used as it is
    except OSError:
        # A file system without hard links: a rename, which could replace a
        # ledger made in the last instant, so only while there is none.
        try:
            if not path.exists():
                os.rename(temp, path)
        except OSError as e:
            raise LedgerError(_("Cannot create the ledger {path}: {reason}.").format(path=path, reason=reason(e))) from None


def _initialize(conn: sqlite3.Connection, path: Path) -> None:
    """Bring a new or older ledger to the current schema, under the write lock."""
    _refuse_unknown_migrations(conn, path)  # before WAL mode, which rewrites the header
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as e:
        raise LedgerError(_("Cannot open the ledger {path}: {reason}.").format(path=path, reason=reason(e))) from None
    _migrate(conn, path)


def _refuse_unknown_migrations(conn: sqlite3.Connection, path: Path, applied: list[str] | None = None) -> None:
    """A migration this rectify does not know means a newer one wrote the file."""
    from rectify.migrations import MIGRATIONS

    if applied is None:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'").fetchone():
            return
        applied = [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'rectify' ORDER BY rowid")]
    unknown = [name for name in applied if name not in MIGRATIONS]
    if unknown:
        raise LedgerError(
            _("{path} was written by a newer rectify (it has migration {name}). Upgrade rectify; the file was left untouched.").format(
                path=path, name=unknown[0]
            )
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    # rectify.migrations first: it imports sqlite-utils with numpy and pandas
    # hidden (0.2 s idle); importing sqlite_utils here first loaded them.
    from rectify.migrations import LATEST, migrations

    from sqlite_utils import Database

    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise LedgerError(_("The ledger {path} is busy or read-only: {reason}.").format(path=path, reason=reason(e))) from None
    try:
        db = Database(conn)
        applied = [m.name for m in migrations.applied(db)]
        _refuse_unknown_migrations(conn, path, applied)
        if len(applied) < LATEST:
            migrations.apply(db)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {LATEST}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
