"""The look-back through the CLI: closing schedules a re-check, a sample is
drawn reproducibly, re-checks record held and relapsed, a relapse opens a
linked task, and the figures of a past day stay as they were. Also the
ledger's settings (`rectify config`), which past reports read as they were."""

from __future__ import annotations

import sqlite3

import openpyxl
import pytest

from conftest import Cli

UNITS = {"Finance": 6, "HR": 3, "Audit": 1}


def closed_task(cli: Cli, title: str, unit: str, kind: str = "immediate", owner: str = "Li Hua",
                *close_args: str) -> int:
    task = cli.add(title, "--unit", unit, "--kind", kind, "--owner", owner, "--due", "2026-12-31",
                   "--category", "Finance" if unit == "Finance" else "Staff", "--new-problem", f"{unit} findings")
    cli.ok("evidence", task, "--note", "receipts filed")
    cli.ok("submit", task)
    cli.ok("close", task, "--by", "Chen Jing", *close_args)
    return task


@pytest.fixture
def ledger(cli, monkeypatch) -> Cli:
    """Ten closed tasks in three units, closed on 2026-11-02."""
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-02T10:00:00")
    for unit, n in UNITS.items():
        for i in range(n):
            closed_task(cli, f"{unit} measure {i + 1}", unit, "long_term" if i % 3 == 2 else "immediate")
    return cli


