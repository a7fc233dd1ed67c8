"""Hostile text, dates and clocks (issue 12, items 7, 10, 11, 17, 19, 20, 23).

Terminal escapes in data must never reach the terminal raw: every path that
prints text from data or the file system shows a control character escaped
(rectify.text). Markdown shows user text literally. The clock and every date
stay within the supported range. Ctrl-C at start-up exits 130 quietly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from conftest import Cli, dump

# A screen clear, a hyperlink (OSC 8), a bell and the one-byte CSI (C1).
HOSTILE = "A\x1b[2J\x1b]8;;https:evil.example\x07link\x1b]8;;\x07\x9b31m\x07B"
RAW = ("\x1b", "\x07", "\x9b")


def assert_escaped(*texts: str) -> None:
    """No raw control character, and the escape shown where ESC was."""
    joined = "".join(texts)
    for ch in RAW:
        assert ch not in joined, repr(joined[:600])
    assert "\\x1b" in joined, repr(joined[:600])


# -- the sanitiser -------------------------------------------------------------


def test_printable_shows_controls_and_keeps_chinese_and_newlines():
    from rectify.text import printable

    assert printable("整改\t措施\n第二行") == "整改\t措施\n第二行"
    assert printable("a\x1b[2Jb\x07\x9b\x7f\x00") == "a\\x1b[2Jb\\x07\\x9b\\x7f\\x00"
    assert printable("a\nb", newlines=False) == "a\\nb"
    assert printable("\u202eevil") == "\\u202eevil"  # a bidirectional override reorders a line
    assert printable("bad\udcffbyte") == "bad\\udcffbyte"
    assert printable("plain ascii") == "plain ascii"


# -- every printed path --------------------------------------------------------


def _evil_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / f"minutes{HOSTILE}.pdf"
    path.write_bytes(b"%PDF-1.4 signed minutes\n")
    return path


def _hostile_evidence_name(cli, db, tmp_path) -> None:
    """Task 1 with an evidence file whose recorded name holds control
    characters. `rectify evidence` refuses such a name now (and says so,
    escaped); a ledger written before that rule may still hold one."""
    res = cli("evidence", "1", str(_evil_file(tmp_path)))
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1, res
    assert_escaped(res.stdout, res.stderr)
    plain = tmp_path / "minutes.pdf"
    plain.write_bytes(b"%PDF-1.4 signed minutes\n")
    cli.ok("evidence", "1", str(plain))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE evidence SET name = ?", (f"minutes{HOSTILE}.pdf",))
    conn.close()


def test_an_evidence_file_name_is_shown_escaped_everywhere(cli, db, tmp_path):
    cli.add("Sign the minutes", "--owner", "Li Hua")
    _hostile_evidence_name(cli, db, tmp_path)
    conn = sqlite3.connect(db)  # history is append-only: its note of the name is added as an older ledger has it
    with conn:
        conn.execute("INSERT INTO event (task_id, at, actor, action, field, old, new, note) "
                     "SELECT task_id, at, actor, action, field, old, ?, note FROM event WHERE action = 'evidence'",
                     (f"minutes{HOSTILE}.pdf",))
    conn.close()
    for argv in (["show", "1"], ["history", "1"]):
        res = cli.ok(*argv)
        assert_escaped(res.stdout, res.stderr)
    # JSON stays exact data, with every control character written as \\uXXXX
    for argv in (["show", "1", "--json"], ["history", "1", "--json"],
                 ["export", "--format", "json", "--evidence", str(tmp_path / "out")]):
        res = cli.ok(*argv)
        assert not any(ch in res.stdout + res.stderr for ch in RAW), res
        assert "\\u001b" in res.stdout and "\\u009b" in res.stdout
    assert cli.json("show", "1")["evidence"][0]["name"] == f"minutes{HOSTILE}.pdf"


def test_check_and_backup_name_a_hostile_evidence_file_escaped(cli, db, tmp_path):
    cli.add("Sign the minutes")
    _hostile_evidence_name(cli, db, tmp_path)
    for f in db.with_name("ledger.evidence").rglob("*.pdf"):
        f.write_bytes(b"changed")
    res = cli("check")
    assert res.exit_code == 7, res
    assert_escaped(res.stdout, res.stderr)
    assert len(res.stdout.splitlines()) == 2  # the changed file and the name: one fault, one line each
    res = cli("backup", str(tmp_path / "copy.db"))
    assert res.exit_code == 7, res
    assert not any(ch in res.stdout + res.stderr for ch in RAW), res  # (backup names the file by its path)


def test_where_and_error_messages_show_a_hostile_path_escaped(cli, tmp_path):
    res = Cli(tmp_path / f"l{HOSTILE}.db")("where")
    assert res.exit_code == 0
    assert_escaped(res.stdout, res.stderr)
    for argv in (["import", str(tmp_path / f"missing{HOSTILE}.csv")],
                 ["evidence", "1", str(tmp_path / f"no{HOSTILE}.pdf")],
                 ["show", f"1{HOSTILE}"],
                 ["list", f"--bogus{HOSTILE}"],
                 ["weekly", "--output", str(tmp_path / f"no{HOSTILE}" / "w.md")]):
        res = cli(*argv)
        assert res.exit_code == 2, res
        assert_escaped(res.stderr)
        assert len(res.stderr.splitlines()) == 1, res


def test_import_echoes_csv_headers_and_footnotes_escaped(cli, tmp_path):
    sheet = tmp_path / "sheet.csv"
    evil = "\x1b[2J\x07\x9b"  # (a CSV sniffer reads the OSC's semicolons as a delimiter)
    sheet.write_text(f"巡察整改台账{evil}\n整改措施,责任单位,Extra{evil}\n报销清理{evil},财务处,x\n\n注：{evil}\n",
                     encoding="utf-8")
    res = cli("import", str(sheet), "--dry-run", "--strict")
    assert res.exit_code == 6, res  # the measure holds control characters: the row is refused, and named
    assert_escaped(res.stdout, res.stderr)
    assert "Extra\\x1b[2J" in res.stderr, res.stderr
    res = cli.ok("import", str(sheet), "--dry-run")  # without --strict the row is skipped, and named as escaped
    assert_escaped(res.stdout, res.stderr)
    assert "row 3" in res.stderr and "Extra\\x1b[2J" in res.stderr, res.stderr


def test_a_hostile_value_in_a_stored_ledger_is_shown_escaped(cli, db):
    """Values no command would store (a ledger edited by hand, or damaged):
    every reader shows them escaped, and none fails."""
    cli.add("Sign the minutes", "--unit", "Finance", "--due", "2026-11-20")
    _raw_sql(db, "UPDATE task SET title = ?, unit = ?, owner = ? WHERE id = 1", (HOSTILE, HOSTILE, HOSTILE))
    _raw_sql(db, "INSERT INTO event (task_id, at, action, field, old, new, note, actor) VALUES (1, ?, 'edit', 'note', NULL, ?, ?, ?)",
             ("2026-11-24T10:00:00", HOSTILE, HOSTILE, HOSTILE), triggers=False)
    for argv in (["list"], ["show", "1"], ["history", "1"], ["problems"], ["summary", "--by", "unit"],
                 ["weekly"], ["weekly", "--format", "md"], ["weekly", "--format", "html"], ["sheets"],
                 ["sheets", "--format", "md"], ["sheets", "--format", "html"], ["classify", "--auto"]):
        res = cli(*argv)
        assert res.exit_code == 0, (argv, res)
        joined = res.stdout + res.stderr
        for ch in RAW:
            assert ch not in joined, (argv, joined[:400])


# -- Markdown ----------------------------------------------------------------


MARKUP = "<script>alert(1)</script> [click](http://evil.example) a|b *x* `y`"


def test_markdown_reports_show_user_text_literally(cli):
    cli.add(MARKUP, "--unit", "<b>Fin|ance</b>", "--owner", "[me](http://x)", "--due", "2026-11-20")
    cli.add("Second\nline title", "--unit", "# Heading", "--due", "2026-11-27")
    for argv in (["weekly", "--format", "md"], ["sheets", "--format", "md"]):
        text = cli.ok(*argv).stdout
        assert "<script>" not in text and "<b>" not in text, text
        assert "&lt;script&gt;" in text
        assert "](http" not in text.replace("\\](http", "")  # no link syntax survives: the bracket is escaped
        assert "\\[click\\]" in text or "\\[me\\]" in text
        bars, previous = None, ""
        for line in text.splitlines():
            if line.startswith("|"):
                # every row of a table has as many unescaped bars as its header
                count = line.replace("\\|", "").count("|")
                if not previous.startswith("|"):
                    bars = count
                assert count == bars, line
            assert not line.startswith("# Heading")
            previous = line


def test_markdown_escape_function():
    from rectify.render.markdown import escape

    assert escape("<script>") == "&lt;script&gt;"
    assert escape("[a](b)") == "\\[a\\](b)"
    assert escape("a|b\nc") == "a\\|b c"
    assert escape("2026-12-31 12.5%") == "2026-12-31 12.5%"
    assert escape("- item", line=True) == "\\- item"
    assert escape("1. one", line=True) == "1\\. one"
    assert escape("整改\x1b[2J") == "整改\\\\x1b\\[2J"


# -- the clock and the date range ---------------------------------------------


def _raw_sql(db, sql, params=(), *, triggers=True):
    """Write to a ledger behind rectify's back; the event table's append-only
    triggers are dropped for it unless ``triggers``."""
    conn = sqlite3.connect(db)
    try:
        saved = []
        if not triggers:
            saved = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'").fetchall()
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'").fetchall():
                conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(sql, params)
        for (sql_text,) in saved:
            conn.execute(sql_text)
        conn.commit()
    finally:
        conn.close()


EVERY_READ = (["list"], ["list", "--all", "--json"], ["show", "1"], ["history", "1"], ["summary"],
              ["weekly"], ["weekly", "--format", "md"], ["weekly", "--format", "html"], ["weekly", "--json"],
              ["sheets"], ["export", "--format", "json"], ["export", "--format", "csv"], ["check"])


@pytest.mark.parametrize("clock", ["1900-01-01T00:00:00", "1900-01-03", "2999-12-31T23:59:59", "2999-12-27"])
def test_every_command_works_at_the_ends_of_the_date_range(cli, monkeypatch, clock, tmp_path):
    monkeypatch.setenv("RECTIFY_NOW", clock)
    cli.ok("add", "At the edge", "--due", "today", "--owner", "Li")
    cli.ok("progress", "1", "begun")
    cli.ok("evidence", "1", "--note", "minutes")
    cli.ok("submit", "1")
    for argv in EVERY_READ:
        cli.ok(*argv)
    cli.ok("export", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx"))
    cli.ok("close", "1", "--by", "Chen")


@pytest.mark.parametrize("clock", ["9999-12-31", "0001-01-01", "1899-12-31T23:59:59", "3000-01-01"])
def test_a_clock_outside_the_range_is_refused_in_one_line(cli, db, monkeypatch, clock):
    cli.add("Before")
    before = dump(db)
    monkeypatch.setenv("RECTIFY_NOW", clock)
    for argv in (["add", "x"], ["list"], ["show", "1"], ["summary"], ["weekly"], ["export", "--format", "json"]):
        res = cli(*argv)
        assert res.exit_code == 2, (argv, res)
        assert res.stderr.startswith("rectify: error: The clock") and len(res.stderr.splitlines()) == 1, res
        assert "1900-01-01..2999-12-31" in res.stderr
    assert dump(db) == before


# -- Ctrl-C at start-up ---------------------------------------------------------

_INTERRUPT_AT = textwrap.dedent("""
    import os, signal, sys, threading
    import rectify.__main__ as entry
    delay = float(sys.argv[1])
    if delay < 0:
        os.kill(os.getpid(), signal.SIGINT)  # before the CLI module is imported
    else:
        timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
        timer.daemon = True
        timer.start()
    sys.argv = ["rectify"] + sys.argv[2:]
    entry.main()
