"""Several ids at once for the state commands (issue 18, item 9): all change
in one transaction, or none; a refusal names the task."""

from __future__ import annotations

from conftest import dump


def _submitted(cli, n: int) -> list[int]:
    ids = []
    for i in range(n):
        task = cli.add(f"Task {i}", "--owner", "Li Hua")
        cli.ok("evidence", task, "--note", "minutes")
        ids.append(task)
    cli.ok("submit", *ids)
    return ids


def test_close_several(cli):
    a, b = _submitted(cli, 2)
    res = cli.ok("close", a, b, "--by", "Chen Jing")
    assert f"Task {a} is now closed." in res.stderr and f"Task {b} is now closed." in res.stderr
    assert [t["status"] for t in cli.json("list", "--all")] == ["closed", "closed"]


def test_one_refusal_changes_nothing_and_names_the_task(cli, db):
    a, b = _submitted(cli, 2)
    c = cli.add("Still open")
    before = dump(db)
    res = cli("close", a, c, b, "--by", "Chen Jing")
    assert res.exit_code == 4, res
    assert res.stderr.startswith(f"rectify: error: Task {c}: Cannot close a task that is open")
    assert res.stderr.rstrip().endswith("Nothing was changed.") and res.stderr.count("\n") == 1
    assert dump(db) == before
    res = cli("cancel", a, 99, "--reason", "duplicate")
    assert res.exit_code == 3 and "Task 99: No task with id 99" in res.stderr, res
    assert dump(db) == before


def test_start_reopen_cancel_several(cli):
    a, b = cli.add("one"), cli.add("two")
    cli.ok("start", a, b)
    assert {t["status"] for t in cli.json("list")} == {"in_progress"}
    cli.ok("cancel", a, b, a, "--reason", "duplicates")  # the same id twice is one change
    assert {t["status"] for t in cli.json("list", "--all")} == {"cancelled"}
    assert sum(e["field"] == "status" for e in cli.json("history", a)) == 2


def test_in_chinese(cli):
    a, b = cli.add("一"), cli.add("二")
    cli.ok("start", a)
    res = cli("--lang", "zh", "start", a, b)
    assert res.exit_code == 4
    assert res.stderr.startswith(f"rectify：错误：任务 {a}：") and "所有任务均未改动。" in res.stderr, res
    assert not any(c.isascii() and c.isalpha() for c in res.stderr.replace("rectify", "")), res
