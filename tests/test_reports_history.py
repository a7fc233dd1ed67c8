"""Random histories of CLI operations at an advancing clock: the reports agree
with `list` and with themselves at every step, and every report taken along
the way is given again, identical, once the ledger has moved on."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import Cli

START = datetime(2026, 9, 7, 9, 0, 0)  # a Monday
UNITS = ["财务处", "采购中心", None]
KINDS = ["immediate", "long_term", None]

add = st.tuples(st.just("add"), st.sampled_from(KINDS), st.sampled_from(UNITS),
                st.one_of(st.none(), st.integers(-10, 40)))
on_task = st.tuples(st.sampled_from(["progress", "finish", "close", "reject", "reopen", "cancel", "extend",
                                     "move", "classify", "bring_forward"]),
                    st.integers(0, 50), st.integers(1, 30))
step = st.tuples(st.sampled_from([0, 0, 1, 2, 4, 9, 16]), st.one_of(add, add, on_task, on_task, on_task, st.just(("report",))))


def invariants(cli: Cli) -> None:
    summary = cli.json("summary")
    assert summary["overdue"] == len(cli.json("list", "--overdue"))
    assert summary["due_soon"] == len(cli.json("list", "--due-within", "7d"))
    active = cli.json("list")
    bands = Counter(t["band"] for t in active)
    assert summary["bands"] == {b: bands.get(b, 0) for b in ("red", "yellow", "blue")}
    assert summary["open"] == len(active)
    assert sum(summary["states"].values()) == summary["total"] == len(cli.json("list", "--all"))
    todo = summary["total"] - summary["cancelled"]
    assert summary["completion_rate"] == (summary["closed"] / todo if todo else 0)
    kinds = [*summary["by_kind"].values(), summary["unclassified"]]
    units = summary["by_unit"].values()
    for groups in (kinds, units):
        for key in ("total", "closed", "cancelled", "overdue"):
            assert sum(g[key] for g in groups) == summary[key]
    # Every figure of every group, counted from `list --json --all`.
    everything = cli.json("list", "--all")
    assert summary == {**summary, **group_figures(everything)}
    for kind, figures in [*summary["by_kind"].items(), (None, summary["unclassified"])]:
        assert figures == group_figures([t for t in everything if t["kind"] == kind]), kind
    units = {t["unit"] or "" for t in everything}
    assert set(summary["by_unit"]) == units
    for unit, figures in summary["by_unit"].items():
        assert figures == group_figures([t for t in everything if (t["unit"] or "") == unit]), unit
    weekly = cli.json("weekly")
    assert weekly["summary"] == summary
    assert weekly["trend"][-1] == {"week": weekly["week"], "open": summary["open"], "closed": summary["closed"]}
    previous = weekly["previous"]
    assert weekly["trend"][-2]["open"] == previous["open"] and weekly["trend"][-2]["closed"] == previous["closed"]
    monday = weekly["from"] + "T00:00:00"
    assert [t["id"] for t in weekly["new"]] == [t["id"] for t in sorted(everything, key=lambda t: (t["created"], t["id"]))
                                                 if t["created"] >= monday]
    assert {t["id"] for t in weekly["closed"]} == {t["id"] for t in everything
                                                   if t["status"] == "closed" and t["closed_at"] >= monday}
    since = (date.fromisoformat(summary["as_of"]) - timedelta(days=30)).isoformat()
    stale = [t["id"] for t in active if t["kind"] == "long_term" and t["created"] < since
             and not any(e["field"] == "progress" and e["at"] >= since for e in cli.json("history", t["id"]))]
    assert sorted(stale) == sorted(t["id"] for t in weekly["stale"]) and summary["stale"] == len(stale)
    overdue = sorted((t for t in active if t["overdue"]), key=lambda t: (t["unit"] is None, t["unit"] or "",
                                                                         t["due"], t["id"]))
    assert weekly["overdue"] == [{**t, "days_late": (date.fromisoformat(summary["as_of"])
                                                     - date.fromisoformat(t["due"])).days} for t in overdue]


def group_figures(tasks: list[dict]) -> dict:
    """A summary group's figures, counted from `list --json` tasks."""
    count = Counter(t["status"] for t in tasks)
    todo = len(tasks) - count["cancelled"]
    return {"total": len(tasks), "open": len(tasks) - count["closed"] - count["cancelled"],
            "closed": count["closed"], "cancelled": count["cancelled"], "overdue": sum(t["overdue"] for t in tasks),
            "completion_rate": count["closed"] / todo if todo else 0}


def play(cli: Cli, action: tuple, ids: list[int]) -> None:
    if action[0] == "add":
        _, kind, unit, due = action
        args = ["add", "task"]
        if kind:
            args += ["--kind", kind]
        if unit:
            args += ["--unit", unit, "--owner", "owner-" + unit]
        if due is not None:
            args += ["--due", f"{due:+d}d"]
        ids.append(cli.json(*args)["id"])
        return
    if not ids:
        return
    verb, pick, n = action
    task = ids[pick % len(ids)]
    commands = {
        "progress": [("progress", task, "note", "--percent", str(min(100, n * 3)))],
        "finish": [("evidence", task, "--note", "done"), ("submit", task)],
        "close": [("close", task, "--by", "checker")],
        "reject": [("reject", task, "--reason", "not yet")],
        "reopen": [("reopen", task, "--reason", "recurred")],
        "cancel": [("cancel", task, "--reason", "duplicate")],
        "extend": [("extend", task, f"+{n}d", "--reason", "waiting")],
        "move": [("edit", task, "--unit", UNITS[n % 2])],
        "classify": [("classify", task, KINDS[n % 2])],
        "bring_forward": [("edit", task, "--due", f"{n - 10:+d}d")],
    }[verb]
    for args in commands:
        res = cli(*args)
        assert res.exit_code in (0, 4), res  # 4: the ledger's rules refused it, nothing changed


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(step, min_size=4, max_size=16))
def test_random_histories_keep_reports_true(steps):
    with tempfile.TemporaryDirectory() as folder:
        cli = Cli(Path(folder) / "ledger.db")
        clock = START
        ids: list[int] = []
        taken: list[tuple[tuple, dict]] = []
        reported_today = False
        for days, action in steps:
            if days or reported_today:
                clock = clock.replace(hour=9, minute=0) + timedelta(days=max(days, 1))
                reported_today = False
            clock += timedelta(minutes=7)
            os.environ["RECTIFY_NOW"] = clock.isoformat()
            if action[0] != "report":
                play(cli, action, ids)
                continue
            invariants(cli)
            day = clock.date().isoformat()
            # Now, and the same asked for later: the fast path and the rebuilt one must agree.
            taken.append((("summary", "--as-of", day, "--by", "owner"), cli.json("summary", "--by", "owner")))
            taken.append((("weekly", "--as-of", day), cli.json("weekly")))
            last_week = (clock.date() - timedelta(days=7)).isoformat()
            taken.append((("weekly", "--week", last_week), cli.json("weekly", "--week", last_week)))
            reported_today = True
        os.environ["RECTIFY_NOW"] = (clock + timedelta(days=3)).isoformat()
        if ids:
            play(cli, ("add", "long_term", "财务处", 5), ids)
        invariants(cli)
        event(f"reports taken: {len(taken) // 3}")
        for args, data in taken:
            assert cli.json(*args) == data, args
