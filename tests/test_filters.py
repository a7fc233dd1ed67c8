"""The value filters agree across commands (issue 18, item 8): a unit, owner
or category that no task holds is the same error, with the same "did you
mean", in list, sheets and export; an empty ledger says how to begin."""

from __future__ import annotations

import pytest


@pytest.fixture
def two_units(cli):
    cli.add("Tidy the procurement files", "--unit", "采购中心", "--owner", "李华", "--category", "采购管理",
            "--due", "2026-11-01")
    cli.add("Reimbursements", "--unit", "Finance Office", "--owner", "Wang Fang", "--due", "2026-12-20")


@pytest.mark.parametrize("argv", [
    ["list", "--unit", "采购"],
    ["list", "--json", "--unit", "采购"],
    ["sheets", "--unit", "采购"],
    ["export", "--format", "csv", "--unit", "采购"],
])
def test_a_unit_typed_short_is_the_same_error_everywhere(cli, two_units, argv):
    res = cli(*argv)
    assert res.exit_code == 3, res
    assert res.stderr == "rectify: error: No task has the unit '采购'. Did you mean '采购中心'?\n"
    assert res.stdout == ""


def test_close_spellings_owner_and_category(cli, two_units):
    res = cli("list", "--unit", "Finanse Office")
    assert res.exit_code == 3 and "Did you mean 'Finance Office'?" in res.stderr, res
    res = cli("list", "--owner", "李")
    assert res.exit_code == 3 and "owner '李'. Did you mean '李华'?" in res.stderr, res
    res = cli("list", "--category", "采购")
    assert res.exit_code == 3 and "Did you mean '采购管理'?" in res.stderr, res


def test_nothing_near_points_to_the_summary(cli, two_units):
    res = cli("list", "--unit", "Zoology")
    assert res.exit_code == 3, res
    assert "No task has the unit 'Zoology'. See `rectify summary` for the values." in res.stderr


def test_a_known_value_with_no_match_is_not_an_error(cli, two_units):
    res = cli.ok("list", "--unit", "采购中心", "--status", "closed")
    assert "No tasks match." in res.stderr
    assert cli.json("list", "--unit", "Finance Office")[0]["title"] == "Reimbursements"


def test_in_chinese(cli, two_units):
    res = cli("--lang", "zh", "list", "--unit", "采购")
    assert res.exit_code == 3
    assert res.stderr == "rectify：错误：没有任务的责任单位是“采购”。是否要找：“采购中心”？\n", res


def test_an_empty_ledger_says_how_to_begin(cli):
    res = cli.ok("list")
    assert "No tasks yet. Add one: rectify add" in res.stderr and "rectify import" in res.stderr
    assert cli.ok("list", "--unit", "anything").stderr == res.stderr
    assert cli.json("list") == []
    zh = cli.ok("--lang", "zh", "list").stderr
    assert "还没有任务" in zh and "rectify add" in zh and "No tasks" not in zh


def test_an_invisible_unit_is_refused_in_one_line(cli, two_units):
    res = cli("list", "--unit", "\u200b")
    assert res.exit_code == 3 and res.stderr.count("\n") == 1 and res.stdout == "", res
