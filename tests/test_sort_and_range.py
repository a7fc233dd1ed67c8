"""`list --sort`, `--due-before` / `--due-after` with any date word, and the
relative dates two weeks on (issue 18, item 9)."""

from __future__ import annotations

import pytest


@pytest.fixture
def four(cli):
    # the clock: Wednesday 2026-11-25
    ids = [cli.add("late one", "--unit", "财务处", "--owner", "Li", "--due", "2026-11-01"),
           cli.add("far", "--unit", "办公室", "--owner", "Wang", "--due", "2026-12-31"),
           cli.add("late two", "--unit", "采购中心", "--due", "2026-11-20"),
           cli.add("undated")]
    cli.ok("start", ids[1])
    return ids


def _ids(cli, *args):
    return [t["id"] for t in cli.json("list", *args)]


def test_sort_keys_and_reversal(cli, four):
    a, b, c, d = four
    assert _ids(cli) == [a, c, b, d]  # by deadline, undated last
    assert _ids(cli, "--sort", "id") == [a, b, c, d]
    assert _ids(cli, "--sort", "-id") == _ids(cli, "--sort", "id", "--reverse") == [d, c, b, a]
    assert _ids(cli, "--sort", "status") == [a, c, d, b]  # open before in progress
    assert _ids(cli, "--sort", "late") == [a, c, b, d]  # most days late first
    assert _ids(cli, "--sort", "-late")[:2] == [c, a]
    by_unit = [t["unit"] for t in cli.json("list", "--sort", "unit")]
    assert by_unit[-1] is None and by_unit[:3] == sorted(by_unit[:3])
    assert _ids(cli, "--sort", "-unit")[-1] == d  # a missing value stays last
    assert _ids(cli, "--sort", "owner")[:2] == [a, b]
    # paged, the order holds across pages
    assert _ids(cli, "--sort", "-id", "--limit", "2", "--page", "2") == [b, a]


def test_an_unknown_sort_key(cli, four):
    res = cli("list", "--sort", "colour")
    assert res.exit_code == 2 and "Cannot sort by 'colour'" in res.stderr and "updated" in res.stderr, res
    res = cli("--lang", "zh", "list", "--sort", "colour")
    assert res.exit_code == 2 and "无法按" in res.stderr and "Cannot" not in res.stderr, res


def test_a_deadline_range_in_any_date_word(cli, four):
    a, b, c, _d = four
    assert _ids(cli, "--due-before", "月底") == [a, c]  # 2026-11-30
    assert _ids(cli, "--due-after", "2026-11-15", "--due-before", "下周五") == [c]
    assert _ids(cli, "--due-after", "next friday") == [b]
    assert _ids(cli, "--due-before", "2026-11-20") == [a, c]  # the day itself counts
    res = cli("list", "--due-before", "someday")
    assert res.exit_code == 2 and "Cannot read the date 'someday'" in res.stderr


@pytest.mark.parametrize(("word", "day"), [
    ("下下周五", "2026-12-11"), ("下下周一", "2026-12-07"), ("上上周五", "2026-11-13"),
    ("下下个月底", "2027-01-31"), ("下下周末", "2026-12-13"), ("大后天", "2026-11-28"),
])
def test_more_relative_dates(cli, word, day):
    task = cli.json("add", "t", "--due", word)
    assert task["due"] == day



def test_the_week_after_next_as_a_week():
    from rectify import dates

    assert dates.iso_week("下下周", dates.parse_date("2026-11-25"))[0].isoformat() == "2026-12-07"


def test_sort_keys_in_chinese(cli, four):
    assert _ids(cli, "--sort", "编号") == _ids(cli, "--sort", "id")
    assert _ids(cli, "--sort", "-逾期") == _ids(cli, "--sort", "-late")
