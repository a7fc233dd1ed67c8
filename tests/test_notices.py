"""The paper trail of supervision through the CLI: numbered notices issued
from the sheets, replied to and overdue; extension requests approved,
refused and late; the weekly's list of pending requests."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import Cli


@pytest.fixture
def office(cli, monkeypatch) -> Cli:
    """On 2026-11-25: Finance has a task 5 days overdue, HR one due in 3 days,
    Audit one due in 40 days (no notice)."""
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-01T09:00:00")
    cli.add("Clear the reimbursements", "--unit", "Finance", "--owner", "Li Hua", "--due", "2026-11-20")
    cli.add("Revise the leave rules", "--unit", "HR", "--owner", "Wang Fang", "--due", "2026-11-28")
    cli.add("Train the auditors", "--unit", "Audit", "--owner", "Zhou", "--due", "2027-01-04")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-25T09:00:00")
    return cli


def test_sheets_issue_numbered_notices_by_kind(office, db):
    out = office.ok("sheets", "--issue").stdout
    assert "Supervision notice" in out and "No. 督办〔2026〕1号" in out and "Reply by 2026-11-30." in out
    assert "Reminder notice" in out and "No. 提醒〔2026〕1号" in out
    notices = office.json("notice", "list")
    assert [(n["number"], n["kind"], n["unit"], n["tasks"], n["reply_by"]) for n in notices] == [
        ("督办〔2026〕1号", "supervision", "Finance", [1], "2026-11-30"),
        ("提醒〔2026〕1号", "reminder", "HR", [2], None)]
    # Issued once: the same tasks are not named again while their notices stand.
    res = office.ok("sheets", "--issue")
    assert res.stdout == "" and "none issued" in res.stderr
    assert len(office.json("notice", "list")) == 2
    # Recorded in the tasks' histories and in the ledger's.
    assert any(e["action"] == "notice" and e["new"] == "督办〔2026〕1号" for e in office.json("history", 1))
    assert sqlite3.connect(db).execute("SELECT count(*) FROM ledger_event WHERE action = 'notice'").fetchone()[0] == 2
    assert office.json("check")["ok"]


def test_counter_per_year_and_kind_and_the_number_format(office, monkeypatch):
    office.ok("config", "notice_number", "{kind} {year}/{serial}")
    office.ok("config", "notice_word_supervision", "SUP")
    office.ok("sheets", "--issue", "--kind", "supervision")
    office.add("Second overdue", "--unit", "HR", "--owner", "Wang Fang", "--due", "2026-11-21")
    office.ok("sheets", "--issue", "--kind", "supervision")
    numbers = [n["number"] for n in office.json("notice", "list")]
    assert numbers == ["SUP 2026/1", "SUP 2026/2"]
    monkeypatch.setenv("RECTIFY_NOW", "2027-01-10T09:00:00")
    office.add("Overdue next year", "--unit", "Audit", "--owner", "Zhou", "--due", "2027-01-05")
    office.ok("sheets", "--issue", "--kind", "supervision", "--unit", "Audit")
    assert office.json("notice", "list")[-1]["number"] == "SUP 2027/1"
    res = office("sheets", "--issue", "--kind", "memo")
    assert res.exit_code == 2 and res.stderr.startswith("rectify: error:")
    assert office("sheets", "--kind", "warning").exit_code == 2


def test_notices_replied_awaiting_and_overdue_and_the_warning_after(office, monkeypatch, tmp_path):
    office.ok("sheets", "--issue")
    assert [n["number"] for n in office.json("notice", "list", "--awaiting")] == ["督办〔2026〕1号"]
    assert office.json("notice", "list", "--overdue") == []
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-02T09:00:00")
    overdue = office.json("notice", "list", "--overdue")
    assert [n["number"] for n in overdue] == ["督办〔2026〕1号"] and overdue[0]["reply_overdue"]
    assert "reply overdue" in office.ok("notice", "list").stdout
    # Still overdue after the reply-by date: a warning.
    office.ok("sheets", "--issue", "--kind", "warning", "--format", "html", "--output", str(tmp_path / "out"))
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(files) == 1 and "告诫" in files[0]
    warning = office.json("notice", "show", "告诫〔2026〕1号")
    assert warning["kind"] == "warning" and warning["tasks"] == [1] and warning["reply_by"] == "2026-12-07"
    # The reply, by number or id.
    office.ok("notice", "reply", "督办〔2026〕1号", "--note", "Reimbursements cleared; receipts attached")
    replied = office.json("notice", "show", "1")
    assert replied["replied_at"].startswith("2026-12-02") and not replied["awaiting"] and replied["replied_by"] == "tester"
    assert [n["number"] for n in office.json("notice", "list", "--awaiting")] == ["告诫〔2026〕1号"]
    assert office("notice", "reply", "1", "--note", "again").exit_code == 4
    assert office("notice", "show", "督办〔2026〕99号").exit_code == 3
    assert office("notice", "reply", "1", "--note", "  ").exit_code == 2
    assert "Reimbursements cleared" in office.ok("notice", "show", "1").stdout
    assert office.json("check")["ok"]


def test_lead_times_are_settings(office):
    office.ok("config", "reminder_lead_days", "2")
    office.ok("config", "notice_reply_days", "10")
    office.ok("sheets", "--issue")
    notices = office.json("notice", "list")
    assert [(n["kind"], n["reply_by"]) for n in notices] == [("supervision", "2026-12-05")]  # HR's task is 3 days out


# -- extension requests --------------------------------------------------------------------


def test_extension_request_approved_applies_the_extension(office, monkeypatch):
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-26T09:00:00")
    req = office.json("extend", "2", "--to", "2027-02-28", "--reason", "Awaiting the provincial rules", "--request")
    assert (req["status"], req["late"], req["old_due"], req["new_due"]) == ("pending", False, "2026-11-28", "2027-02-28")
    assert office.json("show", 2)["due"] == "2026-11-28"  # not yet
    # A second request while one is pending is refused.
    assert office("extend", "2", "--to", "2027-03-31", "--reason", "x", "--request").exit_code == 4
    # Not by the person responsible, however written.
    res = office("extend", "approve", str(req["id"]), "--by", "wang　fang")
    assert res.exit_code == 4 and "person responsible" in res.stderr
    assert office("extend", "approve", str(req["id"])).exit_code == 2
    approved = office.json("extend", "approve", str(req["id"]), "--by", "Chen Jing")
    assert approved["status"] == "approved" and approved["decided_by"] == "Chen Jing"
    task = office.json("show", 2)
    assert task["due"] == "2027-02-28"
    # The same rule as a direct extension: the old deadline kept in history.
    assert [(e["action"], e["old"], e["new"]) for e in task["history"] if e["field"] == "due"] == [
        ("extend", "2026-11-28", "2027-02-28")]
    assert office("extend", "refuse", str(req["id"]), "--by", "Chen Jing", "--reason", "x").exit_code == 4
    assert office.json("check")["ok"]


def test_extension_request_refused_and_late(office, monkeypatch):
    req = office.json("extend", "1", "2027-01-31", "--reason", "Finance staff short", "--request")
    assert req["late"] is True  # asked five days after the deadline
    assert "late" in office.ok("extend", "requests").stdout
    res = office("extend", "refuse", str(req["id"]), "--by", "Chen Jing")
    assert res.exit_code == 2  # a refusal needs its reason
    refused = office.json("extend", "refuse", str(req["id"]), "--by", "Chen Jing", "--reason", "Finish it this week")
    assert refused["status"] == "refused" and refused["decision_note"] == "Finish it this week"
    assert office.json("show", 1)["due"] == "2026-11-20"
    assert office.json("extend", "requests", "--pending") == []
    assert [r["status"] for r in office.json("extend", "requests")] == ["refused"]
    assert office("extend", "approve", "99", "--by", "X").exit_code == 3
    # A request must move the deadline later, as an extension must.
    assert office("extend", "1", "--to", "2026-11-10", "--reason", "x", "--request").exit_code == 4


def test_the_direct_extend_stays(office):
    office.ok("extend", "3", "2027-02-01", "--reason", "Trainers booked")
    office.ok("extend", "3", "--to", "2027-03-01", "--reason", "Trainers rebooked")
    assert office.json("show", 3)["due"] == "2027-03-01"
    assert office("extend", "3", "2027-04-01", "--to", "2027-05-01", "--reason", "x").exit_code == 2
    assert office("extend", "3", "--to", "2027-05-01").exit_code == 2
    assert office("extend", "abc", "--to", "2027-05-01", "--reason", "x").exit_code == 2


def test_the_weekly_lists_pending_requests_as_they_stood(office, monkeypatch):
    office.ok("extend", "1", "--to", "2027-01-31", "--reason", "Finance staff short", "--request")
    weekly = office.json("weekly")
    assert [(r["task_id"], r["late"], r["status"]) for r in weekly["extension_requests"]] == [(1, True, "pending")]
    for fmt in ("text", "md", "html"):
        assert "Finance staff short" in office.ok("weekly", "--format", fmt).stdout
    monkeypatch.setenv("RECTIFY_NOW", "2026-12-01T09:00:00")
    office.ok("extend", "approve", "1", "--by", "Chen Jing")
    assert office.json("weekly")["extension_requests"] == []
    past = office.json("weekly", "--week", "2026-W48")
    assert [r["task_id"] for r in past["extension_requests"]] == [1]
