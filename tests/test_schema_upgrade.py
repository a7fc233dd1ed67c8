"""A ledger of every released schema upgrades in place with nothing lost.

The fixtures (tests/fixtures/schema/vK.sqlite, written by
tests/fixtures/make_schema_fixtures.py) stand for ledgers in the field. Each
test upgrades a copy and compares it with the fixture's own content, so the
tests hold for whatever the latest schema is."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import Cli

SCHEMA = Path(__file__).parent / "fixtures" / "schema"
FIXTURES = sorted(SCHEMA.glob("v*.sqlite"), key=lambda p: int(p.stem[1:]))
TABLES = ("problem", "task", "event", "evidence")


def rows(db: Path) -> dict[str, list[dict]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in TABLES}
    finally:
        conn.close()


def pragma(db: Path, name: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def applied(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'rectify' ORDER BY rowid")]
    finally:
        conn.close()


def sums() -> dict[str, str]:
    return {p.relative_to(SCHEMA).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(SCHEMA.rglob("*")) if p.is_file() and p.name != "SHA256SUMS"}


@pytest.fixture
def copy(request, tmp_path) -> Path:
    """A copy of the fixture as ``ledger.db``, with its evidence as ``ledger.evidence``."""
    fixture: Path = request.param
    db = tmp_path / "ledger.db"
    shutil.copy(fixture, db)
    shutil.copytree(fixture.with_name(fixture.stem + ".evidence"), tmp_path / "ledger.evidence")
    # The modes rectify gives its files (git keeps none): `check` names others.
    db.chmod(0o600)
    for path in (tmp_path / "ledger.evidence").rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    (tmp_path / "ledger.evidence").chmod(0o700)
    return db


def test_every_released_schema_has_a_fixture():
    from rectify.migrations import LATEST

    versions = [int(p.stem[1:]) for p in FIXTURES]
    assert versions[:2] == [1, 2] and versions == list(range(1, len(versions) + 1))
    assert versions[-1] <= LATEST


def test_the_fixtures_are_as_committed():
    listed = dict(reversed(line.split("  ", 1)) for line in (SCHEMA / "SHA256SUMS").read_text().splitlines())
    assert sums() == listed


@pytest.mark.parametrize("copy", FIXTURES, ids=[p.stem for p in FIXTURES], indirect=True)
@pytest.mark.parametrize("first", ["list", "add"])
def test_an_older_ledger_upgrades_in_place_with_nothing_lost(copy, first):
    from rectify.migrations import LATEST, MIGRATIONS

    version = pragma(copy, "user_version")
    assert applied(copy) == MIGRATIONS[:version] and pragma(copy, "application_id") == 0x52435446
    before = rows(copy)
    assert {t["status"] for t in before["task"]} == {"open", "in_progress", "submitted", "closed", "cancelled"}
    cli = Cli(copy)
    # The first command to touch it, a read or a write, upgrades it.
    if first == "list":
        listed = cli.json("list", "--all")
        assert sorted(t["id"] for t in listed) == [t["id"] for t in before["task"]]
    else:
        new_id = cli.add("after the upgrade")
        assert new_id == max(t["id"] for t in before["task"]) + 1
    assert pragma(copy, "user_version") == LATEST and applied(copy) == MIGRATIONS
    assert pragma(copy, "integrity_check") == "ok" and pragma(copy, "journal_mode") == "wal"
    after = rows(copy)
    for table in TABLES:
        old = before[table]
        kept = [{k: r[k] for k in old[0]} for r in after[table][:len(old)]]
        assert kept == old, table  # every row, every field, ids and uids alike
        added = after[table][len(old):]
        assert first == "add" and table in ("task", "event") or not added, (table, added)


@pytest.mark.parametrize("copy", FIXTURES, ids=[p.stem for p in FIXTURES], indirect=True)
def test_the_commands_work_on_an_upgraded_ledger(copy):
    before = rows(copy)
    cli = Cli(copy)
    everything = cli.json("list", "--all")
    summary = cli.json("summary")
    assert summary["total"] == len(before["task"]) == len(everything)
    assert summary["closed"] == sum(t["status"] == "closed" for t in before["task"])
    for task in before["task"]:
        shown = cli.json("show", task["id"])
        assert (shown["uid"], shown["title"], shown["status"], shown["due"]) == (
            task["uid"], task["title"], task["status"], task["due"])
        events = [e for e in before["event"] if e["task_id"] == task["id"]]
        history = cli.json("history", task["id"])
        assert [(e["at"], e["action"], e["field"], e["old"], e["new"], e["note"]) for e in history] == [
            (e["at"], e["action"], e["field"], e["old"], e["new"], e["note"]) for e in events]
        files = [e for e in shown["evidence"] if e["name"]]
        assert [(e["name"], e["sha256"]) for e in files] == [
            (e["name"], e["sha256"]) for e in before["evidence"] if e["task_id"] == task["id"] and e["name"]]
        for e in files:
            assert hashlib.sha256((copy.parent / "ledger.evidence" / e["path"]).read_bytes()).hexdigest() == e["sha256"]
    # The ledger's rules hold on the old rows: the submitted task closes, the
    # closed one reopens, both recorded.
    submitted = next(t["id"] for t in before["task"] if t["status"] == "submitted")
    cli.ok("close", submitted, "--by", "Checker")
    closed = next(t["id"] for t in before["task"] if t["status"] == "closed")
    cli.ok("reopen", closed, "--reason", "spot check")
    assert cli.json("summary")["closed"] == summary["closed"]
    assert cli.ok("weekly").stdout and cli.ok("sheets").stdout


@pytest.mark.parametrize("copy", FIXTURES, ids=[p.stem for p in FIXTURES], indirect=True)
def test_an_upgraded_ledger_gains_rounds_and_outcomes(copy):
    """m004_rounds_outcomes: the round and outcome tables, a round_id on
    problems and tasks (none for the old rows), and the new commands work."""
    before = rows(copy)
    cli = Cli(copy)
    cli.ok("list")
    conn = sqlite3.connect(copy)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"round", "outcome"} <= tables
        for table in ("problem", "task"):
            assert {r[0] for r in conn.execute(f"SELECT round_id FROM {table}")} <= {None}
    finally:
        conn.close()
    round_id = cli.json("round", "add", "Audit 2026", "--kind", "audit")["id"]
    task = before["task"][0]["id"]
    cli.ok("edit", task, "--round", "Audit 2026")
    cli.ok("outcome", "add", task, "--money", "1,250.50", "--type", "returned")
    summary = cli.json("summary", "--round", str(round_id))
    assert summary["outcomes"]["money_fen"]["returned"] == 125050 and summary["problems"]["total"] == 1
    assert cli.ok("check").stdout == "ok\n"
