"""The queries rewritten for speed at 100,000 tasks (see bench/) keep their
meaning: a page of `list` is the same slice of the same order as the whole
list, with the same total; the yellow band and stale tasks are judged from
the progress notes exactly as documented."""

from __future__ import annotations

import itertools

import pytest


def _add(cli, title: str, *args: str) -> int:
    return cli.json("add", title, *args)["id"]


@pytest.mark.parametrize("filters", [[], ["--overdue"], ["--all"], ["--kind", "long_term"], ["--search", "b"],
                                     ["--unit", "财务处", "--status", "open", "--status", "closed"]])
def test_every_page_is_a_slice_of_the_whole_list(cli, monkeypatch, filters):
    monkeypatch.setenv("RECTIFY_NOW", "2026-10-01T09:00:00")
    dues = ["2026-10-20", None, "2026-10-05", "2026-10-20", None, "2026-11-30", "2026-10-02"]
    for i, (due, kind, unit) in enumerate(zip(dues, itertools.cycle(["immediate", "long_term"]),
                                              itertools.cycle(["财务处", "采购中心", None]))):
        args = ["--kind", kind] + (["--due", due] if due else []) + (["--unit", unit] if unit else [])
        _add(cli, f"task {'ab'[i % 2]}{i}", *args)
    cli.ok("cancel", "2", "--reason", "duplicate")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-25T09:00:00")
    whole = cli.json("list", *filters)
    assert [t["due"] is None for t in whole] == sorted(t["due"] is None for t in whole)
    for size in (1, 2, 3):
        pages = [cli.json("list", *filters, "--limit", str(size), "--page", str(p))
                 for p in range(1, len(whole) // size + 2)]
        assert [t for page in pages for t in page] == whole
    if len(whole) > 2:
        res = cli.ok("list", *filters, "--limit", "2", "--page", "2")
        assert f"Showing 3-4 of {len(whole)}." in res.stderr or f"Showing 3-3 of {len(whole)}." in res.stderr


def test_yellow_band_reads_the_last_progress_note_else_the_creation(cli, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-01T09:00:00")
    quiet = _add(cli, "no note since it was recorded", "--due", "2026-12-10")
    noted_long_ago = _add(cli, "a note 20 days ago", "--due", "2026-12-10")
    noted_lately = _add(cli, "a note 3 days ago", "--due", "2026-12-10")
    noted_lately_soon = _add(cli, "a note 3 days ago, due within 7 days", "--due", "2026-11-25")
    cli.ok("progress", noted_long_ago, "first step")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-14T09:00:00")
    new_but_quiet = _add(cli, "recorded 11 days ago", "--due", "2026-12-10")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-22T09:00:00")
    cli.ok("progress", noted_lately, "second step")
    cli.ok("progress", noted_lately_soon, "second step")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-25T09:00:00")
    bands = {t["id"]: t["band"] for t in cli.json("list")}
    assert bands == {quiet: "yellow", noted_long_ago: "yellow", noted_lately: None,
                     noted_lately_soon: "blue", new_but_quiet: None}
    assert cli.json("summary")["bands"] == {"red": 0, "yellow": 2, "blue": 1}
    # As at an earlier day, a note written after it does not count.
    past = cli.json("summary", "--as-of", "2026-11-20")
    assert past["bands"]["yellow"] == 4  # the later notes unseen: all but the one recorded since 11-06


def test_stale_long_term_tasks_counted_the_same_now_and_in_a_past_week(cli, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-09-01T09:00:00")
    ids = [_add(cli, f"rule {i}", "--kind", "long_term") for i in range(5)]
    _add(cli, "immediate, never stale", "--kind", "immediate")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-10T09:00:00")
    cli.ok("progress", ids[0], "drafted")  # not stale at 11-25 (within 30 days)
    cli.ok("cancel", ids[1], "--reason", "merged")  # finished: never stale
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-25T09:00:00")
    now = cli.json("summary")
    assert now["stale"] == 3
    weekly = cli.json("weekly")
    assert sorted(t["id"] for t in weekly["stale"]) == ids[2:]
    # Before the note and the cancellation, all five were stale.
    assert cli.json("summary", "--as-of", "2026-11-08")["stale"] == 5
