"""The core ledger, through the CLI: record, classify, track, close."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from conftest import dump, file_bytes

TASK_KEYS = {"id", "uid", "title", "target", "kind", "status", "due", "overdue", "unit", "leader", "owner",
             "category", "problem", "progress", "created", "closed_at"}


def test_add_prints_the_new_id_and_creates_the_ledger(cli, db):
    assert not db.exists()
    res = cli.ok("add", "Clear the backlog")
    assert res.stdout.strip() == "Added task 1."
    assert db.exists()
    assert cli.ok("add", "Second").stdout.strip() == "Added task 2."


def test_add_json_has_the_documented_fields(cli):
    task = cli.json("add", "修订报销制度", "--kind", "长期坚持", "--due", "2027年3月底", "--unit", "财务处",
                    "--owner", "张三", "--leader", "王校长", "--helper", "李四", "--helper", "赵五",
                    "--target", "出台新办法", "--new-problem", "报销不规范", "--category", "财务管理")
    assert TASK_KEYS <= set(task)
    assert task["id"] == 1 and len(task["uid"]) == 36
    assert task["kind"] == "long_term" and task["status"] == "open"
    assert task["due"] == "2027-03-31" and task["overdue"] is False
    assert task["helpers"] == "李四、赵五"
    assert task["problem"]["description"] == "报销不规范" and task["category"] == "财务管理"
    assert task["progress"] == 0 and task["closed_at"] is None
    assert task["created"] == "2026-11-25T09:00:00"


@pytest.mark.parametrize("word,kind", [("立行立改", "immediate"), ("即知即改", "immediate"), ("immediate", "immediate"),
                                       ("长期坚持", "long_term"), ("持续整改", "long_term"), ("建章立制", "long_term"),
                                       ("long-term", "long_term"), ("LONG_TERM", "long_term")])
def test_kind_words_in_both_languages(cli, word, kind):
    assert cli.json("add", "t", "--kind", word)["kind"] == kind


def test_ids_are_never_reused(cli, db):
    cli.add("one")
    cli.add("two")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DROP TRIGGER event_no_delete")
    conn.execute("DELETE FROM event WHERE task_id = 2")
    conn.execute("DELETE FROM task WHERE id = 2")
    conn.commit()
    conn.close()
    assert cli.add("three") == 3


def test_list_shows_open_work_sorted_by_due(cli):
    a = cli.add("late", "--due", "2026-12-20")
    b = cli.add("early", "--due", "2026-12-01")
    c = cli.add("undated")
    d = cli.add("done", "--due", "2026-11-30")
    cli.ok("evidence", d, "--note", "minutes")
    cli.ok("submit", d)
    cli.ok("close", d, "--by", "checker")
    ids = [t["id"] for t in cli.json("list")]
    assert ids == [b, a, c]
    assert [t["id"] for t in cli.json("list", "--all")] == [d, b, a, c]
    out = cli.ok("list").stdout
    assert out.index("early") < out.index("late") < out.index("undated")
    assert "done" not in out


def test_overdue_is_computed_from_the_clock(cli, monkeypatch):
    t = cli.add("x", "--due", "2026-11-26")
    assert cli.json("show", t)["overdue"] is False
    assert cli.json("list", "--overdue") == []
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-27T08:00:00")
    task = cli.json("show", t)
    assert task["overdue"] is True and task["band"] == "red"
    assert [x["id"] for x in cli.json("list", "--overdue")] == [t]


def test_filters(cli):
    a = cli.add("采购培训", "--kind", "immediate", "--unit", "采购中心", "--owner", "周强", "--due", "+3d")
    b = cli.add("建立机制", "--kind", "long_term", "--unit", "采购中心", "--owner", "吴芳", "--due", "+60d",
                "--new-problem", "采购问题", "--category", "采购")
    c = cli.add("资产盘点", "--unit", "国资处", "--due", "-2d")
    ids = lambda *args: [t["id"] for t in cli.json("list", *args)]  # noqa: E731
    assert ids("--unit", "采购中心") == [a, b]
    assert ids("--owner", "吴芳") == [b]
    assert ids("--kind", "立行立改") == [a]
    assert ids("--kind", "none") == [c]
    assert ids("--overdue") == [c]
    assert ids("--due-within", "7d") == [a]
    assert ids("--due-within", "两周") == [a]
    assert ids("--category", "采购") == [b]
    assert ids("--problem", "1") == [b]
    assert ids("--search", "机制") == [b]
    assert ids("--search", "采购问题") == [b]
    assert ids("--search", "%") == []
    assert ids("--status", "open") == [c, a, b]
    cli.ok("start", a)
    assert ids("--status", "整改中") == [a]


def test_paging_says_how_many_more(cli):
    for i in range(7):
        cli.add(f"task {i}", "--due", f"2026-12-{i + 1:02d}")
    res = cli.ok("list", "--limit", "3")
    assert "task 0" in res.stdout and "task 3" not in res.stdout
    assert "Showing 1-3 of 7" in res.stderr and "4 more" in res.stderr
    res = cli.ok("list", "--limit", "3", "--page", "3")
    assert "task 6" in res.stdout and "task 5" not in res.stdout
    assert len(cli.json("list")) == 7
    assert len(cli.json("list", "--limit", "2")) == 2


def test_edit_records_old_and_new_values(cli):
    t = cli.add("x", "--owner", "张三", "--due", "2026-12-31")
    cli.ok("edit", t, "--owner", "李四", "--target", "done right", "--due", "2026-12-20")
    task = cli.json("show", t)
    assert task["owner"] == "李四" and task["due"] == "2026-12-20" and task["target"] == "done right"
    edits = {(e["field"], e["old"], e["new"]) for e in task["history"] if e["action"] == "edit"}
    assert ("owner", "张三", "李四") in edits and ("due", "2026-12-31", "2026-12-20") in edits
    cli.ok("edit", t, "--target", "")
    assert cli.json("show", t)["target"] is None


def test_a_later_deadline_needs_an_extension(cli, db):
    t = cli.add("x", "--due", "2026-12-31")
    before = dump(db)
    res = cli("edit", t, "--due", "2027-01-31")
    assert res.exit_code == 4 and "extend" in res.stderr
    assert dump(db) == before
    res = cli("extend", t, "2027-01-31")
    assert res.exit_code == 2  # --reason is required
    cli.ok("extend", t, "2027年1月底", "--reason", "等待审批")
    task = cli.json("show", t)
    assert task["due"] == "2027-01-31"
    ext = [e for e in task["history"] if e["action"] == "extend"]
    assert ext == [dict(ext[0], field="due", old="2026-12-31", new="2027-01-31", note="等待审批")]
    assert cli("extend", t, "2027-01-15", "--reason", "r").exit_code == 4


def test_classify_and_its_history(cli):
    t = cli.add("x")
    cli.ok("classify", t, "立行立改")
    cli.ok("classify", t, "long_term")
    task = cli.json("show", t)
    assert task["kind"] == "long_term"
    assert [(e["old"], e["new"]) for e in task["history"] if e["action"] == "classify"] == [
        (None, "immediate"), ("immediate", "long_term")]
    assert cli("classify", t, "someday").exit_code == 2


def test_classify_auto_proposes_and_applies(cli):
    rule = cli.add("建立长效机制")
    far = cli.add("整理档案", "--due", "2027-06-30")
    near = cli.add("补签字", "--due", "2026-12-10")
    none = cli.add("谈话")
    done = cli.add("already", "--kind", "immediate")
    res = cli.ok("classify", "--auto")
    assert "none applied" in res.stderr
    assert cli.json("show", rule)["kind"] is None
    res = cli.ok("classify", "--auto", "--yes")
    kinds = {t["id"]: t["kind"] for t in cli.json("list")}
    assert kinds == {rule: "long_term", far: "long_term", near: "immediate", none: None, done: "immediate"}
    assert "Classified 3 tasks" in res.stderr
    assert "Apply these" not in cli.ok("classify", "--help").stdout
    assert "90 days" in cli.ok("classify", "--help").stdout


def test_progress_moves_open_to_in_progress(cli):
    t = cli.add("x")
    cli.ok("progress", t, "起草完成", "--percent", "40")
    task = cli.json("show", t)
    assert task["status"] == "in_progress" and task["progress"] == 40
    actions = [(e["action"], e["field"], e["note"]) for e in task["history"]]
    assert ("progress", "progress", "起草完成") in actions and ("start", "status", None) in actions
    assert cli("progress", t, "x", "--percent", "101").exit_code == 2
    assert cli("progress", t, "   ").exit_code == 2


def test_evidence_is_copied_with_its_sha256(cli, db, tmp_path):
    import hashlib

    t = cli.add("x")
    f = tmp_path / "会议纪要.txt"
    f.write_text("minutes", encoding="utf-8")
    cli.ok("evidence", t, str(f))
    task = cli.json("show", t)
    (ev,) = task["evidence"]
    assert ev["sha256"] == hashlib.sha256(b"minutes").hexdigest() and ev["name"] == "会议纪要.txt"
    stored = db.with_name("ledger.evidence") / ev["path"]
    assert stored.read_bytes() == b"minutes"
    f.write_text("changed later", encoding="utf-8")
    assert stored.read_bytes() == b"minutes"
    assert cli("evidence", t, str(tmp_path / "missing.pdf")).exit_code == 2
    assert cli("evidence", t).exit_code == 2
    assert cli("evidence", 99, "--note", "x").exit_code == 3


def test_the_whole_life_of_a_task(cli):
    t = cli.add("修复漏洞", "--owner", "韩冰")
    assert cli("submit", t).exit_code == 4  # no evidence yet
    cli.ok("evidence", t, "--note", "复测报告（纸质）")
    cli.ok("submit", t)
    assert cli("close", t, "--by", "韩冰").exit_code == 4  # the owner cannot check their own task
    assert cli("close", t, "--by", " 韩冰 ").exit_code == 4
    cli.ok("reject", t, "--reason", "报告未盖章")
    assert cli.json("show", t)["status"] == "in_progress"
    cli.ok("submit", t)
    cli.ok("close", t, "--by", "杨帆")
    task = cli.json("show", t)
    assert task["status"] == "closed" and task["closed_at"] == "2026-11-25T09:00:00" and task["progress"] == 100
    assert cli("reopen", t).exit_code == 2  # reason required
    cli.ok("reopen", t, "--reason", "抽查发现复发")
    task = cli.json("show", t)
    assert task["status"] == "in_progress" and task["closed_at"] is None
    cli.ok("cancel", t, "--reason", "重复")
    assert cli.json("show", t)["status"] == "cancelled"
    statuses = [(e["action"], e["old"], e["new"]) for e in task["history"] if e["field"] == "status"]
    assert statuses == [("submit", "open", "submitted"), ("reject", "submitted", "in_progress"),
                        ("submit", "in_progress", "submitted"), ("close", "submitted", "closed"),
                        ("reopen", "closed", "in_progress")]
    history = cli.json("history", t)
    assert history[-1]["action"] == "cancel" and history[-1]["note"] == "重复"
    assert [e["action"] for e in history].count("evidence") == 1


@pytest.mark.parametrize("verb,args", [("close", ["--by", "x"]), ("reject", ["--reason", "r"]),
                                       ("reopen", ["--reason", "r"])])
def test_forbidden_transitions_exit_4_and_change_nothing(cli, db, verb, args):
    t = cli.add("x")
    before = file_bytes(db)
    res = cli(verb, t, *args)
    assert res.exit_code == 4
    assert res.stderr.startswith("rectify: error: ") and res.stderr.count("\n") == 1
    assert file_bytes(db) == before


def test_bad_input_on_a_new_ledger_creates_no_file(cli, db):
    assert cli("add", "x", "--due", "nonsense").exit_code == 2
    assert not db.exists()
    assert cli.json("list") == []
    assert not db.exists()  # reading never creates


def test_ledger_file_is_private_and_in_wal_mode(cli, db):
    cli.add("x")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names[0] == "m001_initial"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(names)


def test_history_is_append_only(cli, db):
    cli.add("x")
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE event SET note = 'forged'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM event")


# Foreign, newer and directory "ledgers": tests/test_robustness.py, for read and
# write commands alike.


def test_where_and_db_precedence(cli, tmp_path, monkeypatch):
    home = tmp_path / "home"
    res = cli("where", db=False)
    assert res.stdout.strip() == str(home / "ledger.db") and "default" in res.stderr
    monkeypatch.setenv("RECTIFY_DB", str(tmp_path / "env.db"))
    assert cli("where", db=False).stdout.strip() == str(tmp_path / "env.db")
    res = cli("--db", str(tmp_path / "opt.db"), "where", db=False)
    assert res.stdout.strip() == str(tmp_path / "opt.db") and "--db" in res.stderr


def test_problems_listing(cli):
    cli.add("a", "--new-problem", "问题甲", "--category", "财务")
    cli.add("b", "--new-problem", "问题甲")
    cli.add("c", "--problem", "1")
    (p,) = cli.json("problems")
    assert p["description"] == "问题甲" and p["tasks"] == 3 and p["category"] == "财务"
    assert cli.json("show", 3)["category"] == "财务"


def test_show_renders_for_a_person(cli):
    t = cli.add("修订制度", "--owner", "张三", "--due", "2026-11-20")
    out = cli.ok("show", t).stdout
    assert "修订制度" in out and "张三" in out and "overdue" in out and "2026-11-20" in out


def test_demo_builds_a_realistic_ledger_elsewhere(cli, db, tmp_path):
    target = tmp_path / "demo" / "ledger.db"
    res = cli.ok("demo", str(target))
    assert str(target) in res.stdout and "Measure" in res.stdout
    assert not db.exists()  # never the user's ledger
    tasks = cli("--db", str(target), "list", "--all", "--json", db=False).json()
    assert len(tasks) >= 20
    assert {t["status"] for t in tasks} == {"open", "in_progress", "submitted", "closed", "cancelled"}
    assert {t["kind"] for t in tasks} == {"immediate", "long_term"}
    assert any(t["overdue"] for t in tasks) and any(t["band"] == "blue" for t in tasks)
    assert cli("demo", str(target)).exit_code == 2  # never overwrites a file it was pointed at
