"""``rectify undo`` (issue 18, item 9): one's own last action taken back by a
compensating change recorded in the history; nothing is deleted; refused
(exit 4, one line, nothing changed) when it cannot be done safely."""

from __future__ import annotations

import sqlite3

from conftest import dump
from rectify import contracts
from test_contracts import mismatches


def _events(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, task_id, action, field, old, new FROM event ORDER BY id").fetchall()
    finally:
        conn.close()


def _submitted(cli, *titles: str) -> list[int]:
    ids = []
    for title in titles:
        task = cli.add(title, "--owner", "Li Hua")
        cli.ok("evidence", task, "--note", "minutes")
        ids.append(task)
    cli.ok("submit", *ids)
    return ids


def _refused(res, *words: str) -> None:
    assert res.exit_code == 4, res
    assert res.stderr.startswith("rectify: error: ") and res.stderr.count("\n") == 1, res
    for word in words:
        assert word in res.stderr, res


def test_undo_an_edit_keeps_the_history(cli, db):
    task = cli.add("Revise the rules", "--unit", "Finance")
    cli.ok("edit", task, "--unit", "Audit Office", "--owner", "Wang Fang")
    before = _events(db)
    res = cli.ok("undo")
    assert res.stderr.startswith(f"Undone: edit of task {task} (2026-11-25 09:00).")
    shown = cli.json("show", task)
    assert (shown["unit"], shown["owner"]) == ("Finance", None)
    after = _events(db)
    assert after[:len(before)] == before  # nothing deleted or rewritten
    added = after[len(before):]
    assert {(e[2], e[3], e[4], e[5]) for e in added} == {
        ("undo", "unit", "Audit Office", "Finance"), ("undo", "owner", "Wang Fang", None)}
    history = cli.ok("history", task).stdout
    assert "undone" in history and "takes back the edit of 2026-11-25 09:00" in history
    assert "unit: Audit Office → Finance" in history


def test_undo_a_close_of_several_tasks(cli, db, monkeypatch):
    a, b = _submitted(cli, "one", "two")
    cli.ok("progress", a, "drafted", "--percent", "60")
    cli.ok("reject", a, "--reason", "unsigned")  # the progress note needs work in progress
    cli.ok("evidence", a, "--note", "signed minutes")
    cli.ok("submit", a)
    monkeypatch.setenv("RECTIFY_USER", "Chen Jing")  # the checker closes: the close is hers
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-05T10:02:00")
    cli.ok("close", a, b, "--by", "Chen Jing")
    before = len(_events(db))
    res = cli.ok("undo")
    assert res.stderr.startswith(f"Undone: close of tasks {a}, {b} (2026-12-05 10:02).")
    for task, progress in ((a, 60), (b, 0)):
        t = cli.json("show", task)
        assert t["status"] == "submitted" and t["progress"] == progress, t
        assert t["closed_at"] is None and t["closed_by"] is None and t["recheck_due"] is None, t
    assert len(_events(db)) == before + 10  # status, closed_at, closed_by, progress, recheck_due for each
    assert "rules" not in cli.ok("check").stdout  # the way back of a close keeps the rules
    # The tasks close again as any submitted task does.
    cli.ok("close", a, b, "--by", "Chen Jing")


def test_a_second_undo_goes_further_back_and_an_undo_is_never_undone(cli):
    task = cli.add("Clear the backlog")
    cli.ok("edit", task, "--owner", "Li Hua")
    cli.ok("edit", task, "--owner", "Wang Fang")
    cli.ok("undo")
    assert cli.json("show", task)["owner"] == "Li Hua"
    cli.ok("undo")
    assert cli.json("show", task)["owner"] is None
    res = cli.ok("undo")  # then the add: the task is cancelled, its history kept
    assert f"Task {task} is cancelled; its history is kept." in res.stderr
    assert cli.json("show", task)["status"] == "cancelled"
    _refused(cli("undo"), "Nothing to undo", "tester")


def test_refused_when_someone_else_changed_the_same_field_since(cli, db, monkeypatch):
    task = cli.add("Clear the backlog")
    cli.ok("edit", task, "--owner", "Li Hua")
    monkeypatch.setenv("RECTIFY_USER", "bob")
    cli.ok("edit", task, "--owner", "Wang Fang")
    monkeypatch.setenv("RECTIFY_USER", "tester")
    before = dump(db)
    _refused(cli("undo"), f"task {task} was changed since by bob", "owner")
    assert dump(db) == before
    # Once bob takes his change back, nothing stands in the way.
    monkeypatch.setenv("RECTIFY_USER", "bob")
    cli.ok("undo")
    monkeypatch.setenv("RECTIFY_USER", "tester")
    cli.ok("undo")
    assert cli.json("show", task)["owner"] is None


def test_another_field_changed_since_does_not_stand_in_the_way(cli, monkeypatch):
    task = cli.add("Clear the backlog")
    cli.ok("edit", task, "--owner", "Li Hua")
    monkeypatch.setenv("RECTIFY_USER", "bob")
    cli.ok("edit", task, "--unit", "Finance")
    monkeypatch.setenv("RECTIFY_USER", "tester")
    cli.ok("undo")
    shown = cli.json("show", task)
    assert (shown["owner"], shown["unit"]) == (None, "Finance")


def test_nothing_to_undo_leaves_no_file(cli, db):
    _refused(cli("undo"), "Nothing to undo")
    assert not db.exists()
    _refused(cli("undo", "--dry-run"), "Nothing to undo")


def test_dry_run_changes_nothing(cli, db):
    task = cli.add("Clear the backlog")
    cli.ok("start", task)
    before = dump(db)
    res = cli.ok("undo", "--dry-run")
    assert res.stderr.startswith(f"Would undo: start of task {task}")
    assert f"task {task}: in progress → open" in res.stdout
    assert dump(db) == before
    data = cli.json("undo", "--dry-run")
    assert data["dry_run"] is True and dump(db) == before


def test_json(cli):
    a, b = cli.add("one"), cli.add("two")
    cli.ok("start", a, b)
    data = cli.json("undo")
    assert set(data) == {"command", "action", "at", "actor", "tasks", "changes", "cancels", "dry_run"}
    assert mismatches(data, contracts.UndoResult) == []
    assert (data["action"], data["tasks"], data["actor"], data["dry_run"]) == ("start", [a, b], "tester", False)
    assert data["changes"] == [{"task": a, "field": "status", "old": "in_progress", "new": "open"},
                               {"task": b, "field": "status", "old": "in_progress", "new": "open"}]
    assert data["cancels"] == []
    assert {t["status"] for t in cli.json("list")} == {"open"}
    history = cli.json("history", a)
    assert history[-1]["action"] == "undo" and history[-1]["command"] != data["command"]


def test_refused_for_evidence_and_imports(cli, db, tmp_path):
    task = cli.add("Clear the backlog")
    cli.ok("evidence", task, "--note", "minutes")
    before = dump(db)
    _refused(cli("undo"), "evidence")
    assert dump(db) == before
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("整改措施,责任单位\n修订采购制度,财务处\n清理逾期报销,审计处\n", encoding="utf-8")
    cli.ok("import", str(sheet))
    before = dump(db)
    _refused(cli("undo"), "import", "backup")
    assert dump(db) == before


def test_a_progress_note_that_kept_the_percentage_is_undone_too(cli):
    task = cli.add("Clear the backlog")
    cli.ok("edit", task, "--owner", "Li Hua")
    cli.ok("start", task)
    cli.ok("progress", task, "called the units")
    res = cli.ok("undo")
    assert res.stderr.startswith(f"Undone: progress note of task {task}")
    assert cli.ok("undo").stderr.startswith(f"Undone: start of task {task}")  # the next one back, not the same again


def test_a_closed_task_is_not_edited_by_an_undo(cli, monkeypatch):
    (task,) = _submitted(cli, "one")
    cli.ok("edit", task, "--note", "see minutes")  # a submitted task is still editable
    monkeypatch.setenv("RECTIFY_USER", "Chen Jing")
    cli.ok("close", task, "--by", "Chen Jing")
    monkeypatch.setenv("RECTIFY_USER", "tester")
    _refused(cli("undo"), f"task {task} is closed")


def test_in_chinese(cli, monkeypatch):
    a, b = _submitted(cli, "一", "二")
    monkeypatch.setenv("RECTIFY_USER", "陈静")
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-05T10:02:00")
    cli.ok("close", a, b, "--by", "陈静")
    res = cli.zh("undo")
    assert res.exit_code == 0, res
    assert res.stderr.startswith("已撤销："), res
    text = (res.stderr + res.stdout).replace("rectify", "")
    assert not any(c.isascii() and c.isalpha() for c in text), res
    history = cli.zh("history", a).stdout
    assert "撤销" in history
    res = cli.zh("undo")
    assert res.exit_code == 4 and res.stderr.startswith("rectify：错误："), res
    assert not any(c.isascii() and c.isalpha() for c in res.stderr.replace("rectify", "")), res


def test_a_returned_sheet_that_only_moved_a_state_is_an_import(cli, db, tmp_path):
    """A returned sheet writes the events a command would (a state moved by
    its verb): the return register tells it for an import."""
    task = cli.add("Clear the backlog", "--unit", "Finance")
    sheet = tmp_path / "finance.csv"
    cli.ok("export", "--format", "csv", "--output", str(sheet))
    text = sheet.read_text(encoding="utf-8-sig")
    assert ",open," in text
    sheet.write_text(text.replace(",open,", ",in progress,"), encoding="utf-8-sig")
    cli.ok("import", str(sheet))
    assert cli.json("show", task)["status"] == "in_progress"
    before = dump(db, register=True)
    _refused(cli("undo"), "import", "backup")
    assert dump(db, register=True) == before


def test_a_state_acted_on_since_stays(cli, db, monkeypatch):
    """A close that a look-back sample has drawn since is not taken back: the sample built on it."""
    (task,) = _submitted(cli, "one")
    monkeypatch.setenv("RECTIFY_USER", "Chen Jing")
    cli.ok("close", task, "--by", "Chen Jing")
    monkeypatch.setenv("RECTIFY_USER", "Zhao Lei")
    cli.ok("lookback", "sample", "--n", "1", "--seed", "7")
    monkeypatch.setenv("RECTIFY_USER", "Chen Jing")
    before = dump(db)
    _refused(cli("undo"), f"task {task} was changed since by Zhao Lei")
    assert dump(db) == before


def test_the_readers_of_the_history_leave_an_undone_action_out(cli, monkeypatch, tmp_path):
    """An undone extension is no extension in the weekly; an undone progress
    note is not the latest in an export; the closing remark of a task whose
    reopening was undone is its checker's, not the undo's."""
    task = cli.add("Clear the backlog", "--due", "2026-12-01", "--owner", "Li Hua")
    cli.ok("progress", task, "first note", "--percent", "20")
    cli.ok("extend", task, "2026-12-20", "--reason", "awaiting the rules")
    assert [t["id"] for t in cli.json("weekly")["extended"]] == [task]
    cli.ok("undo")
    assert cli.json("weekly")["extended"] == []
    cli.ok("progress", task, "second note")
    assert "second note" in cli.ok("export", "--format", "csv").stdout
    cli.ok("undo")
    sheet = cli.ok("export", "--format", "csv").stdout
    assert "first note" in sheet and "second note" not in sheet
    cli.ok("evidence", task, "--note", "minutes")
    cli.ok("submit", task)
    monkeypatch.setenv("RECTIFY_USER", "Chen Jing")
    cli.ok("close", task, "--by", "Chen Jing", "--note", "all receipts filed")
    cli.ok("reopen", task, "--reason", "a receipt missing")
    cli.ok("undo")
    assert cli.json("show", task)["status"] == "closed"
    cli.ok("report", "--output", str(tmp_path / "report.md"))
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "all receipts filed" in text and "takes back" not in text and "rectify:" not in text, text


def test_the_undos_of_an_imported_history_name_nothing_here(cli, tmp_path, monkeypatch):
    """A JSON export keeps its undo events, whose notes name commands of the
    ledger it came from: brought into another ledger they undo nothing there."""
    from conftest import Cli

    other = Cli(tmp_path / "other.db")
    monkeypatch.setenv("RECTIFY_USER", "alice")  # its history, imported with its names, is not ours
    task = other.add("Elsewhere")
    other.ok("edit", task, "--owner", "Li Hua")
    other.ok("undo")
    exported = tmp_path / "other.json"
    other.ok("export", "--format", "json", "--output", str(exported))
    monkeypatch.setenv("RECTIFY_USER", "tester")
    mine = cli.add("Here")
    cli.ok("edit", mine, "--owner", "Wang Fang")  # the same command ids as the edit undone elsewhere
    monkeypatch.setenv("RECTIFY_USER", "clerk")
    cli.ok("import", str(exported))
    monkeypatch.setenv("RECTIFY_USER", "tester")
    assert cli.ok("undo").stderr.startswith(f"Undone: edit of task {mine}")
    assert cli.json("show", mine)["owner"] is None


def test_an_action_of_an_older_ledger_is_not_undone(tmp_path, monkeypatch):
    """Events written before schema 8 carry no command: which of them one
    action wrote is not known, so none is taken back."""
    import shutil
    from pathlib import Path

    from conftest import Cli

    fixtures = Path(__file__).parent / "fixtures" / "schema"
    db = tmp_path / "ledger.db"
    shutil.copy(fixtures / "v3.sqlite", db)
    shutil.copytree(fixtures / "v3.evidence", tmp_path / "ledger.evidence")
    old = Cli(db)
    monkeypatch.setenv("RECTIFY_USER", "clerk")
    old.ok("list")  # upgraded in place
    before = dump(db)
    _refused(old("undo"), "predates the grouping of actions")
    assert dump(db) == before


def test_a_close_typed_by_a_clerk_points_to_its_checker(cli, monkeypatch):
    """The clerk types `close --by 陈静`: the close is the checker's action, so
    the clerk's own undo (of the submit before it) is refused, and the
    refusal says how the close is taken back."""
    (task,) = _submitted(cli, "one")
    cli.ok("close", task, "--by", "Chen Jing")
    res = cli("undo")
    _refused(res, "Chen Jing")
    assert 'RECTIFY_USER="Chen Jing" rectify undo' in res.stderr, res
    zh = cli.zh("undo")
    assert zh.exit_code == 4 and "销号记在复核人名下" in zh.stderr, zh
    monkeypatch.setenv("RECTIFY_USER", "Chen Jing")
    assert cli.ok("undo").stderr.startswith(f"Undone: close of task {task}")
    assert cli.json("show", task)["status"] == "submitted"