""")


@pytest.mark.parametrize("delay", [-1, 0.0, 0.002, 0.01, 0.03, 0.06, 0.1, 0.2])
def test_ctrl_c_at_any_moment_of_start_up_exits_130_without_a_traceback(tmp_path, delay):
    env = {**os.environ, "RECTIFY_DB": str(tmp_path / "l.db"), "PYTHONPATH": os.pathsep.join(sys.path)}
    res = subprocess.run([sys.executable, "-c", _INTERRUPT_AT, str(delay), "list", "--all"],
                         capture_output=True, text=True, env=env, timeout=60, check=False)
    assert "Traceback" not in res.stderr and "KeyboardInterrupt" not in res.stderr, res.stderr
    assert res.returncode in (130, 0), res  # 0: the command finished before the signal came
    assert len(res.stderr.splitlines()) <= 1, res
    if delay < 0:
        assert res.returncode == 130


# -- imports: every field checked as the commands check it ---------------------

_AT = "2026-01-05T09:00:00"
BAD_ITEMS = {
    "note-5m": {"title": "x", "note": "n" * 5_000_000},
    "history-note-5m": {"title": "x", "history": [{"at": _AT, "action": "add", "note": "n" * 5_000_000}]},
    "history-nul": {"title": "x", "history": [{"at": _AT, "action": "add", "new": "a\x00b"}]},
    "history-escape": {"title": "x", "history": [{"at": _AT, "action": "add", "actor": "\x1b[2J"}]},
    "history-at-not-a-time": {"title": "x", "history": [{"at": "not a time", "action": "add"}]},
    "history-at-year-1": {"title": "x", "history": [{"at": "0001-01-01T00:00:00", "action": "add"}]},
    "history-at-year-9999": {"title": "x", "history": [{"at": "9999-12-31T00:00:00", "action": "add"}]},
    "history-backwards": {"title": "x", "history": [{"at": _AT, "action": "add"},
                                                    {"at": "2026-01-04T09:00:00", "action": "start", "field": "status",
                                                     "old": "open", "new": "in_progress"}]},
    "history-unknown-action": {"title": "x", "history": [{"at": _AT, "action": "hack"}]},
    "history-forbidden-transition": {"title": "x", "status": "closed", "closed_by": "Chen", "history": [
        {"at": _AT, "action": "add", "new": "x"},
        {"at": _AT, "action": "close", "field": "status", "old": "open", "new": "closed", "actor": "Chen"}]},
    "history-unknown-field": {"title": "x", "history": [{"at": _AT, "action": "edit", "field": "rowid"}]},
    "created-not-a-time": {"title": "x", "created": "yesterday-ish"},
    "due-year-1": {"title": "x", "due": "0001-01-01"},
    "due-year-9999": {"title": "x", "due": "9999-12-31"},
    "closed-at-year-9999": {"title": "x", "status": "closed", "closed_at": "9999-12-31T00:00:00", "closed_by": "Chen"},
    "evidence-escape": {"title": "x", "evidence": [{"name": "a\x1b]8;;x\x07b.pdf"}]},
    "evidence-nul": {"title": "x", "evidence": [{"note": "a\x00b"}]},
}


@pytest.mark.parametrize("name", sorted(BAD_ITEMS))
def test_json_import_refuses_what_the_commands_refuse(cli, db, tmp_path, name):
    cli.add("Already here")
    before = dump(db)
    good = {"title": "A good item", "due": "2026-12-31"}
    path = tmp_path / "in.json"
    path.write_text(json.dumps([good, BAD_ITEMS[name]]), encoding="utf-8")
    res = cli("import", str(path))
    assert res.exit_code == 6, res
    lines = res.stderr.splitlines()
    assert lines[0].startswith("item 2: ") and lines[-1].startswith("rectify: error: "), res
    assert len(lines) == 2 and "Traceback" not in res.stderr
    assert not any(ch in res.stderr for ch in RAW + ("\x00",))
    assert dump(db) == before
    res = cli.ok("import", str(path), "--skip-bad")
    assert [t["title"] for t in cli.json("list")] == ["A good item", "Already here"]
    for task in (1, 2):
        cli.ok("show", str(task))
        cli.ok("history", str(task))


def test_json_import_keeps_a_good_history_normalised(cli, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps([{"title": "x", "created": "2026-01-05T09:00:00.250+08:00", "history": [
        {"at": "2026-01-05T09:00:00.250+08:00", "action": "add", "new": "x"},
        {"at": "2026-01-06 10:00:00", "action": "start", "field": "status", "old": "open", "new": "in_progress"}],
        "status": "in_progress"}]), encoding="utf-8")
    cli.ok("import", str(path))
    assert [e["at"] for e in cli.json("history", "1")] == ["2026-01-05T09:00:00", "2026-01-06T10:00:00"]
    assert cli("check").exit_code == 0


def test_sheets_refuse_dates_outside_the_range(cli, db, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["整改措施", "责任单位", "整改时限", "销号时间"])
    ws.append(["报销清理", "财务处", -5, None])  # an xlsx serial before 1900
    ws["C2"].number_format = "yyyy-mm-dd"
    ws.append(["制度修订", "财务处", "2026-12-31", None])
    ws.append(["台账归档", "财务处", 2958465, None])  # 9999-12-31
    ws["C4"].number_format = "yyyy-mm-dd"
    ws.append(["会议纪要", "财务处", "2026-12-31", "0001-01-01T00:00:00"])
    wb.save(tmp_path / "s.xlsx")
    (tmp_path / "s.csv").write_text("整改措施,整改时限\n甲,0001-01-01\n乙,9999-12-31\n丙,2026-12-31\n", encoding="utf-8")
    for name, bad in (("s.xlsx", [2, 4, 5]), ("s.csv", [2, 3])):
        res = cli("import", str(tmp_path / name), "--strict")
        assert res.exit_code == 6, res
        assert [int(line.split()[1].rstrip(":")) for line in res.stderr.splitlines() if line.startswith("row ")] == bad, res
        assert "out of range" in res.stderr
        assert not db.exists() or cli.json("list") == []
    res = cli.ok("import", str(tmp_path / "s.csv"), "--strict", "--skip-bad")
    assert [t["title"] for t in cli.json("list")] == ["丙"]
    # Without --strict no such date arrives either: the cell is kept as text
    # and its task marked for review (an office's sheet is never refused whole).
    cli.ok("import", str(tmp_path / "s.csv"))
    due = {t["title"]: t["due"] for t in cli.json("list", "--all")}
    assert due == {"甲": None, "乙": None, "丙": "2026-12-31"}
    assert sorted(t["title"] for t in cli.json("list", "--review")) == ["乙", "甲"]
    kept = [k["text"] for t in cli.json("list", "--review") for k in cli.json("show", str(t["id"]))["kept"]]
    assert sorted(kept) == ["0001-01-01", "9999-12-31"]


# -- a clock that goes backwards ------------------------------------------------


def test_a_clock_set_back_never_makes_history_run_backwards(cli, db, monkeypatch):
    cli.add("Sign the minutes", "--owner", "Li")
    cli.ok("evidence", "1", "--note", "minutes")
    cli.ok("submit", "1")
    cli.ok("close", "1", "--by", "Chen")  # at 2026-11-25T09:00:00
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-20T08:00:00")  # set back five days
    res = cli.ok("reopen", "1", "--reason", "recurred")
    assert "warning: the clock reads 2026-11-20T08:00:00" in res.stderr and len(res.stderr.splitlines()) == 2, res
    cli.ok("add", "Another task")
    ats = [e["at"] for e in cli.json("history", "1")]
    assert ats == sorted(ats) and ats[-1] == "2026-11-25T09:00:00"
    assert cli.json("show", "2")["created"] == "2026-11-25T09:00:00"
    # the report of the 24th still shows the task closed on the 25th as open, and nothing reopened before it closed
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-26T09:00:00")
    assert cli.json("summary", "--as-of", "2026-11-24")["closed"] == 0
    assert cli.ok("check").exit_code == 0


# -- check names a damaged history -------------------------------------------


def _damaged(cli, db):
    """A sound ledger: task 1 open (owner Li), task 2 closed by Chen (owner Wang)."""
    cli.add("One", "--owner", "Li")
    cli.add("Two", "--owner", "Wang")
    cli.ok("evidence", "2", "--note", "minutes")
    cli.ok("submit", "2")
    cli.ok("close", "2", "--by", "Chen")
    assert cli("check").exit_code == 0


def _raw_many(db, statements):
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        for sql, params in statements:
            conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


DAMAGE = {
    "forbidden-transition": ([("INSERT INTO event (task_id, at, action, field, old, new, actor) VALUES "
                               "(1, '2026-11-25T10:00:00', 'close', 'status', 'open', 'closed', 'Chen')", ()),
                              ("UPDATE task SET status = 'closed', closed_at = '2026-11-25T10:00:00', closed_by = 'Chen' "
                               "WHERE id = 1", ())],
                             "rules", "do not allow"),
    "closed-without-checker": ([("UPDATE event SET actor = NULL WHERE task_id = 2 AND action = 'close'", ())],
                               "rules", "without a checker"),
    "closed-by-owner": ([("UPDATE event SET actor = 'wang' WHERE task_id = 2 AND action = 'close'", ()),
                         ("UPDATE event SET new = 'wang' WHERE task_id = 2 AND field = 'closed_by'", ()),
                         ("UPDATE task SET closed_by = 'wang' WHERE id = 2", ())],
                        "rules", "its own person responsible"),
    "closed-at-elsewhere": ([("UPDATE task SET closed_at = '2026-12-01T00:00:00' WHERE id = 2", ()),
                             ("UPDATE event SET new = '2026-12-01T00:00:00' WHERE task_id = 2 AND field = 'closed_at'", ())],
                            "rules", "not the time of its closing"),
    "nul-in-history": ([("INSERT INTO event (task_id, at, action, field, old, new, note) VALUES "
                         "(1, '2026-11-25T10:00:00', 'progress', 'progress', '0', '0', ?)", ("a\x00b",))],
                       "text", "control character"),
    "escape-in-title": ([("UPDATE task SET title = ? WHERE id = 1", ("One\x1b[2J",)),
                         ("UPDATE event SET new = ? WHERE task_id = 1 AND action = 'add'", ("One\x1b[2J",))],
                        "text", "control character"),
    "time-not-a-time": ([("UPDATE event SET at = 'yesterday' WHERE task_id = 1", ())], "times", "not a valid time"),
    "time-year-9999": ([("UPDATE event SET at = '9999-01-01T00:00:00' WHERE task_id = 1", ())], "times", "not a valid time"),
    "due-not-a-date": ([("UPDATE task SET due = '2026-02-30' WHERE id = 1", ()),
                        ("INSERT INTO event (task_id, at, action, field, old, new) VALUES "
                         "(1, '2026-11-25T10:00:00', 'edit', 'due', NULL, '2026-02-30')", ())], "times", "not a valid date"),
    "times-backwards": ([("INSERT INTO event (task_id, at, action, field, old, new) VALUES "
                          "(2, '2026-11-01T00:00:00', 'progress', 'progress', '100', '100')", ())],
                        "times", "runs backwards"),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_check_names_a_damaged_history(cli, db, name):
    statements, kind, words = DAMAGE[name]
    _damaged(cli, db)
    _raw_many(db, statements)
    res = cli("check")
    assert res.exit_code == 7, res
    assert words in res.stdout, res
    assert not any(ch in res.stdout + res.stderr for ch in RAW + ("\x00",))
    faults = cli("check", "--json").json()["faults"]
    assert kind in {f["kind"] for f in faults}, faults
    for argv in (["show", "1"], ["show", "2"], ["history", "1"], ["history", "2"], ["list", "--all"], ["summary"],
                 ["weekly"]):
        assert cli(*argv).exit_code == 0, argv