def test_closing_schedules_a_recheck_by_kind_and_by_option(cli, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-02T10:00:00")
    immediate = closed_task(cli, "Refund the fees", "Finance")
    long_term = closed_task(cli, "Issue the rules", "Finance", "long_term")
    span = closed_task(cli, "Fix the door", "HR", "immediate", "Li Hua", "--recheck-in", "60d")
    day = closed_task(cli, "Fix the roof", "HR", "immediate", "Li Hua", "--recheck-on", "2027-01-15")
    never = closed_task(cli, "Fix the sign", "HR", "immediate", "Li Hua", "--no-recheck")
    due = {t: cli.json("show", t)["recheck_due"] for t in (immediate, long_term, span, day, never)}
    assert due == {immediate: "2027-01-31", long_term: "2027-05-01", span: "2027-01-01", day: "2027-01-15", never: None}
    history = cli.json("history", immediate)
    assert ("close", "recheck_due", None, "2027-01-31") in [(e["action"], e["field"], e["old"], e["new"]) for e in history]
    # Two of the options at once: refused, and nothing changed.
    t = cli.add("Another")
    cli.ok("evidence", t, "--note", "n")
    cli.ok("submit", t)
    res = cli("close", t, "--by", "Chen Jing", "--recheck-in", "60d", "--no-recheck")
    assert res.exit_code == 2 and "rectify: error:" in res.stderr
    assert cli.json("show", t)["status"] == "submitted"
    # Reopening clears the re-check: only a closed task is checked again.
    cli.ok("reopen", immediate, "--reason", "spot check failed")
    assert cli.json("show", immediate)["recheck_due"] is None
    assert cli.ok("check").exit_code == 0


def test_recheck_lists_what_is_due(ledger, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2027-01-30T09:00:00")
    assert ledger.json("recheck") == []
    assert len(ledger.json("recheck", "--within", "2d")) == 7  # the immediate ones, due 2027-01-31
    monkeypatch.setenv("RECTIFY_NOW", "2027-02-01T09:00:00")
    due = ledger.json("recheck")
    assert [t["recheck_due"] for t in due] == ["2027-01-31"] * 7 and all(t["recheck_overdue"] for t in due)
    out = ledger.ok("recheck").stdout
    assert "Finance measure 1" in out and "2027-01-31" in out


def test_same_seed_same_sample_and_every_unit_is_seen(ledger, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-01T09:00:00")
    first = ledger.json("lookback", "sample", "--rate", "20%", "--seed", "2026")
    again = ledger.json("lookback", "sample", "--rate", "20%", "--seed", "2026")
    other = ledger.json("lookback", "sample", "--rate", "20%", "--seed", "other")

    def ids(sample):
        return [t["id"] for t in ledger.json("lookback", "sheet", sample["id"])["tasks"]]

    assert ids(first) == ids(again)
    # 20% of 10 is 2; Audit and HR and Finance are each seen, so 3.
    assert first["population"] == 10 and first["wanted"] == 2 and first["sampled"] == 3
    units = {t["unit"] for t in ledger.json("lookback", "sheet", first["id"])["tasks"]}
    assert units == set(UNITS)
    assert other["seed"] == "other" and other["sampled"] == 3
    listed = ledger.json("lookback", "list")
    assert [s["id"] for s in listed] == [first["id"], again["id"], other["id"]]
    # A sample by count, in one unit, closed in a window.
    hr = ledger.json("lookback", "sample", "--n", "2", "--seed", "1", "--unit", "HR", "--from", "2026-11-01", "--to", "2026-11-30")
    assert hr["sampled"] == 2 and hr["scope"] == {"unit": "HR", "from": "2026-11-01", "to": "2026-11-30"}
    assert {t["unit"] for t in ledger.json("lookback", "sheet", hr["id"])["tasks"]} == {"HR"}
    # The sample is in each task's history.
    task = ids(first)[0]
    assert any(e["action"] == "sample" and e["new"] == str(first["id"]) for e in ledger.json("history", task))


def test_the_sample_draws_the_same_tasks_in_another_ledger_with_the_same_tasks(tmp_path, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-02T10:00:00")
    picks = []
    for name in ("a.db", "b.db"):
        cli = Cli(tmp_path / name)
        for unit, n in UNITS.items():
            for i in range(n):
                closed_task(cli, f"{unit} {i}", unit)
        sample = cli.json("lookback", "sample", "--n", "5", "--seed", "42")
        picks.append([t["id"] for t in cli.json("lookback", "sheet", sample["id"])["tasks"]])
    assert picks[0] == picks[1] and len(picks[0]) == 5


def test_bad_sample_requests_are_refused_and_change_nothing(ledger, db):
    before = sqlite3.connect(db).execute("SELECT count(*) FROM sample").fetchone()[0]
    for args, code in ((("--rate", "0%"), 2), (("--rate", "abc"), 2), (("--n", "0"), 2), ((), 2),
                       (("--rate", "20%", "--n", "3"), 2), (("--n", "3", "--unit", "Nobody"), 4)):
        res = ledger("lookback", "sample", *args)
        assert res.exit_code == code, (args, res)
        assert res.stderr.startswith("rectify: error:") and "Traceback" not in res.stderr
    assert sqlite3.connect(db).execute("SELECT count(*) FROM sample").fetchone()[0] == before
    assert ledger("lookback", "sheet", "99").exit_code == 3


def test_held_and_relapsed_results_and_the_linked_new_task(ledger, monkeypatch, tmp_path):
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-01T09:00:00")
    sample = ledger.json("lookback", "sample", "--n", "4", "--seed", "s")
    held, relapsed = [t["id"] for t in ledger.json("lookback", "sheet", sample["id"])["tasks"]][:2]
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-03T09:00:00")
    # The person responsible may not check their own work, however the name is typed.
    for name in ("Li Hua", "li hua", "ＬＩ　ＨＵＡ", "Li\u200bHua"):
        res = ledger("recheck", held, "--held", "--by", name, "--note", "x")
        assert res.exit_code == 4 and "person responsible" in res.stderr, name
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"a photo of the filed receipts")
    ledger.ok("recheck", held, "--held", "--by", "Zhao Lei", "--note", "Receipts still filed", "--evidence", str(photo))
    shown = ledger.json("show", held)
    assert shown["status"] == "closed" and shown["recheck_due"] is None
    assert shown["lookback"]["rechecks"][0]["result"] == "held"
    assert [e["name"] for e in shown["evidence"]] == [None, "photo.jpg"]

    result = ledger.json("recheck", relapsed, "--relapsed", "--by", "Zhao Lei", "--note", "Backlog again",
                         "--due", "2027-01-31")
    new = result["relapse_task_id"]
    original = ledger.json("show", relapsed)
    # The original's closing stays true; it links forward, the new task links back.
    assert original["status"] == "closed" and original["closed_by"] == "Chen Jing"
    assert original["lookback"]["relapses"] == [new]
    task = ledger.json("show", new)
    assert task["relapse_of"] == relapsed and task["status"] == "open" and task["due"] == "2027-01-31"
    assert (task["title"], task["unit"], task["owner"]) == (original["title"], original["unit"], original["owner"])
    assert task["problem"] == original["problem"]
    text = ledger.ok("show", new).stdout
    assert f"task {relapsed}" in text
    assert f"new task {new}" in ledger.ok("show", relapsed).stdout
    # A relapse counts against its problem: the problem is no longer done.
    problem = original["problem"]["id"]
    row = next(p for p in ledger.json("problems") if p["id"] == problem)
    assert row["tasks"] > row["closed"]
    # An unfinished task is not checked again.
    res = ledger("recheck", new, "--held", "--by", "Zhao Lei", "--note", "x")
    assert res.exit_code == 4
    # The figures, and the check of the ledger's records.
    figures = ledger.json("summary")["lookback"]
    assert (figures["sampled"], figures["checked"], figures["held"], figures["relapsed"]) == (4, 2, 1, 1)
    assert figures["rechecks"] == {"held": 1, "relapsed": 1}
    check = ledger.json("check")
    assert check["ok"], check["faults"]


def test_figures_for_a_past_day_stay_unchanged_after_later_changes(ledger, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-01T09:00:00")
    sample = ledger.json("lookback", "sample", "--rate", "50%", "--seed", "9")
    tasks = ledger.json("lookback", "sheet", sample["id"])["tasks"]
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-02T09:00:00")
    ledger.ok("recheck", tasks[0]["id"], "--held", "--by", "Zhao", "--note", "fine")
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-03T09:00:00")
    past = ledger.json("summary", "--as-of", "2026-12-02")["lookback"]
    weekly = ledger.json("weekly", "--as-of", "2026-12-02")["lookback"]
    assert past == weekly and (past["sampled"], past["checked"], past["held"]) == (sample["sampled"], 1, 1)
    # Later: a relapse, another sample, the unit renamed.
    ledger.ok("recheck", tasks[1]["id"], "--relapsed", "--by", "Zhao", "--note", "back")
    ledger.ok("lookback", "sample", "--n", "3", "--seed", "x")
    ledger.ok("reopen", tasks[0]["id"], "--reason", "again")
    ledger.ok("edit", tasks[0]["id"], "--unit", "Renamed")
    assert ledger.json("summary", "--as-of", "2026-12-02")["lookback"] == past
    assert ledger.json("summary", "--as-of", "2026-11-30")["lookback"]["samples"] == 0
    now = ledger.json("summary")["lookback"]
    assert now["relapsed"] == 1 and now["samples"] == 2
    # The figures show in the text, Markdown and HTML of the weekly and in the summary.
    for fmt in ("text", "md", "html"):
        assert "look-back" in ledger.ok("weekly", "--format", fmt).stdout
    assert "The look-back by unit" in ledger.ok("summary").stdout


def test_the_sheet_prints_as_text_html_and_xlsx(ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-01T09:00:00")
    sample = ledger.json("lookback", "sample", "--n", "3", "--seed", "7")
    ids = [t["id"] for t in ledger.json("lookback", "sheet", sample["id"])["tasks"]]
    text = ledger.ok("lookback", "sheet", sample["id"]).stdout
    assert all(str(t) in text for t in ids) and "measure" in text and "held" in text
    html = ledger.ok("lookback", "sheet", sample["id"], "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and html.count("<tr>") == 1 + len(ids)
    out = tmp_path / "sheet.xlsx"
    ledger.ok("lookback", "sheet", sample["id"], "--format", "xlsx", "--output", str(out))
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    found = {int(r[0]) for r in rows if r and isinstance(r[0], (int, str)) and str(r[0]).isdigit()}
    assert found == set(ids)
    assert ledger("lookback", "sheet", sample["id"], "--format", "xlsx").exit_code == 2
    assert ledger("lookback", "sheet", sample["id"], "--format", "pdf").exit_code == 2


# -- settings ----------------------------------------------------------------------------


def test_config_shows_changes_and_records_settings(cli, db):
    listed = cli.json("config")
    assert {r["key"]: r["value"] for r in listed}["blue_days"] == 7
    assert cli.json("config", "blue_days")["is_default"] is True
    cli.ok("config", "blue_days", "10")
    assert cli.json("config", "blue_days")["value"] == 10
    events = sqlite3.connect(db).execute("SELECT action, subject, old, new, actor FROM ledger_event").fetchall()
    assert events == [("config", "blue_days", None, "10", "tester")]
    for args in (("blue_days", "ten"), ("blue_days", "-1"), ("no_such", "1"), ("notice_number", "{kind}"),
                 ("notice_number", "{bad}{serial}")):
        res = cli("config", *args)
        assert res.exit_code in (2, 3) and res.stderr.startswith("rectify: error:"), args
    assert len(sqlite3.connect(db).execute("SELECT * FROM ledger_event").fetchall()) == 1
    assert cli.ok("check").exit_code == 0


def test_past_reports_use_the_settings_of_their_day(cli, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-20T09:00:00")
    cli.add("Due in nine days", "--due", "2026-11-29")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-21T09:00:00")
    before = cli.json("summary")
    assert before["bands"]["blue"] == 0 and before["due_soon"] == 0  # 8 days out: not within 7
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-22T09:00:00")
    cli.ok("config", "blue_days", "10")
    cli.ok("config", "stale_days", "60")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-23T09:00:00")
    now = cli.json("summary")
    assert now["bands"]["blue"] == 1 and now["stale_days"] == 60
    assert cli.json("list")[0]["band"] == "blue"
    past = cli.json("summary", "--as-of", "2026-11-21")
    assert past == before
    assert past["stale_days"] == 30


def test_the_summary_words_its_bands_with_the_ledgers_days(cli):
    cli.add("A task", "--due", "2026-12-01")
    out = cli.ok("summary").stdout
    assert "Due within 7 days" in out and "blue: due within 7 days" in out
    cli.ok("config", "blue_days", "10")
    cli.ok("config", "yellow_quiet_days", "21")
    data = cli.json("summary")
    assert data["thresholds"] == {"blue_days": 10, "yellow_horizon_days": 30, "yellow_quiet_days": 21}
    out = cli.ok("summary").stdout
    assert "Due within 10 days" in out and "blue: due within 10 days" in out and "for 21 days" in out
    assert "Due within 10 days" in cli.ok("weekly").stdout
    assert "10天内到期" in cli.ok("--lang", "zh", "summary").stdout


def test_a_sample_for_one_round_draws_only_its_closed_tasks(ledger, monkeypatch):
    """`lookback sample --round R`: the look-back of one inspection round
    samples that round's closed tasks, every unit of it seen; an unknown
    round is refused and records nothing."""
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-03T10:00:00")
    ledger.ok("round", "add", "区委第三巡察组巡察反馈", "--kind", "巡察", "--fed-back", "2026-09-01")
    finance = [t["id"] for t in ledger.json("list", "--all", "--unit", "Finance")]
    hr = [t["id"] for t in ledger.json("list", "--all", "--unit", "HR")]
    for task in (finance[0], hr[0]):  # each move takes the task's whole problem into the round
        ledger.ok("edit", task, "--round", "区委第三巡察组巡察反馈")
    in_round = {t["id"] for t in ledger.json("list", "--all", "--round", "区委第三巡察组巡察反馈")}
    assert in_round == set(finance) | set(hr)
    res = ledger("lookback", "sample", "--round", "No such round", "--n", "2", "--seed", "7")
    assert res.exit_code == 3 and len(res.stderr.splitlines()) == 1, res
    assert ledger.json("lookback", "list") == []
    sample = ledger.json("lookback", "sample", "--round", "区委第三巡察组巡察反馈", "--n", "2", "--seed", "7")
    assert sample["population"] == len(in_round)
    tasks = ledger.json("lookback", "sheet", str(sample["id"]))["tasks"]
    drawn = {t["id"] for t in tasks}
    assert drawn <= in_round and {t["unit"] for t in tasks} == {"Finance", "HR"}
    again = ledger.json("lookback", "sample", "--round", "区委第三巡察组巡察反馈", "--n", "2", "--seed", "7")
    assert {t["id"] for t in ledger.json("lookback", "sheet", str(again["id"]))["tasks"]} == drawn


def test_the_report_of_a_round_carries_its_look_back(ledger, monkeypatch, tmp_path):
    """The rectification report states the round's look-back with the same
    figures as `summary --round R --json`; another round's re-checks do not count."""
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-03T10:00:00")
    ledger.ok("round", "add", "Audit 2026", "--kind", "audit")
    finance = [t["id"] for t in ledger.json("list", "--all", "--unit", "Finance")]
    ledger.ok("edit", finance[0], "--round", "Audit 2026")
    sample = ledger.json("lookback", "sample", "--round", "Audit 2026", "--n", "2", "--seed", "3")
    drawn = [t["id"] for t in ledger.json("lookback", "sheet", str(sample["id"]))["tasks"]]
    ledger.ok("recheck", drawn[0], "--held", "--by", "Wang Min", "--note", "receipts still filed")
    ledger.ok("recheck", drawn[1], "--relapsed", "--by", "Wang Min", "--note", "backlog again")
    outside = [t["id"] for t in ledger.json("list", "--all", "--unit", "HR")][0]
    ledger.ok("recheck", outside, "--held", "--by", "Wang Min", "--note", "not this round")
    look = ledger.json("summary", "--round", "Audit 2026")["lookback"]
    assert (look["samples"], look["sampled"], look["checked"], look["held"], look["relapsed"]) == (1, 2, 2, 1, 1)
    assert look["rechecks"] == {"held": 1, "relapsed": 1}
    assert ledger.json("summary")["lookback"]["rechecks"] == {"held": 2, "relapsed": 1}
    ledger.ok("report", "--round", "Audit 2026", "--format", "md", "--output", tmp_path / "r.md")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert ("Look-back: 2 closed measures sampled, 2 checked again, 1 held, 1 relapsed; "
            "re-checks recorded in all: 1 held, 1 relapsed.") in text
