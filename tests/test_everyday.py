"""Everyday use (issue 18, items 3, 4, 5, 6 and 10): what a date became, later
deadlines as extensions, one history line per action, evidence attached
once, no Python warning reaching a user, and who a change is recorded as."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest
from conftest import run_process

# -- item 3: the date a command resolved, with its weekday --------------------------


def test_add_says_the_date_with_its_weekday(cli):
    res = cli.ok("add", "Clear the backlog", "--due", "月底")  # today is Wed 2026-11-25
    assert res.stdout.strip() == "Added task 1, due Mon 2026-11-30."
    assert res.stderr == ""
    res = cli.ok("--lang", "zh", "add", "清理积压", "--due", "下周五")
    assert res.stdout.strip() == "已新增整改任务 2，期限 2026年12月4日（星期五）。"
    res = cli.ok("add", "No deadline")
    assert res.stdout.strip() == "Added task 3."


def test_a_past_deadline_is_taken_with_a_warning(cli):
    res = cli.ok("add", "Late from the start", "--due", "2025-01-01")
    assert res.stdout.strip() == "Added task 1, due Wed 2025-01-01."
    assert "Warning" in res.stderr and "2025-01-01" in res.stderr
    res = cli.ok("--lang", "zh", "add", "上周五到期", "--due", "上周五", "--json")
    assert res.json()["due"] == "2026-11-20"  # the JSON is the task, as before
    assert "警告" in res.stderr and "2026年11月20日（星期五）" in res.stderr
    res = cli.ok("edit", "1", "--due", "2024-12-31")  # earlier: an edit, still past
    assert "Task 1 is now due Tue 2024-12-31." in res.stderr and "Warning" in res.stderr


def test_extend_says_the_new_date(cli):
    cli.add("T", "--due", "2026-12-01")
    res = cli.ok("extend", "1", "2026-12-31", "--reason", "rules pending")
    assert "Task 1 is now due Thu 2026-12-31." in res.stderr
    res = cli.ok("--lang", "zh", "extend", "1", "2027-01-08", "--reason", "等待上级文件")
    assert "任务 1 的整改时限现为 2027年1月8日（星期五）。" in res.stderr


# -- item 4: any later deadline is an extension -----------------------------------


def test_a_later_deadline_by_edit_is_refused_without_a_reason(cli, db):
    cli.add("T", "--due", "2026-12-01")
    before = db.read_bytes()
    res = cli("edit", "1", "--due", "2027-12-31")
    assert res.exit_code == 4 and "extend" in res.stderr
    res = cli("edit", "1", "--due", "")
    assert res.exit_code == 4 and "--reason" in res.stderr
    assert db.read_bytes() == before
    res = cli("--lang", "zh", "edit", "1", "--due", "")
    assert res.exit_code == 4 and "原因" in res.stderr
    cli.ok("edit", "1", "--due", "2026-11-30")  # earlier: allowed as an edit


def test_every_later_deadline_shows_in_the_weekly(cli):
    cli.add("T", "--due", "2026-12-01")
    res = cli.ok("edit", "1", "--due", "", "--reason", "waiting for the audit")
    assert "Task 1 has no deadline now." in res.stderr
    # no deadline now: a date later than the last one it had is an extension too
    assert cli("edit", "1", "--due", "2027-12-31").exit_code == 4
    cli.ok("edit", "1", "--due", "2027-01-15", "--reason", "audit done in January", "--owner", "Li Hua")
    cli.ok("extend", "1", "2027-02-01", "--reason", "holiday")
    extended = cli.json("weekly")["extended"]
    moves = [(e["extension"]["from"], e["extension"]["to"], e["extension"]["reason"]) for e in extended]
    assert moves == [("2026-12-01", None, "waiting for the audit"), (None, "2027-01-15", "audit done in January"),
                     ("2027-01-15", "2027-02-01", "holiday")]
    actions = [(e["action"], e["field"]) for e in cli.json("history", "1")]
    assert ("edit", "owner") in actions and actions.count(("extend", "due")) == 3


# -- item 5: one line per action, reopen's progress ---------------------------------


def _closed_then_reopened(cli, lang: str) -> list[str]:
    cli.add("T", "--owner", "Li Hua")
    cli.ok("progress", "1", "half done", "--percent", "40")
    cli.ok("evidence", "1", "--note", "minutes")
    cli.ok("submit", "1")
    cli.ok("close", "1", "--by", "Chen Jing")
    cli.ok("reopen", "1", "--reason", "REASON-X")
    return cli.ok("--lang", lang, "history", "1").stdout.splitlines()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_history_has_one_line_per_action(cli, lang):
    lines = _closed_then_reopened(cli, lang)
    text = "\n".join(lines)
    closed, reopened = ("closed", "reopened") if lang == "en" else ("已销号", "重新打开")
    rows = [line for line in lines if line.startswith("2026")]  # a row wrapped goes on under its first line
    assert len(rows) == 6, text
    assert [rows[4].split()[2], rows[5].split()[2]] == [closed, reopened], text
    assert text.count("REASON-X") == 1
    events = cli.json("history", "1")
    assert len(events) > 7  # the events themselves are all kept
    commands = {e["command"] for e in events}
    assert len(commands) == 6  # add, progress, evidence, submit, close, reopen


def test_reopen_puts_back_the_progress_noted_before_closing(cli):
    _closed_then_reopened(cli, "en")
    task = cli.json("show", "1")
    assert task["status"] == "in_progress" and task["progress"] == 40
    cli.add("Never noted")
    cli.ok("evidence", "2", "--note", "done")
    cli.ok("submit", "2")
    cli.ok("close", "2", "--by", "Chen Jing")
    assert cli.json("show", "2")["progress"] == 100
    cli.ok("reopen", "2", "--reason", "again")
    assert cli.json("show", "2")["progress"] == 0


# -- item 6: evidence once; no duplicate zip entry -----------------------------------


def test_the_same_evidence_is_attached_once(cli, tmp_path):
    a = tmp_path / "minutes.pdf"
    a.write_bytes(b"%PDF-1.4 signed minutes")
    b = tmp_path / "minutes-copy.pdf"
    b.write_bytes(a.read_bytes())
    cli.add("T")
    cli.ok("evidence", "1", str(a))
    res = cli.ok("evidence", "1", str(a), str(b))
    assert res.stderr.count("already attached as minutes.pdf") == 2 and "Error" not in res.stderr
    res = cli.ok("--lang", "zh", "evidence", "1", str(b))
    assert "已作为 minutes.pdf 附上" in res.stderr
    assert len(cli.json("show", "1")["evidence"]) == 1
    assert len(list((tmp_path / "ledger.evidence" / "1").iterdir())) == 1
    cli.add("Other task")
    cli.ok("evidence", "2", str(b))  # another task may have the same file
    assert len(cli.json("show", "2")["evidence"]) == 1


def test_export_writes_a_file_recorded_twice_once(cli, db, tmp_path):
    a = tmp_path / "rules.docx"
    a.write_bytes(b"rules 2026")
    cli.add("T")
    cli.ok("evidence", "1", str(a))
    conn = sqlite3.connect(db)  # a ledger of an older rectify, which recorded it twice
    with conn:
        conn.execute("INSERT INTO evidence (task_id, added, name, path, sha256, size) "
                     "SELECT task_id, added, name, path, sha256, size FROM evidence")
    conn.close()
    out = tmp_path / "out.zip"
    res = run_process("--db", str(db), "export", "--format", "json", "--output", str(tmp_path / "t.json"),
                      "--evidence", str(out), env={"PYTHONWARNINGS": "error"})
    assert res.returncode == 0, res.stderr
    assert "Warning" not in res.stderr
    names = zipfile.ZipFile(out).namelist()
    assert len(names) == len(set(names)) == 2  # the file once, and the manifest


# -- no Python warning reaches a user -------------------------------------------------

BATTERY = [
    (("add", "Revise the procurement rules", "--due", "2026-12-31", "--unit", "Finance", "--owner", "Li Hua",
      "--new-problem", "Procurement rules out of date", "--category", "Procurement"), 0),
    (("add", "Clear the overdue reimbursements", "--due", "2025-01-01", "--unit", "Finance"), 0),
    (("list",), 0), (("list", "--json"), 0), (("list", "--overdue"), 0),
    (("show", "1"), 0), (("history", "1"), 0), (("edit", "1", "--due", "2027-06-30"), 4),
    (("edit", "1", "--due", "2027-06-30", "--reason", "provincial rules"), 0),
    (("progress", "1", "draft out", "--percent", "50"), 0),
    (("evidence", "1", "{evidence}"), 0), (("evidence", "1", "{evidence}"), 0),
    (("submit", "1"), 0), (("close", "1", "--by", "Chen Jing"), 0), (("reopen", "1", "--reason", "again"), 0),
    (("extend", "2", "2026-12-31", "--reason", "new year"), 0), (("where",), 0), (("config",), 0),
    (("export", "--output", "{tmp}/all.xlsx"), 0), (("export", "--format", "csv"), 0),
    (("export", "--format", "json", "--output", "{tmp}/all.json", "--evidence", "{tmp}/ev.zip"), 0),
    (("export", "--format", "csv", "--output", "{tmp}/all.csv", "--evidence", "{tmp}/evdir"), 0),
    (("import", "{tmp}/all.xlsx"), 0), (("import", "{tmp}/all.json"), 0), (("import", "{tmp}/all.csv"), 0),
    (("summary",), 0), (("weekly",), 0), (("weekly", "--json"), 0),
    (("report", "--output", "{tmp}/report.docx"), 0), (("report", "--output", "{tmp}/report.md"), 0), (("sheets", "--output", "{tmp}/sheets"), 0),
    (("check",), 0), (("backup", "{tmp}/backup.db"), 0), (("show", "99"), 3), (("add", ""), 2),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_python_warning_reaches_the_user(tmp_path, lang):
    """The everyday commands, each in its own process with every warning an
    error: nothing on stderr is a Python warning, and each exits as documented."""
    evidence = tmp_path / "minutes.pdf"
    evidence.write_bytes(b"%PDF-1.4 minutes of the meeting")
    db = tmp_path / "ledger.db"
    env = {"PYTHONWARNINGS": "error", "RECTIFY_LANG": lang}
    for args, code in BATTERY:
        argv = [a.format(tmp=tmp_path, evidence=evidence) for a in args]
        res = run_process("--db", str(db), *argv, env=env)
        shown = f"rectify {' '.join(argv)} -> {res.returncode}\n{res.stderr}"
        assert res.returncode == code, shown
        assert "Warning:" not in res.stderr.replace("Warning: the deadline", ""), shown
        assert "Traceback" not in res.stderr and "warnings.warn" not in res.stderr, shown


# -- item 10: who a change is recorded as ----------------------------------------------


def test_the_user_is_set_shown_and_recorded(cli, monkeypatch):
    monkeypatch.delenv("RECTIFY_USER")
    monkeypatch.setenv("USER", "lihua")
    assert "Changes are recorded as lihua (from $USER)." in cli.ok("where").stderr
    cli.ok("config", "user", "王芳")
    res = cli.ok("--lang", "zh", "where")
    assert "记录的操作人是 王芳（来自 `rectify config user`）。" in res.stderr
    cli.add("T")
    assert cli.json("history", "1")[0]["actor"] == "王芳"
    monkeypatch.setenv("RECTIFY_USER", "Zhao Lei")  # the environment overrides the setting
    assert "Changes are recorded as Zhao Lei (from RECTIFY_USER)." in cli.ok("where").stderr
    cli.ok("progress", "1", "begun")
    assert cli.json("history", "1")[-2]["actor"] == "Zhao Lei"


def test_history_never_shows_an_empty_person(cli, tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([{"title": "From another office", "history": [
        {"at": "2026-11-01T10:00:00", "action": "add", "new": "From another office", "actor": None}]}]),
        encoding="utf-8")
    cli.ok("import", str(source))
    assert cli.json("history", "1")[0]["actor"] is None
    assert "(unknown)" in cli.ok("history", "1").stdout
    assert "（未知）" in cli.ok("--lang", "zh", "history", "1").stdout


def test_the_user_setting_is_documented(cli):
    res = cli.ok("config", "user")
    assert "RECTIFY_USER" in res.stderr
    assert "RECTIFY_USER" in cli.ok("--lang", "zh", "config", "user").stderr
