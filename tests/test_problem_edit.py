"""``rectify problem edit`` (issue 18, item 9): a problem's text corrected,
with the change in the history of its tasks and of the ledger."""

from __future__ import annotations

import re
import sqlite3

from conftest import dump
from rectify import contracts
from test_contracts import mismatches


def _english(text: str) -> bool:
    """Latin letters outside the program's name and the commands quoted in `backticks`."""
    return any(c.isascii() and c.isalpha() for c in re.sub(r"`[^`]*`", "", text).replace("rectify", ""))


def _problem(cli, pid: int) -> dict:
    return next(p for p in cli.json("problems") if p["id"] == pid)


def _ledger_events(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT action, subject, old, new, note, actor FROM ledger_event WHERE action = 'problem'"
                            " ORDER BY id").fetchall()
    finally:
        conn.close()


def test_edit_the_text_and_category(cli, db):
    a = cli.add("修订采购制度", "--new-problem", "采购制度未修订", "--category", "采购")
    b = cli.add("开展专项检查", "--problem", "1")
    c = cli.add("另行归类", "--problem", "1", "--category", "内控")  # a task filed under its own category
    res = cli.ok("problem", "edit", "1", "--text", "采购制度自2019年未修订", "--category", "采购管理")
    assert res.stderr == "Problem 1: changed problem description, category.\n"
    p = _problem(cli, 1)
    assert (p["description"], p["category"]) == ("采购制度自2019年未修订", "采购管理")
    assert [cli.json("show", t)["category"] for t in (a, b, c)] == ["采购管理", "采购管理", "内控"]
    for task in (a, b, c):
        events = [e for e in cli.json("history", task) if e["action"] == "problem"]
        assert {"field": "problem_description", "old": "采购制度未修订", "new": "采购制度自2019年未修订"}.items() <= events[0].items()
    assert "problem description: 采购制度未修订 → 采购制度自2019年未修订" in cli.ok("history", a).stdout
    assert _ledger_events(db) == [("problem", "1", "采购制度未修订", "采购制度自2019年未修订", "description", "tester"),
                                  ("problem", "1", "采购", "采购管理", "category", "tester")]
    assert cli.json("show", a)["problem"]["description"] == "采购制度自2019年未修订"


def test_source_code_and_clearing(cli):
    cli.add("A task", "--new-problem", "Receipts not filed")
    data = cli.json("problem", "edit", "1", "--code", "3-1", "--source", "2026 audit report")
    assert (data["code"], data["source"], data["changed"]) == ("3-1", "2026 audit report", ["source", "code"])
    assert mismatches(data, contracts.ProblemEdited) == []
    data = cli.json("problem", "edit", "1", "--code", "")
    assert data["code"] is None and data["changed"] == ["code"]
    res = cli.ok("problem", "edit", "1", "--text", "Receipts not filed")
    assert res.stderr == "Problem 1: nothing changed.\n"


def test_a_problem_without_tasks_is_recorded_in_the_ledger(cli, db):
    cli.add("A task", "--new-problem", "First text")
    cli.ok("edit", "1", "--new-problem", "Another problem")  # problem 1 keeps no task
    cli.ok("problem", "edit", "1", "--text", "Corrected text")
    assert _ledger_events(db) == [("problem", "1", "First text", "Corrected text", "description", "tester")]


def test_refusals_change_nothing(cli, db):
    cli.add("one", "--new-problem", "Receipts not filed")
    cli.add("two", "--new-problem", "Rules not revised")
    before = dump(db)
    res = cli("problem", "edit", "1", "--text", "Rules not revised")
    assert res.exit_code == 4, res
    assert "Problem 2 already has this text" in res.stderr and "rectify edit TASK --problem 2" in res.stderr
    for args, code in ((["9", "--text", "x"], 3), (["1", "--text", "  "], 2), (["1", "--text", ""], 2), (["1"], 2),
                       (["1", "--text", "a\x00b"], 2)):
        res = cli("problem", "edit", *args)
        assert res.exit_code == code, (args, res)
        assert res.stderr.startswith("rectify: error: ") and res.stderr.count("\n") == 1, res
    assert dump(db) == before


def test_unknown_problem_leaves_no_file(cli, db):
    res = cli("problem", "edit", "1", "--text", "x")
    assert res.exit_code == 3 and not db.exists(), res


def test_in_chinese(cli):
    cli.add("修订制度", "--new-problem", "制度未修订")
    res = cli.zh("problem", "edit", "1", "--text", "制度长期未修订")
    assert res.exit_code == 0, res
    assert not _english(res.stderr), res
    res = cli.zh("problem", "edit", "2", "--text", "x")
    assert res.exit_code == 3 and not _english(res.stderr), res
    res = cli.zh("problem", "edit", "1", "--text", "制度长期未修订", "--code", "一")
    assert res.exit_code == 0 and res.stderr == "问题 1：已修改问题编号。\n", res


def test_undo_refuses_a_problem_edit(cli, db):
    cli.add("one", "--new-problem", "Receipts not filed")
    cli.ok("problem", "edit", "1", "--text", "Receipts not filed since 2025")
    before = dump(db)
    res = cli("undo")
    assert res.exit_code == 4 and "rectify problem edit" in res.stderr, res
    assert dump(db) == before
